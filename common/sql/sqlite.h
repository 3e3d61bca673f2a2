#ifndef SHIEN_COMMON_SQL_SQLITE_H_
#define SHIEN_COMMON_SQL_SQLITE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql/connection.h"

namespace shien::sql {

struct SqliteOptions {
  // Database file; ":memory:" is not supported (connections must share it).
  std::string path;
  // How long a connection waits for another's write lock.
  int busy_timeout_ms = 5000;
  // true: synchronous=FULL, an acknowledged commit survives power loss.
  // false: synchronous=NORMAL, survives a process crash only.
  bool durable = true;
};

// One SQLite connection in WAL mode with foreign keys on and a statement
// cache. The file is created when missing; UNAVAILABLE when it cannot be
// opened.
absl::StatusOr<std::unique_ptr<Connection>> OpenSqliteConnection(
    const SqliteOptions& options);

// A pool of `size` such connections.
absl::StatusOr<std::unique_ptr<Pool>> OpenSqlitePool(
    const SqliteOptions& options, int size);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_SQLITE_H_
