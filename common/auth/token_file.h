#ifndef SHIEN_COMMON_AUTH_TOKEN_FILE_H_
#define SHIEN_COMMON_AUTH_TOKEN_FILE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/principal.h"

namespace shien::auth {

// A principal as the token file grants it.
struct Grant {
  Principal principal;
  // Microseconds since the epoch after which the credential is refused; 0
  // for never.
  int64_t expires_us = 0;
};

// The parsed token file: bearer tokens by the hex SHA-256 of the token, and
// client-certificate identities (subject CN or a SAN) for mTLS.
struct TokenTable {
  std::map<std::string, Grant> by_token_hash;
  std::map<std::string, Grant> by_certificate;
};

// Parses a token file. One credential per line, five whitespace-separated
// columns; '#' starts a comment, blank lines are skipped:
//
//   credential            name        roles            departments   expires
//   sha256:<64 hex>       keiei       reporter         経営支援課
//   2027-03-31T23:59:59+09:00 x509:subsidy.shien    subsidy     service - -
//
// roles and departments are comma-separated ("-" for none, "*" for all
// departments); expires is RFC 3339 or "-". The file holds hashes only, so
// it reveals no token. INVALID_ARGUMENT naming the line at fault.
absl::StatusOr<TokenTable> ParseTokenFile(absl::string_view text);

// Reads and parses the file at `path`; NOT_FOUND when it cannot be read.
absl::StatusOr<TokenTable> ReadTokenFile(const std::string& path);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace shien::auth

#endif  // SHIEN_COMMON_AUTH_TOKEN_FILE_H_
