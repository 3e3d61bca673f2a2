#ifndef SHIEN_SERVICES_KPI_STORAGE_POSTGRES_KPI_STORE_H_
#define SHIEN_SERVICES_KPI_STORAGE_POSTGRES_KPI_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/sql/postgres.h"
#include "services/kpi/storage/kpi_store.h"

namespace shien::kpi {

// Connects to the PostgreSQL database `options` names, applies the schema
// migrations (schema/postgres/) and returns a store over a pool of
// `connections` connections. UNAVAILABLE when the database cannot be
// reached; the store's calls fail UNAVAILABLE while it is away and recover
// by themselves when it returns.
absl::StatusOr<std::unique_ptr<KpiStore>> OpenPostgresKpiStore(
    const sql::PostgresOptions& options, int connections);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_STORAGE_POSTGRES_KPI_STORE_H_
