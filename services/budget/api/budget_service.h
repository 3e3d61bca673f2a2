#ifndef SHIEN_SERVICES_BUDGET_API_BUDGET_SERVICE_H_
#define SHIEN_SERVICES_BUDGET_API_BUDGET_SERVICE_H_

#include "common/auth/authenticator.h"
#include "common/auth/guard.h"
#include "common/cache/view_cache.h"
#include "common/cache/view_front.h"
#include "common/server/executor.h"
#include "common/server/raw_unary.h"
#include "services/budget/api/access_rules.h"
#include "services/budget/api/program_watch.h"
#include "services/budget/storage/budget_store.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"

namespace shien::budget {

// shien.budget.v1.BudgetService on the callback API. Handlers translate
// proto ↔ domain and run store work on `executor`, never on gRPC threads.
// `store` and `executor` are not owned and must outlive the service.
class BudgetServiceImpl final
    : public v1::BudgetService::WithRawCallbackMethod_GetBudgetSummary<
          v1::BudgetService::WithRawCallbackMethod_GetExecutionSummary<
              v1::BudgetService::CallbackService>> {
 public:
  // `cache` (optional) serves the budget and execution summaries. `watch`
  // (optional, not owned) serves WatchProgramVersions and is told of every
  // program change before it is acknowledged; without it that method is
  // FAILED_PRECONDITION (WATCH_UNAVAILABLE).
  BudgetServiceImpl(BudgetStore* store, Executor* executor,
                    const auth::Authenticator* authenticator,
                    cache::ViewCache* cache = nullptr,
                    ProgramWatch* watch = nullptr);

  grpc::ServerUnaryReactor* GetFiscalYear(
      grpc::CallbackServerContext* context,
      const v1::GetFiscalYearRequest* request,
      v1::FiscalYear* response) override;
  grpc::ServerUnaryReactor* ListFiscalYears(
      grpc::CallbackServerContext* context,
      const v1::ListFiscalYearsRequest* request,
      v1::ListFiscalYearsResponse* response) override;
  grpc::ServerUnaryReactor* GetProgram(grpc::CallbackServerContext* context,
                                       const v1::GetProgramRequest* request,
                                       v1::Program* response) override;
  grpc::ServerUnaryReactor* ListPrograms(
      grpc::CallbackServerContext* context,
      const v1::ListProgramsRequest* request,
      v1::ListProgramsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateProgram(
      grpc::CallbackServerContext* context,
      const v1::UpdateProgramRequest* request, v1::Program* response) override;
  // Served as bytes (common/server/raw_unary.h): the cached view as it is.
  grpc::ServerUnaryReactor* GetBudgetSummary(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerReadReactor<v1::RecordExpendituresRequest>* RecordExpenditures(
      grpc::CallbackServerContext* context,
      v1::RecordExpendituresResponse* response) override;
  grpc::ServerUnaryReactor* ListExpenditures(
      grpc::CallbackServerContext* context,
      const v1::ListExpendituresRequest* request,
      v1::ListExpendituresResponse* response) override;
  // Served as bytes (common/server/raw_unary.h): the cached view as it is.
  grpc::ServerUnaryReactor* GetExecutionSummary(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetEnvelope(grpc::CallbackServerContext* context,
                                        const v1::GetEnvelopeRequest* request,
                                        v1::Envelope* response) override;
  grpc::ServerUnaryReactor* ListEnvelopes(
      grpc::CallbackServerContext* context,
      const v1::ListEnvelopesRequest* request,
      v1::ListEnvelopesResponse* response) override;
  grpc::ServerUnaryReactor* ReserveFunds(grpc::CallbackServerContext* context,
                                         const v1::ReserveFundsRequest* request,
                                         v1::Reservation* response) override;
  grpc::ServerUnaryReactor* ReleaseFunds(grpc::CallbackServerContext* context,
                                         const v1::ReleaseFundsRequest* request,
                                         v1::Reservation* response) override;
  grpc::ServerUnaryReactor* ListReservations(
      grpc::CallbackServerContext* context,
      const v1::ListReservationsRequest* request,
      v1::ListReservationsResponse* response) override;
  grpc::ServerBidiReactor<v1::WatchProgramVersionsRequest,
                          v1::WatchProgramVersionsResponse>*
  WatchProgramVersions(grpc::CallbackServerContext* context) override;

 private:
  class ExpenditureReader;
  BudgetStore* store_;
  Executor* executor_;
  auth::Guard guard_;
  cache::ViewCache* cache_;
  // The summaries' fronts (see cache::ViewFront), keyed by fiscal year.
  cache::ViewFront summary_front_;
  cache::ViewFront execution_front_;
  ProgramWatch* watch_;
};

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_BUDGET_SERVICE_H_
