#include "common/auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/timestamps.h"
#include "common/status/errors.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace shien::auth {
namespace {

absl::Status Unauthenticated(const std::string& reason,
                             const std::string& message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::StatusOr<Principal> Admit(const Grant& grant) {
  if (grant.expires_us != 0 && NowMicros() > grant.expires_us) {
    return Unauthenticated("TOKEN_EXPIRED",
                           "the credential has expired; ask for a new one");
  }
  return grant.principal;
}

}  // namespace

Authenticator::Authenticator(TokenTable table)
    : table_(std::make_shared<const TokenTable>(std::move(table))) {}

absl::StatusOr<std::unique_ptr<Authenticator>> Authenticator::FromFile(
    const std::string& tokens_file) {
  auto table = ReadTokenFile(tokens_file);
  if (!table.ok()) return table.status();
  std::unique_ptr<Authenticator> a(new Authenticator(*std::move(table)));
  a->path_ = tokens_file;
  return a;
}

std::unique_ptr<Authenticator> Authenticator::Open() {
  std::unique_ptr<Authenticator> a(new Authenticator(TokenTable{}));
  a->open_ = true;
  return a;
}

absl::Status Authenticator::Reload() {
  if (path_.empty()) return absl::OkStatus();
  auto table = ReadTokenFile(path_);
  if (!table.ok()) return table.status();
  auto fresh = std::make_shared<const TokenTable>(*std::move(table));
  std::lock_guard<std::mutex> lock(mu_);
  table_ = std::move(fresh);
  return absl::OkStatus();
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  std::shared_ptr<const TokenTable> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    table = table_;
  }
  if (open_) {
    Principal anonymous;
    anonymous.name = "anonymous";
    anonymous.roles = {kViewer, kReporter, kReviewer, kAdmin, kService};
    anonymous.departments = {"*"};
    return anonymous;
  }
  const auto& metadata = context.client_metadata();
  auto header = metadata.find("authorization");
  if (header != metadata.end()) {
    absl::string_view value(header->second.data(), header->second.size());
    constexpr absl::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() ||
        !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
      return Unauthenticated("TOKEN_INVALID",
                             "authorization must be \"Bearer <token>\"");
    }
    absl::string_view token =
        absl::StripAsciiWhitespace(value.substr(kScheme.size()));
    auto it = table->by_token_hash.find(Sha256Hex(token));
    if (it == table->by_token_hash.end()) {
      return Unauthenticated("TOKEN_INVALID", "the bearer token is not valid");
    }
    return Admit(it->second);
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    std::string identity;
    for (const char* property :
         {GRPC_X509_CN_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
      for (const grpc::string_ref& v : auth->FindPropertyValues(property)) {
        const std::string id(v.data(), v.size());
        if (identity.empty()) identity = id;
        auto it = table->by_certificate.find(id);
        if (it != table->by_certificate.end()) return Admit(it->second);
      }
    }
    return Unauthenticated("CERTIFICATE_UNKNOWN",
                           absl::StrCat("the client certificate \"", identity,
                                        "\" is not granted any principal"));
  }
  return Unauthenticated(
      "CREDENTIALS_MISSING",
      "send \"authorization: Bearer <token>\" or a client certificate");
}

}  // namespace shien::auth
