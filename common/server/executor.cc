#include "common/server/executor.h"

#include <algorithm>

namespace shien {

Executor::Executor(int threads, int max_queued, int running)
    : max_queued_(max_queued),
      running_limit_(running > 0 ? std::min(running, threads) : threads) {
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

Executor::~Executor() { Stop(); }

bool Executor::TrySubmit(std::function<void()> task) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
    // A worker at the limit takes it when it is done, without a wake-up.
    wake = running_ < running_limit_;
  }
  if (wake) cv_.notify_one();
  return true;
}

void Executor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  // Concurrent callers join one after the other; later ones find nothing
  // left to join.
  std::lock_guard<std::mutex> lock(join_mu_);
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void Executor::EnterBlocking() {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    wake = CanRun();
  }
  if (wake) cv_.notify_one();
}

void Executor::LeaveBlocking() {
  // Back to running, above the limit for a while if others took its place:
  // never waits here, so a task leaving a wait is never held up by others.
  std::lock_guard<std::mutex> lock(mu_);
  ++running_;
}

void Executor::Work() {
  ObserveBlockingOnThisThread(this);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock,
             [this] { return CanRun() || (stopping_ && queue_.empty()); });
    if (queue_.empty()) return;  // stopping and drained
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    // Stopping: the workers with nothing left to run may leave now.
    if (stopping_ && queue_.empty()) cv_.notify_all();
    lock.unlock();
    task();
    task = nullptr;
    lock.lock();
    --running_;
  }
}

}  // namespace shien
