#include "tests/testing/auth.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/auth/token_file.h"

namespace shien::testing {

const auth::Authenticator* OpenAuthenticator() {
  static const auth::Authenticator* const kOpen =
      auth::Authenticator::Open().release();
  return kOpen;
}

TestTokens WriteTestTokens(const std::string& path, const std::string& tag) {
  struct Line {
    const char* name;
    const char* roles;
    const char* departments;
    const char* expires;
  };
  const Line lines[] = {
      {"viewer", "viewer", "-", "-"},
      {"reporter", "reporter", "経営支援課", "-"},
      {"reviewer", "reviewer", "-", "-"},
      {"admin", "admin", "-", "-"},
      {"service", "service", "-", "-"},
      {"expired-admin", "admin", "-", "2020-01-01T00:00:00+09:00"},
  };
  TestTokens out;
  out.file = path;
  std::ofstream file(path, std::ios::trunc);
  file << "# test tokens\n";
  for (const Line& line : lines) {
    const std::string token = absl::StrCat("tok-", tag, "-", line.name);
    out.tokens[line.name] = token;
    file << "sha256:" << auth::Sha256Hex(token) << " " << line.name << " "
         << line.roles << " " << line.departments << " " << line.expires
         << "\n";
  }
  file.close();
  chmod(path.c_str(), 0600);
  return out;
}

}  // namespace shien::testing
