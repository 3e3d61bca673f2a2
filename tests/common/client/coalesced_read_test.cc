#include "common/client/coalesced_read.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace shien::client {
namespace {

// The value "changes" with every read: a read's answer is its own number.
// A caller must never get an answer from a read that began before it asked.
TEST(CoalescedRead, SharesReadsButNeverAnswersWithAnOlderOne) {
  std::atomic<int64_t> reads{0};
  std::atomic<int64_t> version{0};
  CoalescedRead read([&]() -> absl::StatusOr<int64_t> {
    const int64_t seen = version.load();
    ++reads;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return seen;
  });
  constexpr int kThreads = 16;
  constexpr int kCalls = 50;
  std::atomic<int> stale{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        // A write acknowledged before the call: the answer must include it.
        const int64_t written = ++version;
        absl::StatusOr<int64_t> got = read.Get();
        if (!got.ok() || *got < written) ++stale;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stale.load(), 0);
  // Shared: far fewer reads than calls.
  EXPECT_LT(reads.load(), kThreads * kCalls / 2);
  EXPECT_GT(reads.load(), 0);
}

TEST(CoalescedRead, PassesErrorsOn) {
  CoalescedRead read([]() -> absl::StatusOr<int64_t> {
    return absl::UnavailableError("budget down");
  });
  EXPECT_EQ(read.Get().status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace shien::client
