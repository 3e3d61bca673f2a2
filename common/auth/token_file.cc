#include "common/auth/token_file.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace shien::auth {
namespace {

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("token file line ", line, ": ", what));
}

std::vector<std::string> List(absl::string_view column) {
  std::vector<std::string> out;
  if (column == "-") return out;
  for (absl::string_view part : absl::StrSplit(column, ',')) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

bool IsHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    absl::StrAppendFormat(&out, "%02x", digest[i]);
  }
  return out;
}

absl::StatusOr<TokenTable> ParseTokenFile(absl::string_view text) {
  TokenTable table;
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    absl::string_view line = raw;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> cols =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (cols.empty()) continue;
    if (cols.size() != 5) {
      return LineError(number,
                       absl::StrCat("expected 5 columns (credential name "
                                    "roles departments expires), found ",
                                    cols.size()));
    }
    Grant grant;
    grant.principal.name = std::string(cols[1]);
    grant.principal.roles = List(cols[2]);
    grant.principal.departments = List(cols[3]);
    if (grant.principal.roles.empty()) {
      return LineError(number, "a principal needs at least one role");
    }
    for (const std::string& role : grant.principal.roles) {
      if (!IsKnownRole(role)) {
        return LineError(number,
                         absl::StrCat("unknown role \"", role,
                                      "\"; use viewer, reporter, reviewer, "
                                      "admin or service"));
      }
    }
    if (cols[4] != "-") {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, cols[4], &t, &err)) {
        return LineError(
            number, absl::StrCat("expires \"", cols[4], "\" is not RFC 3339"));
      }
      grant.expires_us = absl::ToUnixMicros(t);
    }
    std::map<std::string, Grant>* into = nullptr;
    std::string key;
    if (absl::StartsWith(cols[0], "sha256:")) {
      key = absl::AsciiStrToLower(cols[0].substr(7));
      if (!IsHex64(key)) {
        return LineError(number, "sha256: needs 64 hex digits");
      }
      into = &table.by_token_hash;
    } else if (absl::StartsWith(cols[0], "x509:") && cols[0].size() > 5) {
      key = std::string(cols[0].substr(5));
      into = &table.by_certificate;
    } else {
      return LineError(
          number, "the credential must be sha256:<hex> or x509:<identity>");
    }
    if (!into->emplace(key, std::move(grant)).second) {
      return LineError(number, "the credential is listed twice");
    }
  }
  return table;
}

absl::StatusOr<TokenTable> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  auto table = ParseTokenFile(content.str());
  if (!table.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

}  // namespace shien::auth
