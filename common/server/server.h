#ifndef SHIEN_COMMON_SERVER_SERVER_H_
#define SHIEN_COMMON_SERVER_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/server/executor.h"
#include "common/server/health.h"
#include "grpcpp/server.h"

namespace shien {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port.
  std::string address = "127.0.0.1:0";
  // Largest message accepted or sent.
  int max_message_bytes = 4 * 1024 * 1024;
  // When set, one JSON line per finished RPC goes to stderr under this
  // server name (see rpc_log.h), naming principals as `authenticator` (not
  // owned) knows them.
  std::string rpc_log_name;
  const auth::Authenticator* authenticator = nullptr;
  // TLS when the certificate and key (PEM) are set; with the client CA,
  // clients must present a certificate it signed (mTLS).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string tls_client_ca_pem;
  // Memory gRPC may hold for calls in flight; calls beyond it are refused
  // (RESOURCE_EXHAUSTED) rather than queued.
  size_t max_memory_bytes = 256 * 1024 * 1024;
  // Calls in flight per client connection.
  int max_concurrent_streams = 128;
};

// A started gRPC server with health (per service name) and reflection.
struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<HealthService> health;
  // The port actually bound.
  int port = 0;

  // Marks everything NOT_SERVING, stops accepting calls, lets in-flight
  // calls finish for up to `grace`, then cancels what remains.
  void Shutdown(std::chrono::milliseconds grace);
};

// Builds and starts a server for `services` (callback services, not owned,
// must outlive it) and marks each `service_names` entry SERVING. UNAVAILABLE
// when the address cannot be bound.
absl::StatusOr<RunningServer> StartServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    const std::vector<std::string>& service_names);

// A health check run periodically: its status sets `service_name` SERVING
// or NOT_SERVING.
struct HealthProbe {
  std::string service_name;
  std::function<absl::Status()> check;
};

// Serves until SIGINT or SIGTERM: meanwhile runs `probes` every
// `probe_interval`, when `periodic_log` is set logs its line every
// `log_interval`, and on SIGHUP runs `reload`; on SIGINT/SIGTERM, runs
// `on_drain` (e.g. to end long-lived streams), drains `server` (in-flight
// calls get `grace`), then stops `executor`. Logs to stderr under
// `log_name`.
void ServeUntilSignal(
    RunningServer& server, Executor& executor,
    const std::vector<HealthProbe>& probes, std::chrono::milliseconds grace,
    const std::string& log_name,
    const std::function<std::string()>& periodic_log = nullptr,
    std::chrono::seconds log_interval = std::chrono::seconds(60),
    std::chrono::milliseconds probe_interval = std::chrono::seconds(5),
    const std::function<void()>& reload = nullptr,
    const std::function<void()>& on_drain = nullptr);

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread
// it starts later. Call first thing in main, before any thread exists.
void BlockShutdownSignals();

// Waits for SIGINT or SIGTERM (blocked by BlockShutdownSignals) and returns
// its number; each SIGHUP meanwhile runs `on_hangup` when set.
int WaitForShutdownSignal(const std::function<void()>& on_hangup = nullptr);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_SERVER_H_
