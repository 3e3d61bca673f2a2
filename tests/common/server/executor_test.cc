#include "common/server/executor.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

using ::testing::ElementsAre;

// Occupies worker threads until Release() is called or the gate is
// destroyed. Declare it after the Executor, so that a failed assertion
// releases the workers before the executor joins them.
class Gate {
 public:
  Gate() : state_(std::make_shared<State>()) {
    state_->released = state_->release.get_future().share();
  }
  ~Gate() { Release(); }

  // A task that reports it started, then blocks until Release().
  std::function<void()> BlockingTask() {
    std::shared_ptr<State> state = state_;
    return [state] {
      state->started.fetch_add(1);
      state->released.wait();
    };
  }

  // Waits (up to 10 s) until `n` blocking tasks are running.
  bool WaitStarted(int n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (state_->started.load() < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  void Release() {
    std::call_once(state_->once, [this] { state_->release.set_value(); });
  }

 private:
  struct State {
    std::promise<void> release;
    std::shared_future<void> released;
    std::once_flag once;
    std::atomic<int> started{0};
  };
  std::shared_ptr<State> state_;
};

TEST(ExecutorTest, RunsTasks) {
  std::atomic<int> count{0};
  Executor executor(2, 100);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&count] { count.fetch_add(1); }));
  }
  executor.Stop();
  EXPECT_EQ(count.load(), 50);
}

TEST(ExecutorTest, RunsTasksOffTheCallingThread) {
  std::promise<std::thread::id> ran_on;
  std::future<std::thread::id> result = ran_on.get_future();
  Executor executor(1, 1);
  ASSERT_TRUE(executor.TrySubmit(
      [&ran_on] { ran_on.set_value(std::this_thread::get_id()); }));
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)),
            std::future_status::ready);
  EXPECT_NE(result.get(), std::this_thread::get_id());
}

TEST(ExecutorTest, RunsTasksConcurrentlyOnEveryWorker) {
  Executor executor(3, 10);
  Gate gate;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(executor.TrySubmit(gate.BlockingTask()));
  // All three block at once: only possible with three workers.
  EXPECT_TRUE(gate.WaitStarted(3));
  gate.Release();
}

TEST(ExecutorTest, TrySubmitFailsWhenQueueIsFull) {
  std::atomic<int> queued_ran{0};
  std::atomic<bool> rejected_ran{false};
  Executor executor(2, 3);
  Gate gate;
  ASSERT_TRUE(executor.TrySubmit(gate.BlockingTask()));
  ASSERT_TRUE(executor.TrySubmit(gate.BlockingTask()));
  ASSERT_TRUE(gate.WaitStarted(2));
  // Both workers are busy: three tasks may wait, the fourth may not.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(executor.TrySubmit([&] { queued_ran.fetch_add(1); })) << i;
  }
  EXPECT_FALSE(executor.TrySubmit([&] { rejected_ran = true; }));
  gate.Release();
  executor.Stop();
  EXPECT_EQ(queued_ran.load(), 3);
  EXPECT_FALSE(rejected_ran.load());
}

TEST(ExecutorTest, QueueSpaceIsFreedAsTasksRun) {
  Executor executor(1, 1);
  for (int i = 0; i < 20; ++i) {
    std::promise<void> done;
    std::future<void> f = done.get_future();
    ASSERT_TRUE(executor.TrySubmit([&done] { done.set_value(); })) << i;
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }
}

TEST(ExecutorTest, StopRunsQueuedTasksInOrderBeforeJoining) {
  std::mutex mu;
  std::vector<int> order;
  Executor executor(1, 10);
  Gate gate;
  ASSERT_TRUE(executor.TrySubmit(gate.BlockingTask()));
  ASSERT_TRUE(gate.WaitStarted(1));
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(executor.TrySubmit([&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    }));
  }
  std::thread releaser([&gate] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.Release();
  });
  executor.Stop();  // blocks until the gate opens and the queue drains
  releaser.join();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_THAT(order, ElementsAre(1, 2, 3, 4, 5));
}

TEST(ExecutorTest, TrySubmitWhileStoppingFails) {
  std::atomic<int> ran{0};
  Executor executor(1, 100000);
  Gate gate;
  ASSERT_TRUE(executor.TrySubmit(gate.BlockingTask()));
  ASSERT_TRUE(gate.WaitStarted(1));
  std::thread stopper([&executor] { executor.Stop(); });
  // Stop is blocked on the running task; wait until it refuses new work.
  bool refused = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int accepted = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!executor.TrySubmit([&ran] { ran.fetch_add(1); })) {
      refused = true;
      break;
    }
    ++accepted;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  gate.Release();
  stopper.join();
  EXPECT_TRUE(refused);
  // Whatever was accepted before Stop was run, nothing more.
  EXPECT_EQ(ran.load(), accepted);
}

TEST(ExecutorTest, TrySubmitAfterStopFails) {
  std::atomic<bool> ran{false};
  Executor executor(2, 10);
  executor.Stop();
  EXPECT_FALSE(executor.TrySubmit([&ran] { ran = true; }));
  executor.Stop();  // idempotent
  EXPECT_FALSE(executor.TrySubmit([&ran] { ran = true; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(ran.load());
}

TEST(ExecutorTest, DestructorRunsQueuedTasks) {
  std::atomic<int> count{0};
  {
    Executor executor(1, 10);
    ASSERT_TRUE(executor.TrySubmit(
        [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }));
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&count] { count.fetch_add(1); }));
    }
  }
  EXPECT_EQ(count.load(), 5);
}

// The class is documented as thread-safe and Stop as idempotent, so two
// threads stopping the executor at once (say, a signal-handling thread and
// the owner's destructor) must both return normally. Run in a child process
// so that a crash fails this test only.
// Counts the tasks inside a stretch and the most at once.
class Concurrency {
 public:
  void Enter() {
    std::lock_guard<std::mutex> lock(mu_);
    max_ = std::max(max_, ++now_);
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    --now_;
  }
  int max() {
    std::lock_guard<std::mutex> lock(mu_);
    return max_;
  }

 private:
  std::mutex mu_;
  int now_ = 0;
  int max_ = 0;
};

TEST(ExecutorTest, RunsAtMostTheRunningLimitOutsideWaits) {
  Concurrency running;
  std::atomic<int> done{0};
  {
    Executor executor(8, 100, 2);
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&] {
        running.Enter();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        running.Leave();
        ++done;
      }));
    }
  }
  EXPECT_EQ(done.load(), 12);
  EXPECT_EQ(running.max(), 2);
}

// Tasks that wait for each other inside a BlockingRegion: with only 2
// running at once this completes only if a waiting task frees its place.
TEST(ExecutorTest, ATaskWaitingInABlockingRegionLetsAnotherRun) {
  constexpr int kTasks = 6;
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::atomic<int> met{0};
  Concurrency outside;
  {
    Executor executor(kTasks, 100, 2);
    for (int i = 0; i < kTasks; ++i) {
      ASSERT_TRUE(executor.TrySubmit([&] {
        outside.Enter();
        outside.Leave();
        BlockingRegion waiting;
        std::unique_lock<std::mutex> lock(mu);
        ++arrived;
        cv.notify_all();
        if (cv.wait_for(lock, std::chrono::seconds(10),
                        [&] { return arrived == kTasks; })) {
          ++met;
        }
      }));
    }
  }
  EXPECT_EQ(met.load(), kTasks);
  EXPECT_LE(outside.max(), 2);
}

TEST(ExecutorTest, ABlockingRegionOffThePoolDoesNothing) {
  BlockingRegion outer;
  BlockingRegion inner;
  SUCCEED();
}

// Nested regions tell the observer once, on the outermost.
TEST(BlockingRegionTest, NestedRegionsCountOnce) {
  struct Counting : BlockingObserver {
    void EnterBlocking() override { ++entered; }
    void LeaveBlocking() override { ++left; }
    int entered = 0;
    int left = 0;
  } observer;
  ObserveBlockingOnThisThread(&observer);
  {
    BlockingRegion outer;
    {
      BlockingRegion inner;
      EXPECT_EQ(observer.entered, 1);
    }
    EXPECT_EQ(observer.left, 0);
  }
  EXPECT_EQ(observer.left, 1);
  { BlockingRegion again; }
  EXPECT_EQ(observer.entered, 2);
  EXPECT_EQ(observer.left, 2);
  ObserveBlockingOnThisThread(nullptr);
}

TEST(ExecutorDeathTest, ConcurrentStopIsSafe) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(10);  // a hang becomes a SIGALRM death
        Executor executor(1, 10);
        Gate gate;
        executor.TrySubmit(gate.BlockingTask());
        gate.WaitStarted(1);
        // Both calls reach the join while the worker is still busy.
        std::thread a([&executor] { executor.Stop(); });
        std::thread b([&executor] { executor.Stop(); });
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        gate.Release();
        a.join();
        b.join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace shien
