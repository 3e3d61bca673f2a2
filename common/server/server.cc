#include "common/server/server.h"

#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/server/rpc_log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace shien {

void RunningServer::Shutdown(std::chrono::milliseconds grace) {
  if (health) health->Shutdown();
  if (server) {
    server->Shutdown(std::chrono::system_clock::now() + grace);
    server->Wait();
  }
}

absl::StatusOr<RunningServer> StartServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    const std::vector<std::string>& service_names) {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  RunningServer running;
  running.health = std::make_unique<HealthService>();
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  if (!options.tls_cert_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        options.tls_client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls_client_ca_pem;
    ssl.pem_key_cert_pairs.push_back(
        {options.tls_key_pem, options.tls_cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(options.address, credentials, &running.port);
  // Bounded memory and streams: past them gRPC refuses new calls instead of
  // queueing them.
  grpc::ResourceQuota quota("shien");
  quota.Resize(options.max_memory_bytes);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             options.max_concurrent_streams);
  // One process per port: a second server on a taken port must fail, not
  // share the port (gRPC sets SO_REUSEPORT by default on Linux).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (!options.rpc_log_name.empty()) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(NewRpcLogInterceptorFactory(options.rpc_log_name,
                                                       options.authenticator));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  builder.RegisterService(running.health.get());
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.address));
  }
  for (const std::string& name : service_names) {
    running.health->SetStatus(name,
                              grpc::health::v1::HealthCheckResponse::SERVING);
  }
  return running;
}

void ServeUntilSignal(RunningServer& server, Executor& executor,
                      const std::vector<HealthProbe>& probes,
                      std::chrono::milliseconds grace,
                      const std::string& log_name,
                      const std::function<std::string()>& periodic_log,
                      std::chrono::seconds log_interval,
                      std::chrono::milliseconds probe_interval,
                      const std::function<void()>& reload,
                      const std::function<void()>& on_drain) {
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread prober([&] {
    auto next_log = std::chrono::steady_clock::now() + log_interval;
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, probe_interval, [&] { return stopping; })) {
      // The whole server ("") follows every probe but the cache's: a
      // degraded cache still serves.
      bool all_ok = true;
      for (const HealthProbe& probe : probes) {
        const bool ok = probe.check().ok();
        const std::string& name = probe.service_name;
        const bool cache =
            name.size() >= 6 && name.compare(name.size() - 6, 6, "/cache") == 0;
        if (!cache) all_ok = all_ok && ok;
        server.health->SetStatus(
            name, ok ? grpc::health::v1::HealthCheckResponse::SERVING
                     : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
      }
      server.health->SetStatus(
          "", all_ok ? grpc::health::v1::HealthCheckResponse::SERVING
                     : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
      if (periodic_log && log_interval.count() > 0 &&
          std::chrono::steady_clock::now() >= next_log) {
        std::fprintf(stderr, "%s: %s\n", log_name.c_str(),
                     periodic_log().c_str());
        next_log = std::chrono::steady_clock::now() + log_interval;
      }
    }
  });
  const int sig = WaitForShutdownSignal(reload);
  std::fprintf(stderr, "%s: signal %d, draining\n", log_name.c_str(), sig);
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  prober.join();
  if (on_drain) on_drain();
  server.Shutdown(grace);
  executor.Stop();
  if (periodic_log) {
    std::fprintf(stderr, "%s: %s\n", log_name.c_str(), periodic_log().c_str());
  }
  std::fprintf(stderr, "%s: stopped\n", log_name.c_str());
}

void BlockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal(const std::function<void()>& on_hangup) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  while (true) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGHUP) return sig;
    if (on_hangup) on_hangup();
  }
}

}  // namespace shien
