#include "common/sql/data_version.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace shien::sql {

absl::StatusOr<int64_t> ReadDataVersion(Connection& conn, int year) {
  SHIEN_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT data_version FROM fiscal_years WHERE year = ?"));
  stmt->Bind(1, static_cast<int64_t>(year));
  SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) {
    return FieldError(absl::StatusCode::kNotFound, "name",
                      "FISCAL_YEAR_NOT_FOUND",
                      absl::StrCat("fiscalYears/", year, " is not loaded"));
  }
  return stmt->Int(0);
}

absl::Status BumpDataVersion(Connection& conn, int year) {
  SHIEN_ASSIGN_OR_RETURN(auto stmt,
                         conn.Prepare("UPDATE fiscal_years SET data_version = "
                                      "data_version + 1 WHERE year = ?"));
  stmt->Bind(1, static_cast<int64_t>(year));
  return stmt->Run();
}

}  // namespace shien::sql
