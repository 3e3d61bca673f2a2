#ifndef SHIEN_SERVICES_BUDGET_API_ACCESS_RULES_H_
#define SHIEN_SERVICES_BUDGET_API_ACCESS_RULES_H_

#include "common/auth/guard.h"

namespace shien::budget {

// Which roles may call each method of shien.budget.v1.BudgetService (the
// README's access matrix).
const auth::AccessRules& BudgetAccessRules();

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_ACCESS_RULES_H_
