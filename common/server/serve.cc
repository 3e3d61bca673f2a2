#include "common/server/serve.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/cache/cache_flags.h"
#include "common/server/audit_service.h"
#include "common/server/security_flags.h"
#include "common/server/server.h"

namespace shien {

int ServeService(const ServiceRun& run) {
  // Abseil's lock-order checking (on in this Abseil build) records every
  // lock gRPC takes in a global graph: a debugging aid, not for serving.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  ServerOptions options;
  options.address = run.listen;
  options.authenticator = run.authenticator;
  if (cache::RpcLogEnabled()) options.rpc_log_name = run.log_name;
  absl::Status flags = ApplyServerFlags(&options);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s: %s\n", run.log_name.c_str(),
                 std::string(flags.message()).c_str());
    return 1;
  }
  AuditServiceImpl audit(run.audit, run.executor, run.authenticator);
  const bool loopback = absl::StartsWith(run.listen, "127.") ||
                        absl::StartsWith(run.listen, "localhost:") ||
                        absl::StartsWith(run.listen, "[::1]:");
  if (run.authenticator != nullptr && run.authenticator->open() && !loopback) {
    std::fprintf(stderr,
                 "%s: --insecure_no_auth serves loopback addresses only; "
                 "%s is not one (configure --auth_tokens)\n",
                 run.log_name.c_str(), run.listen.c_str());
    return 1;
  }
  std::vector<grpc::Service*> services = {run.service, &audit};
  services.insert(services.end(), run.more_services.begin(),
                  run.more_services.end());
  // "liveness" is SERVING for as long as the process serves at all, whatever
  // its database and cache (for liveness probes, which must not restart a
  // server whose database is away).
  auto running =
      StartServer(options, services,
                  {run.service_name, run.service_name + "/cache", "liveness"});
  if (!running.ok()) {
    std::fprintf(stderr, "%s: %s\n", run.log_name.c_str(),
                 std::string(running.status().message()).c_str());
    return 1;
  }
  const bool open = run.authenticator == nullptr || run.authenticator->open();
  std::fprintf(stderr,
               "%s: serving %s on port %d (%s; view cache %s; %s; %s)\n",
               run.log_name.c_str(), run.service_name.c_str(), running->port,
               run.detail.c_str(), run.cache->enabled() ? "on" : "off",
               options.tls_cert_pem.empty()
                   ? "plaintext"
                   : (options.tls_client_ca_pem.empty() ? "TLS" : "mTLS"),
               open ? "NO AUTHENTICATION: every caller has every role"
                    : "token authentication");
  std::printf("LISTENING %d\n", running->port);
  std::fflush(stdout);
  cache::ViewCache* view_cache = run.cache;
  ServeUntilSignal(
      *running, *run.executor,
      {{run.service_name, run.ping},
       cache::CacheHealthProbe(view_cache, run.service_name)},
      run.grace, run.log_name, [view_cache] { return view_cache->StatsLine(); },
      std::chrono::seconds(cache::CacheLogIntervalSeconds()),
      std::chrono::milliseconds(cache::HealthProbeMillis()),
      [&run] {
        if (run.authenticator == nullptr) return;
        absl::Status s = run.authenticator->Reload();
        std::fprintf(
            stderr, "%s: SIGHUP: %s\n", run.log_name.c_str(),
            s.ok() ? "token file reloaded"
                   : absl::StrCat("token file kept: ", s.message()).c_str());
      },
      run.on_drain);
  return 0;
}

}  // namespace shien
