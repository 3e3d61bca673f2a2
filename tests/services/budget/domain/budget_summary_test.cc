#include "services/budget/domain/budget_summary.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/budget/domain/program.h"

namespace shien::budget {
namespace {

using ::testing::ElementsAre;

Program MakeProgram(int number, Area area, std::vector<FundingSource> funding,
                    int64_t budget, std::vector<std::string> departments) {
  Program p;
  p.fiscal_year = 2026;
  p.number = number;
  p.title = "program " + std::to_string(number);
  p.area = area;
  p.funding_sources = std::move(funding);
  p.budget_yen = budget;
  p.continuity = Continuity::kContinuing;
  p.departments = std::move(departments);
  return p;
}

// Given in an order other than by number, to check row ordering.
std::vector<Program> CurrentPrograms() {
  return {
      MakeProgram(3, Area::kManagementFoundation, {FundingSource::kNational},
                  10, {}),
      MakeProgram(1, Area::kManagementFoundation, {FundingSource::kNational},
                  1001, {"経営支援課", "技術支援課"}),
      MakeProgram(2, Area::kMarketExpansion,
                  {FundingSource::kPrefecture, FundingSource::kMunicipal}, 500,
                  {"技術支援課"}),
  };
}

std::vector<Program> PriorPrograms() {
  return {
      MakeProgram(1, Area::kManagementFoundation, {FundingSource::kNational},
                  800, {"経営支援課"}),
      MakeProgram(4, Area::kHumanResources, {FundingSource::kOwn}, 200,
                  {"総務企画課"}),
  };
}

std::vector<std::string> Keys(const std::vector<SummaryRow>& rows) {
  std::vector<std::string> keys;
  for (const SummaryRow& row : rows) keys.push_back(row.key);
  return keys;
}

const SummaryRow* FindRow(const std::vector<SummaryRow>& rows,
                          const std::string& key) {
  for (const SummaryRow& row : rows) {
    if (row.key == key) return &row;
  }
  return nullptr;
}

// Rows sum to the total; each row's attributions sum to its budget; over all
// rows, each program's attributions sum to its budget with shares summing
// to one.
void ExpectConsistent(const std::vector<SummaryRow>& rows, int64_t total,
                      const std::vector<Program>& programs,
                      const std::string& what) {
  SCOPED_TRACE(what);
  int64_t sum = 0;
  std::map<int, int64_t> per_program;
  std::map<int, std::pair<int64_t, int64_t>> share_sum;  // n/d
  for (const SummaryRow& row : rows) {
    sum += row.budget_yen;
    int64_t attributed = 0;
    for (const Attribution& a : row.attributions) {
      attributed += a.amount_yen;
      per_program[a.program_number] += a.amount_yen;
      auto& [n, d] =
          share_sum.try_emplace(a.program_number, 0, 1).first->second;
      n = n * a.share_denominator + a.share_numerator * d;
      d *= a.share_denominator;
    }
    EXPECT_EQ(attributed, row.budget_yen) << row.key;
  }
  EXPECT_EQ(sum, total);
  for (const Program& p : programs) {
    EXPECT_EQ(per_program[p.number], p.budget_yen) << "program " << p.number;
    EXPECT_EQ(share_sum[p.number].first, share_sum[p.number].second)
        << "program " << p.number << " shares do not sum to 1";
  }
}

TEST(AreaTitleTest, Titles) {
  EXPECT_EQ(AreaTitle(Area::kManagementFoundation), "経営基盤の強化");
  EXPECT_EQ(AreaTitle(Area::kCorporateAccounting), "法人会計");
  EXPECT_NE(AreaTitle(Area::kMarketExpansion),
            AreaTitle(Area::kNewBusinessTechnology));
}

TEST(BudgetSummaryTest, TotalsAndRowsSumExactly) {
  std::vector<Program> programs = CurrentPrograms();
  BudgetSummary s = ComputeBudgetSummary(2026, programs, std::nullopt);
  EXPECT_EQ(s.fiscal_year, 2026);
  EXPECT_EQ(s.total_yen, 1511);
  EXPECT_FALSE(s.prior_year_total_yen.has_value());
  ExpectConsistent(s.by_area, s.total_yen, programs, "by_area");
  ExpectConsistent(s.by_funding, s.total_yen, programs, "by_funding");
  ExpectConsistent(s.by_department, s.total_yen, programs, "by_department");
}

TEST(BudgetSummaryTest, AreaRows) {
  BudgetSummary s = ComputeBudgetSummary(2026, CurrentPrograms(), std::nullopt);
  ASSERT_EQ(s.by_area.size(), 2u);
  EXPECT_EQ(s.by_area[0].key, "経営基盤の強化");
  EXPECT_EQ(s.by_area[0].area, Area::kManagementFoundation);
  EXPECT_EQ(s.by_area[0].budget_yen, 1011);
  EXPECT_FALSE(s.by_area[0].prior_year_budget_yen.has_value());
  EXPECT_EQ(s.by_area[1].area, Area::kMarketExpansion);
  EXPECT_EQ(s.by_area[1].budget_yen, 500);
}

TEST(BudgetSummaryTest, FundingRowsInOrderOfFirstAppearance) {
  BudgetSummary s = ComputeBudgetSummary(2026, CurrentPrograms(), std::nullopt);
  EXPECT_THAT(Keys(s.by_funding), ElementsAre("国", "県・市"));
  EXPECT_EQ(s.by_funding[0].budget_yen, 1011);
  EXPECT_EQ(s.by_funding[1].budget_yen, 500);
}

TEST(BudgetSummaryTest, DepartmentSplitGivesRemainderToFirst) {
  BudgetSummary s = ComputeBudgetSummary(2026, CurrentPrograms(), std::nullopt);
  // Program 1 (1001 yen) is first by number: its departments come first.
  EXPECT_THAT(Keys(s.by_department),
              ElementsAre("経営支援課", "技術支援課", "(担当課なし)"));
  const SummaryRow& first = s.by_department[0];
  EXPECT_EQ(first.budget_yen, 501);
  ASSERT_EQ(first.attributions.size(), 1u);
  EXPECT_EQ(first.attributions[0].program_number, 1);
  EXPECT_EQ(first.attributions[0].amount_yen, 501);
  EXPECT_EQ(first.attributions[0].share_numerator, 1);
  EXPECT_EQ(first.attributions[0].share_denominator, 2);

  const SummaryRow& second = s.by_department[1];
  EXPECT_EQ(second.budget_yen, 500 + 500);
  ASSERT_EQ(second.attributions.size(), 2u);
  EXPECT_EQ(second.attributions[0].program_number, 1);
  EXPECT_EQ(second.attributions[0].amount_yen, 500);
  EXPECT_EQ(second.attributions[0].share_numerator, 1);
  EXPECT_EQ(second.attributions[0].share_denominator, 2);
  EXPECT_EQ(second.attributions[1].program_number, 2);
  EXPECT_EQ(second.attributions[1].amount_yen, 500);
  EXPECT_EQ(second.attributions[1].share_numerator, 1);
  EXPECT_EQ(second.attributions[1].share_denominator, 1);

  const SummaryRow& none = s.by_department[2];
  EXPECT_EQ(none.budget_yen, 10);
  ASSERT_EQ(none.attributions.size(), 1u);
  EXPECT_EQ(none.attributions[0].program_number, 3);
}

TEST(BudgetSummaryTest, ThreeWaySplit) {
  std::vector<Program> programs = {MakeProgram(
      1, Area::kInformation, {FundingSource::kOwn}, 100, {"a", "b", "c"})};
  BudgetSummary s = ComputeBudgetSummary(2026, programs, std::nullopt);
  ASSERT_EQ(s.by_department.size(), 3u);
  EXPECT_EQ(s.by_department[0].budget_yen, 34);
  EXPECT_EQ(s.by_department[1].budget_yen, 33);
  EXPECT_EQ(s.by_department[2].budget_yen, 33);
  for (const SummaryRow& row : s.by_department) {
    ASSERT_EQ(row.attributions.size(), 1u);
    EXPECT_EQ(row.attributions[0].share_numerator, 1);
    EXPECT_EQ(row.attributions[0].share_denominator, 3);
  }
  ExpectConsistent(s.by_department, 100, programs, "three-way");
}

TEST(BudgetSummaryTest, ManyProgramsStillSumExactly) {
  std::vector<Program> programs;
  const std::vector<std::vector<std::string>> kDepts = {
      {"a"}, {"a", "b"}, {"b", "c", "d"}, {"d", "a", "c", "b"}, {}};
  for (int n = 1; n <= 40; ++n) {
    programs.push_back(MakeProgram(n, static_cast<Area>(1 + n % kAreaCount),
                                   {static_cast<FundingSource>(1 + n % 4)},
                                   int64_t{1'000'003} * n + n % 7,
                                   kDepts[n % kDepts.size()]));
  }
  BudgetSummary s = ComputeBudgetSummary(2026, programs, std::nullopt);
  int64_t total = 0;
  for (const Program& p : programs) total += p.budget_yen;
  EXPECT_EQ(s.total_yen, total);
  ExpectConsistent(s.by_area, total, programs, "by_area");
  ExpectConsistent(s.by_funding, total, programs, "by_funding");
  ExpectConsistent(s.by_department, total, programs, "by_department");
  // Areas sorted by area value.
  for (size_t i = 1; i < s.by_area.size(); ++i) {
    EXPECT_LT(s.by_area[i - 1].area, s.by_area[i].area);
  }
}

TEST(BudgetSummaryTest, PriorYearFigures) {
  std::vector<Program> programs = CurrentPrograms();
  std::vector<Program> prior = PriorPrograms();
  BudgetSummary s = ComputeBudgetSummary(2026, programs, prior);
  EXPECT_EQ(s.total_yen, 1511);
  ASSERT_TRUE(s.prior_year_total_yen.has_value());
  EXPECT_EQ(*s.prior_year_total_yen, 1000);

  // Every row carries a prior figure; they sum to the prior total.
  for (const auto* rows : {&s.by_area, &s.by_funding, &s.by_department}) {
    int64_t prior_sum = 0, sum = 0;
    for (const SummaryRow& row : *rows) {
      ASSERT_TRUE(row.prior_year_budget_yen.has_value()) << row.key;
      prior_sum += *row.prior_year_budget_yen;
      sum += row.budget_yen;
    }
    EXPECT_EQ(prior_sum, 1000);
    EXPECT_EQ(sum, 1511);
  }

  const SummaryRow* mf = FindRow(s.by_area, "経営基盤の強化");
  ASSERT_NE(mf, nullptr);
  EXPECT_EQ(mf->budget_yen, 1011);
  EXPECT_EQ(mf->prior_year_budget_yen, 800);
  const SummaryRow* me = FindRow(s.by_area, AreaTitle(Area::kMarketExpansion));
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(me->prior_year_budget_yen, 0);

  const SummaryRow* keiei = FindRow(s.by_department, "経営支援課");
  ASSERT_NE(keiei, nullptr);
  EXPECT_EQ(keiei->budget_yen, 501);
  EXPECT_EQ(keiei->prior_year_budget_yen, 800);
  const SummaryRow* gijutsu = FindRow(s.by_department, "技術支援課");
  ASSERT_NE(gijutsu, nullptr);
  EXPECT_EQ(gijutsu->prior_year_budget_yen, 0);
  const SummaryRow* kuni = FindRow(s.by_funding, "国");
  ASSERT_NE(kuni, nullptr);
  EXPECT_EQ(kuni->prior_year_budget_yen, 800);
}

TEST(BudgetSummaryTest, RowOnlyInPriorYearAppearsWithZeroBudget) {
  BudgetSummary s =
      ComputeBudgetSummary(2026, CurrentPrograms(), PriorPrograms());
  // Area 人材確保・育成 only had program 4 in the prior year.
  const SummaryRow* hr = FindRow(s.by_area, AreaTitle(Area::kHumanResources));
  ASSERT_NE(hr, nullptr);
  EXPECT_EQ(hr->area, Area::kHumanResources);
  EXPECT_EQ(hr->budget_yen, 0);
  EXPECT_EQ(hr->prior_year_budget_yen, 200);
  EXPECT_TRUE(hr->attributions.empty());
  // Areas stay in area order with the prior-only row placed by its area.
  ASSERT_EQ(s.by_area.size(), 3u);
  EXPECT_EQ(s.by_area[0].area, Area::kManagementFoundation);
  EXPECT_EQ(s.by_area[1].area, Area::kMarketExpansion);
  EXPECT_EQ(s.by_area[2].area, Area::kHumanResources);

  const SummaryRow* own = FindRow(s.by_funding, "自");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->budget_yen, 0);
  EXPECT_EQ(own->prior_year_budget_yen, 200);

  const SummaryRow* soumu = FindRow(s.by_department, "総務企画課");
  ASSERT_NE(soumu, nullptr);
  EXPECT_EQ(soumu->budget_yen, 0);
  EXPECT_EQ(soumu->prior_year_budget_yen, 200);
  // The current year's rows come first.
  EXPECT_THAT(Keys(s.by_department), ElementsAre("経営支援課", "技術支援課",
                                                 "(担当課なし)", "総務企画課"));
}

TEST(BudgetSummaryTest, PriorYearSplitUsesPriorDepartments) {
  std::vector<Program> now = {
      MakeProgram(1, Area::kInformation, {FundingSource::kOwn}, 90, {"a"})};
  std::vector<Program> prior = {MakeProgram(
      1, Area::kInformation, {FundingSource::kOwn}, 301, {"b", "a", "c"})};
  BudgetSummary s = ComputeBudgetSummary(2026, now, prior);
  const SummaryRow* a = FindRow(s.by_department, "a");
  const SummaryRow* b = FindRow(s.by_department, "b");
  const SummaryRow* c = FindRow(s.by_department, "c");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->budget_yen, 90);
  EXPECT_EQ(a->prior_year_budget_yen, 100);
  EXPECT_EQ(b->budget_yen, 0);
  EXPECT_EQ(b->prior_year_budget_yen, 101);  // remainder to the first
  EXPECT_EQ(c->prior_year_budget_yen, 100);
}

TEST(BudgetSummaryTest, EmptyPriorYearGivesZeros) {
  BudgetSummary s =
      ComputeBudgetSummary(2026, CurrentPrograms(), std::vector<Program>{});
  ASSERT_TRUE(s.prior_year_total_yen.has_value());
  EXPECT_EQ(*s.prior_year_total_yen, 0);
  for (const SummaryRow& row : s.by_department) {
    EXPECT_EQ(row.prior_year_budget_yen, 0) << row.key;
  }
}

}  // namespace
}  // namespace shien::budget
