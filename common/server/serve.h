#ifndef SHIEN_COMMON_SERVER_SERVE_H_
#define SHIEN_COMMON_SERVER_SERVE_H_

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/cache/view_cache.h"
#include "common/server/executor.h"
#include "grpcpp/impl/codegen/service_type.h"

namespace shien {

// What a service's main has once its store is open and its service built.
struct ServiceRun {
  std::string log_name;      // "budget": prefixes log lines
  std::string service_name;  // "shien.budget.v1.BudgetService"
  std::string listen;        // host:port
  std::string detail;        // for the start-up line, e.g. "db var/budget.db"
  grpc::Service* service = nullptr;
  Executor* executor = nullptr;
  cache::ViewCache* cache = nullptr;
  std::function<absl::Status()> ping;  // the store's health
  std::chrono::milliseconds grace{10000};
};

// Starts the server (health for the service and `<service>/cache`,
// reflection, the per-RPC JSON log when --rpc_log), prints
// "LISTENING <port>" on stdout for scripts, serves until SIGINT or SIGTERM
// with the store and cache probes and the cache's periodic log line, then
// drains. Returns the process's exit status.
int ServeService(const ServiceRun& run);

// Creates the directory holding the file `path`, if it has one.
void CreateParentDirectory(const std::string& path);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_SERVE_H_
