// The conformance suite every BudgetStore implementation must pass. Each
// implementation registers a factory with INSTANTIATE_TEST_SUITE_P below.
#include "services/budget/storage/budget_store.h"

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/budget/plan/plan_loader.h"
#include "services/budget/storage/postgres_budget_store.h"
#include "services/budget/storage/sqlite_budget_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace shien::budget {
namespace {

using StoreFactory =
    std::function<std::unique_ptr<BudgetStore>(const std::string& dir)>;

struct Impl {
  std::string name;
  StoreFactory open;
};

class BudgetStoreTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    ASSERT_NE(store_, nullptr);
    auto report = LoadPlans(testing::SourceDir() + "/data", *store_);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->loaded.size(), 2u);
  }

  static RequestKey Key(const std::string& id, const std::string& body = "b") {
    return RequestKey{id, "Test", body};
  }

  static std::string Encode(const Program& p) {
    return absl::StrCat(p.number, ":", p.budget_yen, ":", p.revision);
  }

  static Expenditure Record(const std::string& id, int number, int64_t yen,
                            int year = 2026, int month = 4) {
    Expenditure e;
    e.fiscal_year = 2026;
    e.program_number = number;
    e.year = year;
    e.month = month;
    e.amount_yen = yen;
    e.request_id = id;
    return e;
  }

  testing::TempDir dir_;
  std::unique_ptr<BudgetStore> store_;
};

TEST_P(BudgetStoreTest, LoadsThePlanOnceAndKeepsEdits) {
  auto fy = store_->GetFiscalYear(2026);
  ASSERT_TRUE(fy.ok()) << fy.status();
  EXPECT_EQ(fy->program_count, 24);
  EXPECT_EQ(fy->budget_total_yen, 1'337'734'000);
  EXPECT_EQ(fy->warnings.size(), 3u);
  auto updated = store_->UpdateProgram(
      2026, 3,
      [](const Program& p) {
        Program next = p;
        next.budget_yen = 4'000'000;
        next.revision++;
        return absl::StatusOr<Program>(next);
      },
      Key(""), Encode, nullptr);
  ASSERT_TRUE(updated.ok()) << updated.status();
  // A second load of the same files changes nothing.
  auto report = LoadPlans(testing::SourceDir() + "/data", *store_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->loaded.empty());
  EXPECT_EQ(report->skipped.size(), 2u);
  EXPECT_EQ(store_->GetProgram(2026, 3)->budget_yen, 4'000'000);
}

TEST_P(BudgetStoreTest, ProgramsRoundTrip) {
  auto p = store_->GetProgram(2026, 20);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->title, "中小企業特定支援等事業");
  EXPECT_EQ(p->departments,
            (std::vector<std::string>{"経営支援課", "技術支援課"}));
  EXPECT_EQ(p->funding_sources,
            std::vector<FundingSource>{FundingSource::kPrefecture});
  EXPECT_FALSE(p->activities.empty());
  auto missing = store_->GetProgram(2026, 25);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  auto list = store_->ListPrograms(2026);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->programs.size(), 24u);
  EXPECT_EQ(list->programs.front().number, 1);
  EXPECT_EQ(store_->ListPrograms(2030).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(BudgetStoreTest, UpdateBumpsVersionAndReplaysRequest) {
  const int64_t v0 = store_->ListPrograms(2026)->data_version;
  int calls = 0;
  auto mutate = [&](const Program& p) {
    ++calls;
    Program next = p;
    next.budget_yen += 1000;
    next.revision++;
    return absl::StatusOr<Program>(next);
  };
  auto first =
      store_->UpdateProgram(2026, 1, mutate, Key("r1"), Encode, nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  auto again =
      store_->UpdateProgram(2026, 1, mutate, Key("r1"), Encode, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(store_->GetProgram(2026, 1)->budget_yen, 124'991'000);
  EXPECT_EQ(store_->ListPrograms(2026)->data_version, v0 + 1);
  auto reused = store_->UpdateProgram(2026, 1, mutate, Key("r1", "other"),
                                      Encode, nullptr);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(reused.status()), "REQUEST_ID_REUSED");
  // A failing mutation changes nothing and records nothing.
  auto failed = store_->UpdateProgram(
      2026, 1,
      [](const Program&) -> absl::StatusOr<Program> {
        return absl::AbortedError("stale");
      },
      Key("r2"), Encode, nullptr);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(store_->ListPrograms(2026)->data_version, v0 + 1);
  EXPECT_TRUE(
      store_->UpdateProgram(2026, 1, mutate, Key("r2"), Encode, nullptr).ok());
}

// The programs version moves with program changes only: the KPI
// dashboard keys on it, and must not be rebuilt for an expenditure.
TEST_P(BudgetStoreTest, ProgramsVersionMovesWithProgramChangesOnly) {
  const int64_t v0 = store_->GetFiscalYear(2026)->programs_version;
  EXPECT_GT(v0, 0);
  ASSERT_TRUE(store_->RecordExpenditures({Record("pv-e1", 1, 1000)}).ok());
  EXPECT_EQ(store_->GetFiscalYear(2026)->programs_version, v0);
  auto mutate = [](const Program& p) {
    Program next = p;
    next.title += "（改）";
    next.revision++;
    return absl::StatusOr<Program>(next);
  };
  int64_t committed = -1;
  ASSERT_TRUE(
      store_->UpdateProgram(2026, 9, mutate, Key("pv1"), Encode, &committed)
          .ok());
  EXPECT_GT(committed, v0);
  EXPECT_EQ(store_->GetFiscalYear(2026)->programs_version, committed);
  // A replay commits nothing and reports nothing.
  int64_t replayed = -1;
  ASSERT_TRUE(
      store_->UpdateProgram(2026, 9, mutate, Key("pv1"), Encode, &replayed)
          .ok());
  EXPECT_EQ(replayed, -1);
  EXPECT_EQ(store_->GetFiscalYear(2026)->programs_version, committed);
  // Other years keep theirs.
  EXPECT_EQ(store_->GetFiscalYear(2025)->programs_version,
            store_->GetFiscalYear(2025)->program_count);
}

TEST_P(BudgetStoreTest, DataVersionWithPriorReadsBothYearsTogether) {
  auto both = store_->DataVersionWithPrior(2026);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->first, *store_->DataVersion(2026));
  ASSERT_TRUE(both->second.has_value());  // FY2025 is loaded too
  EXPECT_EQ(*both->second, *store_->DataVersion(2025));
  // A write to FY2026 moves its version only.
  auto bump = store_->UpdateProgram(
      2026, 1,
      [](const Program& p) {
        Program next = p;
        next.revision++;
        return absl::StatusOr<Program>(next);
      },
      Key("dv1"), Encode, nullptr);
  ASSERT_TRUE(bump.ok()) << bump.status();
  auto after = store_->DataVersionWithPrior(2026);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->first, both->first + 1);
  EXPECT_EQ(after->second, both->second);
  // The first loaded year has no prior; an unloaded one is NOT_FOUND.
  auto first = store_->DataVersionWithPrior(2025);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->second.has_value());
  EXPECT_EQ(store_->DataVersionWithPrior(2030).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(BudgetStoreTest, ExpendituresDeduplicateByRequestId) {
  auto results = store_->RecordExpenditures(
      {Record("e1", 1, 1000), Record("e2", 2, 2000), Record("e1", 1, 1000),
       Record("e3", 99, 5), Record("e2", 2, 9999)});
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 5u);
  EXPECT_EQ((*results)[0].outcome, RecordOutcome::kAccepted);
  EXPECT_EQ((*results)[1].outcome, RecordOutcome::kAccepted);
  EXPECT_EQ((*results)[2].outcome, RecordOutcome::kDuplicate);
  EXPECT_EQ((*results)[3].outcome, RecordOutcome::kRejected);
  EXPECT_EQ((*results)[3].error.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*results)[4].outcome, RecordOutcome::kRejected);
  EXPECT_EQ(ErrorReason((*results)[4].error), "REQUEST_ID_REUSED");
  auto execution = store_->GetExecution(2026);
  ASSERT_TRUE(execution.ok());
  int64_t total = 0, count = 0;
  for (const auto& t : execution->totals) {
    total += t.executed_yen;
    count += t.record_count;
  }
  EXPECT_EQ(total, 3000);
  EXPECT_EQ(count, 2);
  auto listed = store_->ListExpenditures(2026, 1, 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().request_id, "e1");
  EXPECT_EQ(store_->ListExpenditures(2026, 77, 0, 10).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(BudgetStoreTest, ReservationsNeverOvercommit) {
  auto envelope = store_->GetEnvelope(2026, "overseas-business");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->amount_yen, 30'000'000);
  auto encode = [](const Reservation& r) {
    return absl::StrCat(r.id, ":", r.amount_yen);
  };
  // 8 threads race to reserve 1,000,000 yen each 5 times: only 30 fit.
  std::atomic<int> ok{0}, exceeded{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string holder = absl::StrCat("app-", t, "-", i);
        auto r = store_->ReserveFunds(2026, "overseas-business", holder,
                                      1'000'000, Key("res-" + holder), encode);
        if (r.ok()) {
          ++ok;
        } else if (ErrorReason(r.status()) == "ENVELOPE_EXCEEDED") {
          ++exceeded;
        } else {
          ++other;
          ADD_FAILURE() << r.status();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 30);
  EXPECT_EQ(exceeded.load(), 10);
  EXPECT_EQ(store_->GetEnvelope(2026, "overseas-business")->reserved_yen,
            30'000'000);
  // Release one partly, then fully; the envelope follows.
  auto list = store_->ListReservations(2026, "overseas-business", 0, 100);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 30u);
  const int64_t id = list->front().id;
  ASSERT_TRUE(store_
                  ->ReleaseFunds(2026, "overseas-business", id, 400'000,
                                 Key("rel-1"), encode)
                  .ok());
  EXPECT_EQ(store_->GetEnvelope(2026, "overseas-business")->reserved_yen,
            29'600'000);
  auto too_much = store_->ReleaseFunds(2026, "overseas-business", id, 700'000,
                                       Key("rel-2"), encode);
  EXPECT_EQ(too_much.status().code(), absl::StatusCode::kFailedPrecondition);
  auto all = store_->ReleaseFunds(2026, "overseas-business", id, 0,
                                  Key("rel-3"), encode);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, absl::StrCat(id, ":0"));
  // The replayed release returns the first answer and releases nothing more.
  EXPECT_EQ(*store_->ReleaseFunds(2026, "overseas-business", id, 0,
                                  Key("rel-3"), encode),
            *all);
  EXPECT_EQ(store_->GetEnvelope(2026, "overseas-business")->reserved_yen,
            29'000'000);
  // A holder that already has a reservation cannot take a second one.
  auto dup =
      store_->ReserveFunds(2026, "overseas-business", list->back().holder, 1,
                           Key("res-again"), encode);
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_P(BudgetStoreTest, SurvivesReopen) {
  ASSERT_TRUE(store_->RecordExpenditures({Record("keep", 5, 777)}).ok());
  store_.reset();
  store_ = GetParam().open(dir_.path());
  auto listed = store_->ListExpenditures(2026, 5, 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().amount_yen, 777);
}

TEST_P(BudgetStoreTest, DatabaseIdIsStableAndOwnToTheDatabase) {
  auto id = store_->DatabaseId();
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->size(), 32u);
  store_.reset();
  store_ = GetParam().open(dir_.path());
  EXPECT_EQ(*store_->DatabaseId(), *id);
  testing::TempDir other;
  auto another = GetParam().open(other.path());
  EXPECT_NE(*another->DatabaseId(), *id);
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, BudgetStoreTest,
    ::testing::Values(Impl{"sqlite",
                           [](const std::string& dir) {
                             sql::SqliteOptions options;
                             options.path = dir + "/budget.db";
                             auto store = OpenSqliteBudgetStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// The same suite against PostgreSQL: a throwaway cluster (initdb + pg_ctl
// on a free loopback port) shared by this test binary, one database per
// test directory.
INSTANTIATE_TEST_SUITE_P(
    Postgres, BudgetStoreTest,
    ::testing::Values(Impl{"postgres",
                           [](const std::string& dir) {
                             sql::PostgresOptions options;
                             options.conninfo =
                                 testing::SharedPostgresDatabase(dir);
                             EXPECT_FALSE(options.conninfo.empty());
                             auto store = OpenPostgresBudgetStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace shien::budget
