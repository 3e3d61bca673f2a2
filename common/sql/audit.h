#ifndef SHIEN_COMMON_SQL_AUDIT_H_
#define SHIEN_COMMON_SQL_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sql/connection.h"

namespace shien::sql {

// The audit trail of a service's database: who changed what, when, by
// which method and request id. Each service's migrations create the table
// `audit_events (sequence INTEGER PRIMARY KEY AUTOINCREMENT, time_micros,
// principal, method, request_id, resource, change)`.

struct AuditEvent {
  int64_t sequence = 0;
  int64_t time_micros = 0;
  std::string principal;
  std::string method;
  std::string request_id;
  std::string resource;
  std::string change;
};

// Records one change in the caller's write transaction, attributed to the
// thread's current call (auth/call.h): its principal, method, request id
// and, unless given here, its resource and request (as the change). Without
// a current call the change is the system's: principal "system", method
// `system_method`.
absl::Status RecordAudit(Connection& conn, absl::string_view change = "",
                         absl::string_view resource = "",
                         absl::string_view system_method = "start-up");

// What to list: each non-empty string must match exactly; times bound the
// events' time (microseconds since the epoch, 0 for unbounded; start
// inclusive, end exclusive). Newest first, below `before_sequence` when it
// is not 0, at most `limit`.
struct AuditQuery {
  std::string principal;
  std::string method;
  std::string resource;
  std::string request_id;
  int64_t start_micros = 0;
  int64_t end_micros = 0;
  int64_t before_sequence = 0;
  int limit = 50;
};

// Lists events matching `query` (in the caller's read transaction or on
// its own).
absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(
    Connection& conn, const AuditQuery& query);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_AUDIT_H_
