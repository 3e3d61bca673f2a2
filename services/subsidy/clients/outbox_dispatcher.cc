#include "services/subsidy/clients/outbox_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

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
                                   std::chrono::milliseconds lease,
                                   std::chrono::milliseconds linger)
    : store_(store),
      peers_(peers),
      holder_(absl::StrCat(HostName(), ":", getpid(), ":", NowMicros())),
      lease_(lease),
      linger_(linger),
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
    // Already nudged: the dispatcher is lingering or about to deliver, and
    // waking it again would only put it back to sleep.
    if (nudged_) return;
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
      if (nudged_) {
        // Lets the commits right behind this one join its delivery.
        cv_.wait_for(lock, linger_, [this] { return stopping_; });
        if (stopping_) return;
      }
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
    // Each target's messages of this page, in order: delivered together
    // (DeliverAll) and marked delivered in one transaction.
    std::vector<std::string> targets;
    std::map<std::string, std::vector<const OutboxMessage*>> by_target;
    for (const OutboxMessage& m : *pending) {
      auto [it, added] = by_target.try_emplace(m.target);
      if (added) targets.push_back(m.target);
      it->second.push_back(&m);
    }
    for (const std::string& target : targets) {
      std::vector<const OutboxMessage*> rest = by_target[target];
      while (!rest.empty() && !blocked.count(target)) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stopping_) return true;
        }
        absl::StatusOr<bool> lease = hold();
        if (!lease.ok()) return false;
        if (!*lease) return true;  // another instance delivers
        // At most what the receiver takes in one call, so that the lease
        // is renewed between calls as it was between single deliveries.
        const size_t n = std::min(
            rest.size(), std::max<size_t>(1, peers_->BatchLimit(target)));
        std::vector<std::string> payloads;
        for (size_t i = 0; i < n; ++i) payloads.push_back(rest[i]->payload);
        const Peers::Delivery delivery = peers_->DeliverAll(target, payloads);
        std::vector<int64_t> delivered;
        for (size_t i = 0; i < delivery.delivered; ++i) {
          delivered.push_back(rest[i]->sequence);
        }
        if (!delivered.empty() && !store_->MarkDelivered(delivered).ok()) {
          return false;
        }
        if (delivery.failure.ok()) {
          if (delivery.delivered == 0) {  // nothing taken: the next pass
            blocked.insert(target);
            break;
          }
          rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(
                                                      delivery.delivered));
          continue;
        }
        const OutboxMessage& failed = *rest[delivery.delivered];
        const bool retry = IsRetryable(delivery.failure);
        store_
            ->MarkFailed(failed.sequence,
                         std::string(delivery.failure.message()), !retry)
            .IgnoreError();
        if (retry) {
          blocked.insert(target);
          break;
        }
        std::fprintf(stderr,
                     "subsidy: outbox message %lld (%s %s) set aside: %s\n",
                     static_cast<long long>(failed.sequence),
                     failed.target.c_str(), failed.request_id.c_str(),
                     std::string(delivery.failure.message()).c_str());
        rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(
                                                    delivery.delivered + 1));
      }
    }
    after = pending->back().sequence;
  }
}

}  // namespace shien::subsidy
