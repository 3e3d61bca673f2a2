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
                       std::string version_suffix,
                       std::shared_ptr<std::string> seen, Done done) {
  if (cache_ == nullptr || !cache_->enabled()) {
    done(nullptr);
    return;
  }
  ReadFor(key).Get([this, name = std::move(name),
                    version_suffix = std::move(version_suffix),
                    seen = std::move(seen),
                    done = std::move(done)](absl::StatusOr<std::string> read) {
    if (!read.ok()) return done(nullptr);
    std::string version = absl::StrCat(*read, version_suffix);
    std::shared_ptr<const std::string> bytes = cache_->Peek(name, version);
    if (seen != nullptr) *seen = std::move(version);
    done(std::move(bytes));
  });
}

}  // namespace shien::cache
