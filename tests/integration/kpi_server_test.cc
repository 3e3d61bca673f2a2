// Runs the real budget and KPI server binaries together: cross-service
// checks, and SIGKILL at random points while measurements stream in.
#include <signal.h>
#include <sys/wait.h>

#include <random>
#include <string>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace pb = ::shien::kpi::v1;
using testing::ServerProcess;
using testing::TempDir;

std::unique_ptr<ServerProcess> Start(const std::string& binary,
                                     std::vector<std::string> args,
                                     const std::string& log) {
  auto server = std::make_unique<ServerProcess>(binary, std::move(args), log);
  std::string error;
  EXPECT_TRUE(server->Start(20000, &error)) << error;
  return server;
}

std::unique_ptr<ServerProcess> StartBudget(const TempDir& dir) {
  return Start(testing::BinaryDir() + "/services/budget/shien_budget_server",
               {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
                "--db=" + dir.File("budget.db"),
                "--plan_dir=" + testing::SourceDir() + "/data"},
               dir.File("budget.log"));
}

std::unique_ptr<ServerProcess> StartKpi(const TempDir& dir,
                                        const std::string& budget_address) {
  return Start(
      testing::BinaryDir() + "/services/kpi/shien_kpi_server",
      {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
       "--db=" + dir.File("kpi.db"),
       "--data_dir=" + testing::SourceDir() + "/data",
       "--budget_address=" + budget_address, "--shutdown_grace_ms=2000"},
      dir.File("kpi.log"));
}

std::unique_ptr<pb::KpiService::Stub> Stub(const ServerProcess& server) {
  return pb::KpiService::NewStub(grpc::CreateChannel(
      server.address(), grpc::InsecureChannelCredentials()));
}

std::vector<std::string> Fy2026Indicators(pb::KpiService::Stub& stub) {
  std::vector<std::string> names;
  pb::ListIndicatorsRequest req;
  req.set_parent("fiscalYears/2026");
  req.set_page_size(200);
  grpc::ClientContext ctx;
  pb::ListIndicatorsResponse resp;
  EXPECT_TRUE(stub.ListIndicators(&ctx, req, &resp).ok());
  for (const auto& i : resp.indicators()) {
    // Parts of a bounded whole would be rejected when they outgrow it;
    // keep to indicators without breakdowns.
    if (i.parent().empty() && !i.parts_bounded_by_whole()) {
      names.push_back(i.name());
    }
  }
  return names;
}

// Every (indicator, month, kind) once, in batches of kBatch, request ids
// derived from the row's own key.
constexpr int kBatch = 10;

std::vector<pb::RecordMeasurementsRequest> Batches(
    const std::vector<std::string>& indicators) {
  std::vector<pb::RecordMeasurementsRequest> batches;
  int n = 0;
  for (const std::string& name : indicators) {
    for (int m = 0; m < 12; ++m) {
      for (auto kind :
           {pb::MEASUREMENT_KIND_ACTUAL, pb::MEASUREMENT_KIND_FORECAST}) {
        if (n % kBatch == 0) batches.emplace_back();
        pb::Measurement* row = batches.back().add_measurements();
        row->set_indicator(name);
        const int month = (m + 3) % 12 + 1;  // April .. March
        row->mutable_month()->set_year(month >= 4 ? 2026 : 2027);
        row->mutable_month()->set_month(month);
        row->set_value(n % 97 + 1);
        row->set_kind(kind);
        row->set_request_id(name + "/" + std::to_string(month) + "/" +
                            std::to_string(static_cast<int>(kind)));
        ++n;
      }
    }
  }
  return batches;
}

// Number of stored versions over `indicators`, and whether any has more
// than one version of the same row.
int64_t StoredRows(pb::KpiService::Stub& stub,
                   const std::vector<std::string>& indicators) {
  int64_t rows = 0;
  for (const std::string& name : indicators) {
    pb::ListMeasurementsRequest req;
    req.set_parent(name);
    req.set_page_size(1000);
    grpc::ClientContext ctx;
    pb::ListMeasurementsResponse resp;
    grpc::Status s = stub.ListMeasurements(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& m : resp.measurements()) {
      EXPECT_FALSE(m.has_supersede_time()) << name << " has a second version";
      ++rows;
    }
  }
  return rows;
}

TEST(KpiServerTest, ChecksProgramsWithTheRealBudgetService) {
  TempDir dir;
  auto budget = StartBudget(dir);
  auto kpi = StartKpi(dir, budget->address());
  auto stub = Stub(*kpi);
  pb::CreateIndicatorRequest req;
  req.set_parent("fiscalYears/2026/programs/99");
  req.set_indicator_id("visits");
  pb::Indicator* i = req.mutable_indicator();
  i->set_title("企業訪問");
  i->set_unit("社");
  i->set_measure(pb::MEASURE_COUNT);
  i->set_kind(pb::INDICATOR_KIND_ACTIVITY);
  i->set_aggregation(pb::AGGREGATION_SUM);
  i->mutable_target()->set_state(pb::TARGET_STATE_SET);
  i->mutable_target()->set_value(20);
  pb::Indicator out;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->CreateIndicator(&ctx, req, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  req.set_parent("fiscalYears/2026/programs/13");
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateIndicator(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  pb::GetKpiDashboardRequest dash;
  dash.set_name("fiscalYears/2026/kpiDashboard");
  dash.set_grouping(pb::DASHBOARD_GROUPING_DEPARTMENT);
  pb::KpiDashboard d;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub->GetKpiDashboard(&ctx, dash, &d);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  bool found = false;
  for (const auto& g : d.groups()) {
    for (const auto& p : g.indicators()) {
      if (p.indicator() == out.name()) {
        found = true;
        EXPECT_EQ(g.key(), "経営支援課");  // program 13's department
      }
    }
  }
  EXPECT_TRUE(found);

  // Without the budget service, grouping by department is UNAVAILABLE and
  // the rest still answers.
  budget->Signal(SIGKILL);
  budget->Wait();
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->GetKpiDashboard(&ctx, dash, &d).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  dash.set_grouping(pb::DASHBOARD_GROUPING_PROGRAM);
  {
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->GetKpiDashboard(&ctx, dash, &d).ok());
  }
  kpi->Signal(SIGTERM);
  int status = kpi->Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << kpi->Log();
}

TEST(KpiServerTest, RandomKillsNeverLoseOrDoubleAMeasurement) {
  TempDir dir;
  std::mt19937 rng(20261127);
  auto kpi = StartKpi(dir, "127.0.0.1:1");  // no budget needed to record
  std::vector<std::string> indicators = Fy2026Indicators(*Stub(*kpi));
  ASSERT_GT(indicators.size(), 30u);
  const auto batches = Batches(indicators);
  int64_t total = 0;
  for (const auto& b : batches) total += b.measurements_size();

  int cut_mid_stream = 0;
  std::string progress;
  for (int round = 0; round < 8; ++round) {
    // Kill the server right after a random batch has been sent, while it is
    // still reading and committing the stream.
    const size_t kill_at =
        std::uniform_int_distribution<size_t>(1, batches.size() - 1)(rng);
    auto stub = Stub(*kpi);
    grpc::ClientContext ctx;
    pb::RecordMeasurementsResponse resp;
    auto w = stub->RecordMeasurements(&ctx, &resp);
    for (size_t b = 0; b < batches.size(); ++b) {
      if (!w->Write(batches[b])) break;
      if (b == kill_at) kpi->Signal(SIGKILL);
    }
    w->WritesDone();
    EXPECT_FALSE(w->Finish().ok());
    kpi->Wait();
    kpi = StartKpi(dir, "127.0.0.1:1");
    // Batches commit whole: what is stored is a whole number of batches.
    const int64_t stored = StoredRows(*Stub(*kpi), indicators);
    EXPECT_TRUE(stored % kBatch == 0 || stored == total)
        << stored << ": a batch was half applied in round " << round;
    EXPECT_LE(stored, total);
    if (stored > 0 && stored < total) ++cut_mid_stream;
    progress.append(" ").append(std::to_string(stored));
  }
  // The kills must have hit streams in the middle, or nothing was tested.
  EXPECT_GE(cut_mid_stream, 2)
      << "stored after each kill:" << progress << " of " << total;

  // Resend everything: each row ends up stored exactly once.
  auto stub = Stub(*kpi);
  grpc::ClientContext ctx;
  pb::RecordMeasurementsResponse resp;
  auto w = stub->RecordMeasurements(&ctx, &resp);
  for (const auto& b : batches) ASSERT_TRUE(w->Write(b));
  w->WritesDone();
  grpc::Status s = w->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.rejected_count(), 0);
  EXPECT_EQ(resp.accepted_count() + resp.duplicate_count(), total);
  EXPECT_EQ(resp.corrected_count(), 0);
  EXPECT_EQ(StoredRows(*stub, indicators), total);
}

}  // namespace
}  // namespace shien
