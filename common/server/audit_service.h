#ifndef SHIEN_COMMON_SERVER_AUDIT_SERVICE_H_
#define SHIEN_COMMON_SERVER_AUDIT_SERVICE_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/guard.h"
#include "common/server/executor.h"
#include "common/sql/audit.h"
#include "shien/audit/v1/audit_service.grpc.pb.h"

namespace shien {

// Lists a store's audit trail.
using AuditLister = std::function<absl::StatusOr<std::vector<sql::AuditEvent>>(
    const sql::AuditQuery&)>;

// shien.audit.v1.AuditService over one service's audit trail, for the admin
// role. `executor` and `authenticator` are not owned and must outlive it.
class AuditServiceImpl final : public audit::v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(AuditLister list, Executor* executor,
                   const auth::Authenticator* authenticator);

  grpc::ServerUnaryReactor* ListAuditEvents(
      grpc::CallbackServerContext* context,
      const audit::v1::ListAuditEventsRequest* request,
      audit::v1::ListAuditEventsResponse* response) override;

 private:
  AuditLister list_;
  Executor* executor_;
  auth::Guard guard_;
};

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_AUDIT_SERVICE_H_
