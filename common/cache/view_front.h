#ifndef SHIEN_COMMON_CACHE_VIEW_FRONT_H_
#define SHIEN_COMMON_CACHE_VIEW_FRONT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/cache/view_cache.h"
#include "common/client/coalesced_read.h"
#include "common/server/executor.h"

namespace shien::cache {

// Answers cached views without a worker of their own. The data version
// behind the views of a key (a fiscal year) is read on the executor once
// for all the requests that want it at the same time: each request is
// answered by a read that started after it arrived (client::CoalescedRead),
// so it sees every write acknowledged before it, as a read of its own
// would. The view at that version is then taken from the in-process tier
// (ViewCache::Peek) on the thread that did the read. A request that finds
// nothing there is served as before, on a worker of its own, with the
// version already read (see Lookup's `seen`). For hits, one version read
// and one hand-off to a worker per request become one per group of
// concurrent requests; a miss costs one hand-off more than without the
// front. Thread-safe.
class ViewFront {
 public:
  // Reads the current data version of `key`'s data, blocking (on the
  // executor).
  using ReadVersion = std::function<absl::StatusOr<std::string>(int64_t key)>;
  // The view's bytes, or null (see Lookup).
  using Done = std::function<void(std::shared_ptr<const std::string>)>;

  // `cache` null or off: every Lookup answers null at once.
  ViewFront(ViewCache* cache, Executor* executor, ReadVersion read_version);

  // Calls `done` exactly once, on any thread, with the bytes of view `name`
  // at version "{current version of key}{version_suffix}" when the
  // in-process tier holds them; with null when it does not, or the read
  // failed or could not be queued (the caller then serves the request
  // itself, and meets the error there). `done` must not block. Before
  // `done`, `*seen` (when not null) is set to the version looked for when
  // the read succeeded: a version read after the call arrived, which the
  // caller may use instead of reading it again.
  void Lookup(int64_t key, std::string name, std::string version_suffix,
              std::shared_ptr<std::string> seen, Done done);

 private:
  using Read = client::CoalescedReadOf<std::string>;
  Read& ReadFor(int64_t key);

  ViewCache* const cache_;
  Executor* const executor_;
  const ReadVersion read_version_;
  std::mutex mu_;
  std::map<int64_t, std::unique_ptr<Read>> reads_;  // guarded by mu_
};

// A ViewFront::ReadVersion for views that follow a store's
// `absl::StatusOr<int64_t> DataVersion(int year)`.
template <typename Store>
ViewFront::ReadVersion DataVersionOf(Store* store) {
  return [store](int64_t year) -> absl::StatusOr<std::string> {
    absl::StatusOr<int64_t> version =
        store->DataVersion(static_cast<int>(year));
    if (!version.ok()) return version.status();
    return absl::StrCat(*version);
  };
}

}  // namespace shien::cache

#endif  // SHIEN_COMMON_CACHE_VIEW_FRONT_H_
