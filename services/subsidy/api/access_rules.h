#ifndef SHIEN_SERVICES_SUBSIDY_API_ACCESS_RULES_H_
#define SHIEN_SERVICES_SUBSIDY_API_ACCESS_RULES_H_

#include "common/auth/guard.h"

namespace shien::subsidy {

// Which roles may call each method of shien.subsidy.v1.SubsidyService (the
// README's access matrix).
const auth::AccessRules& SubsidyAccessRules();

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_API_ACCESS_RULES_H_
