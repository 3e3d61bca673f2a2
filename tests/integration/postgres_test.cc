// The real binaries on PostgreSQL: an unreachable database at start-up and
// one that goes away and comes back; then two instances of every service
// sharing one PostgreSQL and one Redis, called round robin: no overcommit,
// one application of a request id sent to both at once, freshness across
// instances (cache included), and an instance killed mid-load.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/channel.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "shien/audit/v1/audit_service.grpc.pb.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace budget_pb = ::shien::budget::v1;
namespace pb = ::shien::subsidy::v1;
using testing::ServerProcess;

std::string Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

class OnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(pg_.Start(&error)) << error;
    for (const char* db : {"budget", "kpi", "subsidy"}) {
      ASSERT_TRUE(pg_.CreateDatabase(db));
    }
    tokens_ = testing::WriteTestTokens(dir_.File("tokens"));
    std::ofstream(dir_.File("service.token"))
        << tokens_.Token("service") << "\n";
  }

  // Starts instance `n` of service `name` on PostgreSQL.
  std::unique_ptr<ServerProcess> Start(const std::string& name, int n,
                                       std::vector<std::string> args,
                                       bool expect_start = true) {
    args.push_back("--listen=127.0.0.1:0");
    args.push_back("--postgres=" + pg_.Conninfo(name));
    args.push_back("--auth_tokens=" + dir_.File("tokens"));
    args.push_back("--service_token_file=" + dir_.File("service.token"));
    args.push_back("--shutdown_grace_ms=1000");
    args.push_back("--health_probe_ms=200");
    args.push_back(redis_ ? "--redis=" + redis_->address() : "--redis=off");
    args.push_back("--cache_prefix=pg-test");
    auto server = std::make_unique<ServerProcess>(
        testing::BinaryDir() + "/services/" + name + "/shien_" + name +
            "_server",
        std::move(args), dir_.File(absl::StrCat(name, n, ".log")));
    std::string error;
    const bool started = server->Start(20000, &error);
    if (expect_start) {
      EXPECT_TRUE(started) << error;
    }
    return server;
  }
  std::unique_ptr<ServerProcess> StartBudget(int n) {
    return Start("budget", n, {"--plan_dir=" + testing::SourceDir() + "/data"});
  }
  std::unique_ptr<ServerProcess> StartKpi(int n, const std::string& budget) {
    return Start("kpi", n,
                 {"--data_dir=" + testing::SourceDir() + "/data",
                  "--budget_address=" + budget});
  }
  std::unique_ptr<ServerProcess> StartSubsidy(int n, const std::string& budget,
                                              const std::string& kpi) {
    return Start("subsidy", n,
                 {"--data_dir=" + testing::SourceDir() + "/data",
                  "--budget_address=" + budget, "--kpi_address=" + kpi,
                  "--outbox_poll_ms=50", "--outbox_max_backoff_ms=200",
                  "--outbox_lease_ms=1000"});
  }

  template <typename Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& target,
                                               const std::string& principal) {
    client::ChannelOptions options;
    options.token = tokens_.Token(principal);
    return Service::NewStub(client::OpenChannel(target, options).value());
  }

  testing::TempDir dir_;
  testing::PostgresServer pg_;
  std::unique_ptr<testing::RedisServer> redis_;
  testing::TestTokens tokens_;
};

TEST_F(OnPostgres, UnreachableAtStartIsAClearError) {
  ServerProcess server(
      testing::BinaryDir() + "/services/budget/shien_budget_server",
      {"--listen=127.0.0.1:0", "--insecure_no_auth", "--redis=off",
       "--postgres=host=127.0.0.1 port=" + std::to_string(testing::FreePort()) +
           " dbname=budget user=shien"},
      dir_.File("unreachable.log"));
  std::string error;
  EXPECT_FALSE(server.Start(20000, &error));
  const int status = server.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  EXPECT_NE(server.Log().find("cannot connect to PostgreSQL at 127.0.0.1:"),
            std::string::npos)
      << server.Log();
}

TEST_F(OnPostgres, CallsFailUnavailableWhileTheDatabaseIsAwayAndRecover) {
  auto budget = StartBudget(1);
  auto stub = Stub<budget_pb::BudgetService>(budget->address(), "viewer");
  auto health = grpc::health::v1::Health::NewStub(
      client::OpenChannel(budget->address(), {}).value());
  auto get = [&] {
    budget_pb::GetProgramRequest req;
    req.set_name("fiscalYears/2026/programs/11");
    budget_pb::Program out;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(20));
    grpc::Status s = stub->GetProgram(&ctx, req, &out);
    if (s.ok()) {
      EXPECT_EQ(out.number(), 11);
    }
    return s;
  };
  auto serving = [&] {
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("shien.budget.v1.BudgetService");
    grpc::health::v1::HealthCheckResponse out;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(20));
    return health->Check(&ctx, req, &out).ok() &&
           out.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  };
  ASSERT_TRUE(get().ok());
  pg_.Stop();
  grpc::Status s = get();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  bool down = false;
  for (int i = 0; i < 100 && !down; ++i) {
    down = !serving();
    if (!down) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(down) << "health stayed SERVING without its database";
  std::string error;
  ASSERT_TRUE(pg_.Start(&error)) << error;
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = get().ok();
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(back) << "calls did not recover without a restart";
  bool healthy = false;
  for (int i = 0; i < 100 && !healthy; ++i) {
    healthy = serving();
    if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(healthy);
}

TEST_F(OnPostgres, AuditKeepsLongJapaneseRequestsAndFiltersByTime) {
  auto budget = StartBudget(1);
  auto admin = Stub<budget_pb::BudgetService>(budget->address(), "admin");
  std::string overview;
  for (int i = 0; i < 1500; ++i) overview += "経営";  // 9,000 bytes
  const int64_t before_us =
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  budget_pb::UpdateProgramRequest req;
  req.mutable_program()->set_name("fiscalYears/2026/programs/4");
  req.mutable_program()->set_overview(overview);
  req.mutable_update_mask()->add_paths("overview");
  req.set_request_id("long-overview");
  budget_pb::Program out;
  {
    grpc::ClientContext ctx;
    grpc::Status s = admin->UpdateProgram(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto audit = Stub<audit::v1::AuditService>(budget->address(), "admin");
  audit::v1::ListAuditEventsRequest list;
  list.mutable_start_time()->set_seconds(before_us / 1'000'000);
  list.mutable_start_time()->set_nanos(
      static_cast<int32_t>(before_us % 1'000'000) * 1000);
  audit::v1::ListAuditEventsResponse events;
  grpc::ClientContext ctx;
  grpc::Status s = audit->ListAuditEvents(&ctx, list, &events);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(events.audit_events_size(), 1);
  const std::string& change = events.audit_events(0).change();
  EXPECT_EQ(events.audit_events(0).request_id(), "long-overview");
  EXPECT_NE(change.find("…(truncated)"), std::string::npos);
  EXPECT_LE(change.size(), 8 * 1024 + 32u);
}

class TwoInstances : public OnPostgres {
 protected:
  void SetUp() override {
    OnPostgres::SetUp();
    redis_ = std::make_unique<testing::RedisServer>();
    ASSERT_TRUE(redis_->Start());
    budget_[0] = StartBudget(1);
    budget_[1] = StartBudget(2);
    const std::string budgets =
        budget_[0]->address() + "," + budget_[1]->address();
    kpi_[0] = StartKpi(1, budgets);
    kpi_[1] = StartKpi(2, budgets);
    const std::string kpis = kpi_[0]->address() + "," + kpi_[1]->address();
    subsidy_[0] = StartSubsidy(1, budgets, kpis);
    subsidy_[1] = StartSubsidy(2, budgets, kpis);
    budgets_ = budgets;
    subsidies_ = subsidy_[0]->address() + "," + subsidy_[1]->address();
  }

  // Opens round 1 of the overseas scheme for the fiscal year.
  void OpenRound() {
    auto admin = Stub<pb::SubsidyService>(subsidies_, "admin");
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
    req.set_request_id("open-overseas-1");
    pb::Round out;
    grpc::ClientContext ctx;
    grpc::Status s = admin->UpdateRound(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Creates and submits an application of 1,000,000 yen (the cap) for
  // applicant `n`; returns its name.
  std::string Submitted(pb::SubsidyService::Stub& stub, long long n) {
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
    e->set_amount_yen(2'000'000);
    pb::Application app;
    {
      grpc::ClientContext ctx;
      ctx.set_deadline(In(30));
      grpc::Status s = stub.CreateApplication(&ctx, create, &app);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    pb::SubmitApplicationRequest submit;
    submit.set_name(app.name());
    submit.set_request_id(app.name() + "/submit");
    grpc::ClientContext ctx;
    ctx.set_deadline(In(30));
    grpc::Status s = stub.SubmitApplication(&ctx, submit, &app);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return app.name();
  }

  budget_pb::Envelope Envelope(const std::string& target) {
    auto stub = Stub<budget_pb::BudgetService>(target, "viewer");
    budget_pb::GetEnvelopeRequest req;
    req.set_name("fiscalYears/2026/envelopes/overseas-business");
    budget_pb::Envelope out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub->GetEnvelope(&ctx, req, &out).ok());
    return out;
  }

  std::unique_ptr<ServerProcess> budget_[2], kpi_[2], subsidy_[2];
  std::string budgets_, subsidies_;
};

TEST_F(TwoInstances, ApprovalsOverBothInstancesNeverOvercommit) {
  OpenRound();
  auto reviewer = Stub<pb::SubsidyService>(subsidies_, "reviewer");
  constexpr int kApplications = 48;
  std::vector<std::string> names;
  for (int i = 0; i < kApplications; ++i) {
    names.push_back(Submitted(*reviewer, 300 + i));
  }
  std::atomic<int> approved{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Each thread its own channel over both instances.
      auto stub = Stub<pb::SubsidyService>(subsidies_, "reviewer");
      for (int i = t; i < kApplications; i += 8) {
        pb::ApproveApplicationRequest req;
        req.set_name(names[i]);
        req.set_request_id(names[i] + "/approve");
        pb::Application out;
        grpc::ClientContext ctx;
        ctx.set_deadline(In(30));
        grpc::Status s = stub->ApproveApplication(&ctx, req, &out);
        if (s.ok()) {
          ++approved;
        } else if (Reason(s) == "ENVELOPE_EXCEEDED") {
          ++refused;
        } else {
          ADD_FAILURE() << s.error_message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(approved.load(), 30);
  EXPECT_EQ(refused.load(), kApplications - 30);
  // Both budget instances report the same, within the envelope.
  for (const auto& b : budget_) {
    budget_pb::Envelope envelope = Envelope(b->address());
    EXPECT_EQ(envelope.reserved_yen(), 30'000'000);
    EXPECT_LE(envelope.reserved_yen(), envelope.amount_yen());
  }
  // And the subsidy instances agree with the budget service.
  for (const auto& s : subsidy_) {
    auto stub = Stub<pb::SubsidyService>(s->address(), "viewer");
    pb::GetSchemeStatsRequest req;
    req.set_name("fiscalYears/2026/schemes/overseas-business/stats");
    pb::SchemeStats stats;
    grpc::ClientContext ctx;
    grpc::Status status = stub->GetSchemeStats(&ctx, req, &stats);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(stats.reserved_yen(), 30'000'000);
  }
}

TEST_F(TwoInstances, ARequestIdSentToBothAtOnceAppliesOnce) {
  budget_pb::UpdateProgramRequest req;
  req.mutable_program()->set_name("fiscalYears/2026/programs/2");
  req.mutable_program()->set_budget_yen(55'555'000);
  req.mutable_update_mask()->add_paths("budget_yen");
  req.set_request_id("same-everywhere");
  budget_pb::Program answers[2];
  grpc::Status statuses[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i) {
    threads[i] = std::thread([&, i] {
      auto stub =
          Stub<budget_pb::BudgetService>(budget_[i]->address(), "admin");
      grpc::ClientContext ctx;
      ctx.set_deadline(In(30));
      statuses[i] = stub->UpdateProgram(&ctx, req, &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(statuses[0].ok()) << statuses[0].error_message();
  ASSERT_TRUE(statuses[1].ok()) << statuses[1].error_message();
  EXPECT_EQ(answers[0].etag(), answers[1].etag());
  EXPECT_EQ(answers[0].budget_yen(), 55'555'000);
  // One change in the shared audit trail.
  auto audit = Stub<audit::v1::AuditService>(budget_[1]->address(), "admin");
  audit::v1::ListAuditEventsRequest list;
  list.set_filter("request_id = \"same-everywhere\"");
  audit::v1::ListAuditEventsResponse events;
  grpc::ClientContext ctx;
  ASSERT_TRUE(audit->ListAuditEvents(&ctx, list, &events).ok());
  EXPECT_EQ(events.audit_events_size(), 1);
}

TEST_F(TwoInstances, AWriteOnOneIsReadOnTheOtherThroughTheCache) {
  auto reader = Stub<budget_pb::BudgetService>(budget_[1]->address(), "viewer");
  auto writer = Stub<budget_pb::BudgetService>(budget_[0]->address(), "admin");
  auto total = [&] {
    budget_pb::GetBudgetSummaryRequest req;
    req.set_name("fiscalYears/2026/budgetSummary");
    budget_pb::BudgetSummary out;
    grpc::ClientContext ctx;
    EXPECT_TRUE(reader->GetBudgetSummary(&ctx, req, &out).ok());
    return out.total_yen();
  };
  const int64_t before = total();
  EXPECT_EQ(total(), before);  // now cached in the shared Redis
  for (int i = 1; i <= 5; ++i) {
    budget_pb::GetProgramRequest get;
    get.set_name("fiscalYears/2026/programs/3");
    budget_pb::Program program;
    {
      grpc::ClientContext ctx;
      ASSERT_TRUE(writer->GetProgram(&ctx, get, &program).ok());
    }
    budget_pb::UpdateProgramRequest req;
    req.mutable_program()->set_name(program.name());
    req.mutable_program()->set_budget_yen(program.budget_yen() + 1000);
    req.mutable_program()->set_etag(program.etag());
    req.mutable_update_mask()->add_paths("budget_yen");
    req.set_request_id(absl::StrCat("fresh-", i));
    grpc::ClientContext ctx;
    ASSERT_TRUE(writer->UpdateProgram(&ctx, req, &program).ok());
    EXPECT_EQ(total(), before + 1000 * i);
  }
}

TEST_F(TwoInstances, KillingOneInstanceMidLoadLosesNothingAcknowledged) {
  OpenRound();
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> failures;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto stub = Stub<pb::SubsidyService>(subsidies_, "reviewer");
      while (!stop) {
        const int n = next++;
        pb::CreateApplicationRequest create;
        create.set_parent("fiscalYears/2026/schemes/overseas-business");
        create.set_request_id(absl::StrCat("load-", n));
        pb::Application* a = create.mutable_application();
        a->set_round("1");
        a->set_course("standard");
        a->mutable_applicant()->set_corporate_number(
            testing::CorporateNumber(1000 + n));
        a->mutable_applicant()->set_name(absl::StrCat("株式会社負荷", n));
        a->mutable_applicant()->set_head_office_prefecture("三重県");
        a->mutable_applicant()->set_industry(
            pb::INDUSTRY_MANUFACTURING_AND_OTHERS);
        a->mutable_applicant()->set_capital_yen(10'000'000);
        a->mutable_applicant()->set_employees(12);
        pb::Expense* e = a->add_expenses();
        e->set_category("airfare");
        e->set_amount_yen(400'000);
        pb::Application out;
        grpc::ClientContext ctx;
        ctx.set_deadline(In(30));
        grpc::Status s = stub->CreateApplication(&ctx, create, &out);
        if (s.ok()) {
          ++acknowledged;
        } else {
          std::lock_guard<std::mutex> lock(mu);
          failures.push_back(s.error_message());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  subsidy_[0]->Signal(SIGKILL);
  subsidy_[0]->Wait();
  const int at_kill = acknowledged.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(failures.empty())
      << failures.size() << " calls failed, first: " << failures.front();
  EXPECT_GT(acknowledged.load(), at_kill) << "no calls after the kill";
  // Every acknowledged application is there, read from the survivor.
  auto survivor = Stub<pb::SubsidyService>(subsidy_[1]->address(), "reviewer");
  int stored = 0;
  std::string token;
  do {
    pb::ListApplicationsRequest req;
    req.set_parent("fiscalYears/2026/schemes/overseas-business");
    req.set_page_size(100);
    req.set_page_token(token);
    pb::ListApplicationsResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = survivor->ListApplications(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    stored += resp.applications_size();
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(stored, acknowledged.load());
}

}  // namespace
}  // namespace shien
