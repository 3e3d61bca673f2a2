#ifndef SHIEN_COMMON_SQL_DATA_VERSION_H_
#define SHIEN_COMMON_SQL_DATA_VERSION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/sql/connection.h"

namespace shien::sql {

// Every service keeps, per fiscal year, a data version in its table
// `fiscal_years (year INTEGER PRIMARY KEY, data_version INTEGER NOT NULL,
// ...)`, bumped in the same transaction as every write to that year's data
// so a view computed before a write is never taken for one computed after.

// The fiscal year's data version; NOT_FOUND (field "name", reason
// FISCAL_YEAR_NOT_FOUND) when the year is not loaded.
absl::StatusOr<int64_t> ReadDataVersion(Connection& conn, int year);

// Increments the fiscal year's data version (in the caller's transaction).
absl::Status BumpDataVersion(Connection& conn, int year);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_DATA_VERSION_H_
