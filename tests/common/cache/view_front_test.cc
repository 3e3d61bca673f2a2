// ViewFront: cached views answered from the in-process tier after a shared
// version read, against a real redis-server started by the test.
#include "common/cache/view_front.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/redis_server.h"

namespace shien::cache {
namespace {

// What a Lookup answered: the bytes, or "" for null.
std::string Answer(const std::shared_ptr<const std::string>& bytes) {
  return bytes == nullptr ? std::string() : *bytes;
}

class ViewFrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    RedisOptions options;
    options.address = redis_.address();
    ViewCacheOptions view_options;
    view_options.prefix = "front-test";
    cache_ = std::make_unique<ViewCache>(std::make_unique<RedisPool>(options),
                                         view_options);
  }

  // Caches `bytes` as view `name` at `version` (both tiers).
  void Put(const std::string& name, const std::string& version,
           const std::string& bytes) {
    auto view = cache_->Get(name, version, [&]() -> absl::StatusOr<View> {
      return View{bytes, version};
    });
    ASSERT_TRUE(view.ok()) << view.status();
  }

  // One Lookup, waited for.
  std::string LookupAndWait(ViewFront& front, int64_t key,
                            const std::string& name,
                            const std::string& suffix = "") {
    std::promise<std::shared_ptr<const std::string>> answered;
    front.Lookup(key, name, suffix, nullptr,
                 [&](std::shared_ptr<const std::string> bytes) {
                   answered.set_value(std::move(bytes));
                 });
    return Answer(answered.get_future().get());
  }

  testing::RedisServer redis_;
  std::unique_ptr<ViewCache> cache_;
  Executor executor_{4, 100};
  std::atomic<int64_t> version_{1};
  std::atomic<int> reads_{0};
};

TEST_F(ViewFrontTest, AnswersTheViewAtTheCurrentVersion) {
  ViewFront front(cache_.get(), &executor_, [this](int64_t key) {
    ++reads_;
    return absl::StatusOr<std::string>(absl::StrCat(key, "@", version_.load()));
  });
  Put("summary/2026", "2026@1", "one");
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "one");
  EXPECT_EQ(reads_.load(), 1);
  EXPECT_EQ(cache_->Stats().front_hits, 1);
}

// After a write (the version moved), the view of the old version is not
// answered: the caller computes the new one.
TEST_F(ViewFrontTest, AnswersNullOnceTheVersionMoved) {
  ViewFront front(cache_.get(), &executor_, [this](int64_t) {
    return absl::StatusOr<std::string>(absl::StrCat(version_.load()));
  });
  Put("summary/2026", "1", "one");
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "one");
  version_ = 2;
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "");
  Put("summary/2026", "2", "two");
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "two");
}

TEST_F(ViewFrontTest, TheSuffixIsPartOfTheVersion) {
  ViewFront front(cache_.get(), &executor_,
                  [](int64_t) { return absl::StatusOr<std::string>("5"); });
  Put("dashboard/2026", "5/7", "seven");
  EXPECT_EQ(LookupAndWait(front, 2026, "dashboard/2026", "/7"), "seven");
  EXPECT_EQ(LookupAndWait(front, 2026, "dashboard/2026", "/8"), "");
  EXPECT_EQ(LookupAndWait(front, 2026, "dashboard/2026"), "");
}

// On a miss the caller's work uses the version the front read (after the
// call arrived) instead of reading it again; after a failed read it has
// none and reads it itself.
TEST_F(ViewFrontTest, LeavesTheVersionItReadForTheWork) {
  ViewFront front(cache_.get(), &executor_, [this](int64_t) {
    if (version_.load() == 0) {
      return absl::StatusOr<std::string>(absl::UnavailableError("down"));
    }
    return absl::StatusOr<std::string>(absl::StrCat(version_.load()));
  });
  auto lookup = [&](std::shared_ptr<std::string> seen) {
    std::promise<std::shared_ptr<const std::string>> answered;
    front.Lookup(2026, "dashboard/2026", "/7", seen,
                 [&](std::shared_ptr<const std::string> bytes) {
                   answered.set_value(std::move(bytes));
                 });
    return Answer(answered.get_future().get());
  };
  auto seen = std::make_shared<std::string>();
  EXPECT_EQ(lookup(seen), "");  // a miss
  EXPECT_EQ(*seen, "1/7");
  version_ = 0;
  seen = std::make_shared<std::string>();
  EXPECT_EQ(lookup(seen), "");
  EXPECT_EQ(*seen, "");
}

// A gate that holds the first read until it is opened.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Lookups arriving while a read runs share the next one: 1 + 1 reads for 20
// lookups. And a lookup is never answered by a read that began before it:
// the first read saw version 1; the 19 that came after the write (version
// 2) get the view of version 2.
TEST_F(ViewFrontTest, SharesReadsButNeverAnswersWithAnOlderOne) {
  Gate gate;
  ViewFront front(cache_.get(), &executor_, [&](int64_t) {
    // The version is read before the read counts as begun: the test moves
    // the version only once it has.
    const int64_t seen = version_.load();
    const int read = ++reads_;
    if (read == 1) gate.Wait();
    return absl::StatusOr<std::string>(absl::StrCat(seen));
  });
  Put("stats/2026", "1", "one");
  Put("stats/2026", "2", "two");
  std::vector<std::promise<std::shared_ptr<const std::string>>> answered(20);
  front.Lookup(2026, "stats/2026", "", nullptr,
               [&](std::shared_ptr<const std::string> bytes) {
                 answered[0].set_value(std::move(bytes));
               });
  while (reads_.load() == 0) std::this_thread::yield();  // read 1 began
  version_ = 2;  // a write, acknowledged before the lookups below
  for (int i = 1; i < 20; ++i) {
    front.Lookup(2026, "stats/2026", "", nullptr,
                 [&answered, i](std::shared_ptr<const std::string> bytes) {
                   answered[i].set_value(std::move(bytes));
                 });
  }
  gate.Open();
  EXPECT_EQ(Answer(answered[0].get_future().get()), "one");
  for (int i = 1; i < 20; ++i) {
    EXPECT_EQ(Answer(answered[i].get_future().get()), "two") << i;
  }
  EXPECT_EQ(reads_.load(), 2);
}

TEST_F(ViewFrontTest, AnswersNullWhenTheReadFails) {
  ViewFront front(cache_.get(), &executor_, [](int64_t) {
    return absl::StatusOr<std::string>(absl::UnavailableError("store down"));
  });
  Put("summary/2026", "1", "one");
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "");
}

TEST_F(ViewFrontTest, AnswersNullWhenTheReadCannotBeQueued) {
  ViewFront front(cache_.get(), &executor_, [this](int64_t) {
    ++reads_;
    return absl::StatusOr<std::string>("1");
  });
  Put("summary/2026", "1", "one");
  executor_.Stop();
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "");
  EXPECT_EQ(reads_.load(), 0);
}

TEST_F(ViewFrontTest, WithoutACacheAnswersNullWithoutReading) {
  ViewFront front(nullptr, &executor_, [this](int64_t) {
    ++reads_;
    return absl::StatusOr<std::string>("1");
  });
  EXPECT_EQ(LookupAndWait(front, 2026, "summary/2026"), "");
  EXPECT_EQ(reads_.load(), 0);
}

}  // namespace
}  // namespace shien::cache
