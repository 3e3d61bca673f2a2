#ifndef SHIEN_COMMON_SQL_OPEN_POOL_H_
#define SHIEN_COMMON_SQL_OPEN_POOL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql/connection.h"

namespace shien::sql {

// Where a service keeps its data: PostgreSQL when `postgres` (a libpq
// connection string) is set, else the SQLite file `sqlite_path`.
struct StoreLocation {
  std::string sqlite_path;
  std::string postgres;
  bool durable = true;  // SQLite: fsync every commit
};

struct OpenedPool {
  std::unique_ptr<Pool> pool;
  // For logs: "db var/budget.db" or "postgresql host:port/db" (never a
  // password).
  std::string description;
};

// How many workers (threads running store work, each with a connection of
// its own) a service runs against `location` when `--workers` is 0: 32 on
// SQLite, where a worker mostly waits for its write group's commit, and a
// group can only hold the writes of waiting workers; 4 on PostgreSQL, where
// each worker holds a server connection. `requested` > 0 wins.
int WorkersFor(const StoreLocation& location, int requested);

// Opens a pool of `size` connections to `location`, creating the SQLite
// file's directory when missing. Errors as OpenSqlitePool and
// OpenPostgresPool.
absl::StatusOr<OpenedPool> OpenPool(const StoreLocation& location, int size);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_OPEN_POOL_H_
