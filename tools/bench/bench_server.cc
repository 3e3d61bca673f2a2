// The benchmark's yardstick server: shien.bench.v1.BenchService, whose one
// method does nothing, served through exactly the bootstrap the services use
// (ServeService: the same server options and security flags, the RPC log
// interceptor, health, reflection, the view cache's probe; an auth::Guard
// admitting each call with a token; RunUnary on an Executor with the same
// worker and queue defaults). An empty call's cost is therefore the floor
// under every unary call of the services on the same machine.
//
//   shien_bench_server --listen=127.0.0.1:0 --auth_tokens=FILE [--redis=...]
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "common/auth/guard.h"
#include "common/auth/principal.h"
#include "common/cache/cache_flags.h"
#include "common/server/env.h"
#include "common/server/executor.h"
#include "common/server/raw_unary.h"
#include "common/server/security_flags.h"
#include "common/server/serve.h"
#include "common/server/unary.h"
#include "shien/bench/v1/bench.grpc.pb.h"

ABSL_FLAG(std::string, listen,
          shien::EnvOr("SHIEN_BENCH_LISTEN", std::string("127.0.0.1:0")),
          "host:port to serve on (env SHIEN_BENCH_LISTEN); port 0 picks one");
ABSL_FLAG(int, workers, shien::EnvOr("SHIEN_WORKERS", 32),
          "worker threads, as the services' --workers (env SHIEN_WORKERS; "
          "default: theirs on SQLite)");
ABSL_FLAG(int, max_queued, shien::EnvOr("SHIEN_MAX_QUEUED", 1000),
          "calls waiting for a worker before RESOURCE_EXHAUSTED, as the "
          "services' --max_queued (env SHIEN_MAX_QUEUED)");
ABSL_FLAG(int, shutdown_grace_ms, 10000,
          "how long in-flight calls may run after SIGTERM/SIGINT");

namespace {

namespace v1 = ::shien::bench::v1;

constexpr char kDomain[] = "shien.bench.v1";
constexpr char kServiceName[] = "shien.bench.v1.BenchService";

// Every role may call Empty: the rule is checked like any service's.
const shien::auth::AccessRules& BenchAccessRules() {
  static const auto* const kRules = new shien::auth::AccessRules{
      {"Empty",
       {shien::kViewer, shien::kReporter, shien::kReviewer, shien::kAdmin,
        shien::kService}},
      {"Sized",
       {shien::kViewer, shien::kReporter, shien::kReviewer, shien::kAdmin,
        shien::kService}},
  };
  return *kRules;
}

// Admits the call through the guard and hands an empty piece of work to the
// executor, as every unary handler of the services does. Sized is served
// raw, as the services serve their cached views: its answer is serialized
// once per size and then sent from those bytes without a copy.
class BenchServiceImpl final
    : public v1::BenchService::WithRawCallbackMethod_Sized<
          v1::BenchService::CallbackService> {
 public:
  BenchServiceImpl(shien::Executor* executor,
                   const shien::auth::Authenticator* authenticator)
      : executor_(executor),
        guard_(authenticator, kServiceName, BenchAccessRules()) {
    shien::MarkRawMethod("/shien.bench.v1.BenchService/Sized");
  }

  grpc::ServerUnaryReactor* Empty(grpc::CallbackServerContext* context,
                                  const v1::EmptyRequest* request,
                                  v1::EmptyResponse* response) override {
    return shien::RunUnary(context, *executor_, kDomain,
                           guard_.Admit(*context, "Empty", request),
                           [] { return absl::OkStatus(); });
  }

  grpc::ServerUnaryReactor* Sized(grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request_bytes,
                                  grpc::ByteBuffer* response) override {
    return shien::RunRawUnary<v1::SizedRequest>(
        context, *executor_, kDomain, request_bytes, response,
        [&](const v1::SizedRequest* request) {
          return guard_.Admit(*context, "Sized", request);
        },
        [this](const v1::SizedRequest* request)
            -> absl::StatusOr<std::shared_ptr<const std::string>> {
          if (request->size() < 0 || request->size() > (4 << 20)) {
            return absl::InvalidArgumentError("size: 0 to 4 MiB");
          }
          return Answer(request->size());
        });
  }

 private:
  // The serialized SizedResponse of `size` bytes, built on first use. A
  // run asks for a few sizes; past kMaxSizes all are forgotten and built
  // again as asked for.
  std::shared_ptr<const std::string> Answer(int size) {
    static constexpr size_t kMaxSizes = 16;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = answers_.find(size);
    if (it != answers_.end()) return it->second;
    if (answers_.size() >= kMaxSizes) answers_.clear();
    v1::SizedResponse answer;
    answer.mutable_payload()->assign(size, 'x');
    auto bytes =
        std::make_shared<const std::string>(answer.SerializeAsString());
    answers_.emplace(size, bytes);
    return bytes;
  }

  shien::Executor* executor_;
  shien::auth::Guard guard_;
  std::mutex mu_;
  std::map<int, std::shared_ptr<const std::string>> answers_;  // mu_
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "bench: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  shien::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "shien benchmark yardstick (shien.bench.v1.BenchService): an empty "
      "method on the services' bootstrap");
  absl::ParseCommandLine(argc, argv);

  auto authenticator = shien::AuthenticatorFromFlags();
  if (!authenticator.ok()) return Fail(authenticator.status());
  const int workers = std::max(1, absl::GetFlag(FLAGS_workers));
  auto cache = shien::cache::ViewCacheFromFlags("bench:yardstick", workers + 1);
  shien::Executor executor(workers, absl::GetFlag(FLAGS_max_queued),
                           shien::kDefaultRunningTasks);
  BenchServiceImpl service(&executor, authenticator->get());

  shien::ServiceRun run;
  run.log_name = "bench";
  run.service_name = kServiceName;
  run.listen = absl::GetFlag(FLAGS_listen);
  run.detail = "no database";
  run.service = &service;
  run.authenticator = authenticator->get();
  run.executor = &executor;
  run.cache = cache.get();
  run.ping = [] { return absl::OkStatus(); };
  run.audit = [](const shien::sql::AuditQuery&)
      -> absl::StatusOr<std::vector<shien::sql::AuditEvent>> {
    return std::vector<shien::sql::AuditEvent>{};
  };
  run.grace = std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  return shien::ServeService(run);
}
