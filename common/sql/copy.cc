#include "common/sql/copy.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/macros.h"

namespace shien::sql {
namespace {

struct Column {
  std::string name;
  std::string type;  // declared SQLite type, upper case
};

// Tables the database keeps from others by triggers (decision_totals, from
// applications: subsidy migration 007).
bool IsDerived(const std::string& table) { return table == "decision_totals"; }

absl::StatusOr<std::vector<std::string>> SqliteTables(Connection& conn) {
  SHIEN_ASSIGN_OR_RETURN(
      auto stmt,
      conn.Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                   "name NOT LIKE 'sqlite_%' AND name NOT IN "
                   "('schema_migrations', 'database_identity') ORDER BY "
                   "rowid"));
  std::vector<std::string> out;
  while (true) {
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(stmt->Text(0));
  }
  return out;
}

absl::StatusOr<std::vector<Column>> SqliteColumns(Connection& conn,
                                                  const std::string& table) {
  SHIEN_ASSIGN_OR_RETURN(auto stmt,
                         conn.Prepare("SELECT name, upper(type) FROM "
                                      "pragma_table_info(?) ORDER BY cid"));
  stmt->Bind(1, table);
  std::vector<Column> out;
  while (true) {
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back({stmt->Text(0), stmt->Text(1)});
  }
  return out;
}

absl::StatusOr<int64_t> Scalar(Connection& conn, const std::string& sql) {
  SHIEN_ASSIGN_OR_RETURN(auto stmt, conn.Prepare(sql));
  SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row && !stmt->IsNull(0) ? stmt->Int(0) : 0;
}

// Row count and money totals of `table`.
absl::Status Count(Connection& conn, const std::string& table,
                   const std::vector<Column>& columns, int64_t* rows,
                   std::map<std::string, int64_t>* yen) {
  SHIEN_ASSIGN_OR_RETURN(
      *rows, Scalar(conn, absl::StrCat("SELECT COUNT(*) FROM ", table)));
  for (const Column& c : columns) {
    if (!absl::EndsWith(c.name, "_yen")) continue;
    SHIEN_ASSIGN_OR_RETURN(
        (*yen)[c.name],
        Scalar(conn, absl::StrCat("SELECT COALESCE(SUM(", c.name, "), 0) FROM ",
                                  table)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<TableCopy>> CopySqliteToPostgres(Connection& from,
                                                            Connection& to) {
  if (from.dialect() != Dialect::kSqlite ||
      to.dialect() != Dialect::kPostgres) {
    return absl::InvalidArgumentError(
        "copies from a SQLite connection to a PostgreSQL one");
  }
  SHIEN_ASSIGN_OR_RETURN(auto read,
                         Transaction::Begin(from, Transaction::Mode::kRead));
  SHIEN_ASSIGN_OR_RETURN(auto write,
                         Transaction::Begin(to, Transaction::Mode::kWrite));
  SHIEN_ASSIGN_OR_RETURN(std::vector<std::string> tables, SqliteTables(from));
  std::vector<TableCopy> report;
  for (const std::string& table : tables) {
    SHIEN_ASSIGN_OR_RETURN(std::vector<Column> columns,
                           SqliteColumns(from, table));
    // A derived table is filled by the target's own triggers as the tables
    // it follows are copied: only verified.
    const bool derived = IsDerived(table);
    SHIEN_ASSIGN_OR_RETURN(
        int64_t existing,
        Scalar(to, absl::StrCat("SELECT COUNT(*) FROM ", table)));
    if (derived) existing = 0;
    if (existing != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the target's table ", table, " already holds ", existing,
          " rows; copy into a database that only has the schema"));
    }
    std::vector<std::string> names;
    for (const Column& c : columns) names.push_back(c.name);
    const std::string list = absl::StrJoin(names, ", ");
    std::vector<std::string> marks(columns.size(), "?");
    SHIEN_ASSIGN_OR_RETURN(
        auto select, from.Prepare(absl::StrCat("SELECT ", list, " FROM ", table,
                                               derived ? " WHERE 0" : "")));
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      SHIEN_ASSIGN_OR_RETURN(
          auto insert, to.Prepare(absl::StrCat(
                           "INSERT INTO ", table, " (", list, ") VALUES (",
                           absl::StrJoin(marks, ", "), ")")));
      for (size_t i = 0; i < columns.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        const int col = static_cast<int>(i);
        if (select->IsNull(col)) {
          insert->BindNull(index);
        } else if (columns[i].type == "INTEGER") {
          insert->Bind(index, select->Int(col));
        } else if (columns[i].type == "BLOB") {
          insert->BindBlob(index, select->Blob(col));
        } else {
          insert->Bind(index, select->Text(col));
        }
      }
      absl::Status s = insert->Run();
      if (!s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("copying ", table, ": ", s.message()));
      }
    }
    select.reset();
    // Identity columns continue after the copied ids.
    SHIEN_ASSIGN_OR_RETURN(
        auto identity,
        to.Prepare("SELECT column_name FROM information_schema.columns WHERE "
                   "table_schema = current_schema() AND table_name = ? AND "
                   "is_identity = 'YES'"));
    identity->Bind(1, table);
    std::vector<std::string> identities;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, identity->Step());
      if (!row) break;
      identities.push_back(identity->Text(0));
    }
    identity.reset();
    for (const std::string& column : identities) {
      SHIEN_RETURN_IF_ERROR(
          to.Exec(absl::StrCat("SELECT setval(pg_get_serial_sequence('", table,
                               "', '", column, "'), COALESCE((SELECT MAX(",
                               column, ") FROM ", table, "), 0) + 1, false)")));
    }
    TableCopy copy;
    copy.table = table;
    SHIEN_RETURN_IF_ERROR(
        Count(from, table, columns, &copy.source_rows, &copy.source_yen));
    SHIEN_RETURN_IF_ERROR(
        Count(to, table, columns, &copy.target_rows, &copy.target_yen));
    if (copy.source_rows != copy.target_rows ||
        copy.source_yen != copy.target_yen) {
      return absl::DataLossError(absl::StrCat(
          "table ", table, " differs after the copy: ", copy.source_rows,
          " rows in SQLite, ", copy.target_rows, " in PostgreSQL"));
    }
    report.push_back(std::move(copy));
  }
  SHIEN_RETURN_IF_ERROR(write->Commit());
  return report;
}

}  // namespace shien::sql
