#ifndef SHIEN_COMMON_SQL_COPY_H_
#define SHIEN_COMMON_SQL_COPY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql/connection.h"

namespace shien::sql {

// What was copied of one table, counted on both sides after the copy.
struct TableCopy {
  std::string table;
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  // Column → total, for every column whose name ends in "_yen".
  std::map<std::string, int64_t> source_yen;
  std::map<std::string, int64_t> target_yen;
};

// Copies every table of a SQLite database (`from`, read in one snapshot, so
// the services may keep running on it) into a PostgreSQL database whose
// schema the same migrations made (`to`, in one write transaction), in
// creation order, keeping every value including ids, then moves identity
// sequences past the copied ids and verifies row counts and money totals
// table by table. Not copied: schema_migrations (the target has its own)
// and database_identity (the target keeps its own, so cached views of the
// two databases never mix); tables derived by triggers (decision_totals)
// are rebuilt by the target's triggers and only verified. FAILED_PRECONDITION
// when the target already holds data or the schemas differ; DATA_LOSS when a
// count or total differs after the copy (the target transaction is then rolled
// back).
absl::StatusOr<std::vector<TableCopy>> CopySqliteToPostgres(Connection& from,
                                                            Connection& to);

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_COPY_H_
