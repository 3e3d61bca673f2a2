#include "common/sql/open_pool.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/sql/postgres.h"
#include "common/sql/sqlite.h"

namespace shien::sql {

int WorkersFor(const StoreLocation& location, int requested) {
  if (requested > 0) return requested;
  return location.postgres.empty() ? 32 : 4;
}

absl::StatusOr<OpenedPool> OpenPool(const StoreLocation& location, int size) {
  OpenedPool out;
  if (!location.postgres.empty()) {
    PostgresOptions options;
    options.conninfo = location.postgres;
    auto pool = OpenPostgresPool(options, size);
    if (!pool.ok()) return pool.status();
    out.pool = *std::move(pool);
    out.description = DescribePostgres(location.postgres);
    return out;
  }
  const std::filesystem::path parent =
      std::filesystem::path(location.sqlite_path).parent_path();
  std::error_code ignored;
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  SqliteOptions options;
  options.path = location.sqlite_path;
  options.durable = location.durable;
  auto pool = OpenSqlitePool(options, size);
  if (!pool.ok()) return pool.status();
  out.pool = *std::move(pool);
  out.description = absl::StrCat("db ", location.sqlite_path);
  return out;
}

}  // namespace shien::sql
