#include "common/cache/view_cache.h"

#include "absl/strings/str_cat.h"
#include "common/api/timestamps.h"

namespace shien::cache {

ViewCache::ViewCache(std::unique_ptr<RedisPool> redis, ViewCacheOptions options)
    : redis_(std::move(redis)),
      options_(std::move(options)),
      local_(options_.local_bytes) {}

void ViewCache::NoteRedis(const absl::Status& status) {
  if (RedisPool::IsBusy(status)) return;  // not a Redis failure
  std::lock_guard<std::mutex> lock(degraded_mu_);
  const int64_t now = NowMicros();
  if (status.ok()) {
    if (degraded_since_micros_ != 0) {
      degraded_total_micros_ += now - degraded_since_micros_;
      degraded_since_micros_ = 0;
    }
    return;
  }
  ++errors_;
  if (degraded_since_micros_ == 0) degraded_since_micros_ = now;
}

std::shared_ptr<const std::string> ViewCache::Peek(const std::string& name,
                                                   const std::string& version) {
  if (redis_ == nullptr) return nullptr;
  std::shared_ptr<const std::string> local =
      local_.Get(absl::StrCat(options_.prefix, ":", name, ":", version));
  if (local != nullptr) {
    ++hits_;
    ++local_hits_;
    ++front_hits_;
  }
  return local;
}

absl::StatusOr<View> ViewCache::Get(
    const std::string& name, const std::string& version,
    const std::function<absl::StatusOr<View>()>& compute) {
  if (redis_ == nullptr) {
    ++computations_;
    return compute();
  }
  const std::string key =
      absl::StrCat(options_.prefix, ":", name, ":", version);
  if (std::shared_ptr<const std::string> local = local_.Get(key)) {
    ++hits_;
    ++local_hits_;
    return View(std::move(local), version);
  }
  absl::StatusOr<std::optional<std::string>> cached = redis_->Get(key);
  NoteRedis(cached.status());
  if (cached.ok() && cached->has_value()) {
    ++hits_;
    auto shared = std::make_shared<const std::string>(**std::move(cached));
    local_.Put(key, shared);
    return View(std::move(shared), version);
  }
  ++misses_;
  // Single flight: the first miss computes; the others wait for it.
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = flights_.find(key);
    if (it == flights_.end()) {
      flight = std::make_shared<Flight>();
      flights_.emplace(key, flight);
      leader = true;
    } else {
      flight = it->second;
    }
  }
  if (!leader) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return flight->done; });
    return flight->result;
  }
  ++computations_;
  absl::StatusOr<View> view = compute();
  if (view.ok() && view->cacheable) {
    // Cached under the version the computation saw (never older than the
    // one asked for), so a later reader of that version can use it.
    const std::string stored_key =
        absl::StrCat(options_.prefix, ":", name, ":", view->version);
    local_.Put(stored_key, view->bytes);
    if (cached.ok()) {
      NoteRedis(redis_->SetEx(stored_key, *view->bytes, options_.ttl_seconds));
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    flight->result = view;
    flight->done = true;
    flights_.erase(key);
  }
  cv_.notify_all();
  return view;
}

void ViewCache::Probe() {
  if (redis_ != nullptr) NoteRedis(redis_->Ping());
}

CacheStats ViewCache::Stats() const {
  CacheStats s;
  s.hits = hits_.load();
  s.local_hits = local_hits_.load();
  s.front_hits = front_hits_.load();
  s.misses = misses_.load();
  s.errors = errors_.load();
  s.computations = computations_.load();
  std::lock_guard<std::mutex> lock(degraded_mu_);
  s.degraded = degraded_since_micros_ != 0;
  s.degraded_ms = (degraded_total_micros_ +
                   (s.degraded ? NowMicros() - degraded_since_micros_ : 0)) /
                  1000;
  return s;
}

std::string ViewCache::StatsLine() const {
  CacheStats s = Stats();
  return absl::StrCat("cache ", redis_ == nullptr ? "off" : "on",
                      " hits=", s.hits, " local_hits=", s.local_hits,
                      " front_hits=", s.front_hits, " misses=", s.misses,
                      " errors=", s.errors, " computations=", s.computations,
                      " degraded=", s.degraded ? 1 : 0,
                      " degraded_ms=", s.degraded_ms);
}

bool ViewCache::Healthy() const {
  if (redis_ == nullptr) return true;
  std::lock_guard<std::mutex> lock(degraded_mu_);
  return degraded_since_micros_ == 0;
}

absl::StatusOr<View> CachedView(
    ViewCache* cache, const std::string& name,
    const std::function<absl::StatusOr<std::string>()>& version,
    const std::function<absl::StatusOr<View>()>& compute) {
  if (cache == nullptr || !cache->enabled()) return compute();
  absl::StatusOr<std::string> current = version();
  if (!current.ok()) return current.status();
  return cache->Get(name, *current, compute);
}

}  // namespace shien::cache
