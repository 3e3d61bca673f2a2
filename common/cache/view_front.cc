#include "common/cache/view_front.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace shien::cache {

ViewFront::ViewFront(ViewCache* cache, Executor* executor,
                     ReadVersion read_version)
    : cache_(cache),
      executor_(executor),
      read_version_(std::move(read_version)) {}

ViewFront::Read& ViewFront::ReadFor(int64_t key) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<Read>& slot = reads_[key];
  if (slot == nullptr) {
    slot = std::make_unique<Read>([this, key](Read::Done answer) {
      const bool queued = executor_->TrySubmit(
          [this, key, answer] { answer(read_version_(key)); });
      if (!queued) answer(absl::ResourceExhaustedError("executor full"));
    });
  }
  return *slot;
}

void ViewFront::Lookup(int64_t key, std::string name,
                       std::string version_suffix, Done done) {
  if (cache_ == nullptr || !cache_->enabled()) {
    done(nullptr);
    return;
  }
  ReadFor(key).Get(
      [this, name = std::move(name), version_suffix = std::move(version_suffix),
       done = std::move(done)](absl::StatusOr<std::string> version) {
        done(version.ok()
                 ? cache_->Peek(name, absl::StrCat(*version, version_suffix))
                 : nullptr);
      });
}

}  // namespace shien::cache
