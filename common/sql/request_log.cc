#include "common/sql/request_log.h"

#include "common/sql/audit.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

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

absl::StatusOr<std::string> RunIdempotent(
    Connection& conn, const RequestKey& key,
    const std::function<absl::StatusOr<std::string>(Connection&)>& body) {
  SHIEN_ASSIGN_OR_RETURN(auto txn,
                         Transaction::Begin(conn, Transaction::Mode::kWrite));
  SHIEN_ASSIGN_OR_RETURN(std::optional<std::string> replay,
                         LookupRequest(conn, key));
  if (replay.has_value()) {
    // Nothing to write, but the recorded response may have been written by
    // a transaction not yet durable: answer once it is.
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return *replay;
  }
  SHIEN_ASSIGN_OR_RETURN(std::string response, body(conn));
  SHIEN_RETURN_IF_ERROR(RecordRequest(conn, key, response));
  SHIEN_RETURN_IF_ERROR(RecordAudit(conn));
  SHIEN_RETURN_IF_ERROR(txn->Commit());
  return response;
}

}  // namespace shien::sql
