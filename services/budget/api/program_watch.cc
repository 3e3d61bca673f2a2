#include "services/budget/api/program_watch.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/sync/blocking_region.h"

namespace shien::budget {

ProgramWatch::ProgramWatch(std::chrono::milliseconds lease,
                           Clock::time_point inherited_until)
    : lease_(lease), departed_until_(inherited_until) {}

void ProgramWatch::Merge(int year, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t& held = versions_[year];
  held = std::max(held, version);
}

int ProgramWatch::Publish(int year, int64_t version) {
  struct Wait {
    int64_t id;
    Clock::time_point until;  // the lease held at this call
  };
  std::vector<Wait> waits;
  std::vector<std::function<void()>> wakes;
  int64_t sequence;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t& held = versions_[year];
    held = std::max(held, version);
    sequence = ++sequence_;
    const Clock::time_point now = Clock::now();
    for (auto& [id, w] : watchers_) {
      w.due = true;
      wakes.push_back(w.wake);
      if (w.leased_until > now) waits.push_back({id, w.leased_until});
    }
    // A watcher gone before this call may not know yet that it is gone.
    if (departed_until_ > now) waits.push_back({0, departed_until_});
  }
  for (const auto& wake : wakes) wake();
  if (waits.empty()) return 0;

  BlockingRegion waiting;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const Clock::time_point now = Clock::now();
    std::optional<Clock::time_point> next;
    for (const Wait& w : waits) {
      if (now >= w.until) continue;
      auto it = watchers_.find(w.id);
      if (it != watchers_.end() && it->second.applied >= sequence) continue;
      next = next ? std::min(*next, w.until) : w.until;
    }
    if (!next) break;
    applied_.wait_until(lock, *next);
  }
  int lapsed = 0;
  for (const Wait& w : waits) {
    auto it = watchers_.find(w.id);
    if (w.id != 0 && (it == watchers_.end() || it->second.applied < sequence)) {
      ++lapsed;
    }
  }
  return lapsed;
}

int64_t ProgramWatch::Add(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t id = next_id_++;
  watchers_[id].wake = std::move(wake);
  return id;
}

void ProgramWatch::Remove(int64_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    departed_until_ = std::max(departed_until_, it->second.leased_until);
    watchers_.erase(it);
  }
  applied_.notify_all();
}

void ProgramWatch::Renew(int64_t id, int64_t renewal) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watchers_.find(id);
  if (it == watchers_.end()) return;
  it->second.leased_until =
      std::max(it->second.leased_until, Clock::now() + lease_);
  it->second.answer = renewal;
  it->second.due = true;
}

void ProgramWatch::Applied(int64_t id, int64_t sequence) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    it->second.applied = std::max(it->second.applied, sequence);
  }
  applied_.notify_all();
}

std::optional<v1::WatchProgramVersionsResponse> ProgramWatch::Next(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watchers_.find(id);
  if (it == watchers_.end() || !it->second.due) return std::nullopt;
  Watcher& w = it->second;
  v1::WatchProgramVersionsResponse out;
  out.set_sequence(sequence_);
  for (const auto& [year, version] : versions_) {
    auto* v = out.add_versions();
    v->set_year(year);
    v->set_programs_version(version);
  }
  out.set_renewal(w.answer);
  const auto ms = lease_.count();
  out.mutable_lease_duration()->set_seconds(ms / 1000);
  out.mutable_lease_duration()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                          1000000);
  w.answer = 0;
  w.due = false;
  return out;
}

void ProgramWatch::Close() {
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& [id, w] : watchers_) wakes.push_back(w.wake);
  }
  for (const auto& wake : wakes) wake();
}

bool ProgramWatch::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace shien::budget
