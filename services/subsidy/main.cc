// The subsidy service: flags → store → schemes → peers → outbox → serve.
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
#include "services/subsidy/api/subsidy_service.h"
#include "services/subsidy/clients/outbox_dispatcher.h"
#include "services/subsidy/clients/peers.h"
#include "services/subsidy/data/scheme_loader.h"
#include "services/subsidy/storage/sqlite_subsidy_store.h"

ABSL_FLAG(std::string, listen,
          shien::EnvOr("SHIEN_SUBSIDY_LISTEN",
                       absl::StrCat(shien::EnvOr("SHIEN_BIND_HOST",
                                                 std::string("127.0.0.1")),
                                    ":",
                                    shien::EnvOr("SHIEN_SUBSIDY_PORT", 50053))),
          "host:port to serve on (env SHIEN_SUBSIDY_LISTEN, or SHIEN_BIND_HOST "
          "with SHIEN_SUBSIDY_PORT)");
ABSL_FLAG(std::string, postgres,
          shien::EnvOr("SHIEN_SUBSIDY_POSTGRES", std::string()),
          "PostgreSQL connection string (libpq, e.g. \"host=db "
          "dbname=subsidy user=shien\"); when set the service keeps its data "
          "there instead of --db (env SHIEN_SUBSIDY_POSTGRES)");
ABSL_FLAG(std::string, db,
          shien::EnvOr("SHIEN_SUBSIDY_DB",
                       shien::EnvOr("SHIEN_DATA_DIR", std::string("./var")) +
                           "/subsidy.db"),
          "SQLite database file (env SHIEN_SUBSIDY_DB; default "
          "$SHIEN_DATA_DIR/subsidy.db)");
ABSL_FLAG(std::string, budget_address,
          shien::EnvOr("SHIEN_BUDGET_ADDRESS",
                       absl::StrCat("127.0.0.1:",
                                    shien::EnvOr("SHIEN_BUDGET_PORT", 50051))),
          "the budget service (env SHIEN_BUDGET_ADDRESS)");
ABSL_FLAG(std::string, kpi_address,
          shien::EnvOr("SHIEN_KPI_ADDRESS",
                       absl::StrCat("127.0.0.1:",
                                    shien::EnvOr("SHIEN_KPI_PORT", 50052))),
          "the KPI service (env SHIEN_KPI_ADDRESS)");
ABSL_FLAG(int, peer_timeout_ms, 3000, "deadline of calls to other services");
ABSL_FLAG(int, outbox_poll_ms, 500,
          "how often undelivered outbox messages are retried at first");
ABSL_FLAG(int, outbox_max_backoff_ms, 10000,
          "the longest pause between retries of an unreachable receiver");
ABSL_FLAG(int, outbox_lease_ms, 15000,
          "instances sharing a database deliver the outbox one at a time; "
          "how long the deliverer's lease lasts unrenewed (after a crash, "
          "another instance takes over within it)");
ABSL_FLAG(std::string, data_dir,
          shien::EnvOr("SHIEN_PLAN_DIR", std::string("data")),
          "directory holding fy{YEAR}/schemes.textproto files to load at "
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
  std::fprintf(stderr, "subsidy: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  shien::BlockShutdownSignals();
  shien::SetUsage("shien subsidy service (shien.subsidy.v1.SubsidyService)");
  absl::ParseCommandLine(argc, argv);

  auto authenticator = shien::AuthenticatorFromFlags();
  if (!authenticator.ok()) return Fail(authenticator.status());

  const shien::sql::StoreLocation location{absl::GetFlag(FLAGS_db),
                                           absl::GetFlag(FLAGS_postgres),
                                           absl::GetFlag(FLAGS_durable)};
  const int workers =
      shien::sql::WorkersFor(location, absl::GetFlag(FLAGS_workers));
  auto pool = shien::sql::OpenPool(location, workers + 2);
  if (!pool.ok()) return Fail(pool.status());
  const std::string where = pool->description;
  auto store = shien::subsidy::OpenSubsidyStore(std::move(pool->pool));
  if (!store.ok()) return Fail(store.status());

  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (!data_dir.empty()) {
    auto log = shien::subsidy::LoadSchemes(data_dir, **store);
    if (!log.ok()) return Fail(log.status());
    for (const auto& line : *log) {
      std::fprintf(stderr, "subsidy: %s\n", line.c_str());
    }
  }

  auto peer_options = shien::PeerChannelOptionsFromFlags();
  if (!peer_options.ok()) return Fail(peer_options.status());
  auto today = shien::TodayFromFlags();
  if (!today.ok()) return Fail(today.status());
  auto budget_channel = shien::client::OpenChannel(
      absl::GetFlag(FLAGS_budget_address), *peer_options);
  if (!budget_channel.ok()) return Fail(budget_channel.status());
  auto kpi_channel = shien::client::OpenChannel(
      absl::GetFlag(FLAGS_kpi_address), *peer_options);
  if (!kpi_channel.ok()) return Fail(kpi_channel.status());
  auto peers = shien::subsidy::NewGrpcPeers(
      *budget_channel, *kpi_channel, absl::GetFlag(FLAGS_peer_timeout_ms));
  auto outbox = std::make_unique<shien::subsidy::OutboxDispatcher>(
      store->get(), peers.get(),
      std::chrono::milliseconds(absl::GetFlag(FLAGS_outbox_poll_ms)),
      std::chrono::milliseconds(absl::GetFlag(FLAGS_outbox_max_backoff_ms)),
      std::chrono::milliseconds(absl::GetFlag(FLAGS_outbox_lease_ms)));
  auto database_id = (*store)->DatabaseId();
  if (!database_id.ok()) return Fail(database_id.status());
  auto cache = shien::cache::ViewCacheFromFlags(
      absl::StrCat("subsidy:", *database_id), workers + 1);
  shien::Executor executor(workers, absl::GetFlag(FLAGS_max_queued),
                           shien::kDefaultRunningTasks);
  shien::subsidy::SubsidyServiceImpl service(
      store->get(), peers.get(), &executor, authenticator->get(),
      [&] { outbox->Nudge(); }, *today, cache.get());
  shien::ServiceRun run;
  run.log_name = "subsidy";
  run.service_name = "shien.subsidy.v1.SubsidyService";
  run.listen = absl::GetFlag(FLAGS_listen);
  run.detail =
      absl::StrCat(where, ", budget at ", absl::GetFlag(FLAGS_budget_address),
                   ", kpi at ", absl::GetFlag(FLAGS_kpi_address));
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
  outbox.reset();
  return status;
}
