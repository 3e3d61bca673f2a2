#include "services/budget/domain/plan.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::budget {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Program MakeProgram(int year, int number, int64_t budget,
                    std::vector<std::string> departments) {
  Program p;
  p.fiscal_year = year;
  p.number = number;
  p.title = "program " + std::to_string(number);
  p.area = Area::kManagementFoundation;
  p.funding_sources = {FundingSource::kPrefecture};
  p.budget_yen = budget;
  p.continuity = Continuity::kContinuing;
  p.departments = std::move(departments);
  return p;
}

Plan ValidPlan() {
  Plan plan;
  plan.fiscal_year = 2026;
  plan.title = "令和8年度 事業計画書";
  plan.programs = {
      MakeProgram(2026, 1, 1000000, {"経営支援課"}),
      MakeProgram(2026, 2, 2000000, {"総務企画課", "庶務経理課"}),
      MakeProgram(2026, 3, 500000, {"技術支援課"}),
  };
  plan.printed_total_yen = 3500000;
  return plan;
}

Plan PriorPlan() {
  Plan plan;
  plan.fiscal_year = 2025;
  plan.programs = {
      MakeProgram(2025, 1, 800000, {}),
      MakeProgram(2025, 2, 2100000, {}),
  };
  plan.printed_total_yen = 2900000;
  return plan;
}

void ExpectFieldError(const absl::StatusOr<std::vector<PlanWarning>>& result,
                      const std::string& field) {
  ASSERT_FALSE(result.ok()) << field;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  EXPECT_EQ(ErrorField(result.status()), field) << result.status();
}

TEST(CheckPlanTest, ValidPlanHasNoWarnings) {
  auto warnings = CheckPlan(ValidPlan(), nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  EXPECT_THAT(*warnings, IsEmpty());
}

TEST(CheckPlanTest, PriorPlanWithoutDepartmentsIsAccepted) {
  auto warnings = CheckPlan(PriorPlan(), nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
}

TEST(CheckPlanTest, TotalMismatch) {
  Plan plan = ValidPlan();
  plan.printed_total_yen = 3500001;
  auto result = CheckPlan(plan, nullptr);
  ExpectFieldError(result, "printed_total_yen");
  EXPECT_NE(result.status().message().find("3500000"), std::string::npos)
      << result.status();
}

TEST(CheckPlanTest, DuplicateNumber) {
  Plan plan = ValidPlan();
  plan.programs[2].number = 1;
  ExpectFieldError(CheckPlan(plan, nullptr), "programs[2].number");
}

TEST(CheckPlanTest, InvalidProgramIsNamedByIndex) {
  Plan plan = ValidPlan();
  plan.programs[1].title = "";
  ExpectFieldError(CheckPlan(plan, nullptr), "programs[1].title");
  plan = ValidPlan();
  plan.programs[2].budget_yen = -500000;
  plan.printed_total_yen = 2500000;
  ExpectFieldError(CheckPlan(plan, nullptr), "programs[2].budget_yen");
}

TEST(CheckPlanTest, FiscalYearAndEmptyPlan) {
  Plan plan = ValidPlan();
  plan.fiscal_year = 1999;
  ExpectFieldError(CheckPlan(plan, nullptr), "fiscal_year");
  plan.fiscal_year = 2101;
  ExpectFieldError(CheckPlan(plan, nullptr), "fiscal_year");
  plan = ValidPlan();
  plan.programs.clear();
  plan.printed_total_yen = 0;
  ExpectFieldError(CheckPlan(plan, nullptr), "programs");
}

TEST(CheckPlanTest, PrintedPriorMatchingPasses) {
  Plan plan = ValidPlan();
  Plan prior = PriorPlan();
  plan.printed_prior[1] = {800000, 200000};
  plan.printed_prior[2] = {2100000, -100000};
  plan.printed_prior[3] = {std::nullopt, std::nullopt};  // new program
  auto warnings = CheckPlan(plan, &prior);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
}

TEST(CheckPlanTest, PrintedPriorBudgetMismatch) {
  Plan plan = ValidPlan();
  Plan prior = PriorPlan();
  plan.printed_prior[1] = {800000, 200000};
  plan.printed_prior[2] = {2000000, std::nullopt};
  auto result = CheckPlan(plan, &prior);
  ExpectFieldError(result, "programs[1].prior_year_budget_yen");
  EXPECT_EQ(ErrorReason(result.status()), "PRIOR_YEAR_MISMATCH");
}

TEST(CheckPlanTest, PrintedPriorOfProgramMissingFromPriorPlan) {
  Plan plan = ValidPlan();
  Plan prior = PriorPlan();
  plan.printed_prior[3] = {400000, std::nullopt};
  ExpectFieldError(CheckPlan(plan, &prior),
                   "programs[2].prior_year_budget_yen");
}

TEST(CheckPlanTest, PrintedChangeMismatch) {
  Plan plan = ValidPlan();
  Plan prior = PriorPlan();
  plan.printed_prior[2] = {2100000, -200000};  // derived: -100000
  auto result = CheckPlan(plan, &prior);
  ExpectFieldError(result, "programs[1].change_yen");
  EXPECT_EQ(ErrorReason(result.status()), "CHANGE_MISMATCH");
}

TEST(CheckPlanTest, PrintedPriorUncheckedWithoutPriorPlan) {
  Plan plan = ValidPlan();
  plan.printed_prior[1] = {1, 2};
  EXPECT_TRUE(CheckPlan(plan, nullptr).ok());
}

TEST(CheckPlanTest, Envelopes) {
  Plan plan = ValidPlan();
  Envelope e;
  e.fiscal_year = 2026;
  e.id = "subsidy";
  e.program_number = 2;
  e.amount_yen = 2000000;  // the whole budget is allowed
  plan.envelopes = {e};
  EXPECT_TRUE(CheckPlan(plan, nullptr).ok());

  plan.envelopes[0].amount_yen = 2000001;
  ExpectFieldError(CheckPlan(plan, nullptr), "envelopes[0].amount_yen");
  plan.envelopes[0].amount_yen = 0;
  ExpectFieldError(CheckPlan(plan, nullptr), "envelopes[0].amount_yen");

  plan.envelopes[0].amount_yen = 1;
  plan.envelopes.push_back(plan.envelopes[0]);
  plan.envelopes[1].program_number = 9;
  ExpectFieldError(CheckPlan(plan, nullptr), "envelopes[1].program");
}

TEST(CheckPlanTest, DepartmentOverviewAgreeingGivesNoWarning) {
  Plan plan = ValidPlan();
  // Sheet order of departments does not matter.
  plan.department_overview = {
      {"庶務経理課", {2}},
      {"経営支援課", {1}},
      {"総務企画課", {2}},
      {"技術支援課", {3}},
  };
  auto warnings = CheckPlan(plan, nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  EXPECT_THAT(*warnings, IsEmpty());
}

TEST(CheckPlanTest, DepartmentOverviewMismatchIsAWarning) {
  Plan plan = ValidPlan();
  // Omits 庶務経理課 for program 2 and lists program 3 under the wrong
  // department.
  plan.department_overview = {
      {"経営支援課", {1, 3}},
      {"総務企画課", {2}},
  };
  auto warnings = CheckPlan(plan, nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  ASSERT_EQ(warnings->size(), 2u);
  EXPECT_EQ((*warnings)[0].code, "DEPARTMENT_OVERVIEW_MISMATCH");
  EXPECT_THAT((*warnings)[0].program_numbers, ElementsAre(2));
  EXPECT_NE((*warnings)[0].message.find("庶務経理課"), std::string::npos)
      << (*warnings)[0].message;
  EXPECT_EQ((*warnings)[1].code, "DEPARTMENT_OVERVIEW_MISMATCH");
  EXPECT_THAT((*warnings)[1].program_numbers, ElementsAre(3));
}

TEST(CheckPlanTest, ProgramMissingFromOverviewIsAWarning) {
  Plan plan = ValidPlan();
  plan.department_overview = {
      {"経営支援課", {1}},
      {"総務企画課", {2}},
      {"庶務経理課", {2}},
  };
  auto warnings = CheckPlan(plan, nullptr);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  ASSERT_EQ(warnings->size(), 1u);
  EXPECT_THAT((*warnings)[0].program_numbers, ElementsAre(3));
}

}  // namespace
}  // namespace shien::budget
