#ifndef SHIEN_TESTS_TESTING_AUTH_H_
#define SHIEN_TESTS_TESTING_AUTH_H_

#include <map>
#include <string>

#include "common/auth/authenticator.h"

namespace shien::testing {

// An authenticator that lets every caller in with every role, for tests
// that are not about authorization. Lives as long as the process.
const auth::Authenticator* OpenAuthenticator();

// A token file with one principal per role, written for a test.
struct TestTokens {
  // Path of the token file (hashes only).
  std::string file;
  // Principal name → its bearer token. Principals: "viewer", "reporter"
  // (acting for 経営支援課 only), "reviewer", "admin", "service",
  // "expired-admin" (an admin whose token expired in 2020).
  std::map<std::string, std::string> tokens;
  const std::string& Token(const std::string& name) const {
    return tokens.at(name);
  }
};

// Writes the token file at `path` (mode 0600). `tag` makes the tokens
// differ between files (for reload tests).
TestTokens WriteTestTokens(const std::string& path,
                           const std::string& tag = "a");

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_AUTH_H_
