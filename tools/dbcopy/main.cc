// shien_dbcopy: copies a service's SQLite database into PostgreSQL when an
// agency moves from the embedded default to a shared database, verifying
// row counts and money totals table by table.
//
//   shien_dbcopy --service=budget --from=var/budget.db
//       --to="host=db dbname=budget user=shien"
//
// The SQLite database may be in use (it is read in one snapshot); the
// PostgreSQL database must be empty (it gets the schema here). Exits 0 when
// everything was copied and verified, 1 otherwise (nothing is kept then).
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/server/usage.h"
#include "common/sql/copy.h"
#include "common/sql/postgres.h"
#include "common/sql/sqlite.h"
#include "services/budget/storage/postgres_budget_store.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "services/kpi/storage/postgres_kpi_store.h"
#include "services/kpi/storage/sqlite_kpi_store.h"
#include "services/subsidy/storage/postgres_subsidy_store.h"
#include "services/subsidy/storage/sqlite_subsidy_store.h"

ABSL_FLAG(std::string, service, "", "budget, kpi or subsidy");
ABSL_FLAG(std::string, from, "", "the service's SQLite database file");
ABSL_FLAG(std::string, to, "",
          "libpq connection string of the service's (empty) PostgreSQL "
          "database");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "shien_dbcopy: %s\n", message.c_str());
  return 1;
}

// Brings both databases to the binary's schema through the service's own
// store factories.
absl::Status Migrate(const std::string& service,
                     const shien::sql::SqliteOptions& sqlite,
                     const shien::sql::PostgresOptions& postgres) {
  if (service == "budget") {
    auto a = shien::budget::OpenSqliteBudgetStore(sqlite, 1);
    if (!a.ok()) return a.status();
    return shien::budget::OpenPostgresBudgetStore(postgres, 1).status();
  }
  if (service == "kpi") {
    auto a = shien::kpi::OpenSqliteKpiStore(sqlite, 1);
    if (!a.ok()) return a.status();
    return shien::kpi::OpenPostgresKpiStore(postgres, 1).status();
  }
  if (service == "subsidy") {
    auto a = shien::subsidy::OpenSqliteSubsidyStore(sqlite, 1);
    if (!a.ok()) return a.status();
    return shien::subsidy::OpenPostgresSubsidyStore(postgres, 1).status();
  }
  return absl::InvalidArgumentError("--service must be budget, kpi or subsidy");
}

}  // namespace

int main(int argc, char** argv) {
  shien::SetUsage(
      "copies a shien service's SQLite database into PostgreSQL and "
      "verifies counts and totals\n  shien_dbcopy --service=budget "
      "--from=var/budget.db --to=\"host=db dbname=budget user=shien\"");
  absl::ParseCommandLine(argc, argv);
  const std::string service = absl::GetFlag(FLAGS_service);
  shien::sql::SqliteOptions sqlite;
  sqlite.path = absl::GetFlag(FLAGS_from);
  shien::sql::PostgresOptions postgres;
  postgres.conninfo = absl::GetFlag(FLAGS_to);
  if (sqlite.path.empty() || postgres.conninfo.empty()) {
    return Fail("--from and --to are required (see --help)");
  }
  if (FILE* f = std::fopen(sqlite.path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return Fail(absl::StrCat("cannot read ", sqlite.path));
  }
  absl::Status migrated = Migrate(service, sqlite, postgres);
  if (!migrated.ok()) return Fail(std::string(migrated.message()));
  auto from = shien::sql::OpenSqliteConnection(sqlite);
  if (!from.ok()) return Fail(std::string(from.status().message()));
  auto to = shien::sql::OpenPostgresConnection(postgres);
  if (!to.ok()) return Fail(std::string(to.status().message()));
  auto report = shien::sql::CopySqliteToPostgres(**from, **to);
  if (!report.ok()) return Fail(std::string(report.status().message()));
  std::printf("%s: %s → %s\n", service.c_str(), sqlite.path.c_str(),
              shien::sql::DescribePostgres(postgres.conninfo).c_str());
  std::printf("%-24s %12s %12s  %s\n", "table", "sqlite rows", "pg rows",
              "yen totals (sqlite = pg)");
  for (const auto& t : *report) {
    std::string totals;
    for (const auto& [column, yen] : t.source_yen) {
      absl::StrAppend(&totals, totals.empty() ? "" : ", ", column, " ", yen,
                      " = ", t.target_yen.at(column));
    }
    std::printf("%-24s %12lld %12lld  %s\n", t.table.c_str(),
                static_cast<long long>(t.source_rows),
                static_cast<long long>(t.target_rows), totals.c_str());
  }
  std::printf("verified: every table's rows and yen totals match\n");
  return 0;
}
