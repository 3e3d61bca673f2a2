#ifndef SHIEN_COMMON_SQL_MIGRATIONS_H_
#define SHIEN_COMMON_SQL_MIGRATIONS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/sql/connection.h"

namespace shien::sql {

// A numbered schema change (schema/NNN_name.sql).
struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Applies, in version order, each migration not yet recorded in the
// `schema_migrations` table, each in its own write transaction together with
// its record. Safe to run concurrently from several processes. Fails when
// the database has a migration newer than any in `migrations` (a binary
// older than its database) or when versions are not strictly increasing.
absl::Status ApplyMigrations(Connection& conn,
                             const std::vector<Migration>& migrations);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_MIGRATIONS_H_
