#ifndef SHIEN_COMMON_SERVER_SERVE_H_
#define SHIEN_COMMON_SERVER_SERVE_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/cache/view_cache.h"
#include "common/server/executor.h"
#include "common/sql/audit.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace shien {

// What a service's main has once its store is open and its service built.
struct ServiceRun {
  std::string log_name;      // "budget": prefixes log lines
  std::string service_name;  // "shien.budget.v1.BudgetService"
  std::string listen;        // host:port
  std::string detail;        // for the start-up line, e.g. "db var/budget.db"
  grpc::Service* service = nullptr;
  // More services served on the same port (e.g. the audit log).
  std::vector<grpc::Service*> more_services;
  // Who may call (not owned); reloaded on SIGHUP.
  auth::Authenticator* authenticator = nullptr;
  Executor* executor = nullptr;
  cache::ViewCache* cache = nullptr;
  std::function<absl::Status()> ping;  // the store's health
  // The store's audit trail, served as shien.audit.v1.AuditService.
  std::function<absl::StatusOr<std::vector<sql::AuditEvent>>(
      const sql::AuditQuery&)>
      audit;
  std::chrono::milliseconds grace{10000};
  // Run when draining starts, before in-flight calls get `grace`.
  std::function<void()> on_drain;
};

// Starts the server (health for the service, `<service>/cache` and
// `liveness`,
// reflection, the per-RPC JSON log when --rpc_log, TLS and limits from the
// security flags, see security_flags.h), prints
// "LISTENING <port>" on stdout for scripts, serves until SIGINT or SIGTERM
// with the store and cache probes and the cache's periodic log line, then
// drains; SIGHUP reloads the authenticator's token file (a malformed file
// is logged and the old one kept). Returns the process's exit status.
int ServeService(const ServiceRun& run);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_SERVE_H_
