#ifndef SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_H_
#define SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "shien/budget/v1/budget_service.pb.h"

namespace shien::budget {

// The server side of WatchProgramVersions (see budget_service.proto): every
// loaded fiscal year's programs version, the watchers told of it, and the
// leases they hold. A watcher holds a lease until `lease` after the server
// received its last renewal; Publish() returns only when every watcher that
// held a lease when it was called has applied the change, or that lease has
// run out. Thread-safe.
class ProgramWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // Leases granted before this object existed (by the server that ran
  // before this one, which this one cannot know) are held to run until
  // `inherited_until`: a server passes its start + `lease`.
  ProgramWatch(std::chrono::milliseconds lease,
               Clock::time_point inherited_until);

  std::chrono::milliseconds lease() const { return lease_; }

  // Raises `year`'s version to `version` if it is lower (versions never go
  // back). For the versions read at start-up.
  void Merge(int year, int64_t version);

  // Records that `year`'s programs changed to `version` (committed), tells
  // every watcher, and blocks the calling thread (in a BlockingRegion) until
  // each watcher that held a lease at this call has applied it or its lease
  // has run out (at most lease() from now). Returns how many watchers'
  // leases ran out before they applied it.
  int Publish(int year, int64_t version);

  // A new watcher. `wake` is called, on any thread and never under the
  // watch's lock, when it has a response due (take it with Next()) or when
  // the watch closes. Returns the watcher's id.
  int64_t Add(std::function<void()> wake);
  // The watcher's stream ended. A lease it holds still counts until it runs
  // out: its client may not know yet.
  void Remove(int64_t id);
  // The watcher sent renewal `renewal` (nonzero), received now: its lease
  // runs to now + lease(), and a response echoing `renewal` is due.
  void Renew(int64_t id, int64_t renewal);
  // The watcher applied every response up to `sequence`.
  void Applied(int64_t id, int64_t sequence);
  // The response due to the watcher, if any; it is then no longer due.
  // Carries the versions as they are now.
  std::optional<v1::WatchProgramVersionsResponse> Next(int64_t id);

  // Ends the watch (at shutdown): wakes every watcher; closed() is true
  // from then on, and watchers should end their streams.
  void Close();
  bool closed() const;

 private:
  struct Watcher {
    std::function<void()> wake;
    Clock::time_point leased_until;
    int64_t applied = 0;
    int64_t answer = 0;  // renewal to echo; 0: none
    bool due = false;
  };

  const std::chrono::milliseconds lease_;
  mutable std::mutex mu_;
  std::condition_variable applied_;
  std::map<int, int64_t> versions_;      // mu_
  std::map<int64_t, Watcher> watchers_;  // mu_
  int64_t next_id_ = 1;                  // mu_
  int64_t sequence_ = 0;                 // mu_
  Clock::time_point departed_until_;     // mu_: latest lease of a gone one
  bool closed_ = false;                  // mu_
};

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_H_
