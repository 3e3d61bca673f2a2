#ifndef SHIEN_COMMON_SERVER_EXECUTOR_H_
#define SHIEN_COMMON_SERVER_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shien {

// A fixed pool of worker threads with a bounded queue, where handlers run
// blocking work (SQLite, libpq, hiredis) instead of on gRPC's threads.
// Thread-safe.
class Executor {
 public:
  // Starts `threads` workers; at most `max_queued` tasks wait at once.
  Executor(int threads, int max_queued);
  // Runs what is queued, then joins the workers.
  ~Executor();
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
  std::mutex mu_;
  std::mutex join_mu_;  // serializes joins in Stop
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_EXECUTOR_H_
