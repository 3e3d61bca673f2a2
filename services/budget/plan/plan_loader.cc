#include "services/budget/plan/plan_loader.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/text_proto.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/budget/api/convert.h"

namespace shien::budget {
absl::StatusOr<Plan> ReadPlanFile(const std::string& path) {
  v1::PlanData data;
  SHIEN_RETURN_IF_ERROR(ReadTextProtoFile(path, &data));
  absl::StatusOr<Plan> plan = FromProto(data);
  if (!plan.ok()) return WithContext(plan.status(), path);
  return plan;
}

absl::StatusOr<LoadReport> LoadPlans(const std::string& data_dir,
                                     BudgetStore& store) {
  SHIEN_ASSIGN_OR_RETURN(auto files,
                         FindFiscalYearFiles(data_dir, "plan.textproto"));
  LoadReport report;
  std::map<int, Plan> plans;
  for (const auto& [year, path] : files) {
    SHIEN_ASSIGN_OR_RETURN(Plan plan, ReadPlanFile(path));
    if (plan.fiscal_year != year) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": fiscal_year is ", plan.fiscal_year,
                       " but the directory says ", year));
    }
    auto prior = plans.find(year - 1);
    absl::StatusOr<std::vector<PlanWarning>> warnings =
        CheckPlan(plan, prior == plans.end() ? nullptr : &prior->second);
    if (!warnings.ok()) return WithContext(warnings.status(), path);
    for (const PlanWarning& w : *warnings) {
      report.warnings.push_back(
          absl::StrCat("fiscalYears/", year, " ", w.code, ": ", w.message));
    }
    SHIEN_ASSIGN_OR_RETURN(bool loaded, store.LoadPlan(plan, *warnings));
    (loaded ? report.loaded : report.skipped)
        .push_back(absl::StrCat("fiscalYears/", year, " from ", path));
    plans.emplace(year, std::move(plan));
  }
  return report;
}

}  // namespace shien::budget
