#include "common/sql/audit.h"

#include "common/api/timestamps.h"
#include "common/auth/call.h"
#include "common/status/macros.h"

namespace shien::sql {

absl::Status RecordAudit(Connection& conn, absl::string_view change,
                         absl::string_view resource,
                         absl::string_view system_method) {
  const Call* call = CurrentCall();
  SHIEN_ASSIGN_OR_RETURN(
      auto insert,
      conn.Prepare("INSERT INTO audit_events (time_micros, principal, method, "
                   "request_id, resource, change) VALUES (?,?,?,?,?,?)"));
  insert->Bind(1, NowMicros())
      .Bind(2, call != nullptr ? absl::string_view(call->principal.name)
                               : absl::string_view("system"))
      .Bind(3,
            call != nullptr ? absl::string_view(call->method) : system_method)
      .Bind(4, call != nullptr ? absl::string_view(call->request_id)
                               : absl::string_view(""))
      .Bind(5, !resource.empty() || call == nullptr
                   ? resource
                   : absl::string_view(call->resource))
      .Bind(6, !change.empty() || call == nullptr
                   ? change
                   : absl::string_view(call->request_json));
  return insert->Run();
}

absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(
    Connection& conn, const AuditQuery& query) {
  SHIEN_ASSIGN_OR_RETURN(
      auto select,
      conn.Prepare(
          "SELECT sequence, time_micros, principal, method, request_id, "
          "resource, change FROM audit_events WHERE (?1 = '' OR principal = "
          "?1) AND (?2 = '' OR method = ?2) AND (?3 = '' OR resource = ?3) "
          "AND (?4 = '' OR request_id = ?4) AND (CAST(?5 AS BIGINT) = 0 OR "
          "time_micros >= ?5) AND (CAST(?6 AS BIGINT) = 0 OR time_micros < ?6) "
          "AND (CAST(?7 AS BIGINT) = 0 OR sequence < ?7) ORDER BY sequence "
          "DESC LIMIT ?8"));
  select->Bind(1, query.principal)
      .Bind(2, query.method)
      .Bind(3, query.resource)
      .Bind(4, query.request_id)
      .Bind(5, query.start_micros)
      .Bind(6, query.end_micros)
      .Bind(7, query.before_sequence)
      .Bind(8, static_cast<int64_t>(query.limit));
  std::vector<AuditEvent> out;
  while (true) {
    SHIEN_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    AuditEvent e;
    e.sequence = select->Int(0);
    e.time_micros = select->Int(1);
    e.principal = select->Text(2);
    e.method = select->Text(3);
    e.request_id = select->Text(4);
    e.resource = select->Text(5);
    e.change = select->Text(6);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace shien::sql
