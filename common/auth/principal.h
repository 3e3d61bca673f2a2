#ifndef SHIEN_COMMON_AUTH_PRINCIPAL_H_
#define SHIEN_COMMON_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

#include "grpcpp/server_context.h"

namespace shien {

// Who is calling. Until authentication is configured every caller is an
// unauthenticated principal named after its peer address; authorization
// hooks let unauthenticated principals through and will restrict
// authenticated ones by role and department.
struct Principal {
  std::string name;
  bool authenticated = false;
  std::vector<std::string> roles;
  std::vector<std::string> departments;

  bool HasRole(const std::string& role) const;
  bool ActsFor(const std::string& department) const;
};

// The principal of a call. Thread-safe.
Principal PrincipalOf(const grpc::CallbackServerContext& context);

}  // namespace shien

#endif  // SHIEN_COMMON_AUTH_PRINCIPAL_H_
