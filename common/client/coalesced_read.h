#ifndef SHIEN_COMMON_CLIENT_COALESCED_READ_H_
#define SHIEN_COMMON_CLIENT_COALESCED_READ_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace shien::client {

// Shares one read of a changing value (a data version) among the callers
// that want it at the same time, without ever answering a caller with a
// value read before it asked: a caller arriving while a read runs is
// answered by the next read, which starts when the running one ends and
// answers every caller that arrived meanwhile. At most one read runs at a
// time. Nobody waits on a thread: the read is asynchronous (a call to
// another service, or a task on an executor) and answers arrive as
// callbacks. Thread-safe.
template <typename T>
class CoalescedReadOf {
 public:
  using Done = std::function<void(absl::StatusOr<T>)>;
  // Starts one read, which must not block, and calls its argument exactly
  // once, on any thread, with the value or the error.
  using Read = std::function<void(Done)>;

  explicit CoalescedReadOf(Read read) : read_(std::move(read)) {}

  // Calls `done` exactly once, on the thread that ends the read (or on
  // this one when the read answers at once), with the answer of a read
  // that started after this call, or its error. `done` must not block.
  void Get(Done done) {
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

 private:
  // Starts a read for `waiters`; when it ends, starts the next one for the
  // callers that came meanwhile, then answers `waiters`.
  void Start(std::vector<Done> waiters) {
    read_([this, waiters = std::move(waiters)](absl::StatusOr<T> answer) {
      std::vector<Done> next;
      {
        std::lock_guard<std::mutex> lock(mu_);
        next.swap(next_);
        running_ = !next.empty();
      }
      // The callers that came during this read need one that starts after
      // them: it starts before this one's callers are answered.
      if (!next.empty()) Start(std::move(next));
      for (const Done& done : waiters) done(answer);
    });
  }

  const Read read_;
  std::mutex mu_;
  bool running_ = false;    // guarded by mu_
  std::vector<Done> next_;  // for the next read; guarded by mu_
};

// A shared data-version read (shien.*.v1 data_version).
using CoalescedRead = CoalescedReadOf<int64_t>;

}  // namespace shien::client

#endif  // SHIEN_COMMON_CLIENT_COALESCED_READ_H_
