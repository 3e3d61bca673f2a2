#include "common/cache/local_tier.h"

#include <utility>

namespace shien::cache {

std::shared_ptr<const std::string> LocalTier::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void LocalTier::Put(const std::string& key,
                    std::shared_ptr<const std::string> value) {
  if (value == nullptr || value->size() > max_bytes_ / 4) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    bytes_ -= it->second->value->size();
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += value->size();
  lru_.push_front(Entry{key, std::move(value)});
  index_.emplace(key, lru_.begin());
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    bytes_ -= lru_.back().value->size();
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++evictions_;
  }
}

size_t LocalTier::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

int64_t LocalTier::evictions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return evictions_;
}

}  // namespace shien::cache
