#ifndef SHIEN_SERVICES_BUDGET_DOMAIN_BUDGET_SUMMARY_H_
#define SHIEN_SERVICES_BUDGET_DOMAIN_BUDGET_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/budget/domain/program.h"

namespace shien::budget {

// How much of one program a row carries: amount_yen = the program's budget
// × share_numerator / share_denominator, with the integer remainder
// assigned to the program's first row (see ComputeBudgetSummary).
struct Attribution {
  int program_number = 0;
  int64_t amount_yen = 0;
  int64_t share_numerator = 1;
  int64_t share_denominator = 1;
};

struct SummaryRow {
  std::string key;
  Area area = Area::kUnspecified;  // by_area rows only
  int64_t budget_yen = 0;
  std::optional<int64_t> prior_year_budget_yen;
  std::vector<Attribution> attributions;
};

struct BudgetSummary {
  int fiscal_year = 0;
  int64_t total_yen = 0;
  std::optional<int64_t> prior_year_total_yen;
  std::vector<SummaryRow> by_area;
  std::vector<SummaryRow> by_funding;
  std::vector<SummaryRow> by_department;
};

// The name of an area as the plan prints it, e.g. "経営基盤の強化".
std::string AreaTitle(Area area);

// Summarizes `programs` (one fiscal year, any order). With `prior` (the
// prior year's programs), rows carry the prior year's figure computed from
// the prior year's own programs by the same rule; rows that exist only in
// the prior year are included with a zero budget.
//
// Attribution rule for departments: a program with n departments gives each
// budget / n (integer division) and the remainder to the first listed, so
// the rows sum exactly to the total. A program with no department is
// attributed to the row "(担当課なし)".
// Rows: by_area in area order; by_funding and by_department in order of
// first appearance by program number.
BudgetSummary ComputeBudgetSummary(
    int fiscal_year, const std::vector<Program>& programs,
    const std::optional<std::vector<Program>>& prior);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_DOMAIN_BUDGET_SUMMARY_H_
