#ifndef SHIEN_SERVICES_SUBSIDY_API_SUBSIDY_SERVICE_H_
#define SHIEN_SERVICES_SUBSIDY_API_SUBSIDY_SERVICE_H_

#include <functional>

#include "common/auth/authenticator.h"
#include "common/auth/guard.h"
#include "common/cache/view_cache.h"
#include "common/cache/view_front.h"
#include "common/fiscal/fiscal.h"
#include "common/server/executor.h"
#include "common/server/raw_unary.h"
#include "services/subsidy/api/access_rules.h"
#include "services/subsidy/clients/peers.h"
#include "services/subsidy/domain/application.h"
#include "services/subsidy/storage/subsidy_store.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"

namespace shien::subsidy {

// shien.subsidy.v1.SubsidyService on the callback API. Store and peer calls
// run on `executor`. `nudge` is called after a commit that queued outbox
// messages; `today` gives the date in Japan. Nothing is owned.
class SubsidyServiceImpl final
    : public v1::SubsidyService::WithRawCallbackMethod_GetSchemeStats<
          v1::SubsidyService::CallbackService> {
 public:
  // `cache` (optional) serves scheme statistics.
  SubsidyServiceImpl(SubsidyStore* store, Peers* peers, Executor* executor,
                     const auth::Authenticator* authenticator,
                     std::function<void()> nudge,
                     std::function<CivilDate()> today = TodayInJapan,
                     cache::ViewCache* cache = nullptr);

#define SHIEN_UNARY(Method, Request, Response)                           \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, \
                                   const v1::Request* request,           \
                                   v1::Response* response) override
  SHIEN_UNARY(GetScheme, GetSchemeRequest, Scheme);
  SHIEN_UNARY(ListSchemes, ListSchemesRequest, ListSchemesResponse);
  SHIEN_UNARY(UpdateRound, UpdateRoundRequest, Round);
  SHIEN_UNARY(QuoteSubsidy, QuoteSubsidyRequest, Quote);
  SHIEN_UNARY(CreateApplication, CreateApplicationRequest, Application);
  SHIEN_UNARY(GetApplication, GetApplicationRequest, Application);
  SHIEN_UNARY(ListApplications, ListApplicationsRequest,
              ListApplicationsResponse);
  SHIEN_UNARY(UpdateApplication, UpdateApplicationRequest, Application);
  SHIEN_UNARY(SubmitApplication, SubmitApplicationRequest, Application);
  SHIEN_UNARY(ReturnApplication, ReturnApplicationRequest, Application);
  SHIEN_UNARY(ApproveApplication, ApproveApplicationRequest, Application);
  SHIEN_UNARY(RejectApplication, RejectApplicationRequest, Application);
  SHIEN_UNARY(WithdrawApplication, WithdrawApplicationRequest, Application);
  SHIEN_UNARY(ApprovePriorStart, ApprovePriorStartRequest, Application);
  SHIEN_UNARY(ReportCompletion, ReportCompletionRequest, Application);
  SHIEN_UNARY(ConfirmAmount, ConfirmAmountRequest, Application);
  SHIEN_UNARY(MarkPaid, MarkPaidRequest, Application);
#undef SHIEN_UNARY
  // Served as bytes (common/server/raw_unary.h): the cached view as it is.
  grpc::ServerUnaryReactor* GetSchemeStats(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;

 private:
  // Changes an application through `action` in one transaction: checks the
  // etag, runs `prepare` (the action's own checks and changes), applies the
  // transition, queues releases of any funds it stops holding and the
  // scheme's decision totals for the KPI service, and records the response.
  // `read_scheme`: the scheme as the caller already read it for its own
  // checks (read outside the transaction either way); null reads it.
  absl::Status Change(
      const std::string& name, const std::string& etag, const RequestKey& key,
      Action action, const std::string& actor, const std::string& reason,
      const std::function<absl::Status(const Scheme&, Application&)>& prepare,
      v1::Application* response, const Scheme* read_scheme = nullptr);

  SubsidyStore* store_;
  Peers* peers_;
  Executor* executor_;
  auth::Guard guard_;
  std::function<void()> nudge_;
  std::function<CivilDate()> today_;
  cache::ViewCache* cache_;
  // Scheme statistics ahead of the workers (see cache::ViewFront), keyed by
  // fiscal year.
  cache::ViewFront front_;
};

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_API_SUBSIDY_SERVICE_H_
