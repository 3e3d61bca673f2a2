#ifndef SHIEN_COMMON_CACHE_VIEW_CACHE_H_
#define SHIEN_COMMON_CACHE_VIEW_CACHE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/cache/local_tier.h"
#include "common/cache/redis_pool.h"

namespace shien::cache {

// A computed aggregated view: its serialized bytes and the data version it
// reflects (e.g. "2026@17" — whatever identifies the data it was built
// from).
struct View {
  View() = default;
  View(std::string serialized, std::string version_, bool cacheable_ = true)
      : bytes(std::make_shared<const std::string>(std::move(serialized))),
        version(std::move(version_)),
        cacheable(cacheable_) {}
  View(std::shared_ptr<const std::string> serialized, std::string version_)
      : bytes(std::move(serialized)), version(std::move(version_)) {}

  // The serialized view (never null once built). Shared, not copied, with
  // the in-process tier and every answer sending it: a thousand calls in
  // flight answering the same view hold one copy.
  std::shared_ptr<const std::string> bytes;
  std::string version;
  // False for a degraded result (e.g. built without a peer's data): it is
  // returned but never cached.
  bool cacheable = true;
};

struct ViewCacheOptions {
  // Namespaces the keys of one deployment: "{prefix}:{view}:{version}".
  std::string prefix = "shien";
  int ttl_seconds = 3600;
  // The in-process tier in front of Redis (see LocalTier); 0 turns it off.
  size_t local_bytes = 16 << 20;
};

struct CacheStats {
  int64_t hits = 0;        // from either tier
  int64_t local_hits = 0;  // of which from the in-process tier
  int64_t front_hits = 0;  // of which answered by Peek (a ViewFront)
  int64_t misses = 0;
  int64_t errors = 0;        // Redis calls that failed
  int64_t computations = 0;  // views computed from the store
  bool degraded = false;     // Redis unusable right now
  int64_t degraded_ms = 0;   // total time spent degraded
};

// Cache-aside for aggregated views, keyed by view and data version. A
// reader first reads the current data version (cheap), then asks for the
// view at that version: a hit returns the cached bytes, from the
// in-process tier (LocalTier) or else from Redis; a miss computes the
// view from the store and caches it, in both tiers, under the version the
// computation actually saw. Since every write bumps the version in its
// transaction, a view computed before an acknowledged write is never returned
// after it. Concurrent misses of one key compute once (single flight). Redis
// failing or slow (bounded by RedisOptions timeouts) only means computing from
// the store; the cache is never the source of truth. Thread-safe.
class ViewCache {
 public:
  // `redis` null: caching off, every call computes.
  ViewCache(std::unique_ptr<RedisPool> redis, ViewCacheOptions options);

  // The view `name` (e.g. "budget-summary/2026") at `version`. `compute`
  // runs on the calling thread (an executor thread) on a miss.
  absl::StatusOr<View> Get(
      const std::string& name, const std::string& version,
      const std::function<absl::StatusOr<View>()>& compute);

  // The view `name` at `version` when the in-process tier holds it, else
  // null (caching off, or not there: Get then looks further). Never
  // blocks on Redis or the store; counted as a hit (and a front hit) when
  // found.
  std::shared_ptr<const std::string> Peek(const std::string& name,
                                          const std::string& version);

  // Pings Redis (when configured) to refresh Healthy() between requests.
  void Probe();

  CacheStats Stats() const;
  // One line for the log: "hits=.. local_hits=.. front_hits=.. misses=..
  // errors=.. computations=.. degraded=.. degraded_ms=..".
  std::string StatsLine() const;
  // False while Redis is configured but unusable.
  bool Healthy() const;
  bool enabled() const { return redis_ != nullptr; }

 private:
  struct Flight {
    bool done = false;
    absl::StatusOr<View> result = absl::UnknownError("pending");
  };
  void NoteRedis(const absl::Status& status);

  std::unique_ptr<RedisPool> redis_;
  const ViewCacheOptions options_;
  LocalTier local_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
  std::atomic<int64_t> hits_{0}, local_hits_{0}, front_hits_{0}, misses_{0},
      errors_{0}, computations_{0};
  mutable std::mutex degraded_mu_;
  int64_t degraded_since_micros_ = 0;  // 0 when not degraded
  int64_t degraded_total_micros_ = 0;
};

// Gets view `name` through `cache`: reads the current data version with
// `version`, then ViewCache::Get. With no cache, or caching off, computes
// directly without reading the version.
absl::StatusOr<View> CachedView(
    ViewCache* cache, const std::string& name,
    const std::function<absl::StatusOr<std::string>()>& version,
    const std::function<absl::StatusOr<View>()>& compute);

}  // namespace shien::cache

#endif  // SHIEN_COMMON_CACHE_VIEW_CACHE_H_
