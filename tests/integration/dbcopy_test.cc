// Moving up: a running SQLite deployment copied into PostgreSQL with
// shien_dbcopy, verified, and the services restarted on PostgreSQL with
// their history.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/channel.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace budget_pb = ::shien::budget::v1;
namespace kpi_pb = ::shien::kpi::v1;
namespace pb = ::shien::subsidy::v1;
using testing::ServerProcess;

class DbCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(pg_.Start(&error)) << error;
    for (const char* db : {"budget", "kpi", "subsidy"}) {
      ASSERT_TRUE(pg_.CreateDatabase(db));
    }
  }

  // The three services, on SQLite files in the test directory or on the
  // PostgreSQL databases.
  void StartAll(bool postgres) {
    auto store = [&](const std::string& name) {
      return postgres ? "--postgres=" + pg_.Conninfo(name)
                      : "--db=" + dir_.File(name + ".db");
    };
    auto start = [&](const std::string& name, std::vector<std::string> args) {
      args.push_back("--listen=127.0.0.1:0");
      args.push_back("--insecure_no_auth");
      args.push_back("--redis=off");
      args.push_back("--shutdown_grace_ms=500");
      args.push_back(store(name));
      auto server = std::make_unique<ServerProcess>(
          testing::BinaryDir() + "/services/" + name + "/shien_" + name +
              "_server",
          std::move(args),
          dir_.File(absl::StrCat(name, postgres ? "-pg" : "-sqlite", ".log")));
      std::string error;
      EXPECT_TRUE(server->Start(20000, &error)) << error;
      return server;
    };
    const std::string data = testing::SourceDir() + "/data";
    budget_ = start("budget", {"--plan_dir=" + data});
    kpi_ = start("kpi", {"--data_dir=" + data,
                         "--budget_address=" + budget_->address()});
    subsidy_ =
        start("subsidy",
              {"--data_dir=" + data, "--budget_address=" + budget_->address(),
               "--kpi_address=" + kpi_->address(), "--outbox_poll_ms=50",
               "--outbox_lease_ms=500"});
    budget_stub_ = budget_pb::BudgetService::NewStub(
        client::OpenChannel(budget_->address(), {}).value());
    kpi_stub_ = kpi_pb::KpiService::NewStub(
        client::OpenChannel(kpi_->address(), {}).value());
    subsidy_stub_ = pb::SubsidyService::NewStub(
        client::OpenChannel(subsidy_->address(), {}).value());
  }
  void StopAll() {
    for (auto* s : {&subsidy_, &kpi_, &budget_}) {
      (*s)->Signal(SIGTERM);
      (*s)->Wait();
      s->reset();
    }
  }

  // Runs shien_dbcopy for `service`; returns its exit status and output.
  std::pair<int, std::string> Copy(const std::string& service) {
    const std::string out = dir_.File(service + ".copy");
    const std::string command = absl::StrCat(
        testing::BinaryDir(), "/tools/dbcopy/shien_dbcopy --service=", service,
        " --from=", dir_.File(service + ".db"),
        " '--to=", pg_.Conninfo(service), "' >", out, " 2>&1");
    const int status = std::system(command.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
  }

  budget_pb::ExecutionSummary Execution() {
    budget_pb::GetExecutionSummaryRequest req;
    req.set_name("fiscalYears/2026/executionSummary");
    budget_pb::ExecutionSummary out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(budget_stub_->GetExecutionSummary(&ctx, req, &out).ok());
    return out;
  }
  pb::Application Application(const std::string& name) {
    pb::GetApplicationRequest req;
    req.set_name(name);
    pb::Application out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(subsidy_stub_->GetApplication(&ctx, req, &out).ok());
    return out;
  }
  int Measurements() {
    kpi_pb::ListMeasurementsRequest req;
    req.set_parent("fiscalYears/2026/programs/17/indicators/consultations");
    kpi_pb::ListMeasurementsResponse out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(kpi_stub_->ListMeasurements(&ctx, req, &out).ok());
    return out.measurements_size();
  }
  pb::Application Approved(long long n) {
    pb::CreateApplicationRequest create;
    create.set_parent("fiscalYears/2026/schemes/overseas-business");
    create.set_request_id(absl::StrCat("create-", n));
    pb::Application* a = create.mutable_application();
    a->set_round("1");
    a->set_course("standard");
    a->mutable_applicant()->set_corporate_number(testing::CorporateNumber(n));
    a->mutable_applicant()->set_name(absl::StrCat("株式会社", n));
    a->mutable_applicant()->set_head_office_prefecture("三重県");
    a->mutable_applicant()->set_industry(pb::INDUSTRY_MANUFACTURING_AND_OTHERS);
    a->mutable_applicant()->set_capital_yen(10'000'000);
    a->mutable_applicant()->set_employees(12);
    pb::Expense* e = a->add_expenses();
    e->set_category("airfare");
    e->set_amount_yen(1'500'000);
    pb::Application app;
    {
      grpc::ClientContext ctx;
      grpc::Status s = subsidy_stub_->CreateApplication(&ctx, create, &app);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    for (int step = 0; step < 2; ++step) {
      grpc::ClientContext ctx;
      grpc::Status s;
      if (step == 0) {
        pb::SubmitApplicationRequest req;
        req.set_name(app.name());
        req.set_request_id(app.name() + "/submit");
        s = subsidy_stub_->SubmitApplication(&ctx, req, &app);
      } else {
        pb::ApproveApplicationRequest req;
        req.set_name(app.name());
        req.set_request_id(app.name() + "/approve");
        s = subsidy_stub_->ApproveApplication(&ctx, req, &app);
      }
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return app;
  }

  testing::TempDir dir_;
  testing::PostgresServer pg_;
  std::unique_ptr<ServerProcess> budget_, kpi_, subsidy_;
  std::unique_ptr<budget_pb::BudgetService::Stub> budget_stub_;
  std::unique_ptr<kpi_pb::KpiService::Stub> kpi_stub_;
  std::unique_ptr<pb::SubsidyService::Stub> subsidy_stub_;
};

TEST_F(DbCopy, ARunningDeploymentMovesToPostgresWithItsHistory) {
  StartAll(/*postgres=*/false);
  // History: expenditures, a measurement, an approved application.
  {
    budget_pb::RecordExpendituresResponse resp;
    grpc::ClientContext ctx;
    auto writer = budget_stub_->RecordExpenditures(&ctx, &resp);
    budget_pb::RecordExpendituresRequest batch;
    for (int i = 0; i < 3; ++i) {
      auto* e = batch.add_expenditures();
      e->set_program("fiscalYears/2026/programs/11");
      e->mutable_month()->set_year(2026);
      e->mutable_month()->set_month(5 + i);
      e->set_amount_yen(100'000 * (i + 1));
      e->set_request_id(absl::StrCat("v-", i));
      e->set_source_record_id(absl::StrCat("v-", i));
    }
    writer->Write(batch);
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    ASSERT_EQ(resp.accepted_count(), 3);
  }
  {
    kpi_pb::RecordMeasurementsResponse resp;
    grpc::ClientContext ctx;
    auto writer = kpi_stub_->RecordMeasurements(&ctx, &resp);
    kpi_pb::RecordMeasurementsRequest batch;
    auto* m = batch.add_measurements();
    m->set_indicator("fiscalYears/2026/programs/17/indicators/consultations");
    m->mutable_month()->set_year(2026);
    m->mutable_month()->set_month(4);
    m->set_value(231);
    m->set_kind(kpi_pb::MEASUREMENT_KIND_ACTUAL);
    m->set_request_id("m-1");
    writer->Write(batch);
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    ASSERT_EQ(resp.accepted_count(), 1);
  }
  {
    pb::UpdateRoundRequest req;
    req.set_name("fiscalYears/2026/schemes/overseas-business/rounds/1");
    auto* r = req.mutable_round();
    r->mutable_call_start_date()->set_year(2026);
    r->mutable_call_start_date()->set_month(4);
    r->mutable_call_start_date()->set_day(1);
    r->mutable_call_end_date()->set_year(2027);
    r->mutable_call_end_date()->set_month(3);
    r->mutable_call_end_date()->set_day(31);
    req.mutable_update_mask()->add_paths("call_start_date");
    req.mutable_update_mask()->add_paths("call_end_date");
    req.set_request_id("open");
    pb::Round out;
    grpc::ClientContext ctx;
    ASSERT_TRUE(subsidy_stub_->UpdateRound(&ctx, req, &out).ok());
  }
  const pb::Application app = Approved(11);
  ASSERT_EQ(app.state(), pb::APPLICATION_STATE_APPROVED);
  const budget_pb::ExecutionSummary before = Execution();
  ASSERT_EQ(before.total().executed_yen(), 600'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // outbox

  // Copied while the services run on SQLite.
  for (const char* service : {"budget", "kpi", "subsidy"}) {
    auto [status, out] = Copy(service);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("verified: every table's rows and yen totals match"),
              std::string::npos)
        << out;
    if (std::string(service) == "budget") {
      EXPECT_NE(out.find("amount_yen 600000 = 600000"), std::string::npos)
          << out;
    }
  }
  // A second copy into the same databases is refused.
  auto [again, again_out] = Copy("budget");
  EXPECT_EQ(again, 1);
  EXPECT_NE(again_out.find("already holds"), std::string::npos) << again_out;
  StopAll();

  // The same answers from PostgreSQL.
  StartAll(/*postgres=*/true);
  const budget_pb::ExecutionSummary after = Execution();
  EXPECT_EQ(after.total().executed_yen(), before.total().executed_yen());
  EXPECT_EQ(after.total().budget_yen(), before.total().budget_yen());
  EXPECT_EQ(Application(app.name()).state(), pb::APPLICATION_STATE_APPROVED);
  EXPECT_EQ(Application(app.name()).approved_amount_yen(),
            app.approved_amount_yen());
  EXPECT_EQ(Measurements(), 1);
  {
    budget_pb::GetEnvelopeRequest req;
    req.set_name("fiscalYears/2026/envelopes/overseas-business");
    budget_pb::Envelope envelope;
    grpc::ClientContext ctx;
    ASSERT_TRUE(budget_stub_->GetEnvelope(&ctx, req, &envelope).ok());
    EXPECT_EQ(envelope.reserved_yen(), app.approved_amount_yen());
  }
  // New rows continue after the copied ids.
  const pb::Application next = Approved(12);
  EXPECT_EQ(next.state(), pb::APPLICATION_STATE_APPROVED);
  auto id_of = [](const std::string& name) {
    return std::stoll(name.substr(name.rfind('/') + 1));
  };
  EXPECT_GT(id_of(next.name()), id_of(app.name()));
}

}  // namespace
}  // namespace shien
