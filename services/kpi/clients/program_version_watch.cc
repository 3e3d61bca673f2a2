#include "services/kpi/clients/program_version_watch.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "grpcpp/support/client_callback.h"

namespace shien::kpi {
namespace {

namespace budget = ::shien::budget::v1;
using Clock = ProgramVersionWatch::Clock;

// A renewal carries the moment it was queued, which is no later than when
// it was sent: the lease it earns is counted from there.
int64_t RenewalAt(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             t.time_since_epoch())
             .count() +
         1;
}
Clock::time_point RenewalTime(int64_t renewal) {
  return Clock::time_point(std::chrono::microseconds(renewal - 1));
}

// Leases are trusted for 95% of their length: room for the two machines'
// clocks to run at slightly different rates.
Clock::duration Trusted(Clock::duration lease) { return lease * 19 / 20; }

constexpr auto kFirstRetry = std::chrono::milliseconds(200);
constexpr auto kMaxRetry = std::chrono::seconds(5);
constexpr auto kRefusedRetry = std::chrono::seconds(30);

}  // namespace

// One call. Every write holds the call open (AddHold) until it completes;
// the call's own hold is released when the read side ends.
class ProgramVersionWatch::Stream final
    : public grpc::ClientBidiReactor<budget::WatchProgramVersionsRequest,
                                     budget::WatchProgramVersionsResponse> {
 public:
  Stream(budget::BudgetService::Stub* stub, ProgramVersionWatch* owner)
      : owner_(owner) {
    stub->async()->WatchProgramVersions(&context_, this);
    AddHold();
    StartRead(&response_);
    StartCall();
  }

  // Queues a renewal (nonzero) and an acknowledgment (nonzero).
  void Send(int64_t renewal, int64_t applied) {
    std::unique_lock<std::mutex> lock(mu_);
    if (ending_) return;
    if (renewal != 0) pending_.set_renewal(renewal);
    if (applied != 0) {
      pending_.set_applied_sequence(
          std::max(pending_.applied_sequence(), applied));
    }
    if (writing_) return;
    StartPendingLocked(lock);
  }

  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ending_ = true;
      }
      RemoveHold();
      return;
    }
    const int64_t ack = owner_->Apply(response_);
    if (ack != 0) Send(0, ack);
    StartRead(&response_);
  }

  void OnWriteDone(bool ok) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      writing_ = false;
      if (ok && !ending_ &&
          (pending_.renewal() != 0 || pending_.applied_sequence() != 0)) {
        StartPendingLocked(lock);
      }
    }
    RemoveHold();
  }

  void OnDone(const grpc::Status& status) override {
    owner_->StreamDone(status);
  }

 private:
  // Starts writing pending_; unlocks `lock` before calling gRPC.
  void StartPendingLocked(std::unique_lock<std::mutex>& lock) {
    request_ = std::move(pending_);
    pending_.Clear();
    writing_ = true;
    AddHold();  // the call's own hold is still held: !ending_
    lock.unlock();
    StartWrite(&request_);
  }

  ProgramVersionWatch* const owner_;
  grpc::ClientContext context_;
  budget::WatchProgramVersionsResponse response_;  // read side only
  std::mutex mu_;
  budget::WatchProgramVersionsRequest request_;  // in flight while writing_
  budget::WatchProgramVersionsRequest pending_;  // mu_
  bool writing_ = false;                         // mu_
  bool ending_ = false;                          // mu_
};

ProgramVersionWatch::ProgramVersionWatch(std::shared_ptr<grpc::Channel> channel)
    : stub_(budget::BudgetService::NewStub(std::move(channel))),
      thread_([this] { Run(); }) {}

ProgramVersionWatch::~ProgramVersionWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::optional<int64_t> ProgramVersionWatch::Version(int year) const {
  const Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (now >= valid_until_) return std::nullopt;
  auto it = versions_.find(year);
  if (it == versions_.end()) return std::nullopt;
  return it->second;
}

int64_t ProgramVersionWatch::Apply(
    const budget::WatchProgramVersionsResponse& response) {
  std::lock_guard<std::mutex> lock(mu_);
  // Each response carries every year: a newer one replaces the table.
  if (response.sequence() >= sequence_) {
    versions_.clear();
    for (const auto& v : response.versions()) {
      versions_[v.year()] = v.programs_version();
    }
    sequence_ = response.sequence();
  }
  const auto lease =
      std::chrono::seconds(response.lease_duration().seconds()) +
      std::chrono::nanoseconds(response.lease_duration().nanos());
  if (lease > Clock::duration::zero()) {
    lease_ = std::chrono::duration_cast<Clock::duration>(lease);
  }
  if (response.renewal() != 0) {
    // The table above is at least as new as every change announced before
    // the server answered this renewal.
    valid_until_ = std::max(valid_until_,
                            RenewalTime(response.renewal()) + Trusted(lease_));
    last_answer_ = Clock::now();
    if (!answered_) {
      answered_ = true;
      std::fprintf(
          stderr,
          "kpi: program watch on (lease %lld ms): dashboards read "
          "the budget's program versions without a call\n",
          static_cast<long long>(
              std::chrono::duration_cast<std::chrono::milliseconds>(lease_)
                  .count()));
    }
  }
  if (sequence_ > acknowledged_) {
    acknowledged_ = sequence_;
    return sequence_;
  }
  return 0;
}

void ProgramVersionWatch::StreamDone(const grpc::Status& status) {
  // Notified under the lock: once Run() sees stream_done_ it may destroy
  // this object, and cv_ with it.
  std::lock_guard<std::mutex> lock(mu_);
  stream_done_ = true;
  stream_status_ = status;
  cv_.notify_all();
}

void ProgramVersionWatch::Run() {
  Clock::duration retry = kFirstRetry;
  bool logged_failure = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    versions_.clear();
    sequence_ = -1;
    acknowledged_ = 0;
    valid_until_ = Clock::time_point();
    answered_ = false;
    stream_done_ = false;
    last_answer_ = Clock::now();
    Clock::time_point last_renewal = last_answer_;
    lock.unlock();
    auto stream = std::make_unique<Stream>(stub_.get(), this);
    stream->Send(RenewalAt(last_renewal), 0);
    lock.lock();
    bool cancelled = false;
    while (!stream_done_) {
      if (cancelled) {
        cv_.wait(lock);
        continue;
      }
      if (stopping_ || Clock::now() - last_answer_ > 2 * lease_) {
        // Stopping, or the budget service stopped answering.
        cancelled = true;
        lock.unlock();
        stream->Cancel();
        lock.lock();
        continue;
      }
      const Clock::time_point next_renewal = last_renewal + lease_ / 4;
      cv_.wait_until(lock, next_renewal);
      if (stream_done_ || stopping_) continue;
      const Clock::time_point now = Clock::now();
      if (now >= next_renewal) {
        last_renewal = now;
        lock.unlock();
        stream->Send(RenewalAt(now), 0);
        lock.lock();
      }
    }
    valid_until_ = Clock::time_point();  // no lease without the stream
    const grpc::Status status = stream_status_;
    const bool was_on = answered_;
    lock.unlock();
    stream.reset();
    lock.lock();
    if (stopping_) break;
    if (was_on || !logged_failure) {
      std::fprintf(stderr,
                   "kpi: program watch %s (%s); dashboards ask the budget "
                   "service for its program versions meanwhile\n",
                   was_on ? "lost" : "unavailable",
                   status.error_message().c_str());
      logged_failure = true;
    }
    if (was_on) retry = kFirstRetry;
    Clock::duration wait = retry;
    retry = std::min<Clock::duration>(retry * 2, kMaxRetry);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
        status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
        status.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
        status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      wait = kRefusedRetry;
    }
    cv_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

}  // namespace shien::kpi
