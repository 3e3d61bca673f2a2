#include "common/client/coalesced_read.h"

namespace shien::client {

absl::StatusOr<int64_t> CoalescedRead::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  // Any read numbered `fresh` or later starts after this moment.
  const int64_t fresh = started_ + 1;
  while (true) {
    if (finished_ >= fresh) return result_;
    if (!running_) {
      running_ = true;
      const int64_t number = ++started_;
      lock.unlock();
      absl::StatusOr<int64_t> answer = read_();
      lock.lock();
      running_ = false;
      if (number > finished_) {
        finished_ = number;
        result_ = answer;
      }
      done_cv_.notify_all();
      return answer;
    }
    done_cv_.wait(lock);
  }
}

}  // namespace shien::client
