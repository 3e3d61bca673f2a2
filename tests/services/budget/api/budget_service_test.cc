// In-process gRPC tests of BudgetService: a real server on a loopback port
// over a SQLite store in a temporary directory.
#include "services/budget/api/budget_service.h"

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/server/executor.h"
#include "common/server/server.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "tests/testing/auth.h"
#include "tests/testing/temp_dir.h"

namespace shien::budget {
namespace {

namespace pb = ::shien::budget::v1;

struct ErrorDetails {
  grpc::StatusCode code;
  std::string reason;
  std::string field;
};

ErrorDetails Details(const grpc::Status& status) {
  ErrorDetails out{status.error_code(), "", ""};
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

class BudgetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::SqliteOptions options;
    options.path = dir_.File("budget.db");
    auto store = OpenSqliteBudgetStore(options, 3);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(LoadPlans(testing::SourceDir() + "/data", *store_).ok());
    executor_ = std::make_unique<Executor>(2, 100);
    service_ = std::make_unique<BudgetServiceImpl>(
        store_.get(), executor_.get(), testing::OpenAuthenticator());
    auto running =
        StartServer({}, {service_.get()}, {"shien.budget.v1.BudgetService"});
    ASSERT_TRUE(running.ok()) << running.status();
    server_ = std::make_unique<RunningServer>(*std::move(running));
    stub_ = pb::BudgetService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port),
                            grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::milliseconds(1000));
    executor_->Stop();
  }

  int64_t DataVersion() {
    grpc::ClientContext ctx;
    pb::GetFiscalYearRequest req;
    req.set_name("fiscalYears/2026");
    pb::FiscalYear fy;
    EXPECT_TRUE(stub_->GetFiscalYear(&ctx, req, &fy).ok());
    return fy.data_version();
  }

  pb::Program Program(int number) {
    grpc::ClientContext ctx;
    pb::GetProgramRequest req;
    req.set_name("fiscalYears/2026/programs/" + std::to_string(number));
    pb::Program p;
    grpc::Status s = stub_->GetProgram(&ctx, req, &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return p;
  }

  grpc::Status Update(const pb::UpdateProgramRequest& req, pb::Program* out) {
    grpc::ClientContext ctx;
    return stub_->UpdateProgram(&ctx, req, out);
  }

  pb::RecordExpendituresResponse Stream(
      const std::vector<std::vector<pb::Expenditure>>& batches,
      grpc::Status* status) {
    grpc::ClientContext ctx;
    pb::RecordExpendituresResponse response;
    auto writer = stub_->RecordExpenditures(&ctx, &response);
    for (const auto& batch : batches) {
      pb::RecordExpendituresRequest req;
      for (const auto& e : batch) *req.add_expenditures() = e;
      if (!writer->Write(req)) break;
    }
    writer->WritesDone();
    *status = writer->Finish();
    return response;
  }

  static pb::Expenditure Exp(const std::string& id, int program, int64_t yen,
                             int year = 2026, int month = 5) {
    pb::Expenditure e;
    e.set_program("fiscalYears/2026/programs/" + std::to_string(program));
    e.mutable_month()->set_year(year);
    e.mutable_month()->set_month(month);
    e.set_amount_yen(yen);
    e.set_request_id(id);
    return e;
  }

  testing::TempDir dir_;
  std::unique_ptr<BudgetStore> store_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<BudgetServiceImpl> service_;
  std::unique_ptr<RunningServer> server_;
  std::unique_ptr<pb::BudgetService::Stub> stub_;
};

// Calls `method` with `request` as it is, and returns the answer's bytes.
grpc::Status CallRaw(int port, const std::string& method,
                     const std::string& request, std::string* answer) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1), out;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &in, &out,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  answer->clear();
  if (status.ok() && out.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      answer->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return status;
}

TEST_F(BudgetServiceTest, SummariesAreServedAsBytesAndRefuseMalformedOnes) {
  const std::string method = "/shien.budget.v1.BudgetService/GetBudgetSummary";
  pb::GetBudgetSummaryRequest req;
  req.set_name("fiscalYears/2026/budgetSummary");
  std::string answer;
  ASSERT_TRUE(
      CallRaw(server_->port, method, req.SerializeAsString(), &answer).ok());
  pb::BudgetSummary summary;
  ASSERT_TRUE(summary.ParseFromString(answer));
  EXPECT_EQ(summary.total_yen(), 1'337'734'000);
  // Not a GetBudgetSummaryRequest: refused, naming the request type.
  grpc::Status bad = CallRaw(server_->port, method, "\xff\xff\xff", &answer);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Details(bad).reason, "MALFORMED_REQUEST");
  EXPECT_NE(bad.error_message().find("GetBudgetSummaryRequest"),
            std::string::npos)
      << bad.error_message();
  // A field error is reported as from the typed method.
  req.set_name("fiscalYears/20x6/budgetSummary");
  grpc::Status wrong =
      CallRaw(server_->port, method, req.SerializeAsString(), &answer);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Details(wrong).field, "name");
}

TEST_F(BudgetServiceTest, BudgetSummaryReproducesThePlan) {
  grpc::ClientContext ctx;
  pb::GetBudgetSummaryRequest req;
  req.set_name("fiscalYears/2026/budgetSummary");
  pb::BudgetSummary s;
  ASSERT_TRUE(stub_->GetBudgetSummary(&ctx, req, &s).ok());
  EXPECT_EQ(s.total_yen(), 1'337'734'000);
  EXPECT_EQ(s.prior_year_total_yen(), 1'206'500'000);
  EXPECT_EQ(s.change_yen(), 131'234'000);
  EXPECT_GT(s.data_version(), 0);
  EXPECT_GT(s.compute_time().seconds(), 0);
  for (const auto* rows : {&s.by_area(), &s.by_funding(), &s.by_department()}) {
    int64_t sum = 0, prior = 0;
    for (const auto& row : *rows) {
      sum += row.budget_yen();
      prior += row.prior_year_budget_yen();
      int64_t attributed = 0;
      for (const auto& a : row.attributions()) attributed += a.amount_yen();
      EXPECT_EQ(attributed, row.budget_yen()) << row.key();
    }
    EXPECT_EQ(sum, s.total_yen());
    EXPECT_EQ(prior, s.prior_year_total_yen());
  }
  ASSERT_EQ(s.by_area_size(), 6);
  EXPECT_EQ(s.by_area(0).key(), "経営基盤の強化");
  // 県・市 is program 15 alone: 27,177千円.
  bool found = false;
  for (const auto& row : s.by_funding()) {
    if (row.key() == "県・市") {
      found = true;
      EXPECT_EQ(row.budget_yen(), 27'177'000);
    }
  }
  EXPECT_TRUE(found);
  // Program 20 (10,519千円) is split between its two departments.
  for (const auto& row : s.by_department()) {
    for (const auto& a : row.attributions()) {
      if (a.program() == "fiscalYears/2026/programs/20") {
        EXPECT_EQ(a.amount_yen(), 5'259'500);
        EXPECT_EQ(a.share().numerator(), 1);
        EXPECT_EQ(a.share().denominator(), 2);
      }
    }
  }
}

TEST_F(BudgetServiceTest, ProgramCarriesPriorYearAndChange) {
  pb::Program p3 = Program(3);
  EXPECT_EQ(p3.budget_yen(), 3'737'000);
  EXPECT_EQ(p3.prior_year_budget_yen(), 4'478'000);
  EXPECT_EQ(p3.change_yen(), -741'000);
  EXPECT_EQ(p3.funding_label(), "県");
  EXPECT_FALSE(p3.etag().empty());
  EXPECT_EQ(Program(22).shared_sheet(), "21-23");
}

TEST_F(BudgetServiceTest, ListProgramsFiltersAndPages) {
  pb::ListProgramsRequest req;
  req.set_parent("fiscalYears/2026");
  req.set_filter(
      "department = \"経営支援課\" AND funding_source = "
      "FUNDING_SOURCE_PREFECTURE");
  req.set_page_size(4);
  std::vector<int> numbers;
  for (int page = 0; page < 10; ++page) {
    grpc::ClientContext ctx;
    pb::ListProgramsResponse resp;
    grpc::Status s = stub_->ListPrograms(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.total_size(), 5);
    for (const auto& p : resp.programs()) numbers.push_back(p.number());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  // 4, 6, 11, 13 and 20 are 経営支援課 and 県; 14 is 国.
  EXPECT_EQ(numbers, (std::vector<int>{4, 6, 11, 13, 20}));

  pb::ListProgramsRequest area;
  area.set_parent("fiscalYears/2026");
  area.set_filter("area = AREA_MARKET_EXPANSION");
  grpc::ClientContext ctx;
  pb::ListProgramsResponse resp;
  ASSERT_TRUE(stub_->ListPrograms(&ctx, area, &resp).ok());
  ASSERT_EQ(resp.programs_size(), 2);
  EXPECT_EQ(resp.programs(0).number(), 12);
}

TEST_F(BudgetServiceTest, BadListRequestsAreInvalidArgument) {
  struct Case {
    std::string parent, filter, token;
    int page_size;
    std::string field;
  };
  std::vector<Case> cases = {
      {"fiscalYears/2026", "", "garbage!!", 0, "page_token"},
      {"fiscalYears/2026", "", "", -1, "page_size"},
      {"fiscalYears/2026", "area = AREA_NOPE", "", 0, "filter"},
      {"fiscalYears/2026", "colour = \"red\"", "", 0, "filter"},
      {"fiscalYears/abc", "", "", 0, "parent"},
      {"years/2026", "", "", 0, "parent"},
  };
  for (const Case& c : cases) {
    pb::ListProgramsRequest req;
    req.set_parent(c.parent);
    req.set_filter(c.filter);
    req.set_page_token(c.token);
    req.set_page_size(c.page_size);
    grpc::ClientContext ctx;
    pb::ListProgramsResponse resp;
    ErrorDetails d = Details(stub_->ListPrograms(&ctx, req, &resp));
    EXPECT_EQ(d.code, grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(d.field, c.field);
  }
  // A token from another filter is refused.
  pb::ListProgramsRequest req;
  req.set_parent("fiscalYears/2026");
  req.set_page_size(1);
  grpc::ClientContext ctx;
  pb::ListProgramsResponse resp;
  ASSERT_TRUE(stub_->ListPrograms(&ctx, req, &resp).ok());
  req.set_filter("area = AREA_INFORMATION");
  req.set_page_token(resp.next_page_token());
  grpc::ClientContext ctx2;
  EXPECT_EQ(Details(stub_->ListPrograms(&ctx2, req, &resp)).field,
            "page_token");
}

TEST_F(BudgetServiceTest, AnUnloadedYearNamesTheParent) {
  pb::ListProgramsRequest req;
  req.set_parent("fiscalYears/2030");
  grpc::ClientContext ctx;
  pb::ListProgramsResponse resp;
  ErrorDetails d = Details(stub_->ListPrograms(&ctx, req, &resp));
  EXPECT_EQ(d.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(d.field, "parent");
}

TEST_F(BudgetServiceTest, UnknownProgramIsNotFound) {
  grpc::ClientContext ctx;
  pb::GetProgramRequest req;
  req.set_name("fiscalYears/2026/programs/99");
  pb::Program p;
  ErrorDetails d = Details(stub_->GetProgram(&ctx, req, &p));
  EXPECT_EQ(d.code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(d.field, "name");
}

TEST_F(BudgetServiceTest, UpdateProgramWithEtagAndRequestId) {
  pb::Program p = Program(4);
  const int64_t v0 = DataVersion();
  pb::UpdateProgramRequest req;
  req.mutable_program()->set_name(p.name());
  req.mutable_program()->set_etag(p.etag());
  req.mutable_program()->set_budget_yen(15'000'000);
  req.mutable_program()->set_title("ignored: not in the mask");
  req.mutable_update_mask()->add_paths("budget_yen");
  req.set_request_id("update-4-a");
  pb::Program first;
  ASSERT_TRUE(Update(req, &first).ok());
  EXPECT_EQ(first.budget_yen(), 15'000'000);
  EXPECT_EQ(first.title(), p.title());
  EXPECT_NE(first.etag(), p.etag());
  EXPECT_EQ(first.change_yen(), 15'000'000 - 17'440'000);
  EXPECT_EQ(DataVersion(), v0 + 1);

  // The same request again: the first response, nothing changed.
  pb::Program replay;
  ASSERT_TRUE(Update(req, &replay).ok());
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(DataVersion(), v0 + 1);

  // Same id, different body.
  req.mutable_program()->set_budget_yen(16'000'000);
  pb::Program out;
  ErrorDetails reused = Details(Update(req, &out));
  EXPECT_EQ(reused.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reused.reason, "REQUEST_ID_REUSED");

  // A stale etag.
  req.set_request_id("update-4-b");
  ErrorDetails stale = Details(Update(req, &out));
  EXPECT_EQ(stale.code, grpc::StatusCode::ABORTED);
  EXPECT_EQ(stale.reason, "ETAG_MISMATCH");
  EXPECT_EQ(Program(4).budget_yen(), 15'000'000);
  EXPECT_EQ(DataVersion(), v0 + 1);

  // The summary reflects the change at once.
  grpc::ClientContext ctx;
  pb::GetBudgetSummaryRequest sreq;
  sreq.set_name("fiscalYears/2026/budgetSummary");
  pb::BudgetSummary s;
  ASSERT_TRUE(stub_->GetBudgetSummary(&ctx, sreq, &s).ok());
  EXPECT_EQ(s.total_yen(), 1'337'734'000 - 13'840'000 + 15'000'000);
}

TEST_F(BudgetServiceTest, BadUpdatesChangeNothing) {
  pb::Program p = Program(5);
  const int64_t v0 = DataVersion();
  struct Case {
    std::function<void(pb::UpdateProgramRequest&)> edit;
    grpc::StatusCode code;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.mutable_program()->set_budget_yen(-1); },
       grpc::StatusCode::INVALID_ARGUMENT, "program.budget_yen"},
      {[](auto& r) {
         r.mutable_program()->set_budget_yen(9'000'000'000'000'000'000);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "program.budget_yen"},
      {[](auto& r) {
         r.mutable_update_mask()->add_paths("title");
         r.mutable_program()->set_title("");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "program.title"},
      {[](auto& r) {
         r.mutable_update_mask()->add_paths("title");
         r.mutable_program()->set_title(std::string(1000, 'x'));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "program.title"},
      {[](auto& r) {
         r.mutable_update_mask()->add_paths("area");
         r.mutable_program()->set_area(static_cast<pb::Area>(42));
       },
       grpc::StatusCode::INVALID_ARGUMENT, "program.area"},
      {[](auto& r) { r.mutable_update_mask()->add_paths("etag"); },
       grpc::StatusCode::INVALID_ARGUMENT, "update_mask"},
      {[](auto& r) { r.mutable_update_mask()->Clear(); },
       grpc::StatusCode::INVALID_ARGUMENT, "update_mask"},
      {[](auto& r) { r.set_request_id("has space"); },
       grpc::StatusCode::INVALID_ARGUMENT, "request_id"},
      {[](auto& r) {
         r.mutable_program()->set_name("fiscalYears/2026/programs/77");
       },
       grpc::StatusCode::NOT_FOUND, "program.name"},
      {[](auto& r) { r.mutable_program()->set_name("programs/5"); },
       grpc::StatusCode::INVALID_ARGUMENT, "program.name"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    pb::UpdateProgramRequest req;
    req.mutable_program()->set_name(p.name());
    req.mutable_program()->set_etag(p.etag());
    req.mutable_program()->set_budget_yen(1000);
    req.mutable_update_mask()->add_paths("budget_yen");
    cases[i].edit(req);
    pb::Program out;
    ErrorDetails d = Details(Update(req, &out));
    EXPECT_EQ(d.code, cases[i].code) << "case " << i;
    EXPECT_EQ(d.field, cases[i].field) << "case " << i;
  }
  EXPECT_EQ(Program(5).budget_yen(), p.budget_yen());
  EXPECT_EQ(DataVersion(), v0);
}

TEST_F(BudgetServiceTest, RecordExpendituresCountsEveryRecord) {
  pb::Expenditure bad_month = Exp("m", 1, 10, 2026, 3);  // FY2025
  pb::Expenditure bad_day = Exp("d", 1, 10);
  bad_day.mutable_month()->set_day(5);
  pb::Expenditure no_month = Exp("n", 1, 10);
  no_month.clear_month();
  pb::Expenditure long_desc = Exp("l", 1, 10);
  long_desc.set_description(std::string(2000, 'x'));
  grpc::Status status;
  auto resp = Stream(
      {{Exp("a", 1, 1000), Exp("b", 2, 2000), Exp("a", 1, 1000)},
       {Exp("neg", 1, -5), Exp("zero", 1, 0), Exp("huge", 1, 2'000'000'000'000),
        bad_month, bad_day, no_month, long_desc, Exp("", 1, 10),
        Exp("x", 99, 10), Exp("a", 1, 1001), Exp("c", 3, 3000, 2027, 3)}},
      &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.accepted_count(), 3);
  EXPECT_EQ(resp.duplicate_count(), 1);
  EXPECT_EQ(resp.rejected_count(), 10);
  std::map<std::string, std::string> field_by_id;
  for (const auto& r : resp.rejections())
    field_by_id[r.request_id()] = r.field();
  EXPECT_EQ(field_by_id["neg"], "amount_yen");
  EXPECT_EQ(field_by_id["zero"], "amount_yen");
  EXPECT_EQ(field_by_id["huge"], "amount_yen");
  EXPECT_EQ(field_by_id["m"], "month");
  EXPECT_EQ(field_by_id["d"], "month");
  EXPECT_EQ(field_by_id["n"], "month");
  EXPECT_EQ(field_by_id["l"], "description");
  EXPECT_EQ(field_by_id[""], "request_id");
  EXPECT_EQ(field_by_id["x"], "program");
  for (const auto& r : resp.rejections()) {
    if (r.request_id() == "a") {
      EXPECT_EQ(r.reason(), "REQUEST_ID_REUSED");
    }
    if (r.request_id() == "m") {
      EXPECT_EQ(r.reason(), "MONTH_OUT_OF_FISCAL_YEAR");
    }
  }
  // Rejection indexes count across batches.
  EXPECT_EQ(resp.rejections(0).index(), 3);

  // Resending the whole stream adds nothing.
  auto again = Stream(
      {{Exp("a", 1, 1000), Exp("b", 2, 2000)}, {Exp("c", 3, 3000, 2027, 3)}},
      &status);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(again.accepted_count(), 0);
  EXPECT_EQ(again.duplicate_count(), 3);

  grpc::ClientContext ctx;
  pb::GetExecutionSummaryRequest req;
  req.set_name("fiscalYears/2026/executionSummary");
  pb::ExecutionSummary s;
  ASSERT_TRUE(stub_->GetExecutionSummary(&ctx, req, &s).ok());
  EXPECT_EQ(s.total().executed_yen(), 6000);
  EXPECT_EQ(s.total().record_count(), 3);
  EXPECT_EQ(s.total().budget_yen(), 1'337'734'000);
  EXPECT_EQ(s.total().remaining_yen(), 1'337'734'000 - 6000);
  ASSERT_EQ(s.programs_size(), 24);
  EXPECT_EQ(s.programs(0).executed_yen(), 1000);
  EXPECT_EQ(s.programs(0).execution_rate().numerator(), 1);
  EXPECT_EQ(s.programs(0).execution_rate().denominator(), 124'990);
  int64_t area_sum = 0;
  for (const auto& a : s.areas()) area_sum += a.executed_yen();
  EXPECT_EQ(area_sum, 6000);
}

TEST_F(BudgetServiceTest, OversizedBatchFailsTheStreamButKeepsEarlierBatches) {
  std::vector<pb::Expenditure> big;
  for (int i = 0; i < 1001; ++i)
    big.push_back(Exp("big-" + std::to_string(i), 1, 1));
  grpc::Status status;
  Stream({{Exp("first", 2, 5)}, big}, &status);
  ErrorDetails d = Details(status);
  EXPECT_EQ(d.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(d.field, "expenditures");
  grpc::ClientContext ctx;
  pb::ListExpendituresRequest req;
  req.set_parent("fiscalYears/2026/programs/2");
  pb::ListExpendituresResponse resp;
  ASSERT_TRUE(stub_->ListExpenditures(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.expenditures_size(), 1);
  EXPECT_EQ(resp.expenditures(0).request_id(), "first");
}

TEST_F(BudgetServiceTest, FundReservationsThroughTheApi) {
  pb::ReserveFundsRequest req;
  req.set_envelope("fiscalYears/2026/envelopes/productivity");
  req.set_holder("fiscalYears/2026/schemes/productivity/applications/1");
  req.set_amount_yen(2'000'000);
  req.set_request_id("approve-1");
  pb::Reservation r;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ReserveFunds(&ctx, req, &r).ok());
  }
  EXPECT_EQ(r.amount_yen(), 2'000'000);
  pb::Reservation again;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ReserveFunds(&ctx, req, &again).ok());
  }
  EXPECT_EQ(again.name(), r.name());
  pb::GetEnvelopeRequest get;
  get.set_name("fiscalYears/2026/envelopes/productivity");
  pb::Envelope e;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetEnvelope(&ctx, get, &e).ok());
  }
  EXPECT_EQ(e.reserved_yen(), 2'000'000);
  EXPECT_EQ(e.available_yen(), 300'000'000 - 2'000'000);

  req.set_holder("another");
  req.set_request_id("approve-2");
  req.set_amount_yen(299'000'000);
  {
    grpc::ClientContext ctx;
    ErrorDetails d = Details(stub_->ReserveFunds(&ctx, req, &r));
    EXPECT_EQ(d.code, grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(d.reason, "ENVELOPE_EXCEEDED");
  }
  pb::ReleaseFundsRequest rel;
  rel.set_reservation(again.name());
  rel.set_amount_yen(500'000);
  rel.set_request_id("confirm-1");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ReleaseFunds(&ctx, rel, &r).ok());
  }
  EXPECT_EQ(r.amount_yen(), 1'500'000);
  EXPECT_EQ(r.released_yen(), 500'000);
  rel.set_reservation(
      "fiscalYears/2026/envelopes/productivity/reservations/999");
  rel.set_request_id("confirm-2");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(Details(stub_->ReleaseFunds(&ctx, rel, &r)).code,
              grpc::StatusCode::NOT_FOUND);
  }
  pb::ListEnvelopesRequest list;
  list.set_parent("fiscalYears/2026");
  pb::ListEnvelopesResponse envelopes;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->ListEnvelopes(&ctx, list, &envelopes).ok());
  }
  EXPECT_EQ(envelopes.envelopes_size(), 3);
}

TEST_F(BudgetServiceTest, ReleaseByHolderAndReserveAgain) {
  auto reserve = [&](int64_t yen, const std::string& id) {
    pb::ReserveFundsRequest req;
    req.set_envelope("fiscalYears/2026/envelopes/foreign-filing");
    req.set_holder("app-7");
    req.set_amount_yen(yen);
    req.set_request_id(id);
    pb::Reservation r;
    grpc::ClientContext ctx;
    grpc::Status s = stub_->ReserveFunds(&ctx, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  };
  auto release = [&](const std::string& id) {
    pb::ReleaseFundsRequest req;
    req.set_envelope("fiscalYears/2026/envelopes/foreign-filing");
    req.set_holder("app-7");
    req.set_request_id(id);
    pb::Reservation r;
    grpc::ClientContext ctx;
    grpc::Status s = stub_->ReleaseFunds(&ctx, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  };
  auto reserved = [&]() {
    pb::GetEnvelopeRequest get;
    get.set_name("fiscalYears/2026/envelopes/foreign-filing");
    pb::Envelope e;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->GetEnvelope(&ctx, get, &e).ok());
    return e.reserved_yen();
  };
  pb::Reservation first = reserve(1'000'000, "h1");
  EXPECT_EQ(reserved(), 1'000'000);
  EXPECT_EQ(release("h2").amount_yen(), 0);
  EXPECT_EQ(reserved(), 0);
  // Nothing held: not an error, an empty answer.
  EXPECT_TRUE(release("h3").name().empty());
  // A fully released holder may reserve again: the same reservation.
  pb::Reservation again = reserve(600'000, "h4");
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.amount_yen(), 600'000);
  EXPECT_EQ(reserved(), 600'000);
  // While it holds funds, a second reservation is refused.
  pb::ReserveFundsRequest req;
  req.set_envelope("fiscalYears/2026/envelopes/foreign-filing");
  req.set_holder("app-7");
  req.set_amount_yen(1);
  req.set_request_id("h5");
  pb::Reservation r;
  grpc::ClientContext ctx;
  EXPECT_EQ(Details(stub_->ReserveFunds(&ctx, req, &r)).code,
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(BudgetServiceTest, FiscalYearsReportThePlansWarnings) {
  grpc::ClientContext ctx;
  pb::ListFiscalYearsRequest req;
  pb::ListFiscalYearsResponse resp;
  ASSERT_TRUE(stub_->ListFiscalYears(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.fiscal_years_size(), 2);
  const pb::FiscalYear& fy = resp.fiscal_years(0);
  EXPECT_EQ(fy.name(), "fiscalYears/2026");
  EXPECT_EQ(fy.era_label(), "令和8年度");
  EXPECT_EQ(fy.budget_total_yen(), 1'337'734'000);
  ASSERT_EQ(fy.warnings_size(), 3);
  EXPECT_EQ(fy.warnings(0).code(), "DEPARTMENT_OVERVIEW_MISMATCH");
  EXPECT_EQ(fy.warnings(0).program_numbers(0), 21);
  EXPECT_EQ(resp.fiscal_years(1).era_label(), "令和7年度");
}

}  // namespace
}  // namespace shien::budget
