#ifndef SHIEN_SERVICES_SUBSIDY_STORAGE_SQLITE_SUBSIDY_STORE_H_
#define SHIEN_SERVICES_SUBSIDY_STORAGE_SQLITE_SUBSIDY_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/sql/sqlite.h"
#include "services/subsidy/storage/subsidy_store.h"

namespace shien::subsidy {

// Opens (creating when missing) the SQLite database at options.path,
// applies the migrations and returns a store over `connections`
// connections.
absl::StatusOr<std::unique_ptr<SubsidyStore>> OpenSqliteSubsidyStore(
    const sql::SqliteOptions& options, int connections);

// Applies the schema migrations of the pool's dialect and returns a store
// over it (the SQLite and PostgreSQL factories end here).
absl::StatusOr<std::unique_ptr<SubsidyStore>> OpenSubsidyStore(
    std::unique_ptr<sql::Pool> pool);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_STORAGE_SQLITE_SUBSIDY_STORE_H_
