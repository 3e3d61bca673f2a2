// ProgramWatch: the versions it announces and the leases Publish() waits
// for. Times are lower bounds (a wait that must happen) or generous upper
// bounds far from the expected value (a wait that must end early).
#include "services/budget/api/program_watch.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace shien::budget {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

int64_t VersionOf(const v1::WatchProgramVersionsResponse& r, int year) {
  for (const auto& v : r.versions()) {
    if (v.year() == year) return v.programs_version();
  }
  return -1;
}

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST(ProgramWatchTest, AnswersRenewalsWithEveryYearAndTheLease) {
  ProgramWatch watch(milliseconds(1500), {});
  watch.Merge(2026, 24);
  watch.Merge(2025, 20);
  watch.Merge(2026, 10);  // versions never go back
  const int64_t id = watch.Add([] {});
  EXPECT_FALSE(watch.Next(id).has_value());  // nothing due before a renewal
  watch.Renew(id, 777);
  auto r = watch.Next(id);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->renewal(), 777);
  EXPECT_EQ(VersionOf(*r, 2026), 24);
  EXPECT_EQ(VersionOf(*r, 2025), 20);
  EXPECT_EQ(r->lease_duration().seconds(), 1);
  EXPECT_EQ(r->lease_duration().nanos(), 500'000'000);
  EXPECT_FALSE(watch.Next(id).has_value());  // taken
}

TEST(ProgramWatchTest, PublishWakesEveryWatcherWithAHigherSequence) {
  ProgramWatch watch(milliseconds(2000), {});
  watch.Merge(2026, 24);
  std::atomic<int> woken{0};
  const int64_t a = watch.Add([&] { ++woken; });
  const int64_t b = watch.Add([&] { ++woken; });
  watch.Renew(a, 1);
  const int64_t before = watch.Next(a)->sequence();
  // No watcher has applied; `b` holds no lease, and `a`'s is waited for by
  // a publisher on another thread while we apply for `a`.
  std::thread publisher([&] { watch.Publish(2026, 25); });
  while (woken.load() < 2) std::this_thread::yield();
  auto ra = watch.Next(a);
  ASSERT_TRUE(ra.has_value());
  EXPECT_GT(ra->sequence(), before);
  EXPECT_EQ(VersionOf(*ra, 2026), 25);
  EXPECT_EQ(ra->renewal(), 0);  // answers no renewal
  watch.Applied(a, ra->sequence());
  publisher.join();
  auto rb = watch.Next(b);
  ASSERT_TRUE(rb.has_value());
  EXPECT_EQ(VersionOf(*rb, 2026), 25);
}

TEST(ProgramWatchTest, PublishWithoutLeasesReturnsAtOnce) {
  ProgramWatch watch(milliseconds(5000), {});
  const int64_t id = watch.Add([] {});  // never renewed: holds no lease
  const auto start = Clock::now();
  EXPECT_EQ(watch.Publish(2026, 30), 0);
  EXPECT_LT(Since(start), milliseconds(2500));
  // A lower version published late (a slower concurrent update) does not
  // take the table back.
  EXPECT_EQ(watch.Publish(2026, 29), 0);
  auto r = watch.Next(id);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(VersionOf(*r, 2026), 30);
}

TEST(ProgramWatchTest, PublishWaitsUntilTheLeasedWatcherApplies) {
  ProgramWatch watch(milliseconds(10000), {});
  std::atomic<bool> woken{false};
  const int64_t id = watch.Add([&] { woken = true; });
  watch.Renew(id, 1);
  watch.Next(id);
  std::thread applier([&] {
    while (!woken) std::this_thread::yield();  // the change was sent
    std::this_thread::sleep_for(milliseconds(200));
    auto r = watch.Next(id);
    ASSERT_TRUE(r.has_value());
    watch.Applied(id, r->sequence());
  });
  const auto start = Clock::now();
  EXPECT_EQ(watch.Publish(2026, 30), 0);
  const milliseconds took = Since(start);
  applier.join();
  EXPECT_GE(took, milliseconds(150));   // it waited for the watcher
  EXPECT_LT(took, milliseconds(5000));  // and not for the lease
}

TEST(ProgramWatchTest, PublishWaitsOutTheLeaseOfASilentWatcher) {
  ProgramWatch watch(milliseconds(600), {});
  const int64_t id = watch.Add([] {});
  watch.Renew(id, 1);
  const auto start = Clock::now();
  EXPECT_EQ(watch.Publish(2026, 30), 1);
  EXPECT_GE(Since(start), milliseconds(550));
  // Renewals after the change was sent do not prolong the wait for it: the
  // answers to them carry the change.
  watch.Renew(id, 2);
  std::atomic<bool> stop{false};
  std::thread renewer([&] {
    while (!stop) {
      watch.Renew(id, 2);
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  const auto second = Clock::now();
  EXPECT_EQ(watch.Publish(2026, 31), 1);
  stop = true;
  renewer.join();
  EXPECT_GE(Since(second), milliseconds(550));
  EXPECT_LT(Since(second), milliseconds(5000));
}

TEST(ProgramWatchTest, AGoneWatchersLeaseStillCounts) {
  ProgramWatch watch(milliseconds(1000), {});
  const int64_t id = watch.Add([] {});
  watch.Renew(id, 1);
  watch.Remove(id);  // its client may not know yet
  const auto start = Clock::now();
  watch.Publish(2026, 30);
  EXPECT_GE(Since(start), milliseconds(900));
  // Once that lease ran out, nothing is waited for.
  const auto later = Clock::now();
  watch.Publish(2026, 31);
  EXPECT_LT(Since(later), milliseconds(800));
}

// A server that starts cannot know the leases its predecessor granted.
TEST(ProgramWatchTest, LeasesInheritedFromAPredecessorAreWaitedOut) {
  const auto start = Clock::now();
  ProgramWatch watch(milliseconds(1000), start + milliseconds(600));
  EXPECT_EQ(watch.Publish(2026, 30), 0);  // no watcher of its own lapsed
  EXPECT_GE(Since(start), milliseconds(550));
  const auto later = Clock::now();
  watch.Publish(2026, 31);
  EXPECT_LT(Since(later), milliseconds(800));
}

TEST(ProgramWatchTest, CloseWakesEveryWatcher) {
  ProgramWatch watch(milliseconds(1000), {});
  std::atomic<int> woken{0};
  watch.Add([&] { ++woken; });
  watch.Add([&] { ++woken; });
  EXPECT_FALSE(watch.closed());
  watch.Close();
  EXPECT_TRUE(watch.closed());
  EXPECT_EQ(woken.load(), 2);
}

}  // namespace
}  // namespace shien::budget
