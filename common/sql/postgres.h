#ifndef SHIEN_COMMON_SQL_POSTGRES_H_
#define SHIEN_COMMON_SQL_POSTGRES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/sql/connection.h"

namespace shien::sql {

struct PostgresOptions {
  // A libpq connection string: "host=db port=5432 dbname=budget user=shien"
  // or "postgresql://shien@db/budget". A password is better given by
  // PGPASSWORD or ~/.pgpass than written here.
  std::string conninfo;
  // How long a connection attempt may take.
  int connect_timeout_s = 5;
};

// One PostgreSQL connection through libpq with prepared statements (each
// statement prepared once per session). Writes take a transaction-scoped
// advisory lock, so they are serialized like SQLite's, across every
// instance sharing the database. A lost connection fails the call in
// progress with UNAVAILABLE and is re-established on the next use.
// UNAVAILABLE (naming the host, never the password) when the server cannot
// be reached.
absl::StatusOr<std::unique_ptr<Connection>> OpenPostgresConnection(
    const PostgresOptions& options);

// A pool of `size` such connections.
absl::StatusOr<std::unique_ptr<Pool>> OpenPostgresPool(
    const PostgresOptions& options, int size);

// "postgresql host:port/dbname" for logs: the connection string without
// its password or other settings.
std::string DescribePostgres(const std::string& conninfo);

// `sql` with its `?` and `?N` placeholders (outside quoted literals)
// written as PostgreSQL's `$N`, and the number of parameters.
std::pair<std::string, int> ToPostgresPlaceholders(absl::string_view sql);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_POSTGRES_H_
