#ifndef SHIEN_COMMON_SQL_REQUEST_LOG_H_
#define SHIEN_COMMON_SQL_REQUEST_LOG_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/api/request_id.h"
#include "common/sql/connection.h"

namespace shien::sql {

// The request log that makes request ids idempotent (AIP-155). Lives in
// each service's own database and is read and
// written inside the caller's write transaction, so a mutation and its log
// entry commit together. Each service's migrations create the table:
//   CREATE TABLE request_log (request_id TEXT PRIMARY KEY, method TEXT NOT
//     NULL, fingerprint TEXT NOT NULL, response BLOB NOT NULL, created_at
//     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')));

// Looks `key` up. Returns the stored response when the same request was
// already applied; std::nullopt when the id is unused (or empty);
// INVALID_ARGUMENT on field "request_id" (reason REQUEST_ID_REUSED) when the
// id was used by a different method or body.
absl::StatusOr<std::optional<std::string>> LookupRequest(Connection& conn,
                                                         const RequestKey& key);

// Records the response of a request just applied. No-op for an empty id.
absl::Status RecordRequest(Connection& conn, const RequestKey& key,
                           const std::string& response);

// Runs `body` in one write transaction on `conn` made idempotent by `key`:
// a repeated request returns its recorded response without running `body`;
// otherwise body's response and the audit event of the current call (see
// audit.h) are recorded in the same transaction, which then commits. Any error
// rolls everything back and is returned.
absl::StatusOr<std::string> RunIdempotent(
    Connection& conn, const RequestKey& key,
    const std::function<absl::StatusOr<std::string>(Connection&)>& body);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_REQUEST_LOG_H_
