// The budget service: flags → store → plan → serve.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/cache/cache_flags.h"
#include "common/server/env.h"
#include "common/server/executor.h"
#include "common/server/security_flags.h"
#include "common/server/serve.h"
#include "common/server/server.h"
#include "common/server/usage.h"
#include "common/sql/open_pool.h"
#include "services/budget/api/budget_service.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/sqlite_budget_store.h"

ABSL_FLAG(std::string, listen,
          shien::EnvOr("SHIEN_BUDGET_LISTEN",
                       absl::StrCat(shien::EnvOr("SHIEN_BIND_HOST",
                                                 std::string("127.0.0.1")),
                                    ":",
                                    shien::EnvOr("SHIEN_BUDGET_PORT", 50051))),
          "host:port to serve on (env SHIEN_BUDGET_LISTEN, or 127.0.0.1 with "
          "SHIEN_BUDGET_PORT)");
ABSL_FLAG(std::string, postgres,
          shien::EnvOr("SHIEN_BUDGET_POSTGRES", std::string()),
          "PostgreSQL connection string (libpq, e.g. \"host=db "
          "dbname=budget user=shien\"); when set the service keeps its data "
          "there instead of --db (env SHIEN_BUDGET_POSTGRES)");
ABSL_FLAG(std::string, db,
          shien::EnvOr("SHIEN_BUDGET_DB",
                       shien::EnvOr("SHIEN_DATA_DIR", std::string("./var")) +
                           "/budget.db"),
          "SQLite database file (env SHIEN_BUDGET_DB; default "
          "$SHIEN_DATA_DIR/budget.db)");
ABSL_FLAG(std::string, plan_dir,
          shien::EnvOr("SHIEN_PLAN_DIR", std::string("data")),
          "directory holding fy{YEAR}/plan.textproto files to load at start "
          "(env SHIEN_PLAN_DIR); empty to load nothing");
ABSL_FLAG(int, workers, shien::EnvOr("SHIEN_WORKERS", 0),
          "threads running store work, each with a database connection (env "
          "SHIEN_WORKERS); 0: 32 on SQLite, 4 on PostgreSQL");
ABSL_FLAG(int, max_queued, shien::EnvOr("SHIEN_MAX_QUEUED", 1000),
          "calls waiting for a worker before RESOURCE_EXHAUSTED "
          "(env SHIEN_MAX_QUEUED)");
ABSL_FLAG(bool, durable, shien::EnvOr("SHIEN_SQLITE_DURABLE", 1) != 0,
          "fsync every commit so it survives power loss (env "
          "SHIEN_SQLITE_DURABLE=0 to survive process crashes only)");
ABSL_FLAG(int, shutdown_grace_ms, 10000,
          "how long in-flight calls may run after SIGTERM/SIGINT");
ABSL_FLAG(bool, sole_writer, shien::EnvOr("SHIEN_BUDGET_SOLE_WRITER", 0) != 0,
          "this is the only budget server writing its PostgreSQL database, so "
          "it can serve WatchProgramVersions (always so with SQLite; env "
          "SHIEN_BUDGET_SOLE_WRITER=1)");
ABSL_FLAG(int, watch_lease_ms, 2000,
          "how long a WatchProgramVersions lease lasts: the longest a program "
          "update waits for a watcher that does not answer");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "budget: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  shien::BlockShutdownSignals();
  shien::SetUsage("shien budget service (shien.budget.v1.BudgetService)");
  absl::ParseCommandLine(argc, argv);

  auto authenticator = shien::AuthenticatorFromFlags();
  if (!authenticator.ok()) return Fail(authenticator.status());

  const shien::sql::StoreLocation location{absl::GetFlag(FLAGS_db),
                                           absl::GetFlag(FLAGS_postgres),
                                           absl::GetFlag(FLAGS_durable)};
  const int workers =
      shien::sql::WorkersFor(location, absl::GetFlag(FLAGS_workers));
  auto pool = shien::sql::OpenPool(location, workers + 1);
  if (!pool.ok()) return Fail(pool.status());
  const std::string where = pool->description;
  auto store = shien::budget::OpenBudgetStore(std::move(pool->pool));
  if (!store.ok()) return Fail(store.status());

  const std::string plan_dir = absl::GetFlag(FLAGS_plan_dir);
  if (!plan_dir.empty()) {
    auto report = shien::budget::LoadPlans(plan_dir, **store);
    if (!report.ok()) return Fail(report.status());
    for (const auto& line : report->loaded) {
      std::fprintf(stderr, "budget: loaded %s\n", line.c_str());
    }
    for (const auto& line : report->skipped) {
      std::fprintf(stderr, "budget: already loaded, kept %s\n", line.c_str());
    }
    for (const auto& line : report->warnings) {
      std::fprintf(stderr, "budget: plan warning: %s\n", line.c_str());
    }
  }

  auto database_id = (*store)->DatabaseId();
  if (!database_id.ok()) return Fail(database_id.status());
  auto cache = shien::cache::ViewCacheFromFlags(
      absl::StrCat("budget:", *database_id), workers + 1);
  shien::Executor executor(workers, absl::GetFlag(FLAGS_max_queued),
                           shien::kDefaultRunningTasks);
  // Program watchers (the KPI service) are told of every program change
  // before it is acknowledged: only when every write goes through here.
  std::unique_ptr<shien::budget::ProgramWatch> watch;
  if (location.postgres.empty() || absl::GetFlag(FLAGS_sole_writer)) {
    const std::chrono::milliseconds lease(
        std::max(100, absl::GetFlag(FLAGS_watch_lease_ms)));
    // A KPI server may still trust a lease from this server's predecessor.
    watch = std::make_unique<shien::budget::ProgramWatch>(
        lease, std::chrono::steady_clock::now() + lease);
    auto years = (*store)->ListFiscalYears();
    if (!years.ok()) return Fail(years.status());
    for (const auto& y : *years) watch->Merge(y.year, y.programs_version);
  }
  std::fprintf(stderr, "budget: program watch %s\n",
               watch ? "on" : "off (PostgreSQL without --sole_writer)");
  shien::budget::BudgetServiceImpl service(
      store->get(), &executor, authenticator->get(), cache.get(), watch.get());
  shien::ServiceRun run;
  run.log_name = "budget";
  run.service_name = "shien.budget.v1.BudgetService";
  run.listen = absl::GetFlag(FLAGS_listen);
  run.detail = absl::StrCat(where);
  run.service = &service;
  run.authenticator = authenticator->get();
  run.executor = &executor;
  run.cache = cache.get();
  run.ping = [&] { return (*store)->Ping(); };
  run.audit = [&](const shien::sql::AuditQuery& query) {
    return (*store)->ListAuditEvents(query);
  };
  run.grace = std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  run.on_drain = [&watch] {
    if (watch) watch->Close();
  };
  const int status = shien::ServeService(run);
  return status;
}
