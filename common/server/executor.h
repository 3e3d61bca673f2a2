#ifndef SHIEN_COMMON_SERVER_EXECUTOR_H_
#define SHIEN_COMMON_SERVER_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/sync/blocking_region.h"

namespace shien {

// The tasks a service's executor runs at once outside BlockingRegions: a
// few per core of the small machines it is sized for (the old fixed pool's
// 4 workers).
inline constexpr int kDefaultRunningTasks = 4;

// A fixed pool of worker threads with a bounded queue, where handlers run
// blocking work (SQLite, libpq, hiredis) instead of on gRPC's threads.
//
// At most `running` tasks run at once, not counting those waiting inside a
// BlockingRegion (a commit, the write turn, another service's answer):
// while a task waits there, another worker may take a task, and a task
// coming back from a wait goes on at once, above the limit for a while if
// need be (it never waits for a place). So short tasks
// (a cached view) run on a few busy threads that take the next task
// without sleeping, and many tasks can wait for one group commit at once.
// Thread-safe.
class Executor final : private BlockingObserver {
 public:
  // Starts `threads` workers, of which at most `running` (0: all) run
  // outside a BlockingRegion at once; at most `max_queued` tasks wait.
  Executor(int threads, int max_queued, int running = 0);
  // Runs what is queued, then joins the workers.
  ~Executor() override;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`. Returns false, without running it, when the queue is full
  // or the executor is stopping: the caller answers RESOURCE_EXHAUSTED or
  // UNAVAILABLE instead of queueing without bound.
  bool TrySubmit(std::function<void()> task);

  // Stops accepting tasks, runs those already queued and joins the workers.
  // Idempotent.
  void Stop();

 private:
  void Work();
  void EnterBlocking() override;
  void LeaveBlocking() override;
  // Whether a waiting worker may take a task now; mu_ held.
  bool CanRun() const { return !queue_.empty() && running_ < running_limit_; }

  std::mutex mu_;
  std::mutex join_mu_;  // serializes joins in Stop
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  int running_limit_;
  int running_ = 0;  // tasks running outside a BlockingRegion; mu_
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_EXECUTOR_H_
