#ifndef SHIEN_COMMON_AUTH_AUTHENTICATOR_H_
#define SHIEN_COMMON_AUTH_AUTHENTICATOR_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/auth/token_file.h"
#include "grpcpp/server_context.h"

namespace shien::auth {

// Maps a call's credentials to its principal: the bearer token in the
// "authorization" metadata ("Bearer <token>") or, without one, the verified
// client certificate's identity (mTLS). Thread-safe; Reload() may run while
// calls are authenticated.
class Authenticator {
 public:
  // Reads the token file at `tokens_file`; an error names the line at fault.
  static absl::StatusOr<std::unique_ptr<Authenticator>> FromFile(
      const std::string& tokens_file);
  // From an already parsed table (tests, tools).
  explicit Authenticator(TokenTable table);
  // Development only: every caller without credentials is "anonymous" with
  // every role and department. Tokens and certificates are not checked.
  static std::unique_ptr<Authenticator> Open();

  // Re-reads the token file. On error the table in use is kept and the
  // error returned.
  absl::Status Reload();

  // The caller's principal. UNAUTHENTICATED (reason CREDENTIALS_MISSING,
  // TOKEN_INVALID, TOKEN_EXPIRED or CERTIFICATE_UNKNOWN) otherwise; the
  // error never contains the token.
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context) const;

  // Whether this authenticator lets callers without credentials in.
  bool open() const { return open_; }

 private:
  Authenticator() = default;

  std::string path_;
  bool open_ = false;
  mutable std::mutex mu_;
  std::shared_ptr<const TokenTable> table_;  // guarded by mu_
};

}  // namespace shien::auth

#endif  // SHIEN_COMMON_AUTH_AUTHENTICATOR_H_
