// The three real server binaries together: an application from draft to
// paid, and the outbox reaching a KPI service that was down, across a
// SIGKILL of the subsidy service.
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace pb = ::shien::subsidy::v1;
using testing::ServerProcess;
using testing::TempDir;

class ThreeServices : public ::testing::Test {
 protected:
  std::unique_ptr<ServerProcess> Start(const std::string& name,
                                       std::vector<std::string> args) {
    args.push_back("--db=" + dir_.File(name + ".db"));
    args.push_back("--shutdown_grace_ms=1000");
    auto server = std::make_unique<ServerProcess>(
        testing::BinaryDir() + "/services/" + name + "/shien_" + name +
            "_server",
        std::move(args), dir_.File(name + ".log"));
    std::string error;
    EXPECT_TRUE(server->Start(20000, &error)) << error;
    return server;
  }
  std::unique_ptr<ServerProcess> StartBudget() {
    return Start("budget",
                 {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
                  "--plan_dir=" + testing::SourceDir() + "/data"});
  }
  std::unique_ptr<ServerProcess> StartKpi(int port, const std::string& budget) {
    return Start("kpi", {"--listen=127.0.0.1:" + std::to_string(port),
                         "--redis=off", "--insecure_no_auth",
                         "--data_dir=" + testing::SourceDir() + "/data",
                         "--budget_address=" + budget});
  }
  std::unique_ptr<ServerProcess> StartSubsidy(const std::string& budget,
                                              const std::string& kpi) {
    return Start("subsidy",
                 {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
                  "--data_dir=" + testing::SourceDir() + "/data",
                  "--budget_address=" + budget, "--kpi_address=" + kpi,
                  "--outbox_poll_ms=50", "--outbox_max_backoff_ms=200",
                  "--outbox_lease_ms=1000"});
  }

  template <typename Stub>
  static std::unique_ptr<typename Stub::Stub> StubOf(const ServerProcess& s) {
    return Stub::NewStub(
        grpc::CreateChannel(s.address(), grpc::InsecureChannelCredentials()));
  }

  // Opens round 2 of the productivity scheme for the whole fiscal year.
  static void OpenRound(pb::SubsidyService::Stub& stub) {
    pb::UpdateRoundRequest req;
    req.set_name("fiscalYears/2026/schemes/productivity/rounds/2");
    auto* start = req.mutable_round()->mutable_call_start_date();
    start->set_year(2026);
    start->set_month(4);
    start->set_day(1);
    auto* end = req.mutable_round()->mutable_call_end_date();
    end->set_year(2027);
    end->set_month(3);
    end->set_day(31);
    req.mutable_update_mask()->add_paths("call_start_date");
    req.mutable_update_mask()->add_paths("call_end_date");
    req.set_request_id("open-round-2");
    grpc::ClientContext ctx;
    pb::Round out;
    ASSERT_TRUE(stub.UpdateRound(&ctx, req, &out).ok());
  }

  static pb::Application Approved(pb::SubsidyService::Stub& stub, long long n) {
    pb::CreateApplicationRequest create;
    create.set_parent("fiscalYears/2026/schemes/productivity");
    create.set_request_id("create-" + std::to_string(n));
    pb::Application* a = create.mutable_application();
    a->set_round("2");
    a->set_course("general");
    a->mutable_applicant()->set_corporate_number(testing::CorporateNumber(n));
    a->mutable_applicant()->set_name("株式会社" + std::to_string(n));
    a->mutable_applicant()->set_head_office_prefecture("三重県");
    a->mutable_applicant()->set_industry(pb::INDUSTRY_SERVICES);
    a->mutable_applicant()->set_capital_yen(5'000'000);
    a->mutable_applicant()->set_employees(4);
    pb::Expense* e = a->add_expenses();
    e->set_category("exhibition");
    e->set_amount_yen(900'000);
    pb::Application app;
    {
      grpc::ClientContext ctx;
      grpc::Status s = stub.CreateApplication(&ctx, create, &app);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    pb::SubmitApplicationRequest submit;
    submit.set_name(app.name());
    submit.set_request_id(app.name() + "/submit");
    {
      grpc::ClientContext ctx;
      grpc::Status s = stub.SubmitApplication(&ctx, submit, &app);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    pb::ApproveApplicationRequest approve;
    approve.set_name(app.name());
    approve.set_request_id(app.name() + "/approve");
    {
      grpc::ClientContext ctx;
      grpc::Status s = stub.ApproveApplication(&ctx, approve, &app);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return app;
  }

  TempDir dir_;
};

TEST_F(ThreeServices, DecisionsReachBudgetAndKpi) {
  auto budget = StartBudget();
  const int kpi_port = testing::FreePort();
  auto kpi = StartKpi(kpi_port, budget->address());
  auto subsidy = StartSubsidy(budget->address(), kpi->address());
  auto stub = StubOf<pb::SubsidyService>(*subsidy);
  OpenRound(*stub);
  pb::Application app = Approved(*stub, 501);
  EXPECT_EQ(app.state(), pb::APPLICATION_STATE_APPROVED);
  EXPECT_EQ(app.approved_amount_yen(), 450'000);

  auto budget_stub = StubOf<budget::v1::BudgetService>(*budget);
  budget::v1::GetEnvelopeRequest envelope_req;
  envelope_req.set_name("fiscalYears/2026/envelopes/productivity");
  budget::v1::Envelope envelope;
  grpc::ClientContext ctx;
  ASSERT_TRUE(budget_stub->GetEnvelope(&ctx, envelope_req, &envelope).ok());
  EXPECT_EQ(envelope.reserved_yen(), 450'000);

  auto kpi_stub = StubOf<kpi::v1::KpiService>(*kpi);
  kpi::v1::GetIndicatorProgressRequest progress;
  progress.set_name("fiscalYears/2026/programs/11/indicators/grant-decisions");
  kpi::v1::IndicatorProgress p;
  for (int i = 0; i < 100; ++i) {
    grpc::ClientContext c;
    ASSERT_TRUE(kpi_stub->GetIndicatorProgress(&c, progress, &p).ok());
    if (p.actual() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(p.actual(), 1);
  for (auto* s : {subsidy.get(), kpi.get(), budget.get()}) {
    s->Signal(SIGTERM);
    int status = s->Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << s->Log();
  }
}

TEST_F(ThreeServices, OutboxSurvivesASubsidyCrashWhileKpiIsDown) {
  auto budget = StartBudget();
  const int kpi_port = testing::FreePort();
  const std::string kpi_address = "127.0.0.1:" + std::to_string(kpi_port);
  auto subsidy = StartSubsidy(budget->address(), kpi_address);
  {
    auto stub = StubOf<pb::SubsidyService>(*subsidy);
    OpenRound(*stub);
    for (int n = 0; n < 3; ++n) Approved(*stub, 600 + n);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  subsidy->Signal(SIGKILL);
  subsidy->Wait();

  auto kpi = StartKpi(kpi_port, budget->address());
  subsidy = StartSubsidy(budget->address(), kpi_address);
  auto kpi_stub = StubOf<kpi::v1::KpiService>(*kpi);
  kpi::v1::ListMeasurementsRequest list;
  list.set_parent("fiscalYears/2026/programs/11/indicators/grant-decisions");
  kpi::v1::ListMeasurementsResponse history;
  for (int i = 0; i < 200; ++i) {
    grpc::ClientContext c;
    ASSERT_TRUE(kpi_stub->ListMeasurements(&c, list, &history).ok());
    if (history.measurements_size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  grpc::ClientContext c;
  ASSERT_TRUE(kpi_stub->ListMeasurements(&c, list, &history).ok());
  // Three decisions, three versions (1, 2, 3), each delivered once.
  ASSERT_EQ(history.measurements_size(), 3);
  EXPECT_EQ(history.measurements(0).value(), 1);
  EXPECT_EQ(history.measurements(2).value(), 3);
  EXPECT_FALSE(history.measurements(2).has_supersede_time());
}

}  // namespace
}  // namespace shien
