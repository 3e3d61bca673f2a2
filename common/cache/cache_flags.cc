#include "common/cache/cache_flags.h"

#include <algorithm>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/server/env.h"

ABSL_FLAG(std::string, redis,
          shien::EnvOr("SHIEN_REDIS", std::string("127.0.0.1:6379")),
          "Redis for the view cache: host:port or unix:/path; \"off\" turns "
          "the cache off (env SHIEN_REDIS)");
ABSL_FLAG(std::string, redis_user,
          shien::EnvOr("SHIEN_REDIS_USER", std::string()),
          "Redis ACL user (env SHIEN_REDIS_USER)");
ABSL_FLAG(std::string, redis_password,
          shien::EnvOr("SHIEN_REDIS_PASSWORD", std::string()),
          "Redis password (env SHIEN_REDIS_PASSWORD)");
ABSL_FLAG(int, redis_timeout_ms, shien::EnvOr("SHIEN_REDIS_TIMEOUT_MS", 50),
          "longest wait for Redis to connect or answer a command");
ABSL_FLAG(int, cache_ttl_s, shien::EnvOr("SHIEN_CACHE_TTL_S", 3600),
          "how long a cached view is kept");
ABSL_FLAG(std::string, cache_prefix,
          shien::EnvOr("SHIEN_CACHE_PREFIX", std::string("shien")),
          "key prefix of this deployment");
ABSL_FLAG(int, cache_local_mb, shien::EnvOr("SHIEN_CACHE_LOCAL_MB", 16),
          "MiB of views kept in process in front of Redis, under the same "
          "versioned keys; 0 turns the in-process tier off");
ABSL_FLAG(int, cache_log_interval_s,
          shien::EnvOr("SHIEN_CACHE_LOG_INTERVAL_S", 60),
          "seconds between cache counter log lines; 0 never");

ABSL_FLAG(int, health_probe_ms, shien::EnvOr("SHIEN_HEALTH_PROBE_MS", 5000),
          "how often health follows the store and the cache, in ms");

ABSL_FLAG(bool, rpc_log, shien::EnvOr("SHIEN_RPC_LOG", 1) != 0,
          "one JSON line per finished RPC on stderr (env SHIEN_RPC_LOG=0 "
          "turns it off)");

namespace shien::cache {

std::unique_ptr<ViewCache> ViewCacheFromFlags(const std::string& scope,
                                              int connections) {
  ViewCacheOptions options;
  options.prefix = absl::StrCat(absl::GetFlag(FLAGS_cache_prefix), ":", scope);
  options.ttl_seconds = std::max(1, absl::GetFlag(FLAGS_cache_ttl_s));
  options.local_bytes =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_cache_local_mb)))
      << 20;
  const std::string address = absl::GetFlag(FLAGS_redis);
  if (address.empty() || address == "off") {
    return std::make_unique<ViewCache>(nullptr, options);
  }
  RedisOptions redis;
  redis.address = address;
  redis.user = absl::GetFlag(FLAGS_redis_user);
  redis.password = absl::GetFlag(FLAGS_redis_password);
  redis.connect_timeout_ms = absl::GetFlag(FLAGS_redis_timeout_ms);
  redis.command_timeout_ms = absl::GetFlag(FLAGS_redis_timeout_ms);
  redis.pool_size = std::max(1, connections);
  return std::make_unique<ViewCache>(std::make_unique<RedisPool>(redis),
                                     options);
}

bool RpcLogEnabled() { return absl::GetFlag(FLAGS_rpc_log); }

int HealthProbeMillis() {
  return std::max(10, absl::GetFlag(FLAGS_health_probe_ms));
}

HealthProbe CacheHealthProbe(ViewCache* cache,
                             const std::string& service_name) {
  return HealthProbe{service_name + "/cache", [cache]() -> absl::Status {
                       cache->Probe();
                       return cache->Healthy()
                                  ? absl::OkStatus()
                                  : absl::UnavailableError("cache degraded");
                     }};
}

int CacheLogIntervalSeconds() {
  return absl::GetFlag(FLAGS_cache_log_interval_s);
}

}  // namespace shien::cache
