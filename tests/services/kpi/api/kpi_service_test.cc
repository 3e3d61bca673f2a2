// In-process gRPC tests of KpiService, with a real in-process budget service
// behind its program directory, both over SQLite in a temporary directory.
#include "services/kpi/api/kpi_service.h"

#include <memory>

#include "common/server/executor.h"
#include "common/server/server.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/budget/api/budget_service.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "services/kpi/clients/program_directory.h"
#include "services/kpi/data/kpi_loader.h"
#include "services/kpi/storage/sqlite_kpi_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/temp_dir.h"

namespace shien::kpi {
namespace {

namespace pb = ::shien::kpi::v1;

struct Details {
  grpc::StatusCode code;
  std::string reason;
  std::string field;
};

Details DetailsOf(const grpc::Status& status) {
  Details out{status.error_code(), "", ""};
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return out;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&info)) out.reason = info.reason();
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      out.field = bad.field_violations(0).field();
    }
  }
  return out;
}

class KpiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::SqliteOptions budget_options;
    budget_options.path = dir_.File("budget.db");
    auto budget_store = budget::OpenSqliteBudgetStore(budget_options, 2);
    ASSERT_TRUE(budget_store.ok()) << budget_store.status();
    budget_store_ = *std::move(budget_store);
    ASSERT_TRUE(
        budget::LoadPlans(testing::SourceDir() + "/data", *budget_store_).ok());
    executor_ = std::make_unique<Executor>(2, 100);
    budget_service_ = std::make_unique<budget::BudgetServiceImpl>(
        budget_store_.get(), executor_.get(), testing::OpenAuthenticator());
    auto budget_server = StartServer({}, {budget_service_.get()}, {});
    ASSERT_TRUE(budget_server.ok());
    budget_server_ = std::make_unique<RunningServer>(*std::move(budget_server));

    sql::SqliteOptions kpi_options;
    kpi_options.path = dir_.File("kpi.db");
    auto kpi_store = OpenSqliteKpiStore(kpi_options, 2);
    ASSERT_TRUE(kpi_store.ok()) << kpi_store.status();
    store_ = *std::move(kpi_store);
    auto report = LoadKpiData(testing::SourceDir() + "/data", *store_);
    ASSERT_TRUE(report.ok()) << report.status();
    programs_ = NewBudgetProgramDirectory(
        "127.0.0.1:" + std::to_string(budget_server_->port), 2000);
    service_ = std::make_unique<KpiServiceImpl>(
        store_.get(), programs_.get(), executor_.get(),
        testing::OpenAuthenticator(), [] {
          return CivilDate{2026, 11, 27};
        });
    auto server = StartServer({}, {service_.get()}, {});
    ASSERT_TRUE(server.ok());
    server_ = std::make_unique<RunningServer>(*std::move(server));
    stub_ = pb::KpiService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::milliseconds(500));
    if (budget_server_)
      budget_server_->Shutdown(std::chrono::milliseconds(500));
    executor_->Stop();
  }

  pb::IndicatorProgress Progress(const std::string& name,
                                 std::optional<CivilDate> as_of = {}) {
    grpc::ClientContext ctx;
    pb::GetIndicatorProgressRequest req;
    req.set_name(name);
    if (as_of) {
      req.mutable_as_of_date()->set_year(as_of->year);
      req.mutable_as_of_date()->set_month(as_of->month);
      req.mutable_as_of_date()->set_day(as_of->day);
    }
    pb::IndicatorProgress p;
    grpc::Status s = stub_->GetIndicatorProgress(&ctx, req, &p);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return p;
  }

  pb::RecordMeasurementsResponse Record(
      const std::vector<pb::Measurement>& rows, grpc::Status* status) {
    grpc::ClientContext ctx;
    pb::RecordMeasurementsResponse resp;
    auto writer = stub_->RecordMeasurements(&ctx, &resp);
    pb::RecordMeasurementsRequest req;
    for (const auto& r : rows) *req.add_measurements() = r;
    writer->Write(req);
    writer->WritesDone();
    *status = writer->Finish();
    return resp;
  }

  static pb::Measurement Monthly(const std::string& indicator, int year,
                                 int month, int64_t value,
                                 const std::string& request_id) {
    pb::Measurement m;
    m.set_indicator(indicator);
    m.mutable_month()->set_year(year);
    m.mutable_month()->set_month(month);
    m.set_value(value);
    m.set_kind(pb::MEASUREMENT_KIND_ACTUAL);
    m.set_request_id(request_id);
    return m;
  }

  testing::TempDir dir_;
  std::unique_ptr<budget::BudgetStore> budget_store_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<budget::BudgetServiceImpl> budget_service_;
  std::unique_ptr<RunningServer> budget_server_;
  std::unique_ptr<KpiStore> store_;
  std::unique_ptr<ProgramDirectory> programs_;
  std::unique_ptr<KpiServiceImpl> service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<pb::KpiService::Stub> stub_;
};

constexpr char kConsultations2025[] =
    "fiscalYears/2025/programs/9/indicators/consultations";
constexpr char kConsultations2026[] =
    "fiscalYears/2026/programs/9/indicators/consultations";

TEST_F(KpiServiceTest, ReproducesThePlansPrintedRates) {
  pb::IndicatorProgress p = Progress(kConsultations2025);
  EXPECT_EQ(p.actual(), 301);
  EXPECT_EQ(p.target().value(), 181);
  EXPECT_EQ(p.progress_permille(), 1663);
  EXPECT_EQ(p.status(), pb::PROGRESS_STATUS_ACHIEVED);
  EXPECT_EQ(p.as_of_date().month(), 3);  // FY2025 has ended: seen at its end

  // Every printed rate of FY2025, from the dashboard.
  grpc::ClientContext ctx;
  pb::GetKpiDashboardRequest req;
  req.set_name("fiscalYears/2025/kpiDashboard");
  pb::KpiDashboard d;
  ASSERT_TRUE(stub_->GetKpiDashboard(&ctx, req, &d).ok());
  std::map<std::string, int64_t> permille;
  int total = 0;
  for (const auto& g : d.groups()) {
    for (const auto& i : g.indicators()) {
      ++total;
      if (i.has_progress_permille()) {
        permille[i.indicator_detail().program() + "|" +
                 i.indicator_detail().title()] = i.progress_permille();
      }
    }
  }
  EXPECT_EQ(total, d.counts().achieved() + d.counts().on_track() +
                       d.counts().behind() + d.counts().no_target());
  EXPECT_EQ(permille["fiscalYears/2025/programs/9|相談件数"], 1663);
  EXPECT_EQ(permille["fiscalYears/2025/programs/9|支援完了件数"], 1418);
  EXPECT_EQ(permille["fiscalYears/2025/programs/17|相談回数"], 776);
  EXPECT_EQ(permille["fiscalYears/2025/programs/17|新規相談回数"], 708);
  int program10 = 0;
  for (const auto& [key, value] : permille) {
    if (key.rfind("fiscalYears/2025/programs/10|", 0) == 0) {
      ++program10;
      // The plan prints whole percents: 105% and 100%.
      EXPECT_TRUE(value == 1053 || value == 1000) << key << " " << value;
    }
  }
  EXPECT_EQ(program10, 2);
}

TEST_F(KpiServiceTest, PaceDecidesOnTrackOrBehind) {
  // Program 17's 相談回数 at the plan's own date (12月末): 77.6% of the
  // target with 275 of 365 days gone (75.3%) is on track.
  pb::ListIndicatorsRequest list;
  list.set_parent("fiscalYears/2025/programs/17");
  pb::ListIndicatorsResponse indicators;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListIndicators(&ctx, list, &indicators).ok());
  ASSERT_EQ(indicators.indicators_size(), 2);
  const std::string first = indicators.indicators(0).name();
  pb::IndicatorProgress p = Progress(first, CivilDate{2025, 12, 31});
  EXPECT_EQ(p.progress_permille(), 776);
  EXPECT_EQ(p.expected_share().numerator(), 55);  // 275/365 reduced
  EXPECT_EQ(p.expected_share().denominator(), 73);
  EXPECT_EQ(p.status(), pb::PROGRESS_STATUS_ON_TRACK);
  // 新規相談回数: 70.8% is behind the same pace.
  pb::IndicatorProgress q =
      Progress(indicators.indicators(1).name(), CivilDate{2025, 12, 31});
  EXPECT_EQ(q.progress_permille(), 708);
  EXPECT_EQ(q.status(), pb::PROGRESS_STATUS_BEHIND);
  // After the year: short of target is behind.
  EXPECT_EQ(Progress(first).status(), pb::PROGRESS_STATUS_BEHIND);
}

TEST_F(KpiServiceTest, DashboardGroupsByDepartmentAndArea) {
  for (auto grouping :
       {pb::DASHBOARD_GROUPING_DEPARTMENT, pb::DASHBOARD_GROUPING_AREA,
        pb::DASHBOARD_GROUPING_PROGRAM}) {
    grpc::ClientContext ctx;
    pb::GetKpiDashboardRequest req;
    req.set_name("fiscalYears/2026/kpiDashboard");
    req.set_grouping(grouping);
    pb::KpiDashboard d;
    grpc::Status s = stub_->GetKpiDashboard(&ctx, req, &d);
    ASSERT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, int> sizes;
    for (const auto& g : d.groups()) sizes[g.key()] = g.indicators_size();
    const int all = d.counts().achieved() + d.counts().on_track() +
                    d.counts().behind() + d.counts().no_target();
    EXPECT_EQ(all, 55);
    if (grouping == pb::DASHBOARD_GROUPING_AREA) {
      EXPECT_GT(sizes["AREA_MANAGEMENT_FOUNDATION"], 0);
      int sum = 0;
      for (const auto& [key, n] : sizes) sum += n;
      EXPECT_EQ(sum, 55);  // each indicator in exactly one area
    }
    if (grouping == pb::DASHBOARD_GROUPING_DEPARTMENT) {
      // Program 20's indicators count for both of its departments.
      EXPECT_GT(sizes["経営支援課"], 0);
      EXPECT_GT(sizes["技術支援課"], 0);
    }
    if (grouping == pb::DASHBOARD_GROUPING_PROGRAM) {
      EXPECT_EQ(sizes["fiscalYears/2026/programs/9"], 4);
      EXPECT_EQ(d.groups(0).title(), "事業承継・引継ぎ支援センター事業");
    }
  }
}

TEST_F(KpiServiceTest, MeasurementsAreCountedCorrectedAndRejected) {
  const std::string whole = kConsultations2026;
  const std::string advance =
      "fiscalYears/2026/programs/9/indicators/consultations-advance";
  pb::Measurement outside = Monthly(whole, 2026, 3, 1, "outside");
  pb::Measurement negative = Monthly(whole, 2026, 6, -1, "negative");
  pb::Measurement wrong_unit = Monthly(whole, 2026, 6, 1, "unit");
  wrong_unit.set_unit("千円");
  pb::Measurement no_period = Monthly(whole, 2026, 6, 1, "no-period");
  no_period.clear_month();
  pb::Measurement unknown =
      Monthly("fiscalYears/2026/programs/9/indicators/nope", 2026, 6, 1, "unk");
  pb::Measurement bad_name = Monthly("programs/9", 2026, 6, 1, "bad-name");
  pb::Measurement no_kind = Monthly(whole, 2026, 6, 1, "no-kind");
  no_kind.set_kind(pb::MEASUREMENT_KIND_UNSPECIFIED);
  grpc::Status status;
  auto resp = Record(
      {Monthly(whole, 2026, 5, 10, "w-5"), Monthly(advance, 2026, 5, 6, "a-5"),
       outside, negative, wrong_unit, no_period, unknown, bad_name, no_kind,
       Monthly(whole, 2026, 5, 99, "w-5"),  // reused id
       Monthly("fiscalYears/2026/programs/9/indicators/"
               "consultations-counter",
               2026, 5, 5, "c-5")},  // 6 + 5 > 10
      &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.accepted_count(), 2);
  EXPECT_EQ(resp.rejected_count(), 9);
  std::map<std::string, std::pair<std::string, std::string>> why;
  for (const auto& r : resp.rejections()) {
    why[r.request_id()] = {r.field(), r.reason()};
  }
  EXPECT_EQ(why["outside"],
            std::make_pair(std::string("month"),
                           std::string("PERIOD_OUT_OF_FISCAL_YEAR")));
  EXPECT_EQ(why["negative"], std::make_pair(std::string("value"),
                                            std::string("NEGATIVE_VALUE")));
  EXPECT_EQ(why["unit"],
            std::make_pair(std::string("unit"), std::string("UNIT_MISMATCH")));
  EXPECT_EQ(why["no-period"].first, "period");
  EXPECT_EQ(why["unk"], std::make_pair(std::string("indicator"),
                                       std::string("INDICATOR_NOT_FOUND")));
  EXPECT_EQ(why["bad-name"].first, "indicator");
  EXPECT_EQ(why["no-kind"].first, "kind");
  EXPECT_EQ(why["w-5"].second, "REQUEST_ID_REUSED");
  EXPECT_EQ(why["c-5"], std::make_pair(std::string("value"),
                                       std::string("PART_EXCEEDS_WHOLE")));

  // A correction under a new request id supersedes and keeps the history.
  auto fix = Record({Monthly(whole, 2026, 5, 12, "w-5-fix"),
                     Monthly(whole, 2026, 5, 10, "w-5")},  // retry: duplicate
                    &status);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(fix.accepted_count(), 1);
  EXPECT_EQ(fix.corrected_count(), 1);
  EXPECT_EQ(fix.duplicate_count(), 1);
  grpc::ClientContext ctx;
  pb::ListMeasurementsRequest list;
  list.set_parent(whole);
  pb::ListMeasurementsResponse history;
  ASSERT_TRUE(stub_->ListMeasurements(&ctx, list, &history).ok());
  ASSERT_EQ(history.measurements_size(), 2);
  EXPECT_EQ(history.measurements(0).value(), 10);
  EXPECT_TRUE(history.measurements(0).has_supersede_time());
  EXPECT_EQ(history.measurements(1).value(), 12);
  EXPECT_EQ(history.measurements(1).previous_value(), 10);
  EXPECT_FALSE(history.measurements(1).recorded_by().empty());
  // As it stood before the correction.
  grpc::ClientContext ctx2;
  list.mutable_as_of_time()->set_seconds(
      history.measurements(1).record_time().seconds() - 1);
  list.mutable_as_of_time()->set_nanos(0);
  pb::ListMeasurementsResponse before;
  ASSERT_TRUE(stub_->ListMeasurements(&ctx2, list, &before).ok());
  if (history.measurements(0).record_time().seconds() <
      history.measurements(1).record_time().seconds() - 1) {
    ASSERT_EQ(before.measurements_size(), 1);
    EXPECT_FALSE(before.measurements(0).has_supersede_time());
  }

  // Progress as of June counts May's corrected value.
  pb::IndicatorProgress p = Progress(whole, CivilDate{2026, 6, 15});
  EXPECT_EQ(p.actual(), 12);
  EXPECT_EQ(p.status(), pb::PROGRESS_STATUS_NO_TARGET);  // 未定
}

TEST_F(KpiServiceTest, ARepeatedValueKeepsItsRequestId) {
  const std::string whole = kConsultations2026;
  grpc::Status status;
  ASSERT_TRUE(
      Record({Monthly(whole, 2026, 6, 231, "r1")}, &status).accepted_count() ==
      1);
  // r2 repeats the current value: nothing stored, but r2 is remembered.
  EXPECT_EQ(
      Record({Monthly(whole, 2026, 6, 231, "r2")}, &status).duplicate_count(),
      1);
  // A correction to 240, then a late retry of r2: still a duplicate, the
  // correction stands.
  EXPECT_EQ(
      Record({Monthly(whole, 2026, 6, 240, "r3")}, &status).corrected_count(),
      1);
  auto retry = Record({Monthly(whole, 2026, 6, 231, "r2")}, &status);
  EXPECT_EQ(retry.duplicate_count(), 1);
  EXPECT_EQ(retry.accepted_count(), 0);
  EXPECT_EQ(Progress(whole, CivilDate{2026, 7, 1}).actual(), 240);
  // r2 under another row is refused.
  auto reused = Record({Monthly(whole, 2026, 7, 5, "r2")}, &status);
  ASSERT_EQ(reused.rejected_count(), 1);
  EXPECT_EQ(reused.rejections(0).reason(), "REQUEST_ID_REUSED");
}

TEST_F(KpiServiceTest, CreateAndUpdateIndicators) {
  pb::CreateIndicatorRequest req;
  req.set_parent("fiscalYears/2026/programs/5");
  req.set_indicator_id("seminars");
  req.set_request_id("create-seminars");
  pb::Indicator* i = req.mutable_indicator();
  i->set_title("セミナー開催");
  i->set_unit("回");
  i->set_measure(pb::MEASURE_COUNT);
  i->set_kind(pb::INDICATOR_KIND_ACTIVITY);
  i->set_aggregation(pb::AGGREGATION_SUM);
  i->mutable_target()->set_state(pb::TARGET_STATE_SET);
  i->mutable_target()->set_value(4);
  pb::Indicator created, replay;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->CreateIndicator(&ctx, req, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(created.name(), "fiscalYears/2026/programs/5/indicators/seminars");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->CreateIndicator(&ctx, req, &replay).ok());
    EXPECT_EQ(replay.SerializeAsString(), created.SerializeAsString());
  }
  {
    req.set_request_id("create-seminars-2");
    grpc::ClientContext ctx;
    EXPECT_EQ(DetailsOf(stub_->CreateIndicator(&ctx, req, &replay)).code,
              grpc::StatusCode::ALREADY_EXISTS);
  }
  {
    req.set_request_id("create-99");
    req.set_parent("fiscalYears/2026/programs/99");
    grpc::ClientContext ctx;
    Details d = DetailsOf(stub_->CreateIndicator(&ctx, req, &replay));
    EXPECT_EQ(d.code, grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(d.field, "parent");
  }
  {
    req.set_parent("fiscalYears/2026/programs/5");
    req.set_indicator_id("Bad Id");
    grpc::ClientContext ctx;
    Details d = DetailsOf(stub_->CreateIndicator(&ctx, req, &replay));
    EXPECT_EQ(d.code, grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(d.field, "indicator_id");
  }
  {
    req.set_indicator_id("seminars-2");
    req.mutable_indicator()->mutable_target()->set_value(-3);
    grpc::ClientContext ctx;
    Details d = DetailsOf(stub_->CreateIndicator(&ctx, req, &replay));
    EXPECT_EQ(d.field, "indicator.target.value");
  }
  // Update with the etag, then with the stale one.
  pb::UpdateIndicatorRequest update;
  *update.mutable_indicator() = created;
  update.mutable_indicator()->mutable_target()->set_value(6);
  update.mutable_update_mask()->add_paths("target");
  pb::Indicator updated;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->UpdateIndicator(&ctx, update, &updated).ok());
  }
  EXPECT_EQ(updated.target().value(), 6);
  {
    grpc::ClientContext ctx;
    Details d = DetailsOf(stub_->UpdateIndicator(&ctx, update, &updated));
    EXPECT_EQ(d.code, grpc::StatusCode::ABORTED);
    EXPECT_EQ(d.reason, "ETAG_MISMATCH");
  }
}

TEST_F(KpiServiceTest, ListIndicatorsFiltersAndPages) {
  pb::ListIndicatorsRequest req;
  req.set_parent("fiscalYears/2026");
  req.set_filter(
      "department = \"技術支援課\" AND kind = INDICATOR_KIND_ACTIVITY");
  req.set_page_size(2);
  std::set<std::string> programs;
  int pages = 0, total = 0;
  do {
    grpc::ClientContext ctx;
    pb::ListIndicatorsResponse resp;
    grpc::Status s = stub_->ListIndicators(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& i : resp.indicators()) {
      programs.insert(i.program());
      EXPECT_EQ(i.kind(), pb::INDICATOR_KIND_ACTIVITY);
      ++total;
    }
    ++pages;
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty() && pages < 50);
  EXPECT_GT(total, 2);
  EXPECT_GT(pages, 1);
  for (const std::string& p : programs) {
    EXPECT_TRUE(p == "fiscalYears/2026/programs/16" ||
                p == "fiscalYears/2026/programs/17" ||
                p == "fiscalYears/2026/programs/20")
        << p;
  }
  grpc::ClientContext ctx;
  req.set_filter("colour = \"red\"");
  req.clear_page_token();
  pb::ListIndicatorsResponse resp;
  EXPECT_EQ(DetailsOf(stub_->ListIndicators(&ctx, req, &resp)).field, "filter");
}

TEST(KpiServiceWithoutBudgetTest, CreateIsUnavailableWhenBudgetIsDown) {
  testing::TempDir dir;
  sql::SqliteOptions options;
  options.path = dir.File("kpi.db");
  auto store = OpenSqliteKpiStore(options, 2);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(LoadKpiData(testing::SourceDir() + "/data", **store).ok());
  auto programs = NewBudgetProgramDirectory("127.0.0.1:1", 500);
  Executor executor(1, 10);
  KpiServiceImpl service(store->get(), programs.get(), &executor,
                         testing::OpenAuthenticator());
  auto server = StartServer({}, {&service}, {});
  ASSERT_TRUE(server.ok());
  auto stub = pb::KpiService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server->port),
                          grpc::InsecureChannelCredentials()));
  pb::CreateIndicatorRequest req;
  req.set_parent("fiscalYears/2026/programs/5");
  req.set_indicator_id("x");
  req.mutable_indicator()->set_title("x");
  req.mutable_indicator()->set_unit("件");
  req.mutable_indicator()->set_measure(pb::MEASURE_COUNT);
  req.mutable_indicator()->set_kind(pb::INDICATOR_KIND_ACTIVITY);
  req.mutable_indicator()->set_aggregation(pb::AGGREGATION_SUM);
  req.mutable_indicator()->mutable_target()->set_state(pb::TARGET_STATE_NONE);
  grpc::ClientContext ctx;
  pb::Indicator out;
  Details d = DetailsOf(stub->CreateIndicator(&ctx, req, &out));
  EXPECT_EQ(d.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(d.reason, "BUDGET_UNAVAILABLE");
  // Reads that need no program data still work.
  grpc::ClientContext ctx2;
  pb::GetIndicatorRequest get;
  get.set_name(kConsultations2026);
  pb::Indicator i;
  EXPECT_TRUE(stub->GetIndicator(&ctx2, get, &i).ok());
  server->Shutdown(std::chrono::milliseconds(200));
  executor.Stop();
}

}  // namespace
}  // namespace shien::kpi
