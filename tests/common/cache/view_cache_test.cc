// ViewCache against a real redis-server started by the test.
#include "common/cache/view_cache.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/cache/local_tier.h"
#include "gtest/gtest.h"
#include "tests/testing/redis_server.h"

namespace shien::cache {
namespace {

using Clock = std::chrono::steady_clock;

class ViewCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start()); }

  // `local_bytes` 0: Redis alone, the tier these tests are about.
  std::unique_ptr<ViewCache> Make(std::string password = "",
                                  size_t local_bytes = 0) {
    RedisOptions options;
    options.address = redis_.address();
    options.password = std::move(password);
    options.connect_timeout_ms = 100;
    options.command_timeout_ms = 100;
    options.retry_after_ms = 200;
    ViewCacheOptions view_options;
    view_options.prefix = "test";
    view_options.local_bytes = local_bytes;
    return std::make_unique<ViewCache>(std::make_unique<RedisPool>(options),
                                       view_options);
  }

  // A compute function counting its calls and returning `bytes`@`version`.
  std::function<absl::StatusOr<View>()> Counting(const std::string& bytes,
                                                 const std::string& version,
                                                 int sleep_ms = 0) {
    return [this, bytes, version, sleep_ms]() -> absl::StatusOr<View> {
      ++computed_;
      if (sleep_ms) {
        std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      }
      return View{bytes, version};
    };
  }

  // DEBUG SLEEP needs the debug command (off by default since Redis 7).
  testing::RedisServer redis_{{"--enable-debug-command", "yes"}};
  std::atomic<int> computed_{0};
};

// Calls answering the same view from the in-process tier share one copy of
// its bytes (what bounds memory with many answers in flight).
TEST_F(ViewCacheTest, LocalHitsShareOneCopy) {
  auto cache = Make("", 1 << 20);
  auto computed = cache->Get("dashboard/2026", "3", Counting("D", "3"));
  auto first = cache->Get("dashboard/2026", "3", Counting("X", "3"));
  auto second = cache->Get("dashboard/2026", "3", Counting("Y", "3"));
  ASSERT_TRUE(computed.ok() && first.ok() && second.ok());
  EXPECT_EQ(*second->bytes, "D");
  EXPECT_EQ(first->bytes.get(), computed->bytes.get());
  EXPECT_EQ(second->bytes.get(), computed->bytes.get());
  EXPECT_EQ(computed_.load(), 1);
}

TEST_F(ViewCacheTest, MissComputesHitReuses) {
  auto cache = Make();
  auto a = cache->Get("summary/2026", "7", Counting("A", "7"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->bytes, "A");
  auto b = cache->Get("summary/2026", "7", Counting("B", "7"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->bytes, "A");  // from Redis
  EXPECT_EQ(computed_.load(), 1);
  CacheStats s = cache->Stats();
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.computations, 1);
  EXPECT_FALSE(s.degraded);
}

TEST_F(ViewCacheTest, ANewVersionIsAMiss) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("summary/2026", "7", Counting("old", "7")).ok());
  auto fresh = cache->Get("summary/2026", "8", Counting("new", "8"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh->bytes, "new");
  EXPECT_EQ(computed_.load(), 2);
}

TEST_F(ViewCacheTest, StoredUnderTheVersionTheComputationSaw) {
  auto cache = Make();
  // Asked at version 7, the computation saw 9: cached as 9, so a reader at
  // 9 hits and a reader at 7 (impossible after 9 is current) would miss.
  ASSERT_TRUE(cache->Get("v", "7", Counting("nine", "9")).ok());
  auto at9 = cache->Get("v", "9", Counting("x", "9"));
  ASSERT_TRUE(at9.ok());
  EXPECT_EQ(*at9->bytes, "nine");
  EXPECT_EQ(computed_.load(), 1);
}

TEST_F(ViewCacheTest, ConcurrentMissesComputeOnce) {
  auto cache = Make();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto v = cache->Get("stampede", "1", Counting("S", "1", 200));
      if (v.ok() && *v->bytes == "S") ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(computed_.load(), 1);
}

TEST_F(ViewCacheTest, RedisKilledMeansComputingThenRecovery) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("k", "1", Counting("A", "1")).ok());
  redis_.Kill();
  for (int i = 0; i < 20; ++i) {
    auto v = cache->Get("k", "1", Counting("A", "1"));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v->bytes, "A");
  }
  EXPECT_EQ(computed_.load(), 21);
  EXPECT_TRUE(cache->Stats().degraded);
  EXPECT_FALSE(cache->Healthy());
  EXPECT_GT(cache->Stats().errors, 0);
  ASSERT_TRUE(redis_.Start());  // same port, empty
  // After the retry pause, caching resumes by itself.
  bool hit = false;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!hit && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const int64_t hits = cache->Stats().hits;
    ASSERT_TRUE(cache->Get("k", "2", Counting("B", "2")).ok());
    ASSERT_TRUE(cache->Get("k", "2", Counting("B", "2")).ok());
    hit = cache->Stats().hits > hits;
  }
  EXPECT_TRUE(hit);
  EXPECT_TRUE(cache->Healthy());
  EXPECT_GT(cache->Stats().degraded_ms, 0);
}

TEST_F(ViewCacheTest, AHangingRedisCostsAtMostTheTimeout) {
  auto cache = Make();
  ASSERT_TRUE(cache->Get("k", "1", Counting("A", "1")).ok());
  // DEBUG SLEEP blocks the server for 3 s.
  std::thread sleeper([&] { redis_.Cli({"DEBUG", "SLEEP", "3"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = Clock::now();
  auto v = cache->Get("k", "1", Counting("A", "1"));
  const auto took = Clock::now() - start;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v->bytes, "A");
  // 100 ms command timeout (+ the computation): far below the 3 s sleep.
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_TRUE(cache->Stats().degraded);
  sleeper.join();
}

TEST_F(ViewCacheTest, TheInProcessTierAnswersWithoutRedis) {
  auto cache = Make("", 1 << 20);
  ASSERT_TRUE(cache->Get("k", "1", Counting("A", "1")).ok());
  redis_.Kill();
  for (int i = 0; i < 5; ++i) {
    auto v = cache->Get("k", "1", Counting("B", "1"));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v->bytes, "A");
  }
  EXPECT_EQ(computed_.load(), 1);
  EXPECT_EQ(cache->Stats().hits, 5);
  EXPECT_EQ(cache->Stats().local_hits, 5);
  // A new version is still computed (and kept in process).
  auto fresh = cache->Get("k", "2", Counting("C", "2"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh->bytes, "C");
  EXPECT_EQ(computed_.load(), 2);
}

TEST_F(ViewCacheTest, AnotherInstancesViewComesFromRedisUnderItsVersion) {
  auto a = Make("", 1 << 20);
  auto b = Make("", 1 << 20);
  ASSERT_TRUE(a->Get("k", "1", Counting("one", "1")).ok());
  // Another instance wrote (version 2) and computed the view.
  ASSERT_TRUE(b->Get("k", "2", Counting("two", "2")).ok());
  auto v = a->Get("k", "2", Counting("x", "2"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v->bytes, "two");  // from Redis: a's own copy is of version 1
  EXPECT_EQ(computed_.load(), 2);
  EXPECT_EQ(a->Stats().local_hits, 0);
  // Now kept in a's process too.
  ASSERT_TRUE(a->Get("k", "2", Counting("x", "2")).ok());
  EXPECT_EQ(a->Stats().local_hits, 1);
}

TEST(LocalTierTest, EvictsTheLeastRecentlyUsedBeyondItsBound) {
  LocalTier tier(400);
  auto value = [](char c) {
    return std::make_shared<const std::string>(100, c);
  };
  tier.Put("a", value('a'));
  tier.Put("b", value('b'));
  tier.Put("c", value('c'));
  ASSERT_NE(tier.Get("a"), nullptr);  // a is now the most recent
  tier.Put("d", value('d'));
  tier.Put("e", value('e'));  // 500 bytes: b, the least recent, goes
  EXPECT_EQ(tier.Get("b"), nullptr);
  EXPECT_EQ(*tier.Get("a"), std::string(100, 'a'));
  EXPECT_NE(tier.Get("e"), nullptr);
  EXPECT_EQ(tier.bytes(), 400u);
  EXPECT_EQ(tier.evictions(), 1);
  // More than a quarter of the bound is not kept at all.
  tier.Put("big", std::make_shared<const std::string>(101, 'x'));
  EXPECT_EQ(tier.Get("big"), nullptr);
  EXPECT_EQ(tier.bytes(), 400u);
  // Replacing a key counts its new size only.
  tier.Put("a", value('z'));
  EXPECT_EQ(*tier.Get("a"), std::string(100, 'z'));
  EXPECT_EQ(tier.bytes(), 400u);
}

TEST(LocalTierTest, ZeroKeepsNothing) {
  LocalTier tier(0);
  tier.Put("a", std::make_shared<const std::string>("x"));
  EXPECT_EQ(tier.Get("a"), nullptr);
}

TEST(ViewCacheAuthTest, PasswordIsUsedAndAWrongOneOnlyDegrades) {
  testing::RedisServer redis({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.Start());
  for (const std::string& password :
       {std::string("s3cret"), std::string("bad")}) {
    RedisOptions options;
    options.address = redis.address();
    options.password = password;
    ViewCacheOptions view_options;
    view_options.local_bytes = 0;
    ViewCache cache(std::make_unique<RedisPool>(options), view_options);
    int computed = 0;
    auto compute = [&]() -> absl::StatusOr<View> {
      ++computed;
      return View{"x", "1"};
    };
    ASSERT_TRUE(cache.Get("a", "1", compute).ok());
    ASSERT_TRUE(cache.Get("a", "1", compute).ok());
    EXPECT_EQ(computed, password == "s3cret" ? 1 : 2) << password;
    EXPECT_EQ(cache.Healthy(), password == "s3cret") << password;
  }
}

TEST(ViewCacheOffTest, WithoutRedisEveryCallComputes) {
  ViewCache cache(nullptr, {});
  int computed = 0;
  auto compute = [&]() -> absl::StatusOr<View> {
    ++computed;
    return View{"x", "1"};
  };
  ASSERT_TRUE(CachedView(
                  &cache, "a", [] { return std::string("1"); }, compute)
                  .ok());
  ASSERT_TRUE(CachedView(
                  &cache, "a", [] { return std::string("1"); }, compute)
                  .ok());
  EXPECT_EQ(computed, 2);
  EXPECT_TRUE(cache.Healthy());
  EXPECT_FALSE(cache.enabled());
}

}  // namespace
}  // namespace shien::cache
