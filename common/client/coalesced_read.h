#ifndef SHIEN_COMMON_CLIENT_COALESCED_READ_H_
#define SHIEN_COMMON_CLIENT_COALESCED_READ_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/status/statusor.h"

namespace shien::client {

// Shares one remote read of a changing value (a data version) among the
// callers that want it at the same time, without ever answering a caller
// with a value read before it asked: each caller waits for a read that
// started after it arrived, and every caller waiting when such a read ends
// takes its answer. At most one read runs at a time. Thread-safe.
class CoalescedRead {
 public:
  explicit CoalescedRead(std::function<absl::StatusOr<int64_t>()> read)
      : read_(std::move(read)) {}

  // The value as read by a call that started after this one was made; its
  // error when that read failed.
  absl::StatusOr<int64_t> Get();

 private:
  const std::function<absl::StatusOr<int64_t>()> read_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool running_ = false;  // guarded by mu_
  int64_t started_ = 0;   // reads started so far; guarded by mu_
  int64_t finished_ = 0;  // the newest finished read; guarded by mu_
  absl::StatusOr<int64_t> result_ = 0;  // its answer; guarded by mu_
};

}  // namespace shien::client

#endif  // SHIEN_COMMON_CLIENT_COALESCED_READ_H_
