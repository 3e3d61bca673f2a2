#include "common/auth/principal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/errors.h"

namespace shien {

bool IsKnownRole(const std::string& role) {
  return role == kViewer || role == kReporter || role == kReviewer ||
         role == kAdmin || role == kService;
}

bool Principal::HasRole(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::ActsFor(const std::string& department) const {
  for (const std::string& d : departments) {
    if (d == "*" || d == department) return true;
  }
  return false;
}

absl::Status RequireDepartment(const Principal& principal,
                               const std::vector<std::string>& departments,
                               absl::string_view what) {
  if (principal.HasRole(kService)) return absl::OkStatus();
  for (const std::string& d : departments) {
    if (principal.ActsFor(d)) return absl::OkStatus();
  }
  return Error(
      absl::StatusCode::kPermissionDenied, "DEPARTMENT_NOT_PERMITTED",
      absl::StrCat(principal.name, " does not act for ", what,
                   ", which is run by ", absl::StrJoin(departments, "・")));
}

}  // namespace shien
