#ifndef SHIEN_SERVICES_SUBSIDY_CLIENTS_OUTBOX_DISPATCHER_H_
#define SHIEN_SERVICES_SUBSIDY_CLIENTS_OUTBOX_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "services/subsidy/clients/peers.h"
#include "services/subsidy/storage/subsidy_store.h"

namespace shien::subsidy {

// Delivers the outbox on its own thread, oldest first for each target: a
// message is marked delivered only after its receiver accepted it, so every
// message arrives at least once — and, receivers being idempotent on
// request ids, takes effect exactly once — even across restarts. An
// unreachable receiver's messages wait, in order, and are retried after a
// growing pause (up to `max_backoff`) while other receivers' messages go
// on; a message the receiver refuses for good is set aside (dead) with the
// error and logged. Instances sharing a database deliver one at a time:
// the one holding the outbox lease (SubsidyStore::HoldOutboxLease), renewed
// before a delivery once a third of it has run, and taken over by another
// when it expires (expiry compares the hosts' wall clocks: keep them
// synchronized). Thread-safe.
class OutboxDispatcher {
 public:
  // `lease` is how long the delivery lease lasts unrenewed: longer than any
  // one delivery (peer deadlines are seconds), so a live holder never loses
  // it mid-delivery; a successor of a crashed holder waits that long.
  // After a Nudge it waits `linger` before delivering, so that messages
  // committed in the meantime go in the same stream (and are marked
  // delivered in the same transaction).
  OutboxDispatcher(
      SubsidyStore* store, Peers* peers,
      std::chrono::milliseconds poll_interval,
      std::chrono::milliseconds max_backoff,
      std::chrono::milliseconds lease = std::chrono::seconds(15),
      std::chrono::milliseconds linger = std::chrono::milliseconds(10));
  // Stops the thread (a delivery in progress finishes first).
  ~OutboxDispatcher();

  // Wakes the thread to deliver now (after a commit that added messages).
  void Nudge();

 private:
  void Run();
  // Delivers what is pending; false when a receiver was unreachable.
  bool DeliverPending();

  SubsidyStore* store_;
  Peers* peers_;
  // This dispatcher's name in the outbox lease (host:pid:start time).
  const std::string holder_;
  const std::chrono::milliseconds lease_;
  const std::chrono::milliseconds linger_;
  std::chrono::milliseconds poll_interval_;
  std::chrono::milliseconds max_backoff_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool nudged_ = false;
  std::thread thread_;
};

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_CLIENTS_OUTBOX_DISPATCHER_H_
