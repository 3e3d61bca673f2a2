#include "services/budget/domain/expenditure.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/budget/domain/budget_summary.h"
#include "services/budget/domain/program.h"

namespace shien::budget {
namespace {

Expenditure ValidExpenditure() {
  Expenditure e;
  e.fiscal_year = 2026;
  e.program_number = 7;
  e.year = 2026;
  e.month = 4;
  e.amount_yen = 12000;
  e.request_id = "exp-0001";
  e.source_record_id = "ledger-42";
  e.description = "会場費";
  return e;
}

void ExpectFieldError(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ErrorField(status), field) << status;
}

TEST(ValidateExpenditureTest, ValidPasses) {
  EXPECT_TRUE(ValidateExpenditure(ValidExpenditure()).ok());
  Expenditure e = ValidExpenditure();
  e.amount_yen = 1;
  e.year = 2027;
  e.month = 3;
  e.source_record_id.clear();
  e.description.clear();
  EXPECT_TRUE(ValidateExpenditure(e).ok());
  e.amount_yen = kMaxExpenditureYen;
  e.source_record_id = std::string(kMaxSourceRecordIdBytes, 's');
  e.description = std::string(kMaxDescriptionBytes, 'd');
  EXPECT_TRUE(ValidateExpenditure(e).ok());
}

TEST(ValidateExpenditureTest, Amount) {
  for (int64_t amount :
       {int64_t{0}, int64_t{-1}, int64_t{-12000}, kMaxExpenditureYen + 1}) {
    Expenditure e = ValidExpenditure();
    e.amount_yen = amount;
    ExpectFieldError(ValidateExpenditure(e), "amount_yen");
  }
}

TEST(ValidateExpenditureTest, MonthOutsideFiscalYear) {
  const std::pair<int, int> kBad[] = {{2026, 3}, {2027, 4},  {2025, 12},
                                      {2026, 0}, {2026, 13}, {2027, 0}};
  for (const auto& [year, month] : kBad) {
    Expenditure e = ValidExpenditure();
    e.year = year;
    e.month = month;
    ExpectFieldError(ValidateExpenditure(e), "month");
  }
}

TEST(ValidateExpenditureTest, RequestIdRequiredAndWellFormed) {
  Expenditure e = ValidExpenditure();
  e.request_id = "";
  ExpectFieldError(ValidateExpenditure(e), "request_id");
  e.request_id = "has space";
  ExpectFieldError(ValidateExpenditure(e), "request_id");
  e.request_id = std::string(129, 'r');
  ExpectFieldError(ValidateExpenditure(e), "request_id");
}

TEST(ValidateExpenditureTest, BoundedTexts) {
  Expenditure e = ValidExpenditure();
  e.source_record_id = std::string(kMaxSourceRecordIdBytes + 1, 's');
  ExpectFieldError(ValidateExpenditure(e), "source_record_id");
  e = ValidExpenditure();
  e.description = std::string(kMaxDescriptionBytes + 1, 'd');
  ExpectFieldError(ValidateExpenditure(e), "description");
}

TEST(SameExpenditureTest, SameContent) {
  Expenditure a = ValidExpenditure();
  Expenditure b = a;
  EXPECT_TRUE(SameExpenditure(a, b));
  // Store-assigned fields do not count.
  b.create_time_micros = 123456;
  b.sequence = 99;
  EXPECT_TRUE(SameExpenditure(a, b));
}

TEST(SameExpenditureTest, AnyContentDifference) {
  const Expenditure a = ValidExpenditure();
  std::vector<Expenditure> variants(7, a);
  variants[0].fiscal_year = 2025;
  variants[1].program_number = 8;
  variants[2].year = 2027;
  variants[3].month = 5;
  variants[4].amount_yen = 12001;
  variants[5].source_record_id = "ledger-43";
  variants[6].description = "会場費 (訂正)";
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_FALSE(SameExpenditure(a, variants[i])) << "variant " << i;
    EXPECT_FALSE(SameExpenditure(variants[i], a)) << "variant " << i;
  }
}

Program MakeProgram(int number, Area area, int64_t budget) {
  Program p;
  p.fiscal_year = 2026;
  p.number = number;
  p.title = "p";
  p.area = area;
  p.budget_yen = budget;
  return p;
}

TEST(ComputeExecutionSummaryTest, TotalsPerProgramAreaAndOverall) {
  std::vector<Program> programs = {
      MakeProgram(3, Area::kManagementFoundation, 100),
      MakeProgram(1, Area::kManagementFoundation, 200),
      MakeProgram(2, Area::kHumanResources, 50),
      MakeProgram(4, Area::kMarketExpansion, 70),
  };
  std::vector<ExecutionTotal> totals = {
      {1, 30, 2},
      {3, 5, 1},
      {4, 70, 10},
  };
  ExecutionSummary s = ComputeExecutionSummary(programs, totals);

  ASSERT_EQ(s.programs.size(), 4u);
  for (size_t i = 0; i < s.programs.size(); ++i) {
    EXPECT_EQ(s.programs[i].program_number, static_cast<int>(i) + 1);
  }
  EXPECT_EQ(s.programs[0].budget_yen, 200);
  EXPECT_EQ(s.programs[0].executed_yen, 30);
  EXPECT_EQ(s.programs[0].record_count, 2);
  EXPECT_EQ(s.programs[0].area, Area::kManagementFoundation);
  // No expenditures: zero.
  EXPECT_EQ(s.programs[1].budget_yen, 50);
  EXPECT_EQ(s.programs[1].executed_yen, 0);
  EXPECT_EQ(s.programs[1].record_count, 0);
  EXPECT_EQ(s.programs[2].executed_yen, 5);
  EXPECT_EQ(s.programs[3].executed_yen, 70);
  EXPECT_NE(s.programs[0].key, s.programs[1].key);

  ASSERT_EQ(s.areas.size(), 3u);
  EXPECT_EQ(s.areas[0].area, Area::kManagementFoundation);
  EXPECT_EQ(s.areas[0].key, AreaTitle(Area::kManagementFoundation));
  EXPECT_EQ(s.areas[0].budget_yen, 300);
  EXPECT_EQ(s.areas[0].executed_yen, 35);
  EXPECT_EQ(s.areas[0].record_count, 3);
  EXPECT_EQ(s.areas[1].area, Area::kMarketExpansion);
  EXPECT_EQ(s.areas[1].budget_yen, 70);
  EXPECT_EQ(s.areas[1].executed_yen, 70);
  EXPECT_EQ(s.areas[1].record_count, 10);
  EXPECT_EQ(s.areas[2].area, Area::kHumanResources);
  EXPECT_EQ(s.areas[2].budget_yen, 50);
  EXPECT_EQ(s.areas[2].executed_yen, 0);
  EXPECT_EQ(s.areas[2].record_count, 0);

  EXPECT_EQ(s.total.budget_yen, 420);
  EXPECT_EQ(s.total.executed_yen, 105);
  EXPECT_EQ(s.total.record_count, 13);
}

TEST(ComputeExecutionSummaryTest, AreaRowsSumToTotal) {
  std::vector<Program> programs;
  std::vector<ExecutionTotal> totals;
  for (int n = 1; n <= 24; ++n) {
    programs.push_back(
        MakeProgram(n, static_cast<Area>(1 + n % kAreaCount), 1000 * n));
    if (n % 3 != 0) totals.push_back({n, 7 * n, n % 5});
  }
  ExecutionSummary s = ComputeExecutionSummary(programs, totals);
  int64_t budget = 0, executed = 0, count = 0;
  for (const ExecutionRow& row : s.areas) {
    budget += row.budget_yen;
    executed += row.executed_yen;
    count += row.record_count;
  }
  EXPECT_EQ(budget, s.total.budget_yen);
  EXPECT_EQ(executed, s.total.executed_yen);
  EXPECT_EQ(count, s.total.record_count);
  EXPECT_EQ(s.total.budget_yen, 1000 * 24 * 25 / 2);
  int64_t want_executed = 0, want_count = 0;
  for (const ExecutionTotal& t : totals) {
    want_executed += t.executed_yen;
    want_count += t.record_count;
  }
  EXPECT_EQ(s.total.executed_yen, want_executed);
  EXPECT_EQ(s.total.record_count, want_count);
  EXPECT_EQ(s.areas.size(), static_cast<size_t>(kAreaCount));
}

TEST(ComputeExecutionSummaryTest, NoPrograms) {
  ExecutionSummary s = ComputeExecutionSummary({}, {});
  EXPECT_TRUE(s.programs.empty());
  EXPECT_TRUE(s.areas.empty());
  EXPECT_EQ(s.total.budget_yen, 0);
  EXPECT_EQ(s.total.executed_yen, 0);
}

}  // namespace
}  // namespace shien::budget
