#ifndef SHIEN_COMMON_AUTH_PRINCIPAL_H_
#define SHIEN_COMMON_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shien {

// The roles a principal may hold. A principal may hold several.
//   viewer    reads the plan, KPIs and statistics (no applicant data)
//   reporter  records measurements and expenditures for its departments
//   reviewer  works applications and decisions (applicant data)
//   admin     edits the plan and indicators, reads the audit log
//   service   the calls one shien service makes on another
inline constexpr char kViewer[] = "viewer";
inline constexpr char kReporter[] = "reporter";
inline constexpr char kReviewer[] = "reviewer";
inline constexpr char kAdmin[] = "admin";
inline constexpr char kService[] = "service";

// True for the five role names above.
bool IsKnownRole(const std::string& role);

// Who is calling: a name for logs and the audit trail, its roles, and the
// departments (担当課) it acts for; "*" among departments means all.
struct Principal {
  std::string name;
  std::vector<std::string> roles;
  std::vector<std::string> departments;

  bool HasRole(const std::string& role) const;
  bool ActsFor(const std::string& department) const;
};

// OK when `principal` may write data of a program run by `departments`: a
// service, or a principal acting for one of them. Otherwise
// PERMISSION_DENIED (reason DEPARTMENT_NOT_PERMITTED) naming `what` (e.g.
// "program 11") and the departments.
absl::Status RequireDepartment(const Principal& principal,
                               const std::vector<std::string>& departments,
                               absl::string_view what);

}  // namespace shien

#endif  // SHIEN_COMMON_AUTH_PRINCIPAL_H_
