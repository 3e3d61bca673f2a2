// Throughput and latency of GetBudgetSummary served from the view cache
// (a real redis-server) against the same view computed from the store, in
// one run on one machine. Prints absolute figures and their ratios.
//
//   build/bench/view_cache_bench [--seconds=10] [--clients=16]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/cache/view_cache.h"
#include "common/server/executor.h"
#include "common/server/server.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/budget/api/budget_service.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(double, seconds, 10, "measuring time per variant");
ABSL_FLAG(int, clients, 16, "concurrent client threads (calls in flight)");
ABSL_FLAG(int, workers, 4, "server worker threads");

namespace {

using Clock = std::chrono::steady_clock;
namespace pb = ::shien::budget::v1;

struct Result {
  double calls_per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  int64_t errors = 0;
};

Result Measure(const std::string& address, double seconds, int clients) {
  std::vector<std::vector<int64_t>> latencies(clients);
  std::atomic<int64_t> errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = pb::BudgetService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      pb::GetBudgetSummaryRequest req;
      req.set_name("fiscalYears/2026/budgetSummary");
      // Warm-up.
      for (int i = 0; i < 20; ++i) {
        grpc::ClientContext ctx;
        pb::BudgetSummary out;
        stub->GetBudgetSummary(&ctx, req, &out);
      }
      while (!stop) {
        grpc::ClientContext ctx;
        pb::BudgetSummary out;
        const auto start = Clock::now();
        grpc::Status s = stub->GetBudgetSummary(&ctx, req, &out);
        const auto took = Clock::now() - start;
        if (!s.ok() || out.total_yen() != 1'337'734'000) ++errors;
        latencies[c].push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(took)
                .count());
      }
    });
  }
  const auto begin = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<int64_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.errors = errors.load();
  if (all.empty()) return r;
  r.calls_per_second = all.size() / elapsed;
  r.p50_us = all[all.size() / 2];
  r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int clients = absl::GetFlag(FLAGS_clients);
  shien::testing::TempDir dir;
  shien::testing::RedisServer redis;
  if (!redis.Start()) {
    std::fprintf(stderr, "cannot start redis-server\n");
    return 1;
  }
  shien::sql::SqliteOptions options;
  options.path = dir.File("budget.db");
  auto store = shien::budget::OpenSqliteBudgetStore(
      options, absl::GetFlag(FLAGS_workers) + 1);
  if (!store.ok() ||
      !shien::budget::LoadPlans(shien::testing::SourceDir() + "/data", **store)
           .ok()) {
    std::fprintf(stderr, "cannot open the store\n");
    return 1;
  }
  shien::cache::RedisOptions redis_options;
  redis_options.address = redis.address();
  redis_options.pool_size = absl::GetFlag(FLAGS_workers);
  shien::cache::ViewCacheOptions redis_only;
  redis_only.local_bytes = 0;
  shien::cache::ViewCache redis_cache(
      std::make_unique<shien::cache::RedisPool>(redis_options), redis_only);
  shien::cache::ViewCache two_tier_cache(
      std::make_unique<shien::cache::RedisPool>(redis_options), {});

  // Measured without authentication: the cache is what is compared.
  auto authenticator = shien::auth::Authenticator::Open();
  constexpr int kVariants = 3;
  Result results[kVariants];
  const char* names[kVariants] = {"computed from the store", "cached (Redis)",
                                  "cached (in process, Redis)"};
  shien::cache::ViewCache* caches[kVariants] = {nullptr, &redis_cache,
                                                &two_tier_cache};
  for (int variant = 0; variant < kVariants; ++variant) {
    shien::Executor executor(absl::GetFlag(FLAGS_workers), 10'000);
    shien::budget::BudgetServiceImpl service(
        store->get(), &executor, authenticator.get(), caches[variant]);
    auto server = shien::StartServer({}, {&service}, {});
    if (!server.ok()) return 1;
    results[variant] =
        Measure("127.0.0.1:" + std::to_string(server->port), seconds, clients);
    server->Shutdown(std::chrono::milliseconds(500));
    executor.Stop();
  }
  std::printf(
      "GetBudgetSummary, %d clients, %.1f s each, %d workers, %u cores\n",
      clients, seconds, absl::GetFlag(FLAGS_workers),
      std::thread::hardware_concurrency());
  std::printf("%-28s %12s %10s %10s %7s\n", "variant", "calls/s", "p50 us",
              "p99 us", "errors");
  int64_t errors = 0;
  for (int v = 0; v < kVariants; ++v) {
    std::printf("%-28s %12.0f %10.0f %10.0f %7lld\n", names[v],
                results[v].calls_per_second, results[v].p50_us,
                results[v].p99_us, static_cast<long long>(results[v].errors));
    errors += results[v].errors;
  }
  for (int v = 1; v < kVariants; ++v) {
    if (results[0].calls_per_second > 0 && results[v].p99_us > 0) {
      std::printf("%s / computed: throughput x%.2f, p50 x%.2f, p99 x%.2f\n",
                  names[v],
                  results[v].calls_per_second / results[0].calls_per_second,
                  results[v].p50_us / results[0].p50_us,
                  results[v].p99_us / results[0].p99_us);
    }
  }
  std::printf("Redis alone: %s\n", redis_cache.StatsLine().c_str());
  std::printf("in process and Redis: %s\n", two_tier_cache.StatsLine().c_str());
  return errors == 0 ? 0 : 1;
}
