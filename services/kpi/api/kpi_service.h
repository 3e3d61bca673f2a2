#ifndef SHIEN_SERVICES_KPI_API_KPI_SERVICE_H_
#define SHIEN_SERVICES_KPI_API_KPI_SERVICE_H_

#include <functional>

#include "common/auth/authenticator.h"
#include "common/auth/guard.h"
#include "common/cache/view_cache.h"
#include "common/cache/view_front.h"
#include "common/fiscal/fiscal.h"
#include "common/server/executor.h"
#include "common/server/raw_unary.h"
#include "services/kpi/api/access_rules.h"
#include "services/kpi/api/convert.h"
#include "services/kpi/clients/program_directory.h"
#include "services/kpi/storage/kpi_store.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"

namespace shien::kpi {

// shien.kpi.v1.KpiService on the callback API; store and budget-service
// calls run on `executor`. Nothing is owned; everything must outlive the
// service. `today` gives the current date in Japan (injectable for tests).
class KpiServiceImpl final
    : public v1::KpiService::WithRawCallbackMethod_GetIndicatorProgress<
          v1::KpiService::WithRawCallbackMethod_GetKpiDashboard<
              v1::KpiService::CallbackService>> {
 public:
  // `cache` (optional) serves dashboards and progress.
  KpiServiceImpl(KpiStore* store, ProgramDirectory* programs,
                 Executor* executor, const auth::Authenticator* authenticator,
                 std::function<CivilDate()> today = TodayInJapan,
                 cache::ViewCache* cache = nullptr);

  grpc::ServerUnaryReactor* GetIndicator(grpc::CallbackServerContext* context,
                                         const v1::GetIndicatorRequest* request,
                                         v1::Indicator* response) override;
  grpc::ServerUnaryReactor* ListIndicators(
      grpc::CallbackServerContext* context,
      const v1::ListIndicatorsRequest* request,
      v1::ListIndicatorsResponse* response) override;
  grpc::ServerUnaryReactor* CreateIndicator(
      grpc::CallbackServerContext* context,
      const v1::CreateIndicatorRequest* request,
      v1::Indicator* response) override;
  grpc::ServerUnaryReactor* UpdateIndicator(
      grpc::CallbackServerContext* context,
      const v1::UpdateIndicatorRequest* request,
      v1::Indicator* response) override;
  grpc::ServerReadReactor<v1::RecordMeasurementsRequest>* RecordMeasurements(
      grpc::CallbackServerContext* context,
      v1::RecordMeasurementsResponse* response) override;
  grpc::ServerUnaryReactor* ListMeasurements(
      grpc::CallbackServerContext* context,
      const v1::ListMeasurementsRequest* request,
      v1::ListMeasurementsResponse* response) override;
  // Served as bytes (common/server/raw_unary.h): the cached view as it is.
  grpc::ServerUnaryReactor* GetIndicatorProgress(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // Served as bytes (common/server/raw_unary.h): the cached view as it is.
  grpc::ServerUnaryReactor* GetKpiDashboard(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

 private:
  class MeasurementReader;
  // A progress or dashboard request, validated, and the name of its view in
  // the cache (which follows the fiscal year's data version).
  struct ProgressQuery {
    IndicatorRef ref;
    CivilDate as_of;
    std::string view_name;
  };
  struct DashboardQuery {
    int year = 0;
    v1::DashboardGrouping grouping = v1::DASHBOARD_GROUPING_PROGRAM;
    CivilDate as_of;
    std::string view_name;
  };
  absl::StatusOr<ProgressQuery> ParseProgress(
      const v1::GetIndicatorProgressRequest& request) const;
  absl::StatusOr<DashboardQuery> ParseDashboard(
      const v1::GetKpiDashboardRequest& request) const;
  absl::StatusOr<CivilDate> AsOf(int fiscal_year,
                                 const google::type::Date* requested) const;
  // The dashboard computed from the store and the budget service.
  absl::StatusOr<cache::View> BuildDashboard(int year,
                                             v1::DashboardGrouping grouping,
                                             const CivilDate& as_of,
                                             const std::string& name,
                                             const std::string& budget_version);

  KpiStore* store_;
  ProgramDirectory* programs_;
  Executor* executor_;
  auth::Guard guard_;
  std::function<CivilDate()> today_;
  cache::ViewCache* cache_;
  // Progress and dashboards ahead of the workers (see cache::ViewFront),
  // keyed by fiscal year.
  cache::ViewFront front_;
};

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_API_KPI_SERVICE_H_
