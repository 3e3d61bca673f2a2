#ifndef SHIEN_SERVICES_BUDGET_DOMAIN_PLAN_H_
#define SHIEN_SERVICES_BUDGET_DOMAIN_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/budget/domain/envelope.h"
#include "services/budget/domain/program.h"

namespace shien::budget {

// An inconsistency found in the plan document itself.
struct PlanWarning {
  std::string code;
  std::vector<int> program_numbers;
  std::string message;
};

// A row of the plan's department overview table.
struct DepartmentAssignment {
  std::string department;
  std::vector<int> program_numbers;
};

// The figures a program sheet prints for the prior year, checked against
// the prior year's plan.
struct PrintedPrior {
  std::optional<int64_t> prior_year_budget_yen;
  std::optional<int64_t> change_yen;
};

// A fiscal year's plan as loaded from its data file.
struct Plan {
  int fiscal_year = 0;
  std::string title;
  std::string organization;
  int64_t printed_total_yen = 0;
  std::vector<Program> programs;
  std::map<int, PrintedPrior> printed_prior;  // by program number
  std::vector<DepartmentAssignment> department_overview;
  std::vector<Envelope> envelopes;
};

// Checks `plan` before it is stored. Errors (INVALID_ARGUMENT naming the
// offending element, e.g. "programs[3].budget_yen"): an invalid program,
// duplicate numbers, budgets not summing to printed_total_yen, a printed
// prior-year figure or change disagreeing with `prior` (the prior year's
// plan, when loaded), an envelope naming an unknown program or exceeding its
// budget. Returns the plan's own inconsistencies as warnings: department
// overview rows that disagree with the program sheets.
absl::StatusOr<std::vector<PlanWarning>> CheckPlan(const Plan& plan,
                                                   const Plan* prior);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_DOMAIN_PLAN_H_
