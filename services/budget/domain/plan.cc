#include "services/budget/domain/plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fiscal/fiscal.h"
#include "common/status/errors.h"

namespace shien::budget {

absl::StatusOr<std::vector<PlanWarning>> CheckPlan(const Plan& plan,
                                                   const Plan* prior) {
  if (plan.fiscal_year < kMinFiscalYear || plan.fiscal_year > kMaxFiscalYear) {
    return FieldError(
        "fiscal_year", "OUT_OF_RANGE",
        absl::StrCat("must be ", kMinFiscalYear, " to ", kMaxFiscalYear));
  }
  if (plan.programs.empty()) {
    return FieldError("programs", "REQUIRED_FIELD", "the plan has no programs");
  }
  std::map<int, const Program*> by_number;
  int64_t total = 0;
  for (size_t i = 0; i < plan.programs.size(); ++i) {
    const Program& p = plan.programs[i];
    std::string where = absl::StrCat("programs[", i, "]");
    // A prior year's plan known only from the current plan's prior-year
    // column may lack departments.
    absl::Status s = ValidateProgram(p, /*allow_no_department=*/true);
    if (!s.ok()) return PrefixField(s, where);
    if (!by_number.emplace(p.number, &p).second) {
      return FieldError(absl::StrCat(where, ".number"), "DUPLICATE_ENTRY",
                        absl::StrCat("program ", p.number, " appears twice"));
    }
    total += p.budget_yen;
  }
  if (total != plan.printed_total_yen) {
    return FieldError(
        "printed_total_yen", "TOTAL_MISMATCH",
        absl::StrCat("programs sum to ", total, " yen but the plan prints ",
                     plan.printed_total_yen));
  }
  if (prior != nullptr) {
    std::map<int, int64_t> prior_budget;
    for (const Program& p : prior->programs)
      prior_budget[p.number] = p.budget_yen;
    for (size_t i = 0; i < plan.programs.size(); ++i) {
      const Program& p = plan.programs[i];
      auto printed = plan.printed_prior.find(p.number);
      if (printed == plan.printed_prior.end()) continue;
      auto it = prior_budget.find(p.number);
      std::string where = absl::StrCat("programs[", i, "]");
      if (printed->second.prior_year_budget_yen.has_value() &&
          (it == prior_budget.end() ||
           it->second != *printed->second.prior_year_budget_yen)) {
        return FieldError(absl::StrCat(where, ".prior_year_budget_yen"),
                          "PRIOR_YEAR_MISMATCH",
                          absl::StrCat("program ", p.number,
                                       " prints a prior-year budget of ",
                                       *printed->second.prior_year_budget_yen,
                                       " yen; the prior year's plan has ",
                                       it == prior_budget.end()
                                           ? std::string("no such program")
                                           : absl::StrCat(it->second)));
      }
      if (printed->second.change_yen.has_value() && it != prior_budget.end() &&
          p.budget_yen - it->second != *printed->second.change_yen) {
        return FieldError(
            absl::StrCat(where, ".change_yen"), "CHANGE_MISMATCH",
            absl::StrCat("program ", p.number, " prints a change of ",
                         *printed->second.change_yen,
                         " yen; derived: ", p.budget_yen - it->second));
      }
    }
  }
  for (size_t i = 0; i < plan.envelopes.size(); ++i) {
    const Envelope& e = plan.envelopes[i];
    std::string where = absl::StrCat("envelopes[", i, "]");
    auto it = by_number.find(e.program_number);
    if (it == by_number.end()) {
      return FieldError(
          absl::StrCat(where, ".program"), "PROGRAM_NOT_FOUND",
          absl::StrCat("program ", e.program_number, " is not in the plan"));
    }
    if (e.amount_yen <= 0 || e.amount_yen > it->second->budget_yen) {
      return FieldError(absl::StrCat(where, ".amount_yen"), "OUT_OF_RANGE",
                        "must be positive and within the program's budget");
    }
  }

  // The department overview against the sheets.
  std::vector<PlanWarning> warnings;
  if (plan.department_overview.empty()) return warnings;
  std::map<std::string, std::set<int>> overview, sheets;
  for (const DepartmentAssignment& row : plan.department_overview) {
    overview[row.department].insert(row.program_numbers.begin(),
                                    row.program_numbers.end());
  }
  for (const Program& p : plan.programs) {
    for (const std::string& d : p.departments) sheets[d].insert(p.number);
  }
  for (const auto& [number, program] : by_number) {
    std::vector<std::string> in_overview;
    for (const auto& [dept, numbers] : overview) {
      if (numbers.count(number)) in_overview.push_back(dept);
    }
    std::vector<std::string> on_sheet = program->departments;
    std::vector<std::string> sorted_sheet = on_sheet;
    std::sort(sorted_sheet.begin(), sorted_sheet.end());
    if (sorted_sheet == in_overview) continue;
    warnings.push_back(PlanWarning{
        "DEPARTMENT_OVERVIEW_MISMATCH",
        {number},
        absl::StrCat(
            "program ", number, ": its sheet lists 担当課 ",
            on_sheet.empty() ? "(none)" : absl::StrJoin(on_sheet, "・"),
            "; the department overview lists it under ",
            in_overview.empty() ? "(none)" : absl::StrJoin(in_overview, ", "),
            ". The sheet's departments are used.")});
  }
  return warnings;
}

}  // namespace shien::budget
