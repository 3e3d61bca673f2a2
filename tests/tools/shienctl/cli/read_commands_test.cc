// shienctl's reading commands and help against the real servers.
#include <string>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/tools/shienctl/cli/shienctl_system.h"

namespace shien {
namespace {

using testing::CtlResult;
using testing::ShienctlSystem;

class ShienctlReadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new ShienctlSystem();
    std::string error;
    ASSERT_TRUE(system_->Start(&error)) << error;
    // One expenditure and one measurement to read back.
    const std::string exp =
        system_->WriteFile("exp.csv",
                           "voucher,program,month,amount_yen,description\n"
                           "R-1,11,2026-05,1500000,展示会出展費\n"
                           "R-2,3,2026-06,741000,\n");
    CtlResult imported =
        system_->Run({"import", "expenditures", exp, "--year=2026"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    const std::string msr = system_->WriteFile(
        "msr.csv",
        "indicator,period,kind,value\n17/consultations,2026-04,actual,231\n");
    imported = system_->Run({"import", "measurements", msr});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
  }

  CtlResult Run(const std::vector<std::string>& args) {
    return system_->Run(args);
  }

  static ShienctlSystem* system_;
};

ShienctlSystem* ShienctlReadTest::system_ = nullptr;

TEST_F(ShienctlReadTest, ProgramsPrintsThousandYenAndTriangleForNegatives) {
  CtlResult r = Run({"programs", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("FY2026 事業 (千円)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("三重県事業承継ネットワーク運営事業"),
            std::string::npos);
  EXPECT_NE(r.out.find("▲ 741"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("計 24事業"), std::string::npos);
  EXPECT_NE(r.out.find("1,337,734"), std::string::npos);

  r = Run({"programs", "--year=2026", "--era"});
  EXPECT_NE(r.out.find("令和8年度 事業"), std::string::npos) << r.out;

  r = Run({"programs", "--year=2026",
           "--filter=department = \"経営支援課\" AND area = "
           "AREA_MARKET_EXPANSION"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("計 1事業"), std::string::npos) << r.out;
}

TEST_F(ShienctlReadTest, JsonIsTheProtoJsonMapping) {
  CtlResult r = Run({"programs", "--year=2026", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  budget::v1::ListProgramsResponse programs;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(r.out, &programs).ok())
      << r.out;
  EXPECT_EQ(programs.programs_size(), 24);

  r = Run({"summary", "--year=2026", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"totalYen\": \"1337734000\""), std::string::npos);
  budget::v1::BudgetSummary summary;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(r.out, &summary).ok());
  EXPECT_EQ(summary.total_yen(), 1337734000);
}

TEST_F(ShienctlReadTest, ProgramAndSummary) {
  CtlResult r = Run({"program", "3", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("【3】三重県事業承継ネットワーク運営事業"),
            std::string::npos);
  EXPECT_NE(r.out.find("増減      ▲ 741千円"), std::string::npos) << r.out;

  r = Run({"summary", "--year=2026", "--era"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("令和8年度 予算 (千円)"), std::string::npos);
  EXPECT_NE(r.out.find("事業費計  1,337,734"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("前年度    1,206,500"), std::string::npos);
  // Program 20's two departments are split between their rows.
  EXPECT_EQ(r.out.find("経営支援課・技術支援課"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n技術支援課 "), std::string::npos) << r.out;
}

TEST_F(ShienctlReadTest, ExecutionAndExpenditures) {
  CtlResult r = Run({"execution", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 1,500,000 + 741,000 yen = 2,241千円 executed of 1,337,734千円.
  const size_t total = r.out.find("\n計 ");
  ASSERT_NE(total, std::string::npos) << r.out;
  const std::string line =
      r.out.substr(total + 1, r.out.find('\n', total + 1) - total - 1);
  EXPECT_NE(line.find(" 1,337,734 "), std::string::npos) << line;
  EXPECT_NE(line.find(" 2,241 "), std::string::npos) << line;
  EXPECT_NE(line.find(" 1,335,493 "), std::string::npos) << line;
  EXPECT_NE(line.find(" 0.2% "), std::string::npos) << line;

  r = Run({"expenditures", "11", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("R-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1,500,000"), std::string::npos);
  EXPECT_NE(r.out.find("展示会出展費"), std::string::npos);
}

TEST_F(ShienctlReadTest, IndicatorsProgressDashboardMeasurements) {
  CtlResult r = Run({"indicators", "17", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("17/consultations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2,800件"), std::string::npos) << r.out;

  r = Run({"indicators", "--year=2026", "--filter=program = 9"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("9/consultations"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("17/"), std::string::npos);

  // The plan's own figure: 301 of 181 is 166.3%.
  r = Run({"progress", "9/consultations", "--year=2025"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("進捗率    166.3%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("達成"), std::string::npos);

  r = Run(
      {"progress", "17/consultations", "--year=2026", "--as_of=2026-04-30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 231 of 2,800 = 8.25% → 8.3% (half up).
  EXPECT_NE(r.out.find("進捗率    8.3%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("実績      231件"), std::string::npos) << r.out;

  r = Run({"dashboard", "--year=2026", "--grouping=department"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("FY2026 KPI"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("技術支援課"), std::string::npos);
  r = Run({"dashboard", "--grouping=color"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--grouping must be"), std::string::npos) << r.err;

  r = Run({"measurements", "17/consultations", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2026-04"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("231"), std::string::npos);
}

TEST_F(ShienctlReadTest, SchemesApplicationsStats) {
  CtlResult r = Run({"schemes", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("productivity"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("300,000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("未公表"), std::string::npos) << r.out;

  r = Run({"applications", "productivity", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("申請者"), std::string::npos) << r.out;

  r = Run({"stats", "productivity", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("予算枠    300,000"), std::string::npos) << r.out;
}

TEST_F(ShienctlReadTest, ErrorsNameTheCodeAndExitThree) {
  CtlResult r = Run({"program", "99", "--year=2026"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("GetProgram: NOT_FOUND"), std::string::npos) << r.err;

  r = Run({"programs", "--year=2026", "--budget=127.0.0.1:1", "--timeout_s=2"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("UNAVAILABLE"), std::string::npos) << r.err;

  r = Run({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos);

  r = Run({"program"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage: shienctl program PROGRAM"), std::string::npos)
      << r.err;
}

TEST_F(ShienctlReadTest, HelpListsEveryCommandAndEachHasItsOwn) {
  CtlResult r = Run({"--help"});
  ASSERT_EQ(r.exit_code, 0);
  for (const char* command :
       {"programs",     "program",  "summary",   "execution",    "expenditures",
        "indicators",   "progress", "dashboard", "measurements", "schemes",
        "applications", "stats",    "quote",     "create",       "application",
        "submit",       "return",   "approve",   "reject",       "withdraw",
        "report",       "confirm",  "pay",       "import"}) {
    EXPECT_NE(r.out.find(std::string("  ") + command + " "), std::string::npos)
        << command;
    CtlResult own = Run({command, "--help"});
    EXPECT_EQ(own.exit_code, 0) << command;
    EXPECT_NE(own.out.find(std::string("usage: shienctl ") + command),
              std::string::npos)
        << own.out;
  }
  EXPECT_NE(r.out.find("SHIEN_BUDGET_ADDR"), std::string::npos);
  EXPECT_NE(r.out.find("SHIEN_TOKEN"), std::string::npos);
  r = Run({"help", "import"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("voucher,program,month,amount_yen"), std::string::npos);
  EXPECT_NE(r.out.find("indicator,period,kind,value"), std::string::npos);
}

}  // namespace
}  // namespace shien
