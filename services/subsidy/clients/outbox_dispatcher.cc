#include "services/subsidy/clients/outbox_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/api/timestamps.h"

namespace shien::subsidy {
namespace {

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

}  // namespace

OutboxDispatcher::OutboxDispatcher(SubsidyStore* store, Peers* peers,
                                   std::chrono::milliseconds poll_interval,
                                   std::chrono::milliseconds max_backoff,
                                   std::chrono::milliseconds lease)
    : store_(store),
      peers_(peers),
      holder_(absl::StrCat(HostName(), ":", getpid(), ":", NowMicros())),
      lease_(lease),
      poll_interval_(poll_interval),
      max_backoff_(max_backoff),
      thread_([this] { Run(); }) {}

OutboxDispatcher::~OutboxDispatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  // Hands the lease back (expired at once) so another instance, or this
  // one restarted, delivers without waiting for it to run out.
  store_->HoldOutboxLease(holder_, 0, 0).IgnoreError();
}

void OutboxDispatcher::Nudge() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

void OutboxDispatcher::Run() {
  std::chrono::milliseconds wait = poll_interval_;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, wait, [this] { return stopping_ || nudged_; });
      if (stopping_) return;
      nudged_ = false;
    }
    if (DeliverPending()) {
      wait = poll_interval_;
    } else {
      wait = std::min(max_backoff_, wait * 2);
    }
  }
}

bool OutboxDispatcher::DeliverPending() {
  // Order is kept per target: once a receiver is unreachable, its later
  // messages wait for the next pass; other receivers go on. Only the
  // instance holding the lease delivers; it renews it before a delivery
  // once a third of it has run, and stops when it has lost it.
  std::set<std::string> blocked;
  int64_t after = 0;
  int64_t renewed_at = 0;
  const int64_t lease_us =
      std::chrono::duration_cast<std::chrono::microseconds>(lease_).count();
  auto hold = [&]() -> absl::StatusOr<bool> {
    const int64_t now = NowMicros();
    if (renewed_at != 0 && now - renewed_at < lease_us / 3) return true;
    absl::StatusOr<bool> held = store_->HoldOutboxLease(holder_, now, lease_us);
    if (held.ok() && *held) renewed_at = now;
    return held;
  };
  while (true) {
    absl::StatusOr<std::vector<OutboxMessage>> pending =
        store_->PendingOutbox(after, 100);
    if (!pending.ok()) return false;
    if (pending->empty()) return blocked.empty();
    for (const OutboxMessage& m : *pending) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return true;
      }
      if (blocked.count(m.target)) continue;
      absl::StatusOr<bool> lease = hold();
      if (!lease.ok()) return false;
      if (!*lease) return true;  // another instance delivers
      absl::Status status = peers_->Deliver(m.target, m.payload);
      if (status.ok()) {
        if (!store_->MarkDelivered(m.sequence).ok()) return false;
        continue;
      }
      const bool retry = IsRetryable(status);
      store_->MarkFailed(m.sequence, std::string(status.message()), !retry)
          .IgnoreError();
      if (retry) {
        blocked.insert(m.target);
        continue;
      }
      std::fprintf(stderr,
                   "subsidy: outbox message %lld (%s %s) set aside: %s\n",
                   static_cast<long long>(m.sequence), m.target.c_str(),
                   m.request_id.c_str(), std::string(status.message()).c_str());
    }
    after = pending->back().sequence;
  }
}

}  // namespace shien::subsidy
