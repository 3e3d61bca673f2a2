// In-process gRPC tests of SubsidyService with real in-process budget and
// KPI services behind it, all over SQLite in a temporary directory, and the
// outbox delivering on its own thread.
#include "services/subsidy/api/subsidy_service.h"

#include <atomic>
#include <memory>
#include <thread>

#include "common/server/executor.h"
#include "common/server/server.h"
#include "common/status/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/budget/api/budget_service.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "services/kpi/api/kpi_service.h"
#include "services/kpi/clients/program_directory.h"
#include "services/kpi/data/kpi_loader.h"
#include "services/kpi/storage/sqlite_kpi_store.h"
#include "services/subsidy/clients/outbox_dispatcher.h"
#include "services/subsidy/clients/peers.h"
#include "services/subsidy/data/scheme_loader.h"
#include "services/subsidy/storage/sqlite_subsidy_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/testing/temp_dir.h"

namespace shien::subsidy {
namespace {

namespace pb = ::shien::subsidy::v1;
namespace budget_pb = ::shien::budget::v1;
namespace kpi_pb = ::shien::kpi::v1;

constexpr CivilDate kToday{2026, 11, 27};

struct Details {
  grpc::StatusCode code;
  std::string reason;
  std::string field;
  std::string message;
};

Details DetailsOf(const grpc::Status& status) {
  Details out{status.error_code(), "", "", status.error_message()};
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

std::string Address(const RunningServer& s) {
  return "127.0.0.1:" + std::to_string(s.port);
}

class SubsidyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Each service has its own workers, as in separate processes: the
    // subsidy service's workers block on calls to the budget service.
    executor_ = std::make_unique<Executor>(8, 1000);
    budget_executor_ = std::make_unique<Executor>(4, 1000);
    kpi_executor_ = std::make_unique<Executor>(4, 1000);
    // Budget.
    sql::SqliteOptions o;
    o.path = dir_.File("budget.db");
    o.durable = false;
    auto bs = budget::OpenSqliteBudgetStore(o, 4);
    ASSERT_TRUE(bs.ok());
    budget_store_ = *std::move(bs);
    ASSERT_TRUE(
        budget::LoadPlans(testing::SourceDir() + "/data", *budget_store_).ok());
    budget_service_ = std::make_unique<budget::BudgetServiceImpl>(
        budget_store_.get(), budget_executor_.get(),
        testing::OpenAuthenticator());
    auto b = StartServer({}, {budget_service_.get()}, {});
    ASSERT_TRUE(b.ok());
    budget_server_ = std::make_unique<RunningServer>(*std::move(b));
    // KPI.
    o.path = dir_.File("kpi.db");
    auto ks = kpi::OpenSqliteKpiStore(o, 4);
    ASSERT_TRUE(ks.ok());
    kpi_store_ = *std::move(ks);
    ASSERT_TRUE(
        kpi::LoadKpiData(testing::SourceDir() + "/data", *kpi_store_).ok());
    programs_ = kpi::NewBudgetProgramDirectory(Address(*budget_server_), 2000);
    kpi_service_ = std::make_unique<kpi::KpiServiceImpl>(
        kpi_store_.get(), programs_.get(), kpi_executor_.get(),
        testing::OpenAuthenticator(), [] { return kToday; });
    auto k = StartServer({}, {kpi_service_.get()}, {});
    ASSERT_TRUE(k.ok());
    kpi_server_ = std::make_unique<RunningServer>(*std::move(k));
    // Subsidy.
    o.path = dir_.File("subsidy.db");
    auto ss = OpenSqliteSubsidyStore(o, 10);
    ASSERT_TRUE(ss.ok());
    store_ = *std::move(ss);
    ASSERT_TRUE(LoadSchemes(testing::SourceDir() + "/data", *store_).ok());
    peers_ =
        NewGrpcPeers(Address(*budget_server_), Address(*kpi_server_), 2000);
    StartSubsidy(peers_.get());
    budget_ = budget_pb::BudgetService::NewStub(grpc::CreateChannel(
        Address(*budget_server_), grpc::InsecureChannelCredentials()));
    kpi_ = kpi_pb::KpiService::NewStub(grpc::CreateChannel(
        Address(*kpi_server_), grpc::InsecureChannelCredentials()));
  }

  void StartSubsidy(Peers* peers) {
    outbox_ = std::make_unique<OutboxDispatcher>(
        store_.get(), peers, std::chrono::milliseconds(20),
        std::chrono::milliseconds(100));
    service_ = std::make_unique<SubsidyServiceImpl>(
        store_.get(), peers, executor_.get(), testing::OpenAuthenticator(),
        [this] { outbox_->Nudge(); }, [] { return kToday; });
    auto s = StartServer({}, {service_.get()}, {});
    ASSERT_TRUE(s.ok());
    server_ = std::make_unique<RunningServer>(*std::move(s));
    stub_ = pb::SubsidyService::NewStub(grpc::CreateChannel(
        Address(*server_), grpc::InsecureChannelCredentials()));
  }

  void StopSubsidy() {
    server_->Shutdown(std::chrono::milliseconds(200));
    server_.reset();
    outbox_.reset();
    service_.reset();
  }

  void TearDown() override {
    if (server_) StopSubsidy();
    kpi_server_->Shutdown(std::chrono::milliseconds(200));
    budget_server_->Shutdown(std::chrono::milliseconds(200));
    executor_->Stop();
    budget_executor_->Stop();
    kpi_executor_->Stop();
  }

  // Opens a round around kToday.
  void OpenRound(const std::string& scheme, const std::string& round) {
    pb::UpdateRoundRequest req;
    req.set_name("fiscalYears/2026/schemes/" + scheme + "/rounds/" + round);
    req.mutable_round()->mutable_call_start_date()->set_year(2026);
    req.mutable_round()->mutable_call_start_date()->set_month(11);
    req.mutable_round()->mutable_call_start_date()->set_day(1);
    req.mutable_round()->mutable_call_end_date()->set_year(2026);
    req.mutable_round()->mutable_call_end_date()->set_month(12);
    req.mutable_round()->mutable_call_end_date()->set_day(25);
    req.mutable_update_mask()->add_paths("call_start_date");
    req.mutable_update_mask()->add_paths("call_end_date");
    grpc::ClientContext ctx;
    pb::Round out;
    grpc::Status s = stub_->UpdateRound(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(out.state(), pb::SCHEME_STATE_OPEN);
  }

  static pb::Applicant Applicant(long long n, int employees = 12) {
    pb::Applicant a;
    a.set_corporate_number(testing::CorporateNumber(n));
    a.set_name("株式会社テスト" + std::to_string(n));
    a.set_head_office_prefecture("三重県");
    a.set_industry(pb::INDUSTRY_MANUFACTURING_AND_OTHERS);
    a.set_capital_yen(10'000'000);
    a.set_employees(employees);
    return a;
  }

  grpc::Status Create(const std::string& scheme, const std::string& round,
                      const std::string& course, const pb::Applicant& applicant,
                      const std::string& category, int64_t expenses,
                      pb::Application* out) {
    pb::CreateApplicationRequest req;
    req.set_parent("fiscalYears/2026/schemes/" + scheme);
    req.mutable_application()->set_round(round);
    req.mutable_application()->set_course(course);
    *req.mutable_application()->mutable_applicant() = applicant;
    pb::Expense* e = req.mutable_application()->add_expenses();
    e->set_category(category);
    e->set_amount_yen(expenses);
    grpc::ClientContext ctx;
    return stub_->CreateApplication(&ctx, req, out);
  }

  template <typename Request>
  grpc::Status Act(grpc::Status (pb::SubsidyService::Stub::*method)(
                       grpc::ClientContext*, const Request&, pb::Application*),
                   Request req, pb::Application* out) {
    grpc::ClientContext ctx;
    return (stub_.get()->*method)(&ctx, req, out);
  }

  // A request for `name` whose request id is unique to the application
  // (request ids are unique service-wide).
  template <typename Request>
  static Request Named(const std::string& name, const std::string& suffix) {
    Request r;
    r.set_name(name);
    r.set_request_id(name + "/" + suffix);
    return r;
  }

  budget_pb::Envelope Envelope(const std::string& id) {
    grpc::ClientContext ctx;
    budget_pb::GetEnvelopeRequest req;
    req.set_name("fiscalYears/2026/envelopes/" + id);
    budget_pb::Envelope e;
    EXPECT_TRUE(budget_->GetEnvelope(&ctx, req, &e).ok());
    return e;
  }

  pb::SchemeStats Stats(const std::string& scheme) {
    grpc::ClientContext ctx;
    pb::GetSchemeStatsRequest req;
    req.set_name("fiscalYears/2026/schemes/" + scheme + "/stats");
    pb::SchemeStats s;
    EXPECT_TRUE(stub_->GetSchemeStats(&ctx, req, &s).ok());
    return s;
  }

  int64_t KpiActual(const std::string& indicator) {
    grpc::ClientContext ctx;
    kpi_pb::GetIndicatorProgressRequest req;
    req.set_name(indicator);
    kpi_pb::IndicatorProgress p;
    EXPECT_TRUE(kpi_->GetIndicatorProgress(&ctx, req, &p).ok());
    return p.actual();
  }

  int KpiVersions(const std::string& indicator) {
    grpc::ClientContext ctx;
    kpi_pb::ListMeasurementsRequest req;
    req.set_parent(indicator);
    req.set_page_size(1000);
    kpi_pb::ListMeasurementsResponse resp;
    EXPECT_TRUE(kpi_->ListMeasurements(&ctx, req, &resp).ok());
    return resp.measurements_size();
  }

  // Waits until the outbox has delivered everything (or 10 s).
  void DrainOutbox() {
    for (int i = 0; i < 500; ++i) {
      auto pending = store_->PendingOutbox(0, 1);
      if (pending.ok() && pending->empty()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the outbox did not drain";
  }

  testing::TempDir dir_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Executor> budget_executor_;
  std::unique_ptr<Executor> kpi_executor_;
  std::unique_ptr<budget::BudgetStore> budget_store_;
  std::unique_ptr<budget::BudgetServiceImpl> budget_service_;
  std::unique_ptr<RunningServer> budget_server_;
  std::unique_ptr<kpi::KpiStore> kpi_store_;
  std::unique_ptr<kpi::ProgramDirectory> programs_;
  std::unique_ptr<kpi::KpiServiceImpl> kpi_service_;
  std::unique_ptr<RunningServer> kpi_server_;
  std::unique_ptr<SubsidyStore> store_;
  std::unique_ptr<Peers> peers_;
  std::unique_ptr<OutboxDispatcher> outbox_;
  std::unique_ptr<SubsidyServiceImpl> service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<pb::SubsidyService::Stub> stub_;
  std::unique_ptr<budget_pb::BudgetService::Stub> budget_;
  std::unique_ptr<kpi_pb::KpiService::Stub> kpi_;
};

constexpr char kAmount11[] =
    "fiscalYears/2026/programs/11/indicators/grant-decision-amount";
constexpr char kCount11[] =
    "fiscalYears/2026/programs/11/indicators/grant-decisions";

TEST_F(SubsidyServiceTest, FromDraftToPaid) {
  OpenRound("productivity", "2");
  pb::Application app;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(1), "machinery",
                     1'534'567, &app)
                  .ok());
  EXPECT_EQ(app.state(), pb::APPLICATION_STATE_DRAFT);
  EXPECT_EQ(app.quote().amount_yen(), 767'000);  // 767,283 truncated
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "s1"), &app)
                  .ok());
  grpc::Status s =
      Act(&pb::SubsidyService::Stub::ApproveApplication,
          Named<pb::ApproveApplicationRequest>(app.name(), "a1"), &app);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(app.state(), pb::APPLICATION_STATE_APPROVED);
  EXPECT_EQ(app.approved_amount_yen(), 767'000);
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 767'000);
  // A repeated approval returns the first answer and reserves nothing more.
  pb::Application again;
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ApproveApplication,
                  Named<pb::ApproveApplicationRequest>(app.name(), "a1"),
                  &again)
                  .ok());
  EXPECT_EQ(again.SerializeAsString(), app.SerializeAsString());
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 767'000);

  pb::ReportCompletionRequest report =
      Named<pb::ReportCompletionRequest>(app.name(), "r1");
  pb::Expense* e = report.add_actual_expenses();
  e->set_category("machinery");
  e->set_amount_yen(1'000'000);
  e->mutable_incurred_date()->set_year(2026);
  e->mutable_incurred_date()->set_month(12);
  e->mutable_incurred_date()->set_day(1);
  pb::Expense* early = report.add_actual_expenses();  // before approval
  early->set_category("publicity");
  early->set_amount_yen(500'000);
  early->mutable_incurred_date()->set_year(2026);
  early->mutable_incurred_date()->set_month(10);
  early->mutable_incurred_date()->set_day(1);
  ASSERT_TRUE(
      Act(&pb::SubsidyService::Stub::ReportCompletion, report, &app).ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ConfirmAmount,
                  Named<pb::ConfirmAmountRequest>(app.name(), "c1"), &app)
                  .ok());
  EXPECT_EQ(app.confirmed_amount_yen(), 500'000);  // the October expense is out
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::MarkPaid,
                  Named<pb::MarkPaidRequest>(app.name(), "p1"), &app)
                  .ok());
  EXPECT_EQ(app.state(), pb::APPLICATION_STATE_PAID);
  EXPECT_EQ(app.history_size(), 6);  // created, submitted, ... paid
  DrainOutbox();
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 500'000);
  pb::SchemeStats stats = Stats("productivity");
  EXPECT_EQ(stats.reserved_yen(), 500'000);
  EXPECT_EQ(stats.pending_release_yen(), 0);
  EXPECT_EQ(KpiActual(kAmount11), 500'000);
  EXPECT_EQ(KpiActual(kCount11), 1);
}

TEST_F(SubsidyServiceTest, IllegalMovesAreRefusedAndChangeNothing) {
  pb::Application app;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(2), "machinery",
                     1'000'000, &app)
                  .ok());
  pb::Application out;
  // Approving a draft.
  Details d = DetailsOf(
      Act(&pb::SubsidyService::Stub::ApproveApplication,
          Named<pb::ApproveApplicationRequest>(app.name(), "x1"), &out));
  EXPECT_EQ(d.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(d.reason, "INVALID_STATE");
  EXPECT_NE(d.message.find("APPLICATION_STATE_DRAFT"), std::string::npos);
  // Submitting while the round is a forecast (第2期: "mid-May").
  d = DetailsOf(Act(&pb::SubsidyService::Stub::SubmitApplication,
                    Named<pb::SubmitApplicationRequest>(app.name(), "x2"),
                    &out));
  EXPECT_EQ(d.reason, "ROUND_NOT_OPEN");
  OpenRound("productivity", "2");
  // A stale etag.
  pb::SubmitApplicationRequest stale =
      Named<pb::SubmitApplicationRequest>(app.name(), "x3");
  stale.set_etag("0000000000000000");
  EXPECT_EQ(
      DetailsOf(Act(&pb::SubsidyService::Stub::SubmitApplication, stale, &out))
          .code,
      grpc::StatusCode::ABORTED);
  // Returning needs a reason.
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "x4"), &out)
                  .ok());
  d = DetailsOf(Act(&pb::SubsidyService::Stub::ReturnApplication,
                    Named<pb::ReturnApplicationRequest>(app.name(), "x5"),
                    &out));
  EXPECT_EQ(d.field, "reason");
  // Prior start does not exist for this scheme.
  d = DetailsOf(Act(&pb::SubsidyService::Stub::ApprovePriorStart,
                    Named<pb::ApprovePriorStartRequest>(app.name(), "x6"),
                    &out));
  EXPECT_EQ(d.reason, "PRIOR_START_NOT_ALLOWED");
  // A second application of the same company to the same round.
  pb::Application twin;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(2), "machinery",
                     800'000, &twin)
                  .ok());
  d = DetailsOf(Act(&pb::SubsidyService::Stub::SubmitApplication,
                    Named<pb::SubmitApplicationRequest>(twin.name(), "x7"),
                    &out));
  EXPECT_EQ(d.code, grpc::StatusCode::ALREADY_EXISTS);
  // Not eligible: 21 employees for the 一般コース.
  pb::Application big;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(3, 21),
                     "machinery", 800'000, &big)
                  .ok());
  EXPECT_FALSE(big.quote().eligible());
  d = DetailsOf(Act(&pb::SubsidyService::Stub::SubmitApplication,
                    Named<pb::SubmitApplicationRequest>(big.name(), "x8"),
                    &out));
  EXPECT_EQ(d.reason, "NOT_ELIGIBLE");
  EXPECT_NE(d.message.find("NOT_A_SMALL_ENTERPRISE"), std::string::npos);
  // Bad input on create.
  pb::Applicant bad = Applicant(4);
  bad.set_corporate_number("1234567890123");
  d = DetailsOf(
      Create("productivity", "2", "general", bad, "machinery", 1, &out));
  EXPECT_EQ(d.field, "application.applicant.corporate_number");
  d = DetailsOf(Create("productivity", "2", "general", Applicant(4), "lunch",
                       1000, &out));
  EXPECT_EQ(d.field, "application.expenses[0].category");
  d = DetailsOf(Create("productivity", "9", "general", Applicant(4),
                       "machinery", 1000, &out));
  EXPECT_EQ(d.field, "application.round");
  d = DetailsOf(
      Create("side-job-talent", "1", "x", Applicant(4), "x", 1000, &out));
  EXPECT_EQ(d.reason, "TERMS_NOT_PUBLISHED");
  // UpdateApplication names the application's own fields.
  pb::UpdateApplicationRequest update;
  update.mutable_application()->set_name(app.name() + "999");
  update.mutable_update_mask()->add_paths("expenses");
  update.set_request_id("x9");
  d = DetailsOf(
      Act(&pb::SubsidyService::Stub::UpdateApplication, update, &out));
  EXPECT_EQ(d.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(d.field, "application.name");
  update.mutable_application()->set_name(big.name());
  update.mutable_application()->set_etag("0000000000000000");
  update.set_request_id("x10");
  d = DetailsOf(
      Act(&pb::SubsidyService::Stub::UpdateApplication, update, &out));
  EXPECT_EQ(d.code, grpc::StatusCode::ABORTED);
  // Nothing was reserved by any of this.
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 0);
}

TEST_F(SubsidyServiceTest, PriorStartLetsEarlierExpensesCount) {
  OpenRound("overseas-business", "1");
  pb::Application app;
  ASSERT_TRUE(Create("overseas-business", "1", "standard", Applicant(5),
                     "airfare", 800'000, &app)
                  .ok());
  pb::ApprovePriorStartRequest prior =
      Named<pb::ApprovePriorStartRequest>(app.name(), "ps");
  prior.mutable_date()->set_year(2026);
  prior.mutable_date()->set_month(9);
  prior.mutable_date()->set_day(1);
  ASSERT_TRUE(
      Act(&pb::SubsidyService::Stub::ApprovePriorStart, prior, &app).ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "s"), &app)
                  .ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ApproveApplication,
                  Named<pb::ApproveApplicationRequest>(app.name(), "a"), &app)
                  .ok());
  EXPECT_EQ(app.approved_amount_yen(), 400'000);
  pb::ReportCompletionRequest report =
      Named<pb::ReportCompletionRequest>(app.name(), "r");
  for (int month : {8, 10}) {  // before and after the prior start
    pb::Expense* e = report.add_actual_expenses();
    e->set_category("airfare");
    e->set_amount_yen(300'000);
    e->mutable_incurred_date()->set_year(2026);
    e->mutable_incurred_date()->set_month(month);
    e->mutable_incurred_date()->set_day(15);
  }
  ASSERT_TRUE(
      Act(&pb::SubsidyService::Stub::ReportCompletion, report, &app).ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ConfirmAmount,
                  Named<pb::ConfirmAmountRequest>(app.name(), "c"), &app)
                  .ok());
  EXPECT_EQ(app.confirmed_amount_yen(), 150'000);  // only October's 300,000
  DrainOutbox();
  EXPECT_EQ(Envelope("overseas-business").reserved_yen(), 150'000);
}

TEST_F(SubsidyServiceTest, BudgetDownLeavesTheApplicationUndecided) {
  OpenRound("productivity", "2");
  pb::Application app;
  ASSERT_TRUE(Create("productivity", "2", "wage-increase", Applicant(6),
                     "machinery", 2'000'000, &app)
                  .ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "s"), &app)
                  .ok());
  // The same subsidy database served with a budget service that is down.
  StopSubsidy();
  auto dead = NewGrpcPeers("127.0.0.1:1", Address(*kpi_server_), 300);
  StartSubsidy(dead.get());
  pb::Application out;
  Details d = DetailsOf(
      Act(&pb::SubsidyService::Stub::ApproveApplication,
          Named<pb::ApproveApplicationRequest>(app.name(), "a"), &out));
  EXPECT_EQ(d.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(d.reason, "PEER_UNAVAILABLE");
  grpc::ClientContext ctx;
  pb::GetApplicationRequest get;
  get.set_name(app.name());
  ASSERT_TRUE(stub_->GetApplication(&ctx, get, &out).ok());
  EXPECT_EQ(out.state(), pb::APPLICATION_STATE_SUBMITTED);
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 0);
  // With the budget service back, the same request completes it.
  StopSubsidy();
  StartSubsidy(peers_.get());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ApproveApplication,
                  Named<pb::ApproveApplicationRequest>(app.name(), "a"), &out)
                  .ok());
  EXPECT_EQ(out.state(), pb::APPLICATION_STATE_APPROVED);
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 1'000'000);
}

TEST_F(SubsidyServiceTest, FundsOfALostApprovalAnswerAreGivenBack) {
  OpenRound("productivity", "2");
  pb::Application app;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(7), "machinery",
                     1'000'000, &app)
                  .ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "s"), &app)
                  .ok());
  // The budget service reserved for the application, but the answer never
  // reached the subsidy service.
  {
    budget_pb::ReserveFundsRequest req;
    req.set_envelope("fiscalYears/2026/envelopes/productivity");
    req.set_holder(app.name());
    req.set_amount_yen(500'000);
    req.set_request_id("lost-answer");
    budget_pb::Reservation r;
    grpc::ClientContext ctx;
    ASSERT_TRUE(budget_->ReserveFunds(&ctx, req, &r).ok());
  }
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 500'000);
  // The reviewer returns it instead: the funds go back.
  pb::ReturnApplicationRequest ret =
      Named<pb::ReturnApplicationRequest>(app.name(), "r");
  ret.set_reason("見積書を添付してください");
  ASSERT_TRUE(
      Act(&pb::SubsidyService::Stub::ReturnApplication, ret, &app).ok());
  DrainOutbox();
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 0);
  // Resubmitted and approved: one reservation, the right amount.
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                  Named<pb::SubmitApplicationRequest>(app.name(), "s2"), &app)
                  .ok());
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ApproveApplication,
                  Named<pb::ApproveApplicationRequest>(app.name(), "a"), &app)
                  .ok());
  DrainOutbox();
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 500'000);
  EXPECT_EQ(Stats("productivity").reserved_yen(), 500'000);
}

TEST_F(SubsidyServiceTest, UnrecordedReservationIsReleasedOnceAndNotReplayed) {
  pb::Application app;
  ASSERT_TRUE(Create("productivity", "2", "general", Applicant(8), "machinery",
                     1'000'000, &app)
                  .ok());
  const std::string name = app.name();
  const int64_t id = std::stoll(name.substr(name.rfind('/') + 1));
  StopSubsidy();  // no outbox delivery while the store is examined
  OutboxMessage release{
      0, "budget.ReleaseFunds", name + "/release/test", "", 0, 0, ""};
  // Not held by the application: queued, and the revision moves on so the
  // next approval reserves under a new request id.
  auto queued = store_->ReleaseUnlessHeld(2026, "productivity", id,
                                          "fiscalYears/2026/envelopes/"
                                          "productivity/reservations/99",
                                          release);
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_TRUE(*queued);
  auto after = store_->GetApplication(2026, "productivity", id);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(ApplicationEtag(*after), app.etag());
  auto pending = store_->PendingBudgetMessages(name);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, 1);
}

TEST_F(SubsidyServiceTest, ConcurrentApprovalsNeverOvercommit) {
  // 72 applications of 1,000,000 yen each against a 30,000,000 envelope.
  OpenRound("overseas-business", "1");
  constexpr int kApplications = 72;
  std::vector<std::string> names;
  for (int i = 0; i < kApplications; ++i) {
    pb::Application app;
    ASSERT_TRUE(Create("overseas-business", "1", "standard", Applicant(100 + i),
                       "airfare", 2'000'000, &app)
                    .ok());
    ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                    Named<pb::SubmitApplicationRequest>(app.name(), "s"), &app)
                    .ok());
    names.push_back(app.name());
  }
  std::atomic<int> approved{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kApplications; ++i) {
    threads.emplace_back([&, i] {
      pb::Application out;
      grpc::Status s =
          Act(&pb::SubsidyService::Stub::ApproveApplication,
              Named<pb::ApproveApplicationRequest>(names[i], "a"), &out);
      if (s.ok()) {
        ++approved;
      } else if (DetailsOf(s).reason == "ENVELOPE_EXCEEDED") {
        ++refused;
      } else {
        ++other;
        ADD_FAILURE() << s.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(approved.load(), 30);
  EXPECT_EQ(refused.load(), kApplications - 30);
  EXPECT_EQ(other.load(), 0);
  budget_pb::Envelope envelope = Envelope("overseas-business");
  EXPECT_EQ(envelope.reserved_yen(), 30'000'000);
  EXPECT_LE(envelope.reserved_yen(), envelope.amount_yen());
  pb::SchemeStats stats = Stats("overseas-business");
  EXPECT_EQ(stats.reserved_yen(), envelope.reserved_yen());
  int64_t approved_count = 0, submitted_count = 0;
  for (const auto& row : stats.by_state()) {
    if (row.key() == "APPLICATION_STATE_APPROVED") approved_count = row.count();
    if (row.key() == "APPLICATION_STATE_SUBMITTED")
      submitted_count = row.count();
  }
  EXPECT_EQ(approved_count, 30);
  EXPECT_EQ(submitted_count, kApplications - 30);
}

TEST_F(SubsidyServiceTest, OutboxDeliversToKpiOnceAfterItComesBack) {
  OpenRound("productivity", "2");
  // The KPI service is down while decisions are made.
  kpi_server_->Shutdown(std::chrono::milliseconds(100));
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    pb::Application app;
    ASSERT_TRUE(Create("productivity", "2", "general", Applicant(300 + i),
                       "machinery", 1'000'000, &app)
                    .ok());
    ASSERT_TRUE(Act(&pb::SubsidyService::Stub::SubmitApplication,
                    Named<pb::SubmitApplicationRequest>(app.name(), "s"), &app)
                    .ok());
    ASSERT_TRUE(Act(&pb::SubsidyService::Stub::ApproveApplication,
                    Named<pb::ApproveApplicationRequest>(app.name(), "a"), &app)
                    .ok());
    names.push_back(app.name());
  }
  pb::Application out;
  ASSERT_TRUE(Act(&pb::SubsidyService::Stub::WithdrawApplication,
                  Named<pb::WithdrawApplicationRequest>(names[0], "w"), &out)
                  .ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // The budget got its release; the KPI messages wait.
  EXPECT_EQ(Envelope("productivity").reserved_yen(), 1'000'000);
  auto pending = store_->PendingOutbox(0, 100);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 4u);  // three approvals and the withdrawal
  // Restart the subsidy service, then bring the KPI service back on the
  // same port.
  StopSubsidy();
  const int port = kpi_server_->port;
  kpi_server_.reset();
  ServerOptions options;
  options.address = "127.0.0.1:" + std::to_string(port);
  auto k = StartServer(options, {kpi_service_.get()}, {});
  ASSERT_TRUE(k.ok()) << k.status();
  kpi_server_ = std::make_unique<RunningServer>(*std::move(k));
  StartSubsidy(peers_.get());
  DrainOutbox();
  EXPECT_EQ(KpiActual(kCount11), 2);
  EXPECT_EQ(KpiActual(kAmount11), 1'000'000);
  // One version per decision change, each delivered once.
  EXPECT_EQ(KpiVersions(kCount11), 4);
  EXPECT_EQ(KpiVersions(kAmount11), 4);
}

// One outbox message's payload: a row for `indicator` as of 2026-06-01.
std::string KpiPayload(const std::string& indicator, int64_t value,
                       const std::string& request_id) {
  kpi_pb::RecordMeasurementsRequest req;
  kpi_pb::Measurement* m = req.add_measurements();
  m->set_indicator(indicator);
  m->mutable_as_of_date()->set_year(2026);
  m->mutable_as_of_date()->set_month(6);
  m->mutable_as_of_date()->set_day(1);
  m->set_value(value);
  m->set_kind(kpi_pb::MEASUREMENT_KIND_ACTUAL);
  m->set_request_id(request_id);
  return req.SerializeAsString();
}

TEST_F(SubsidyServiceTest, KpiMessagesGoTogetherAndARejectedOneStopsTheRest) {
  const std::string unknown = "fiscalYears/2026/programs/11/indicators/nope";
  // All accepted: one stream, every message delivered, in order.
  Peers::Delivery all = peers_->DeliverAll(
      "kpi.RecordMeasurements",
      {KpiPayload(kCount11, 1, "t/1"), KpiPayload(kCount11, 2, "t/2"),
       KpiPayload(kAmount11, 300, "t/3")});
  EXPECT_TRUE(all.failure.ok()) << all.failure;
  EXPECT_EQ(all.delivered, 3u);
  EXPECT_EQ(KpiActual(kCount11), 2);
  EXPECT_EQ(KpiVersions(kCount11), 2);
  EXPECT_EQ(KpiActual(kAmount11), 300);
  // The second message's row is refused: the first arrived, the second
  // fails with the receiver's reason, and the caller sends the third again.
  Peers::Delivery some = peers_->DeliverAll(
      "kpi.RecordMeasurements",
      {KpiPayload(kCount11, 3, "t/4"), KpiPayload(unknown, 1, "t/5"),
       KpiPayload(kCount11, 4, "t/6")});
  EXPECT_EQ(some.delivered, 1u);
  EXPECT_EQ(some.failure.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(some.failure), "INDICATOR_NOT_FOUND") << some.failure;
  Peers::Delivery again = peers_->DeliverAll("kpi.RecordMeasurements",
                                             {KpiPayload(kCount11, 4, "t/6")});
  EXPECT_TRUE(again.failure.ok()) << again.failure;
  EXPECT_EQ(KpiActual(kCount11), 4);
  EXPECT_EQ(KpiVersions(kCount11), 4);  // 1, 2, 3, 4: none twice
}

}  // namespace
}  // namespace shien::subsidy
