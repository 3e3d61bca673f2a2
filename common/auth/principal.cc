#include "common/auth/principal.h"

#include <algorithm>

namespace shien {

bool Principal::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::ActsFor(const std::string& department) const {
  return std::find(departments.begin(), departments.end(), department) !=
         departments.end();
}

Principal PrincipalOf(const grpc::CallbackServerContext& context) {
  Principal p;
  p.name = "anonymous@" + context.peer();
  return p;
}

}  // namespace shien
