#include "common/sql/migrations.h"

#include "absl/strings/str_cat.h"

namespace shien::sql {

absl::Status ApplyMigrations(Connection& conn,
                             const std::vector<Migration>& migrations) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return absl::InternalError("migrations are not in increasing order");
    }
  }
  absl::Status status;
  {
    // In the write lock: instances starting together create it once.
    auto txn = Transaction::Begin(conn, Transaction::Mode::kWrite);
    if (!txn.ok()) return txn.status();
    status = conn.Exec(conn.dialect() == Dialect::kPostgres
                           ? "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                           : "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at TEXT NOT NULL DEFAULT "
                             "(strftime('%Y-%m-%dT%H:%M:%fZ')))");
    if (!status.ok()) return status;
    status = (*txn)->Commit();
    if (!status.ok()) return status;
  }
  for (const Migration& m : migrations) {
    auto txn = Transaction::Begin(conn, Transaction::Mode::kWrite);
    if (!txn.ok()) return txn.status();
    auto check =
        conn.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    if (!check.ok()) return check.status();
    (*check)->Bind(1, static_cast<int64_t>(m.version));
    absl::StatusOr<bool> applied = (*check)->Step();
    if (!applied.ok()) return applied.status();
    check->reset();
    if (*applied) continue;
    status = conn.Exec(m.sql);
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("migration ", m.version, " ", m.name,
                                       ": ", status.message()));
    }
    auto record = conn.Prepare(
        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)");
    if (!record.ok()) return record.status();
    (*record)->Bind(1, static_cast<int64_t>(m.version)).Bind(2, m.name);
    status = (*record)->Run();
    if (!status.ok()) return status;
    record->reset();
    status = (*txn)->Commit();
    if (!status.ok()) return status;
  }
  auto newest = conn.Prepare("SELECT MAX(version) FROM schema_migrations");
  if (!newest.ok()) return newest.status();
  absl::StatusOr<bool> row = (*newest)->Step();
  if (!row.ok()) return row.status();
  int64_t max_version = (*newest)->IsNull(0) ? 0 : (*newest)->Int(0);
  if (!migrations.empty() && max_version > migrations.back().version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", max_version,
        " is newer than this binary's ", migrations.back().version));
  }
  return absl::OkStatus();
}

}  // namespace shien::sql
