#ifndef SHIEN_COMMON_CACHE_LOCAL_TIER_H_
#define SHIEN_COMMON_CACHE_LOCAL_TIER_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shien::cache {

// A bounded in-process map of cached views, least recently used first out,
// in front of Redis under the same versioned keys. A key names one version
// of one view, so an entry is never stale: a reader asks for the version
// it just read from the store. Old versions age out by use. Thread-safe.
class LocalTier {
 public:
  // `max_bytes` bounds the values held (an entry larger than a quarter of
  // it is not kept); 0 keeps nothing.
  explicit LocalTier(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The value under `key`, or null.
  std::shared_ptr<const std::string> Get(const std::string& key);
  // Keeps `value` under `key`, evicting the least recently used.
  void Put(const std::string& key, std::shared_ptr<const std::string> value);

  size_t bytes() const;
  int64_t evictions() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> value;
  };
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
  int64_t evictions_ = 0;
};

}  // namespace shien::cache

#endif  // SHIEN_COMMON_CACHE_LOCAL_TIER_H_
