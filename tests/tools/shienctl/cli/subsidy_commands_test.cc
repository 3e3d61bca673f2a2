// shienctl's subsidy work against the real servers: quote, create, and
// every lifecycle step, with the funds reserved and released in the budget
// service.
#include <string>

#include "gtest/gtest.h"
#include "tests/testing/corporate_numbers.h"
#include "tests/tools/shienctl/cli/shienctl_system.h"

namespace shien {
namespace {

namespace spb = ::shien::subsidy::v1;
using testing::CtlResult;
using testing::ShienctlSystem;

constexpr char kApplicant[] =
    R"("applicant":{"corporateNumber":"%s","name":"株式会社三重精工",)"
    R"("headOfficePrefecture":"三重県",)"
    R"("industry":"INDUSTRY_MANUFACTURING_AND_OTHERS",)"
    R"("capitalYen":"10000000","employees":12})";
constexpr char kExpenses[] =
    R"("expenses":[{"category":"machinery","description":"包装機",)"
    R"("amountYen":"1234567"},{"category":"publicity","amountYen":"300000"}])";

std::string Applicant(long long n) {
  char buffer[512];
  std::snprintf(buffer, sizeof(buffer), kApplicant,
                testing::CorporateNumber(n).c_str());
  return buffer;
}

class ShienctlSubsidyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(system_.Start(&error)) << error;
    // The plan gives 第2期 only as "mid-May": open it for the whole year.
    spb::UpdateRoundRequest request;
    request.set_name("fiscalYears/2026/schemes/productivity/rounds/2");
    auto* round = request.mutable_round();
    round->mutable_call_start_date()->set_year(2026);
    round->mutable_call_start_date()->set_month(4);
    round->mutable_call_start_date()->set_day(1);
    round->mutable_call_end_date()->set_year(2027);
    round->mutable_call_end_date()->set_month(3);
    round->mutable_call_end_date()->set_day(31);
    request.mutable_update_mask()->add_paths("call_start_date");
    request.mutable_update_mask()->add_paths("call_end_date");
    request.set_request_id("open-round-2");
    grpc::ClientContext context;
    spb::Round answer;
    ASSERT_TRUE(
        system_.Subsidy()->UpdateRound(&context, request, &answer).ok());
  }

  // Creates and returns the application's short name (productivity/N).
  std::string CreateApplication(long long applicant) {
    const std::string file =
        system_.WriteFile("app" + std::to_string(applicant) + ".json",
                          "{\"round\":\"2\",\"course\":\"general\"," +
                              Applicant(applicant) + "," + kExpenses + "}");
    CtlResult r = Run({"create", "productivity", file});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string prefix =
        "fiscalYears/2026/schemes/productivity/applications/";
    const size_t at = r.out.find(prefix);
    EXPECT_EQ(at, 0u) << r.out;
    if (at != 0) return "";
    return "productivity/" +
           r.out.substr(prefix.size(), r.out.find('\n') - prefix.size());
  }

  CtlResult Run(std::vector<std::string> args) {
    args.push_back("--year=2026");
    return system_.Run(args);
  }

  ShienctlSystem system_;
};

TEST_F(ShienctlSubsidyTest, QuoteShowsTheArithmetic) {
  const std::string file = system_.WriteFile(
      "quote.json", "{\"scheme\":\"productivity\",\"course\":\"general\"," +
                        Applicant(1) + "," + kExpenses + "}");
  CtlResult r = Run({"quote", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 1,534,567 × 1/2 = 767,283 → 767,000 (千円未満切り捨て).
  EXPECT_NE(r.out.find("判定      対象"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("補助額    767,000円"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("767,283"), std::string::npos) << r.out;

  r = Run({"quote", file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"amountYen\": \"767000\""), std::string::npos)
      << r.out;

  const std::string bad = system_.WriteFile("bad.json", "{\"scheme\": 5");
  r = Run({"quote", bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("QuoteSubsidyRequest in JSON"), std::string::npos)
      << r.err;
}

TEST_F(ShienctlSubsidyTest, FromDraftToPaid) {
  const std::string app = CreateApplication(100);
  ASSERT_FALSE(app.empty());
  // The same content again is the same creation.
  EXPECT_EQ(CreateApplication(100), app);

  CtlResult r = Run({"submit", app});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("状態      submitted"), std::string::npos) << r.out;

  r = Run({"return", app});
  EXPECT_EQ(r.exit_code, 2) << "return needs --reason";
  r = Run({"return", app, "--reason=見積書を添付してください"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("状態      returned"), std::string::npos) << r.out;
  r = Run({"submit", app});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Run({"approve", app});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("交付決定額 767,000円"), std::string::npos) << r.out;
  r = Run({"stats", "productivity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("確保済    767"), std::string::npos) << r.out;

  // Approving again is a wrong-state call: the server's reason is shown.
  r = Run({"approve", app});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("FAILED_PRECONDITION"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("INVALID_STATE"), std::string::npos) << r.err;

  const std::string report = system_.WriteFile(
      "report.json",
      R"({"actualExpenses":[{"category":"machinery","description":"包装機",)"
      R"("amountYen":"1000000","incurredDate":{"year":2027,"month":3,"day":15}}]})");
  r = Run({"report", app, report});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("completion_reported"), std::string::npos) << r.out;
  r = Run({"confirm", app});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("確定額    500,000円"), std::string::npos) << r.out;
  r = Run({"pay", app});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("状態      paid"), std::string::npos) << r.out;

  r = Run({"application", app, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"state\": \"APPLICATION_STATE_PAID\""),
            std::string::npos);
  EXPECT_NE(r.out.find("\"confirmedAmountYen\": \"500000\""),
            std::string::npos);

  r = Run({"applications", "productivity",
           "--filter=state = APPLICATION_STATE_PAID"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("paid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("767,000"), std::string::npos) << r.out;
}

TEST_F(ShienctlSubsidyTest, RejectAndWithdraw) {
  const std::string rejected = CreateApplication(200);
  ASSERT_EQ(Run({"submit", rejected}).exit_code, 0);
  CtlResult r = Run({"reject", rejected, "--reason=対象外の経費"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("状態      rejected"), std::string::npos) << r.out;

  const std::string withdrawn = CreateApplication(300);
  ASSERT_EQ(Run({"submit", withdrawn}).exit_code, 0);
  ASSERT_EQ(Run({"approve", withdrawn}).exit_code, 0);
  r = Run({"withdraw", withdrawn, "--reason=事業中止"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("状態      withdrawn"), std::string::npos) << r.out;

  r = Run({"applications", "productivity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("withdrawn"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace shien
