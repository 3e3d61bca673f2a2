#ifndef SHIEN_SERVICES_BUDGET_PLAN_PLAN_LOADER_H_
#define SHIEN_SERVICES_BUDGET_PLAN_PLAN_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/budget/domain/plan.h"
#include "services/budget/storage/budget_store.h"

namespace shien::budget {

// Reads one plan file (textproto of shien.budget.v1.PlanData).
// INVALID_ARGUMENT with "file:line:column: what" for malformed text, or
// with the file and the element at fault for invalid content; NOT_FOUND
// when the file is missing.
absl::StatusOr<Plan> ReadPlanFile(const std::string& path);

// What loading did, for the start-up log.
struct LoadReport {
  std::vector<std::string> loaded;    // "fiscalYears/2026 from path"
  std::vector<std::string> skipped;   // already in the database
  std::vector<std::string> warnings;  // the plans' own inconsistencies
};

// Loads every `fy{YEAR}/plan.textproto` under `data_dir`, oldest first, so
// each plan is checked against the prior year's. A year already in the
// store is left as it is. Any error stops loading and names the file.
absl::StatusOr<LoadReport> LoadPlans(const std::string& data_dir,
                                     BudgetStore& store);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_PLAN_PLAN_LOADER_H_
