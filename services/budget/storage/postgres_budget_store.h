#ifndef SHIEN_SERVICES_BUDGET_STORAGE_POSTGRES_BUDGET_STORE_H_
#define SHIEN_SERVICES_BUDGET_STORAGE_POSTGRES_BUDGET_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/sql/postgres.h"
#include "services/budget/storage/budget_store.h"

namespace shien::budget {

// Connects to the PostgreSQL database `options` names, applies the schema
// migrations (schema/postgres/) and returns a store over a pool of
// `connections` connections. UNAVAILABLE when the database cannot be
// reached; the store's calls fail UNAVAILABLE while it is away and recover
// by themselves when it returns.
absl::StatusOr<std::unique_ptr<BudgetStore>> OpenPostgresBudgetStore(
    const sql::PostgresOptions& options, int connections);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_STORAGE_POSTGRES_BUDGET_STORE_H_
