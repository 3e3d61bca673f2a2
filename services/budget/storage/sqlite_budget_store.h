#ifndef SHIEN_SERVICES_BUDGET_STORAGE_SQLITE_BUDGET_STORE_H_
#define SHIEN_SERVICES_BUDGET_STORAGE_SQLITE_BUDGET_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/sql/sqlite.h"
#include "services/budget/storage/budget_store.h"

namespace shien::budget {

// Opens (creating when missing) the SQLite database at options.path, applies
// the schema migrations and returns a store over a pool of
// `connections` connections.
absl::StatusOr<std::unique_ptr<BudgetStore>> OpenSqliteBudgetStore(
    const sql::SqliteOptions& options, int connections);

// Applies the schema migrations of the pool's dialect and returns a store
// over it (the SQLite and PostgreSQL factories end here).
absl::StatusOr<std::unique_ptr<BudgetStore>> OpenBudgetStore(
    std::unique_ptr<sql::Pool> pool);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_STORAGE_SQLITE_BUDGET_STORE_H_
