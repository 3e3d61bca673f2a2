#ifndef SHIEN_COMMON_AUTH_GUARD_H_
#define SHIEN_COMMON_AUTH_GUARD_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/authenticator.h"
#include "common/auth/call.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"

namespace shien::auth {

// Method short name → the roles allowed to call it.
using AccessRules = std::map<std::string, std::vector<std::string>>;

// The door of one gRPC service: authenticates each call, checks the
// caller's roles against the service's rules and the request against the
// common bounds (common/api/bounds.h). Every method of the service must
// have a rule; a method without one is refused to everybody. Thread-safe.
class Guard {
 public:
  // `service` is the full service name ("shien.budget.v1.BudgetService");
  // `authenticator` is not owned and must outlive the guard. Fields named
  // in `redacted_fields` (at any depth) are left out of the request as the
  // audit trail records it: data the trail's readers may not see.
  Guard(const Authenticator* authenticator, std::string service,
        AccessRules rules, std::vector<std::string> redacted_fields = {});

  // Admits a call of `method` (short name, e.g. "UpdateProgram") carrying
  // `request` (nullptr for a stream, whose messages are checked one by
  // one). In order: UNAUTHENTICATED (see Authenticator), PERMISSION_DENIED
  // (reason ROLE_REQUIRED, naming the roles that may call), INVALID_ARGUMENT
  // for a request beyond the bounds.
  absl::StatusOr<Call> Admit(const grpc::ServerContextBase& context,
                             absl::string_view method,
                             const google::protobuf::Message* request) const;

  // The service's methods (from its descriptor) that have no rule, and the
  // rules that name no method of the service.
  std::vector<std::string> RuleMismatches() const;

  const std::string& service() const { return service_; }
  const AccessRules& rules() const { return rules_; }
  const Authenticator& authenticator() const { return *authenticator_; }

 private:
  const Authenticator* authenticator_;
  std::string service_;
  AccessRules rules_;
  std::vector<std::string> redacted_fields_;
};

}  // namespace shien::auth

#endif  // SHIEN_COMMON_AUTH_GUARD_H_
