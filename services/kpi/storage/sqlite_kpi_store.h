#ifndef SHIEN_SERVICES_KPI_STORAGE_SQLITE_KPI_STORE_H_
#define SHIEN_SERVICES_KPI_STORAGE_SQLITE_KPI_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/sql/sqlite.h"
#include "services/kpi/storage/kpi_store.h"

namespace shien::kpi {

// Opens (creating when missing) the SQLite database at options.path,
// applies the migrations and returns a store over `connections`
// connections.
absl::StatusOr<std::unique_ptr<KpiStore>> OpenSqliteKpiStore(
    const sql::SqliteOptions& options, int connections);

// Applies the schema migrations of the pool's dialect and returns a store
// over it (the SQLite and PostgreSQL factories end here).
absl::StatusOr<std::unique_ptr<KpiStore>> OpenKpiStore(
    std::unique_ptr<sql::Pool> pool);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_STORAGE_SQLITE_KPI_STORE_H_
