#ifndef SHIEN_COMMON_CACHE_CACHE_FLAGS_H_
#define SHIEN_COMMON_CACHE_CACHE_FLAGS_H_

#include <memory>

#include "common/cache/view_cache.h"
#include "common/server/server.h"

namespace shien::cache {

// The view cache the command-line flags describe, shared by every server:
//   --redis (env SHIEN_REDIS, default 127.0.0.1:6379): host:port or
//       unix:/path; "off" turns caching off
//   --redis_user, --redis_password (SHIEN_REDIS_USER, SHIEN_REDIS_PASSWORD)
//   --redis_timeout_ms (SHIEN_REDIS_TIMEOUT_MS, 50): connect and command
//   --cache_ttl_s (SHIEN_CACHE_TTL_S, 3600)
//   --cache_prefix (SHIEN_CACHE_PREFIX, "shien"): namespaces one deployment
//   --cache_local_mb (SHIEN_CACHE_LOCAL_MB, 16): the in-process tier; 0 off
//   --cache_log_interval_s (SHIEN_CACHE_LOG_INTERVAL_S, 60): how often the
//       cache's counters are logged; 0 never
// `scope` (the service and its database identity) is added to the prefix.
// `connections`: Redis connections to keep (the server's workers + 1).
std::unique_ptr<ViewCache> ViewCacheFromFlags(const std::string& scope,
                                              int connections);

// The --cache_log_interval_s flag.
int CacheLogIntervalSeconds();

// The --health_probe_ms flag (SHIEN_HEALTH_PROBE_MS, 5000): how often
// health follows the store and the cache.
int HealthProbeMillis();

// The --rpc_log flag (SHIEN_RPC_LOG, on): one JSON line per RPC.
bool RpcLogEnabled();

// A health probe for `cache` under `service_name` + "/cache": NOT_SERVING
// while Redis is configured but unusable (the service still answers, from
// the store).
HealthProbe CacheHealthProbe(ViewCache* cache, const std::string& service_name);

}  // namespace shien::cache

#endif  // SHIEN_COMMON_CACHE_CACHE_FLAGS_H_
