// Authentication, authorization and audit against the real server binaries
// with a token file: every method × every role, the reporter's department
// scope, bad and expired tokens, a reloaded token file, service-to-service
// credentials and mTLS with certificates made by openssl at test time.
#include "tests/testing/auth.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/client/channel.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/budget/api/access_rules.h"
#include "services/kpi/api/access_rules.h"
#include "services/subsidy/api/access_rules.h"
#include "shien/audit/v1/audit_service.grpc.pb.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

using testing::ServerProcess;
using testing::TempDir;

constexpr const char* kPrincipals[] = {"viewer", "reporter", "reviewer",
                                       "admin", "service"};

std::string Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

// Calls `method` ("/pkg.Service/Method") with an empty request message —
// on the wire the same as a client stream of one empty message — and
// returns the status.
grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel,
                       const std::string& method, const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  grpc::CompletionQueue cq;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&ctx, method, request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

std::shared_ptr<grpc::Channel> Plain(const ServerProcess& server) {
  return client::OpenChannel(server.address(), {}).value();
}

template <typename Service>
std::unique_ptr<typename Service::Stub> StubFor(const ServerProcess& server,
                                                const std::string& token) {
  client::ChannelOptions options;
  options.token = token;
  return Service::NewStub(
      client::OpenChannel(server.address(), options).value());
}

class SecuredServices : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = testing::WriteTestTokens(dir_.File("tokens"));
    std::ofstream(dir_.File("service.token"))
        << tokens_.Token("service") << "\n";
  }

  std::unique_ptr<ServerProcess> Start(const std::string& name,
                                       std::vector<std::string> args) {
    args.push_back("--db=" + dir_.File(name + ".db"));
    args.push_back("--redis=off");
    args.push_back("--auth_tokens=" + dir_.File("tokens"));
    args.push_back("--service_token_file=" + dir_.File("service.token"));
    args.push_back("--shutdown_grace_ms=1000");
    args.push_back("--health_probe_ms=200");
    auto server = std::make_unique<ServerProcess>(
        testing::BinaryDir() + "/services/" + name + "/shien_" + name +
            "_server",
        std::move(args), dir_.File(name + ".log"));
    std::string error;
    EXPECT_TRUE(server->Start(20000, &error)) << error;
    return server;
  }
  std::unique_ptr<ServerProcess> StartBudget(
      std::vector<std::string> extra = {}) {
    extra.push_back("--listen=127.0.0.1:0");
    extra.push_back("--plan_dir=" + testing::SourceDir() + "/data");
    return Start("budget", std::move(extra));
  }
  std::unique_ptr<ServerProcess> StartKpi(const std::string& budget) {
    return Start("kpi", {"--listen=127.0.0.1:0",
                         "--data_dir=" + testing::SourceDir() + "/data",
                         "--budget_address=" + budget});
  }
  std::unique_ptr<ServerProcess> StartSubsidy(const std::string& budget,
                                              const std::string& kpi) {
    return Start(
        "subsidy",
        {"--listen=127.0.0.1:0", "--data_dir=" + testing::SourceDir() + "/data",
         "--budget_address=" + budget, "--kpi_address=" + kpi,
         "--outbox_poll_ms=50", "--outbox_max_backoff_ms=200"});
  }

  // The principals of the audit events of the server at `server`, read as
  // admin.
  std::vector<audit::v1::AuditEvent> AuditEvents(const ServerProcess& server) {
    auto stub =
        StubFor<audit::v1::AuditService>(server, tokens_.Token("admin"));
    audit::v1::ListAuditEventsRequest req;
    req.set_page_size(500);
    audit::v1::ListAuditEventsResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = stub->ListAuditEvents(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.audit_events().begin(), resp.audit_events().end()};
  }

  TempDir dir_;
  testing::TestTokens tokens_;
};

// The rules name every method of each service, and nothing else.
TEST(AccessRules, CoverEveryMethodOfEveryService) {
  const auto open = auth::Authenticator::Open();
  const auth::Guard guards[] = {
      {open.get(), "shien.budget.v1.BudgetService",
       budget::BudgetAccessRules()},
      {open.get(), "shien.kpi.v1.KpiService", kpi::KpiAccessRules()},
      {open.get(), "shien.subsidy.v1.SubsidyService",
       subsidy::SubsidyAccessRules()},
  };
  for (const auth::Guard& guard : guards) {
    EXPECT_TRUE(guard.RuleMismatches().empty())
        << guard.service() << ": " << guard.RuleMismatches().front();
  }
}

// Every method of every service, and the audit service on each port, by
// every role: refused with PERMISSION_DENIED (ROLE_REQUIRED) exactly where
// the access rules do not list the role, UNAUTHENTICATED without a token,
// and nothing stored by any of it.
TEST_F(SecuredServices, EveryMethodByEveryRoleFollowsTheAccessRules) {
  auto budget = StartBudget();
  auto kpi = StartKpi(budget->address());
  auto subsidy = StartSubsidy(budget->address(), kpi->address());
  struct Target {
    const ServerProcess* server;
    std::string service;
    const auth::AccessRules* rules;
  };
  const auth::AccessRules audit_rules = {{"ListAuditEvents", {kAdmin}}};
  const Target targets[] = {
      {budget.get(), "shien.budget.v1.BudgetService",
       &budget::BudgetAccessRules()},
      {kpi.get(), "shien.kpi.v1.KpiService", &kpi::KpiAccessRules()},
      {subsidy.get(), "shien.subsidy.v1.SubsidyService",
       &subsidy::SubsidyAccessRules()},
      {budget.get(), "shien.audit.v1.AuditService", &audit_rules},
      {kpi.get(), "shien.audit.v1.AuditService", &audit_rules},
      {subsidy.get(), "shien.audit.v1.AuditService", &audit_rules},
  };
  int cells = 0;
  for (const Target& target : targets) {
    auto channel = Plain(*target.server);
    for (const auto& [method, roles] : *target.rules) {
      const std::string path = absl::StrCat("/", target.service, "/", method);
      grpc::Status anonymous = CallEmpty(channel, path, "");
      EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << path;
      EXPECT_EQ(Reason(anonymous), "CREDENTIALS_MISSING") << path;
      for (const char* principal : kPrincipals) {
        const bool allowed =
            std::find(roles.begin(), roles.end(), principal) != roles.end();
        grpc::Status s = CallEmpty(channel, path, tokens_.Token(principal));
        if (allowed) {
          EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << path << " by " << principal << ": " << s.error_message();
          EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
              << path << " by " << principal;
        } else {
          EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << path << " by " << principal;
          EXPECT_EQ(Reason(s), "ROLE_REQUIRED") << path << " by " << principal;
        }
        ++cells;
      }
    }
  }
  EXPECT_EQ(cells, (15 + 8 + 18 + 3) * 5);
  // Nothing above changed anything: the trails hold only the start-up loads.
  for (const ServerProcess* server : {budget.get(), kpi.get(), subsidy.get()}) {
    for (const auto& e : AuditEvents(*server)) {
      EXPECT_EQ(e.principal(), "system") << e.method();
    }
  }
}

TEST_F(SecuredServices, DeniedWritesChangeNothingAndAllowedOnesAreAudited) {
  auto budget = StartBudget();
  auto kpi = StartKpi(budget->address());
  // A viewer's well-formed UpdateProgram is refused; the budget is intact.
  {
    auto stub =
        StubFor<budget::v1::BudgetService>(*budget, tokens_.Token("viewer"));
    budget::v1::UpdateProgramRequest req;
    req.mutable_program()->set_name("fiscalYears/2026/programs/1");
    req.mutable_program()->set_budget_yen(1);
    req.mutable_update_mask()->add_paths("budget_yen");
    req.set_request_id("viewer-edit");
    budget::v1::Program out;
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->UpdateProgram(&ctx, req, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    budget::v1::GetProgramRequest get;
    get.set_name("fiscalYears/2026/programs/1");
    grpc::ClientContext ctx2;
    ASSERT_TRUE(stub->GetProgram(&ctx2, get, &out).ok());
    EXPECT_NE(out.budget_yen(), 1);
  }
  auto reporter =
      StubFor<budget::v1::BudgetService>(*budget, tokens_.Token("reporter"));
  auto record = [&](int program, const std::string& id) {
    budget::v1::RecordExpendituresResponse resp;
    grpc::ClientContext ctx;
    auto writer = reporter->RecordExpenditures(&ctx, &resp);
    budget::v1::RecordExpendituresRequest batch;
    auto* e = batch.add_expenditures();
    e->set_program(absl::StrCat("fiscalYears/2026/programs/", program));
    e->mutable_month()->set_year(2026);
    e->mutable_month()->set_month(6);
    e->set_amount_yen(120'000);
    e->set_request_id(id);
    e->set_source_record_id(id);
    writer->Write(batch);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    return std::make_pair(s, resp);
  };
  // Program 17 is 技術支援課's; the reporter acts for 経営支援課 only.
  auto [denied, denied_resp] = record(17, "v-17-1");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(denied), "DEPARTMENT_NOT_PERMITTED");
  EXPECT_EQ(denied.error_message().find("tok-"), std::string::npos);
  auto viewer =
      StubFor<budget::v1::BudgetService>(*budget, tokens_.Token("viewer"));
  auto expenditures_of = [&](int program) {
    budget::v1::ListExpendituresRequest req;
    req.set_parent(absl::StrCat("fiscalYears/2026/programs/", program));
    budget::v1::ListExpendituresResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(viewer->ListExpenditures(&ctx, req, &resp).ok());
    return resp.expenditures_size();
  };
  EXPECT_EQ(expenditures_of(17), 0);
  // Program 11 is 経営支援課's.
  auto [allowed, allowed_resp] = record(11, "v-11-1");
  ASSERT_TRUE(allowed.ok()) << allowed.error_message();
  EXPECT_EQ(allowed_resp.accepted_count(), 1);
  EXPECT_EQ(expenditures_of(11), 1);

  // Measurements: the same scope, asked of the budget service by the KPI
  // service with its own service token.
  auto kpi_reporter =
      StubFor<kpi::v1::KpiService>(*kpi, tokens_.Token("reporter"));
  auto measure = [&](const std::string& indicator, const std::string& id) {
    kpi::v1::RecordMeasurementsResponse resp;
    grpc::ClientContext ctx;
    auto writer = kpi_reporter->RecordMeasurements(&ctx, &resp);
    kpi::v1::RecordMeasurementsRequest batch;
    auto* m = batch.add_measurements();
    m->set_indicator(indicator);
    m->mutable_month()->set_year(2026);
    m->mutable_month()->set_month(5);
    m->set_value(3);
    m->set_kind(kpi::v1::MEASUREMENT_KIND_ACTUAL);
    m->set_request_id(id);
    writer->Write(batch);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    return std::make_pair(s, resp);
  };
  auto [m_denied, m_denied_resp] =
      measure("fiscalYears/2026/programs/17/indicators/consultations", "m-17");
  EXPECT_EQ(m_denied.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << m_denied.error_message();
  auto [m_allowed, m_allowed_resp] = measure(
      "fiscalYears/2026/programs/11/indicators/grant-decisions", "m-11");
  ASSERT_TRUE(m_allowed.ok()) << m_allowed.error_message();
  EXPECT_EQ(m_allowed_resp.accepted_count(), 1);
  {
    auto kpi_viewer =
        StubFor<kpi::v1::KpiService>(*kpi, tokens_.Token("viewer"));
    kpi::v1::ListMeasurementsRequest req;
    req.set_parent("fiscalYears/2026/programs/17/indicators/consultations");
    kpi::v1::ListMeasurementsResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(kpi_viewer->ListMeasurements(&ctx, req, &resp).ok());
    for (const auto& m : resp.measurements()) {
      EXPECT_NE(m.request_id(), "m-17");
    }
  }

  // The audit trails hold exactly the two accepted writes by "reporter".
  std::vector<std::string> seen;
  for (const ServerProcess* server : {budget.get(), kpi.get()}) {
    for (const auto& e : AuditEvents(*server)) {
      if (e.principal() == "system") continue;
      EXPECT_EQ(e.principal(), "reporter");
      seen.push_back(e.method());
      EXPECT_NE(
          e.change().find(e.method().find("Expenditures") != std::string::npos
                              ? "v-11-1"
                              : "m-11"),
          std::string::npos)
          << e.change();
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "shien.budget.v1.BudgetService/RecordExpenditures",
                      "shien.kpi.v1.KpiService/RecordMeasurements"}));
}

TEST_F(SecuredServices, AuditEventsFilterAndPage) {
  auto budget = StartBudget();
  auto admin =
      StubFor<audit::v1::AuditService>(*budget, tokens_.Token("admin"));
  auto list = [&](const audit::v1::ListAuditEventsRequest& req) {
    audit::v1::ListAuditEventsResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = admin->ListAuditEvents(&ctx, req, &resp);
    return std::make_pair(s, resp);
  };
  // Start-up loaded two plans: FY2025 first, then FY2026; newest first.
  audit::v1::ListAuditEventsRequest req;
  req.set_page_size(1);
  auto [s1, page1] = list(req);
  ASSERT_TRUE(s1.ok()) << s1.error_message();
  ASSERT_EQ(page1.audit_events_size(), 1);
  EXPECT_EQ(page1.audit_events(0).resource(), "fiscalYears/2026");
  EXPECT_EQ(page1.audit_events(0).method(), "LoadPlan");
  ASSERT_FALSE(page1.next_page_token().empty());
  req.set_page_token(page1.next_page_token());
  auto [s2, page2] = list(req);
  ASSERT_TRUE(s2.ok()) << s2.error_message();
  ASSERT_EQ(page2.audit_events_size(), 1);
  EXPECT_EQ(page2.audit_events(0).resource(), "fiscalYears/2025");
  EXPECT_TRUE(page2.next_page_token().empty());
  // A token belongs to its query.
  req.set_filter("principal = \"system\"");
  EXPECT_EQ(list(req).first.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  audit::v1::ListAuditEventsRequest filtered;
  filtered.set_filter(
      "resource = \"fiscalYears/2025\" AND method = \"LoadPlan\"");
  auto [s3, only] = list(filtered);
  ASSERT_TRUE(s3.ok()) << s3.error_message();
  ASSERT_EQ(only.audit_events_size(), 1);
  EXPECT_EQ(only.audit_events(0).change(), "loaded the plan: 24 programs");
  filtered.set_filter("principal = \"nobody\"");
  EXPECT_EQ(list(filtered).second.audit_events_size(), 0);
  filtered.set_filter("color = \"red\"");
  EXPECT_EQ(list(filtered).first.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A time range after start-up holds nothing.
  audit::v1::ListAuditEventsRequest later;
  later.mutable_start_time()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() +
      3600);
  auto [s4, none] = list(later);
  ASSERT_TRUE(s4.ok());
  EXPECT_EQ(none.audit_events_size(), 0);
}

TEST_F(SecuredServices, BadAndExpiredTokensAreRefusedAndNeverLogged) {
  auto budget = StartBudget();
  auto channel = Plain(*budget);
  const std::string method = "/shien.budget.v1.BudgetService/GetBudgetSummary";
  struct Case {
    std::string header;
    std::string reason;
  };
  const Case cases[] = {
      {"Bearer not-a-token", "TOKEN_INVALID"},
      {"Basic dG9rOnRvaw==", "TOKEN_INVALID"},
      {"Bearer " + tokens_.Token("expired-admin"), "TOKEN_EXPIRED"},
  };
  for (const Case& c : cases) {
    grpc::GenericStub stub(channel);
    auto typed = budget::v1::BudgetService::NewStub(channel);
    budget::v1::GetBudgetSummaryRequest req;
    req.set_name("fiscalYears/2026/budgetSummary");
    budget::v1::BudgetSummary out;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", c.header);
    grpc::Status s = typed->GetBudgetSummary(&ctx, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << c.header;
    EXPECT_EQ(Reason(s), c.reason) << c.header;
    EXPECT_EQ(s.error_message().find("tok-"), std::string::npos);
    EXPECT_EQ(s.error_message().find("not-a-token"), std::string::npos);
  }
  // A good token is answered, and the log names the principal only.
  EXPECT_TRUE(
      CallEmpty(channel, method, tokens_.Token("viewer")).error_code() !=
      grpc::StatusCode::UNAUTHENTICATED);
  budget->Signal(SIGTERM);
  budget->Wait();
  const std::string log = budget->Log();
  EXPECT_NE(log.find("\"principal\":\"viewer\""), std::string::npos);
  EXPECT_EQ(log.find("tok-"), std::string::npos);
  EXPECT_EQ(log.find("not-a-token"), std::string::npos);
}

TEST_F(SecuredServices, SighupReloadsTheTokenFileAndKeepsItWhenMalformed) {
  auto budget = StartBudget();
  auto channel = Plain(*budget);
  const std::string method = "/shien.audit.v1.AuditService/ListAuditEvents";
  ASSERT_EQ(CallEmpty(channel, method, tokens_.Token("admin")).error_code(),
            grpc::StatusCode::OK);
  testing::TestTokens fresh =
      testing::WriteTestTokens(dir_.File("tokens"), "b");
  budget->Signal(SIGHUP);
  grpc::Status s;
  for (int i = 0; i < 100; ++i) {
    s = CallEmpty(channel, method, fresh.Token("admin"));
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = CallEmpty(channel, method, tokens_.Token("admin"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Reason(s), "TOKEN_INVALID");

  std::ofstream(dir_.File("tokens")) << "sha256:zz broken line\n";
  budget->Signal(SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (budget->Log().find("token file kept") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(budget->Log().find("token file kept"), std::string::npos);
  EXPECT_TRUE(CallEmpty(channel, method, fresh.Token("admin")).ok());
}

TEST_F(SecuredServices, ServicesCallEachOtherWithTheirOwnCredentials) {
  auto budget = StartBudget();
  auto kpi = StartKpi(budget->address());
  auto subsidy = StartSubsidy(budget->address(), kpi->address());
  namespace pb = ::shien::subsidy::v1;
  {
    auto admin = StubFor<pb::SubsidyService>(*subsidy, tokens_.Token("admin"));
    pb::UpdateRoundRequest req;
    req.set_name("fiscalYears/2026/schemes/productivity/rounds/2");
    auto* r = req.mutable_round();
    r->mutable_call_start_date()->set_year(2026);
    r->mutable_call_start_date()->set_month(4);
    r->mutable_call_start_date()->set_day(1);
    r->mutable_call_end_date()->set_year(2027);
    r->mutable_call_end_date()->set_month(3);
    r->mutable_call_end_date()->set_day(31);
    req.mutable_update_mask()->add_paths("call_start_date");
    req.mutable_update_mask()->add_paths("call_end_date");
    req.set_request_id("open-round-2");
    pb::Round out;
    grpc::ClientContext ctx;
    grpc::Status s = admin->UpdateRound(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto reviewer =
      StubFor<pb::SubsidyService>(*subsidy, tokens_.Token("reviewer"));
  pb::CreateApplicationRequest create;
  create.set_parent("fiscalYears/2026/schemes/productivity");
  create.set_request_id("create-1");
  pb::Application* a = create.mutable_application();
  a->set_round("2");
  a->set_course("general");
  a->mutable_applicant()->set_corporate_number(testing::CorporateNumber(7));
  a->mutable_applicant()->set_name("株式会社七");
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
    grpc::Status s = reviewer->CreateApplication(&ctx, create, &app);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  {
    pb::SubmitApplicationRequest req;
    req.set_name(app.name());
    req.set_request_id("submit-1");
    grpc::ClientContext ctx;
    ASSERT_TRUE(reviewer->SubmitApplication(&ctx, req, &app).ok());
  }
  {
    pb::ApproveApplicationRequest req;
    req.set_name(app.name());
    req.set_request_id("approve-1");
    grpc::ClientContext ctx;
    grpc::Status s = reviewer->ApproveApplication(&ctx, req, &app);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(app.state(), pb::APPLICATION_STATE_APPROVED);
  // The reservation was made by the subsidy service as "service".
  bool reserved = false;
  for (const auto& ev : AuditEvents(*budget)) {
    if (ev.method() == "shien.budget.v1.BudgetService/ReserveFunds") {
      EXPECT_EQ(ev.principal(), "service");
      reserved = true;
    }
  }
  EXPECT_TRUE(reserved);
  // The subsidy service's own trail names the reviewer and the admin.
  std::vector<std::string> principals;
  for (const auto& ev : AuditEvents(*subsidy)) {
    if (ev.principal() != "system") principals.push_back(ev.principal());
  }
  EXPECT_EQ(principals, (std::vector<std::string>{"reviewer", "reviewer",
                                                  "reviewer", "admin"}));
  // Applicant data stays out of the trail admins read.
  for (const auto& ev : AuditEvents(*subsidy)) {
    EXPECT_EQ(ev.change().find("株式会社七"), std::string::npos) << ev.change();
    EXPECT_EQ(ev.change().find(testing::CorporateNumber(7)), std::string::npos)
        << ev.change();
  }
  // The decision reached the KPI service through the outbox, as "service".
  bool delivered = false;
  for (int i = 0; i < 100 && !delivered; ++i) {
    for (const auto& ev : AuditEvents(*kpi)) {
      delivered = delivered || ev.principal() == "service";
    }
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(delivered);
}

// Certificates made with openssl: a CA the server trusts, one it does not.
class MutualTls : public SecuredServices {
 protected:
  void SetUp() override {
    SecuredServices::SetUp();
    ASSERT_EQ(std::system("command -v openssl >/dev/null"), 0);
    MakeCa("ca");
    MakeCa("other-ca");
    MakeCert("server", "ca", "localhost",
             "subjectAltName=DNS:localhost,IP:127.0.0.1");
    MakeCert("batch", "ca", "batch-client", "subjectAltName=DNS:batch-client");
    MakeCert("stranger", "ca", "stranger", "subjectAltName=DNS:stranger");
    MakeCert("forged", "other-ca", "batch-client",
             "subjectAltName=DNS:batch-client");
    std::ofstream(dir_.File("tokens"), std::ios::app)
        << "x509:batch-client batch viewer - -\n";
  }

  void Run(const std::string& command) {
    const std::string full = absl::StrCat("cd ", dir_.path(), " && ", command,
                                          " >>openssl.log 2>&1");
    ASSERT_EQ(std::system(full.c_str()), 0) << command;
  }
  void MakeCa(const std::string& name) {
    Run(
        absl::StrCat("openssl req -x509 -newkey ec -pkeyopt "
                     "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=",
                     name, " -keyout ", name, ".key -out ", name, ".pem"));
  }
  void MakeCert(const std::string& name, const std::string& ca,
                const std::string& cn, const std::string& san) {
    std::ofstream(dir_.File(name + ".ext")) << san << "\n";
    Run(
        absl::StrCat("openssl req -newkey ec -pkeyopt "
                     "ec_paramgen_curve:prime256v1 -nodes -subj /CN=",
                     cn, " -keyout ", name, ".key -out ", name, ".csr"));
    Run(absl::StrCat("openssl x509 -req -in ", name, ".csr -CA ", ca,
                     ".pem -CAkey ", ca, ".key -CAcreateserial -days 2 -out ",
                     name, ".pem -extfile ", name, ".ext"));
  }

  grpc::Status Summary(const ServerProcess& server, const std::string& cert,
                       const std::string& token = "") {
    client::ChannelOptions options;
    options.ca_file = dir_.File("ca.pem");
    options.server_name = "localhost";
    options.token = token;
    if (!cert.empty()) {
      options.cert_file = dir_.File(cert + ".pem");
      options.key_file = dir_.File(cert + ".key");
    }
    auto channel = client::OpenChannel(server.address(), options).value();
    auto stub = budget::v1::BudgetService::NewStub(channel);
    budget::v1::GetBudgetSummaryRequest req;
    req.set_name("fiscalYears/2026/budgetSummary");
    budget::v1::BudgetSummary out;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    grpc::Status s = stub->GetBudgetSummary(&ctx, req, &out);
    if (s.ok()) {
      EXPECT_EQ(out.total_yen(), 1'337'734'000);
    }
    return s;
  }
};

TEST_F(MutualTls, ClientCertificatesMapToPrincipalsAndAWrongCaIsRefused) {
  auto budget = StartBudget({"--tls_cert=" + dir_.File("server.pem"),
                             "--tls_key=" + dir_.File("server.key"),
                             "--tls_client_ca=" + dir_.File("ca.pem")});
  grpc::Status s = Summary(*budget, "batch");
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Signed by a CA the server does not trust: no handshake.
  s = Summary(*budget, "forged");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  // No client certificate at all.
  s = Summary(*budget, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  // A trusted certificate whose identity the token file does not grant.
  s = Summary(*budget, "stranger");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Reason(s), "CERTIFICATE_UNKNOWN");
  // Plaintext is not served.
  auto plain = budget::v1::BudgetService::NewStub(Plain(*budget));
  budget::v1::GetBudgetSummaryRequest req;
  req.set_name("fiscalYears/2026/budgetSummary");
  budget::v1::BudgetSummary out;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_FALSE(plain->GetBudgetSummary(&ctx, req, &out).ok());
}

TEST_F(MutualTls, TlsWithBearerTokens) {
  auto budget = StartBudget({"--tls_cert=" + dir_.File("server.pem"),
                             "--tls_key=" + dir_.File("server.key")});
  grpc::Status s = Summary(*budget, "", tokens_.Token("viewer"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = Summary(*budget, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace shien
