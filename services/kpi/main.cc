// The KPI service: flags → store → indicator data → serve.
#include <algorithm>
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
#include "common/server/today_flag.h"
#include "common/server/usage.h"
#include "common/sql/open_pool.h"
#include "services/kpi/api/kpi_service.h"
#include "services/kpi/clients/program_directory.h"
#include "services/kpi/data/kpi_loader.h"
#include "services/kpi/storage/sqlite_kpi_store.h"

ABSL_FLAG(std::string, listen,
          shien::EnvOr("SHIEN_KPI_LISTEN",
                       absl::StrCat(shien::EnvOr("SHIEN_BIND_HOST",
                                                 std::string("127.0.0.1")),
                                    ":",
                                    shien::EnvOr("SHIEN_KPI_PORT", 50052))),
          "host:port to serve on (env SHIEN_KPI_LISTEN, or SHIEN_BIND_HOST "
          "with SHIEN_KPI_PORT)");
ABSL_FLAG(std::string, postgres,
          shien::EnvOr("SHIEN_KPI_POSTGRES", std::string()),
          "PostgreSQL connection string (libpq, e.g. \"host=db "
          "dbname=kpi user=shien\"); when set the service keeps its data "
          "there instead of --db (env SHIEN_KPI_POSTGRES)");
ABSL_FLAG(std::string, db,
          shien::EnvOr("SHIEN_KPI_DB",
                       shien::EnvOr("SHIEN_DATA_DIR", std::string("./var")) +
                           "/kpi.db"),
          "SQLite database file (env SHIEN_KPI_DB; default "
          "$SHIEN_DATA_DIR/kpi.db)");
ABSL_FLAG(std::string, budget_address,
          shien::EnvOr("SHIEN_BUDGET_ADDRESS",
                       absl::StrCat("127.0.0.1:",
                                    shien::EnvOr("SHIEN_BUDGET_PORT", 50051))),
          "the budget service (env SHIEN_BUDGET_ADDRESS, or 127.0.0.1 with "
          "SHIEN_BUDGET_PORT)");
ABSL_FLAG(int, budget_timeout_ms, 3000,
          "deadline of calls to the budget service");
ABSL_FLAG(bool, watch_programs,
          shien::EnvOr("SHIEN_KPI_WATCH_PROGRAMS", 1) != 0,
          "hold the budget service's WatchProgramVersions stream open, so that "
          "dashboards need no call to it while a lease is held (env "
          "SHIEN_KPI_WATCH_PROGRAMS=0 to ask it at every dashboard)");
ABSL_FLAG(std::string, data_dir,
          shien::EnvOr("SHIEN_PLAN_DIR", std::string("data")),
          "directory holding fy{YEAR}/indicators.textproto files to load at "
          "start (env SHIEN_PLAN_DIR); empty to load nothing");
ABSL_FLAG(int, workers, shien::EnvOr("SHIEN_WORKERS", 0),
          "threads running store work, each with a database connection (env "
          "SHIEN_WORKERS); 0: 32 on SQLite, 4 on PostgreSQL");
ABSL_FLAG(int, max_queued, shien::EnvOr("SHIEN_MAX_QUEUED", 1000),
          "calls waiting for a worker before RESOURCE_EXHAUSTED");
ABSL_FLAG(bool, durable, shien::EnvOr("SHIEN_SQLITE_DURABLE", 1) != 0,
          "fsync every commit (env SHIEN_SQLITE_DURABLE=0: survive process "
          "crashes only)");
ABSL_FLAG(int, shutdown_grace_ms, 10000,
          "how long in-flight calls may run after SIGTERM/SIGINT");

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "kpi: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  shien::BlockShutdownSignals();
  shien::SetUsage("shien KPI service (shien.kpi.v1.KpiService)");
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
  auto store = shien::kpi::OpenKpiStore(std::move(pool->pool));
  if (!store.ok()) return Fail(store.status());

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (!data_dir.empty()) {
    auto report = shien::kpi::LoadKpiData(data_dir, **store);
    if (!report.ok()) return Fail(report.status());
    for (const auto& line : report->loaded) {
      std::fprintf(stderr, "kpi: loaded %s\n", line.c_str());
    }
    for (const auto& line : report->skipped) {
      std::fprintf(stderr, "kpi: already loaded, kept %s\n", line.c_str());
    }
  }

  auto peer_options = shien::PeerChannelOptionsFromFlags();
  if (!peer_options.ok()) return Fail(peer_options.status());
  auto today = shien::TodayFromFlags();
  if (!today.ok()) return Fail(today.status());
  auto budget_channel = shien::client::OpenChannel(
      absl::GetFlag(FLAGS_budget_address), *peer_options);
  if (!budget_channel.ok()) return Fail(budget_channel.status());
  auto programs = shien::kpi::NewBudgetProgramDirectory(
      *budget_channel, absl::GetFlag(FLAGS_budget_timeout_ms),
      absl::GetFlag(FLAGS_watch_programs));
  auto database_id = (*store)->DatabaseId();
  if (!database_id.ok()) return Fail(database_id.status());
  auto cache = shien::cache::ViewCacheFromFlags(
      absl::StrCat("kpi:", *database_id), workers + 1);
  std::fprintf(stderr, "kpi: view cache %s\n", cache->enabled() ? "on" : "off");
  shien::Executor executor(workers, absl::GetFlag(FLAGS_max_queued),
                           shien::kDefaultRunningTasks);
  shien::kpi::KpiServiceImpl service(store->get(), programs.get(), &executor,
                                     authenticator->get(), *today, cache.get());
  shien::ServiceRun run;
  run.log_name = "kpi";
  run.service_name = "shien.kpi.v1.KpiService";
  run.listen = absl::GetFlag(FLAGS_listen);
  run.detail =
      absl::StrCat(where, ", budget at ", absl::GetFlag(FLAGS_budget_address));
  run.service = &service;
  run.authenticator = authenticator->get();
  run.executor = &executor;
  run.cache = cache.get();
  run.ping = [&] { return (*store)->Ping(); };
  run.audit = [&](const shien::sql::AuditQuery& query) {
    return (*store)->ListAuditEvents(query);
  };
  run.grace = std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  const int status = shien::ServeService(run);
  return status;
}
