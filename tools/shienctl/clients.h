#ifndef SHIEN_TOOLS_SHIENCTL_CLIENTS_H_
#define SHIEN_TOOLS_SHIENCTL_CLIENTS_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"

namespace shien::ctl {

// Stubs of the three services, over channels opened with
// common/client OpenChannel (token, TLS, round robin).
struct Clients {
  std::unique_ptr<budget::v1::BudgetService::Stub> budget;
  std::unique_ptr<kpi::v1::KpiService::Stub> kpi;
  std::unique_ptr<subsidy::v1::SubsidyService::Stub> subsidy;
};

// Opens the three channels from the connection flags. INVALID_ARGUMENT or
// NOT_FOUND naming the file when a token, certificate, key or CA file
// cannot be used.
absl::StatusOr<Clients> OpenClients();

// Sets a deadline of `seconds` from now on `context`.
void SetDeadline(grpc::ClientContext* context, int seconds);

// "NOT_FOUND: message [REASON] field: description" from a failed call,
// including the google.rpc ErrorInfo reason and BadRequest violations the
// servers attach.
std::string DescribeStatus(const grpc::Status& status);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_CLIENTS_H_
