#include "common/client/coalesced_read.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace shien::client {
namespace {

// A remote value that "changes" with every write, read asynchronously: a
// read sees the value when it starts and answers 2 ms later from a thread
// of its own.
class SlowRemote {
 public:
  ~SlowRemote() {
    for (std::thread& t : threads_) t.join();
  }
  void Read(CoalescedRead::Done done) {
    const int64_t seen = version.load();
    ++reads;
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([seen, done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      done(seen);
    });
  }
  std::atomic<int64_t> version{0};
  std::atomic<int64_t> reads{0};

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

// Waits for one answer.
absl::StatusOr<int64_t> GetAndWait(CoalescedRead& read) {
  std::mutex mu;
  std::condition_variable cv;
  bool answered = false;
  absl::StatusOr<int64_t> got = 0;
  read.Get([&](absl::StatusOr<int64_t> answer) {
    std::lock_guard<std::mutex> lock(mu);
    got = std::move(answer);
    answered = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return answered; });
  return got;
}

// A caller must never get an answer from a read that began before it asked.
TEST(CoalescedRead, SharesReadsButNeverAnswersWithAnOlderOne) {
  SlowRemote remote;
  CoalescedRead read(
      [&](CoalescedRead::Done done) { remote.Read(std::move(done)); });
  constexpr int kThreads = 16;
  constexpr int kCalls = 50;
  std::atomic<int> stale{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        // A write acknowledged before the call: the answer must include it.
        const int64_t written = ++remote.version;
        absl::StatusOr<int64_t> got = GetAndWait(read);
        if (!got.ok() || *got < written) ++stale;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stale.load(), 0);
  // Shared: far fewer reads than calls.
  EXPECT_LT(remote.reads.load(), kThreads * kCalls / 2);
  EXPECT_GT(remote.reads.load(), 0);
}

TEST(CoalescedRead, OneReadAtATimeAndEveryCallerAnsweredOnce) {
  // Reads complete only when the test says so.
  std::deque<CoalescedRead::Done> pending;
  CoalescedRead read(
      [&](CoalescedRead::Done done) { pending.push_back(std::move(done)); });
  std::vector<int> answers(5, 0);
  std::vector<int64_t> values(5, -1);
  auto ask = [&](int i) {
    read.Get([&, i](absl::StatusOr<int64_t> v) {
      ++answers[i];
      values[i] = *v;
    });
  };
  ask(0);
  ASSERT_EQ(pending.size(), 1u);
  ask(1);
  ask(2);
  EXPECT_EQ(pending.size(), 1u);  // 1 and 2 wait for the next read
  CoalescedRead::Done first = std::move(pending.front());
  pending.pop_front();
  first(10);
  EXPECT_EQ(values[0], 10);
  EXPECT_EQ(answers[1], 0);
  ASSERT_EQ(pending.size(), 1u);  // the next read started for 1 and 2
  ask(3);
  CoalescedRead::Done second = std::move(pending.front());
  pending.pop_front();
  second(11);
  EXPECT_EQ(values[1], 11);
  EXPECT_EQ(values[2], 11);
  ASSERT_EQ(pending.size(), 1u);  // and one for 3
  CoalescedRead::Done third = std::move(pending.front());
  pending.pop_front();
  third(12);
  EXPECT_EQ(values[3], 12);
  EXPECT_TRUE(pending.empty());
  ask(4);  // idle again: a read starts at once
  ASSERT_EQ(pending.size(), 1u);
  pending.front()(13);
  EXPECT_EQ(values[4], 13);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(answers[i], 1) << i;
}

TEST(CoalescedRead, PassesErrorsOn) {
  CoalescedRead read([](CoalescedRead::Done done) {
    done(absl::UnavailableError("budget down"));
  });
  EXPECT_EQ(GetAndWait(read).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace shien::client
