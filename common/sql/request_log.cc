#include "common/sql/request_log.h"

#include "common/status/errors.h"

namespace shien::sql {

absl::StatusOr<std::optional<std::string>> LookupRequest(
    Connection& conn, const RequestKey& key) {
  if (key.request_id.empty()) return std::nullopt;
  auto stmt = conn.Prepare(
      "SELECT method, fingerprint, response FROM request_log "
      "WHERE request_id = ?");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, key.request_id);
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  if ((*stmt)->Text(0) != key.method || (*stmt)->Text(1) != key.fingerprint) {
    return FieldError("request_id", "REQUEST_ID_REUSED",
                      "was already used for a different request");
  }
  return (*stmt)->Blob(2);
}

absl::Status RecordRequest(Connection& conn, const RequestKey& key,
                           const std::string& response) {
  if (key.request_id.empty()) return absl::OkStatus();
  auto stmt = conn.Prepare(
      "INSERT INTO request_log (request_id, method, fingerprint, response) "
      "VALUES (?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  (*stmt)->Bind(1, key.request_id).Bind(2, key.method).Bind(3, key.fingerprint);
  (*stmt)->BindBlob(4, response);
  return (*stmt)->Run();
}

}  // namespace shien::sql
