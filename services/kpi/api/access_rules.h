#ifndef SHIEN_SERVICES_KPI_API_ACCESS_RULES_H_
#define SHIEN_SERVICES_KPI_API_ACCESS_RULES_H_

#include "common/auth/guard.h"

namespace shien::kpi {

// Which roles may call each method of shien.kpi.v1.KpiService (the
// README's access matrix).
const auth::AccessRules& KpiAccessRules();

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_API_ACCESS_RULES_H_
