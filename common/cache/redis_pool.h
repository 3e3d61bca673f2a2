#ifndef SHIEN_COMMON_CACHE_REDIS_POOL_H_
#define SHIEN_COMMON_CACHE_REDIS_POOL_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

struct redisContext;

namespace shien::cache {

struct RedisOptions {
  // "host:port", or "unix:/path/to/redis.sock".
  std::string address;
  // ACL user (Redis 6+) and password; empty for none. With a password and
  // no user, plain AUTH is used.
  std::string user;
  std::string password;
  // How long connecting, and each command, may take.
  int connect_timeout_ms = 100;
  int command_timeout_ms = 50;
  // Connections kept open (hiredis contexts are not thread-safe; each is
  // used by one thread at a time).
  int pool_size = 4;
  // After a failure, calls fail at once for this long before connecting is
  // tried again, so a dead Redis costs nothing per request.
  int retry_after_ms = 500;
};

// A bounded pool of hiredis connections to one Redis server. Every call
// either answers within the configured timeouts or fails with UNAVAILABLE;
// a broken connection is dropped and reopened later. Thread-safe.
class RedisPool {
 public:
  explicit RedisPool(RedisOptions options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  // The value at `key`, or nullopt when there is none.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);
  // Sets `key` to `value`, expiring after `ttl_seconds`.
  absl::Status SetEx(const std::string& key, const std::string& value,
                     int ttl_seconds);
  // PING.
  absl::Status Ping();

  // True for the error of a call skipped because every connection was
  // busy: Redis is fine, the cache just was not used.
  static bool IsBusy(const absl::Status& status);

  // True while the last call succeeded.
  bool healthy() const { return healthy_.load(); }

 private:
  // A connected context, or UNAVAILABLE (no connection within the timeout,
  // or still in the retry pause after a failure).
  absl::StatusOr<redisContext*> Acquire();
  // Returns a context; `broken` ones are freed.
  void Release(redisContext* context, bool broken);
  absl::StatusOr<redisContext*> Connect();
  void NoteFailure();

  const RedisOptions options_;
  std::mutex mu_;
  std::vector<redisContext*> idle_;
  int open_ = 0;
  int64_t retry_at_micros_ = 0;
  std::atomic<bool> healthy_{true};
};

}  // namespace shien::cache

#endif  // SHIEN_COMMON_CACHE_REDIS_POOL_H_
