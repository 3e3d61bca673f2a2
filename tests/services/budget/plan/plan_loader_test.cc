#include "services/budget/plan/plan_loader.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/budget/domain/budget_summary.h"
#include "services/budget/domain/plan.h"
#include "tests/testing/temp_dir.h"

namespace shien::budget {
namespace {

using ::shien::testing::SourceDir;
using ::shien::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string PlanPath(int year) {
  return SourceDir() + "/data/fy" + std::to_string(year) + "/plan.textproto";
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

const Program* FindProgram(const Plan& plan, int number) {
  for (const Program& p : plan.programs) {
    if (p.number == number) return &p;
  }
  return nullptr;
}

int64_t SumBudgets(const Plan& plan) {
  int64_t sum = 0;
  for (const Program& p : plan.programs) sum += p.budget_yen;
  return sum;
}

class RealPlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Plan> fy2026 = ReadPlanFile(PlanPath(2026));
    ASSERT_TRUE(fy2026.ok()) << fy2026.status();
    fy2026_ = *std::move(fy2026);
    absl::StatusOr<Plan> fy2025 = ReadPlanFile(PlanPath(2025));
    ASSERT_TRUE(fy2025.ok()) << fy2025.status();
    fy2025_ = *std::move(fy2025);
  }
  Plan fy2026_;
  Plan fy2025_;
};

TEST_F(RealPlansTest, Fy2026Totals) {
  EXPECT_EQ(fy2026_.fiscal_year, 2026);
  EXPECT_EQ(fy2026_.programs.size(), 24u);
  EXPECT_EQ(SumBudgets(fy2026_), 1337734000);
  EXPECT_EQ(fy2026_.printed_total_yen, 1337734000);
  for (const Program& p : fy2026_.programs) {
    EXPECT_EQ(p.fiscal_year, 2026) << p.number;
  }
}

TEST_F(RealPlansTest, Fy2025Totals) {
  EXPECT_EQ(fy2025_.fiscal_year, 2025);
  EXPECT_EQ(fy2025_.programs.size(), 24u);
  EXPECT_EQ(SumBudgets(fy2025_), 1206500000);
  EXPECT_EQ(fy2025_.printed_total_yen, 1206500000);
}

TEST_F(RealPlansTest, ProgramsNumberedOneToTwentyFour) {
  for (int n = 1; n <= 24; ++n) {
    EXPECT_NE(FindProgram(fy2026_, n), nullptr) << n;
    EXPECT_NE(FindProgram(fy2025_, n), nullptr) << n;
  }
}

TEST_F(RealPlansTest, CheckPlanPassesWithThreeOverviewWarnings) {
  absl::StatusOr<std::vector<PlanWarning>> warnings =
      CheckPlan(fy2026_, &fy2025_);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  ASSERT_EQ(warnings->size(), 3u);
  std::vector<int> numbers;
  for (const PlanWarning& w : *warnings) {
    EXPECT_EQ(w.code, "DEPARTMENT_OVERVIEW_MISMATCH");
    ASSERT_EQ(w.program_numbers.size(), 1u);
    numbers.push_back(w.program_numbers[0]);
    EXPECT_THAT(w.message, HasSubstr("庶務経理課"));
  }
  EXPECT_THAT(numbers, ElementsAre(21, 22, 23));
}

TEST_F(RealPlansTest, PriorPlanPassesOnItsOwn) {
  absl::StatusOr<std::vector<PlanWarning>> warnings =
      CheckPlan(fy2025_, nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  EXPECT_TRUE(warnings->empty());
}

TEST_F(RealPlansTest, EveryPrintedChangeIsBudgetMinusPrior) {
  int checked = 0;
  for (const Program& p : fy2026_.programs) {
    SCOPED_TRACE("program " + std::to_string(p.number));
    const Program* prior = FindProgram(fy2025_, p.number);
    ASSERT_NE(prior, nullptr);
    auto printed = fy2026_.printed_prior.find(p.number);
    ASSERT_NE(printed, fy2026_.printed_prior.end());
    ASSERT_TRUE(printed->second.prior_year_budget_yen.has_value());
    ASSERT_TRUE(printed->second.change_yen.has_value());
    EXPECT_EQ(*printed->second.prior_year_budget_yen, prior->budget_yen);
    EXPECT_EQ(*printed->second.change_yen, p.budget_yen - prior->budget_yen);
    ++checked;
  }
  EXPECT_EQ(checked, 24);
  EXPECT_EQ(fy2026_.printed_prior.at(3).change_yen, -741000);
  EXPECT_EQ(fy2026_.printed_prior.at(7).change_yen, -1046000);
  EXPECT_EQ(
      FindProgram(fy2026_, 3)->budget_yen - FindProgram(fy2025_, 3)->budget_yen,
      -741000);
  EXPECT_EQ(
      FindProgram(fy2026_, 7)->budget_yen - FindProgram(fy2025_, 7)->budget_yen,
      -1046000);
}

TEST_F(RealPlansTest, SharedSheets) {
  const Program* p7 = FindProgram(fy2026_, 7);
  const Program* p8 = FindProgram(fy2026_, 8);
  ASSERT_TRUE(p7 != nullptr && p8 != nullptr);
  EXPECT_EQ(p7->shared_sheet, "7-8");
  EXPECT_EQ(p8->shared_sheet, "7-8");
  for (int n : {21, 22, 23}) {
    EXPECT_EQ(FindProgram(fy2026_, n)->shared_sheet, "21-23") << n;
  }
  EXPECT_EQ(FindProgram(fy2026_, 1)->shared_sheet, "");
}

TEST_F(RealPlansTest, Envelopes) {
  ASSERT_EQ(fy2026_.envelopes.size(), 3u);
  EXPECT_EQ(fy2026_.envelopes[0].id, "overseas-business");
  EXPECT_EQ(fy2026_.envelopes[0].program_number, 6);
  EXPECT_EQ(fy2026_.envelopes[0].amount_yen, 30000000);
  EXPECT_EQ(fy2026_.envelopes[1].program_number, 11);
  EXPECT_EQ(fy2026_.envelopes[2].program_number, 14);
  for (const Envelope& e : fy2026_.envelopes) {
    EXPECT_EQ(e.fiscal_year, 2026);
  }
  EXPECT_TRUE(fy2025_.envelopes.empty());
}

TEST_F(RealPlansTest, SummaryRowsSumToPlanTotals) {
  BudgetSummary s =
      ComputeBudgetSummary(2026, fy2026_.programs, fy2025_.programs);
  EXPECT_EQ(s.total_yen, 1337734000);
  EXPECT_EQ(s.prior_year_total_yen, 1206500000);
  for (const auto* rows : {&s.by_area, &s.by_funding, &s.by_department}) {
    int64_t sum = 0, prior_sum = 0;
    for (const SummaryRow& row : *rows) {
      sum += row.budget_yen;
      prior_sum += row.prior_year_budget_yen.value_or(-1);
    }
    EXPECT_EQ(sum, 1337734000);
    EXPECT_EQ(prior_sum, 1206500000);
  }
}

// --- Malformed and missing files ---

TEST(ReadPlanFileTest, MissingFileIsNotFound) {
  TempDir dir;
  std::string path = dir.File("no-such-plan.textproto");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr(path));
}

TEST(ReadPlanFileTest, WrongValueTypeNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "# a comment\n"
            "title: \"t\"\n"
            "fiscal_year: \"x\"\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(plan.status().message());
  EXPECT_THAT(message, HasSubstr(path + ":3:"));
  // "file:line:column: what", the column 1-based: the value starts at 14.
  EXPECT_THAT(message, HasSubstr(path + ":3:14: ")) << message;
}

TEST(ReadPlanFileTest, UnknownFieldNamesFileAndLine) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "fiscal_year: 2026\n"
            "no_such_field: 1\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(plan.status().message());
  EXPECT_THAT(message, HasSubstr(path + ":2:"));
  EXPECT_THAT(message, HasSubstr("no_such_field"));
}

TEST(ReadPlanFileTest, UnterminatedMessageIsInvalid) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "fiscal_year: 2026\n"
            "programs {\n"
            "  number: 1\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()), HasSubstr(path));
}

TEST(ReadPlanFileTest, InvalidContentNamesFileAndElement) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "fiscal_year: 2026\n"
            "envelopes {\n"
            "  name: \"Not An Id\"\n"
            "  program: \"fiscalYears/2026/programs/1\"\n"
            "  amount_yen: 1\n"
            "}\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(plan.status().message());
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("envelopes[0].name"));
}

TEST(ReadPlanFileTest, EnvelopeOfAnotherYearIsRejected) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "fiscal_year: 2026\n"
            "envelopes {\n"
            "  name: \"grant\"\n"
            "  program: \"fiscalYears/2025/programs/1\"\n"
            "  amount_yen: 1\n"
            "}\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(plan.status().message()),
              HasSubstr("envelopes[0].program"));
}

TEST(ReadPlanFileTest, MinimalValidFile) {
  TempDir dir;
  std::string path = dir.File("plan.textproto");
  WriteFile(path,
            "fiscal_year: 2030\n"
            "printed_total_yen: 5000\n"
            "programs {\n"
            "  number: 4\n"
            "  title: \"t\"\n"
            "  area: AREA_INFORMATION\n"
            "  funding_sources: FUNDING_SOURCE_OWN\n"
            "  budget_yen: 5000\n"
            "  continuity: CONTINUITY_NEW\n"
            "  departments: \"総務企画課\"\n"
            "}\n");
  absl::StatusOr<Plan> plan = ReadPlanFile(path);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->fiscal_year, 2030);
  ASSERT_EQ(plan->programs.size(), 1u);
  const Program& p = plan->programs[0];
  EXPECT_EQ(p.fiscal_year, 2030);
  EXPECT_EQ(p.number, 4);
  EXPECT_EQ(p.area, Area::kInformation);
  EXPECT_THAT(p.funding_sources, ElementsAre(FundingSource::kOwn));
  EXPECT_EQ(p.continuity, Continuity::kNew);
  EXPECT_THAT(p.departments, ElementsAre("総務企画課"));
  EXPECT_TRUE(plan->printed_prior.empty());
  EXPECT_TRUE(CheckPlan(*plan, nullptr).ok());
}

}  // namespace
}  // namespace shien::budget
