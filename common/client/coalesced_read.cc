#include "common/client/coalesced_read.h"

#include <utility>

namespace shien::client {

void CoalescedRead::Get(Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) {
      next_.push_back(std::move(done));
      return;
    }
    running_ = true;
  }
  std::vector<Done> waiters;
  waiters.push_back(std::move(done));
  Start(std::move(waiters));
}

void CoalescedRead::Start(std::vector<Done> waiters) {
  read_([this,
         waiters = std::move(waiters)](absl::StatusOr<int64_t> answer) mutable {
    std::vector<Done> next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      next.swap(next_);
      running_ = !next.empty();
    }
    // The callers that came during this read need one that starts after
    // them: it starts before this one's callers are answered.
    if (!next.empty()) Start(std::move(next));
    for (Done& done : waiters) done(answer);
  });
}

}  // namespace shien::client
