#include "common/sql/sqlite.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/api/request_id.h"
#include "common/sql/migrations.h"
#include "common/sql/request_log.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace shien::sql {
namespace {

using ::shien::testing::TempDir;

constexpr char kRequestLogDdl[] =
    "CREATE TABLE request_log (request_id TEXT PRIMARY KEY, method TEXT NOT "
    "NULL, fingerprint TEXT NOT NULL, response BLOB NOT NULL, created_at "
    "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ')))";

std::unique_ptr<Pool> OpenPool(const std::string& path, int size = 2) {
  SqliteOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<Pool>> pool = OpenSqlitePool(options, size);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

std::unique_ptr<Connection> OpenConnection(const std::string& path) {
  SqliteOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      OpenSqliteConnection(options);
  EXPECT_TRUE(conn.ok()) << conn.status();
  return conn.ok() ? *std::move(conn) : nullptr;
}

// SELECT returning a single integer.
int64_t QueryInt(Connection& conn, const std::string& sql) {
  auto stmt = conn.Prepare(sql);
  EXPECT_TRUE(stmt.ok()) << stmt.status();
  if (!stmt.ok()) return -1;
  absl::StatusOr<bool> row = (*stmt)->Step();
  EXPECT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(row.ok() && *row) << sql;
  if (!row.ok() || !*row) return -1;
  return (*stmt)->Int(0);
}

bool TableExists(Connection& conn, const std::string& table) {
  return QueryInt(conn,
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                  "AND name = '" +
                      table + "'") == 1;
}

class SqliteTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.File("test.db"); }
  TempDir dir_;
};

TEST_F(SqliteTest, ExecPrepareBindStep) {
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, "
                         "data BLOB, note TEXT)")
                  .ok());
  {
    auto insert = conn->Prepare(
        "INSERT INTO t (id, name, data, note) VALUES (?, ?, ?, ?)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    (*insert)
        ->Bind(1, int64_t{9'000'000'000})
        .Bind(2, "事業")
        .BindBlob(3, absl::string_view("a\0b", 3))
        .BindNull(4);
    ASSERT_TRUE((*insert)->Run().ok());
    EXPECT_EQ(conn->Changes(), 1);
  }
  {
    // The same statement again (from the cache), with new bindings.
    auto insert = conn->Prepare(
        "INSERT INTO t (id, name, data, note) VALUES (?, ?, ?, ?)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    (*insert)->Bind(1, int64_t{2}).Bind(2, "two").BindBlob(3, "").Bind(4, "n");
    ASSERT_TRUE((*insert)->Run().ok());
  }
  auto select =
      conn->Prepare("SELECT id, name, data, note FROM t ORDER BY id DESC");
  ASSERT_TRUE(select.ok()) << select.status();
  absl::StatusOr<bool> row = (*select)->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ((*select)->Int(0), 9'000'000'000);
  EXPECT_EQ((*select)->Text(1), "事業");
  EXPECT_EQ((*select)->Blob(2), std::string("a\0b", 3));
  EXPECT_TRUE((*select)->IsNull(3));
  EXPECT_FALSE((*select)->IsNull(1));
  row = (*select)->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ((*select)->Int(0), 2);
  EXPECT_EQ((*select)->Text(3), "n");
  row = (*select)->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST_F(SqliteTest, StatementIsResetWhenReleased) {
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER); INSERT INTO t VALUES "
                         "(1); INSERT INTO t VALUES (2);")
                  .ok());
  const std::string sql = "SELECT id FROM t WHERE id >= ? ORDER BY id";
  {
    auto stmt = conn->Prepare(sql);
    ASSERT_TRUE(stmt.ok());
    (*stmt)->Bind(1, int64_t{1});
    ASSERT_TRUE((*stmt)->Step().value());
    EXPECT_EQ((*stmt)->Int(0), 1);
    // Dropped mid-iteration.
  }
  auto stmt = conn->Prepare(sql);
  ASSERT_TRUE(stmt.ok());
  (*stmt)->Bind(1, int64_t{1});
  ASSERT_TRUE((*stmt)->Step().value());
  EXPECT_EQ((*stmt)->Int(0), 1);  // starts from the first row again
}

TEST_F(SqliteTest, ErrorsMapToCodes) {
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT "
                         "UNIQUE, n INTEGER NOT NULL)")
                  .ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (1, 'a', 1)").ok());
  EXPECT_EQ(conn->Exec("INSERT INTO t VALUES (1, 'b', 1)").code(),
            absl::StatusCode::kAlreadyExists);
  auto insert = conn->Prepare("INSERT INTO t VALUES (?, ?, 1)");
  ASSERT_TRUE(insert.ok());
  (*insert)->Bind(1, int64_t{2}).Bind(2, "a");
  EXPECT_EQ((*insert)->Run().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(conn->Exec("THIS IS NOT SQL").ok());
  EXPECT_FALSE(conn->Prepare("SELECT * FROM no_such_table").ok());
}

TEST_F(SqliteTest, PoolHandsOutDistinctConnections) {
  auto pool = OpenPool(DbPath(), 2);
  ASSERT_NE(pool, nullptr);
  Pool::Handle a = pool->Acquire();
  Pool::Handle b = pool->Acquire();
  EXPECT_NE(&*a, &*b);
  ASSERT_TRUE(a->Exec("CREATE TABLE t (id INTEGER)").ok());
  ASSERT_TRUE(a->Exec("INSERT INTO t VALUES (1)").ok());
  // Both connections share the file.
  EXPECT_EQ(QueryInt(*b, "SELECT COUNT(*) FROM t"), 1);
}

TEST_F(SqliteTest, ReleasedConnectionIsReused) {
  auto pool = OpenPool(DbPath(), 1);
  ASSERT_NE(pool, nullptr);
  Connection* first;
  {
    Pool::Handle h = pool->Acquire();
    first = &*h;
  }
  Pool::Handle h = pool->Acquire();
  EXPECT_EQ(&*h, first);
}

TEST_F(SqliteTest, AcquireBlocksUntilReleased) {
  auto pool = OpenPool(DbPath(), 1);
  ASSERT_NE(pool, nullptr);
  // Handle is neither copyable nor movable: construct it in place.
  std::unique_ptr<Pool::Handle> held(new Pool::Handle(pool->Acquire()));
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    Pool::Handle h = pool->Acquire();
    acquired = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(acquired.load());
  held.reset();
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

TEST_F(SqliteTest, TransactionRolledBackOnDestruction) {
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER)").ok());
  {
    auto txn = Transaction::Begin(*conn, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.status();
    ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (2)").ok());
    EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), 2);
  }
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), 0);
  // The connection is usable again (no transaction left open).
  auto txn = Transaction::Begin(*conn, Transaction::Mode::kWrite);
  ASSERT_TRUE(txn.ok()) << txn.status();
  ASSERT_TRUE((*txn)->Commit().ok());
}

TEST_F(SqliteTest, CommittedTransactionPersistsAcrossReopen) {
  {
    auto pool = OpenPool(DbPath());
    ASSERT_NE(pool, nullptr);
    Pool::Handle conn = pool->Acquire();
    ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER)").ok());
    auto txn = Transaction::Begin(*conn, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.status();
    ASSERT_TRUE(conn->Exec("INSERT INTO t VALUES (42)").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), 1);
  EXPECT_EQ(QueryInt(*conn, "SELECT id FROM t"), 42);
}

TEST_F(SqliteTest, WriteTransactionTakesTheWriteLock) {
  SqliteOptions options;
  options.path = DbPath();
  options.busy_timeout_ms = 50;
  auto a = OpenSqliteConnection(options);
  auto b = OpenSqliteConnection(options);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->Exec("CREATE TABLE t (id INTEGER)").ok());
  auto txn = Transaction::Begin(**a, Transaction::Mode::kWrite);
  ASSERT_TRUE(txn.ok());
  auto other = Transaction::Begin(**b, Transaction::Mode::kWrite);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kUnavailable);
  // A reader is not blocked.
  auto reader = Transaction::Begin(**b, Transaction::Mode::kRead);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(QueryInt(**b, "SELECT COUNT(*) FROM t"), 0);
}

// Frames in the database's write-ahead log (each commit appends the pages
// it changed).
int64_t WalFrames(const std::string& db_path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(db_path + "-wal", error);
  if (error || size < 32) return 0;
  return static_cast<int64_t>((size - 32) / (4096 + 24));
}

TEST_F(SqliteTest, WritersQueuedBehindACommitShareTheNextOne) {
  auto pool = OpenPool(DbPath(), 20);
  ASSERT_NE(pool, nullptr);
  {
    Pool::Handle conn = pool->Acquire();
    ASSERT_EQ(QueryInt(*conn, "PRAGMA page_size"), 4096);
    ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").ok());
  }
  const int64_t frames_before = WalFrames(DbPath());
  constexpr int kWriters = 16;
  std::vector<absl::Status> results(kWriters);
  std::vector<std::thread> threads;
  {
    // One writer holds the turn while the others queue behind it.
    Pool::Handle first = pool->Acquire();
    auto txn = Transaction::Begin(*first, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok()) << txn.status();
    ASSERT_TRUE(first->Exec("INSERT INTO t VALUES (0)").ok());
    for (int i = 1; i <= kWriters; ++i) {
      threads.emplace_back([&, i] {
        Pool::Handle conn = pool->Acquire();
        auto mine = Transaction::Begin(*conn, Transaction::Mode::kWrite);
        if (!mine.ok()) {
          results[i - 1] = mine.status();
          return;
        }
        absl::Status inserted =
            conn->Exec("INSERT INTO t VALUES (" + std::to_string(i) + ")");
        results[i - 1] = inserted.ok() ? (*mine)->Commit() : inserted;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  Pool::Handle conn = pool->Acquire();
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), kWriters + 1);
  // 17 commits of one row each would append at least 17 frames; grouped
  // they append a few.
  EXPECT_LT(WalFrames(DbPath()) - frames_before, 6);
}

TEST_F(SqliteTest, ACommittedWriteIsVisibleAtOnceAndAFailedOneNever) {
  auto pool = OpenPool(DbPath(), 8);
  ASSERT_NE(pool, nullptr);
  {
    Pool::Handle conn = pool->Acquire();
    ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, "
                           "v INTEGER NOT NULL CHECK (v >= 0))")
                    .ok());
  }
  constexpr int kThreads = 6;
  constexpr int kWrites = 150;
  std::atomic<int> committed{0}, refused{0}, unseen{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const int id = t * kWrites + i;
        const bool bad = id % 5 == 0;  // violates the CHECK: rolled back
        {
          Pool::Handle conn = pool->Acquire();
          auto txn = Transaction::Begin(*conn, Transaction::Mode::kWrite);
          if (!txn.ok()) {
            ++errors;
            continue;
          }
          auto insert = conn->Prepare("INSERT INTO t VALUES (?, ?)");
          if (!insert.ok()) {
            ++errors;
            continue;
          }
          (*insert)->Bind(1, int64_t{id}).Bind(2, int64_t{bad ? -1 : id});
          if (!(*insert)->Run().ok()) {
            ++refused;
            continue;  // the transaction rolls back
          }
          if (!(*txn)->Commit().ok()) {
            ++errors;
            continue;
          }
          ++committed;
        }
        // Acknowledged: another connection sees it now.
        Pool::Handle reader = pool->Acquire();
        if (QueryInt(*reader, "SELECT COUNT(*) FROM t WHERE id = " +
                                  std::to_string(id)) != 1) {
          ++unseen;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(unseen.load(), 0);
  EXPECT_EQ(refused.load(), kThreads * kWrites / 5);
  EXPECT_EQ(committed.load(), kThreads * kWrites - refused.load());
  Pool::Handle conn = pool->Acquire();
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), committed.load());
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t WHERE v < 0"), 0);
}

TEST_F(SqliteTest, AStatementDoesNotOutliveItsWriteTransaction) {
  auto pool = OpenPool(DbPath());
  ASSERT_NE(pool, nullptr);
  Pool::Handle conn = pool->Acquire();
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (id INTEGER)").ok());
  auto txn = Transaction::Begin(*conn, Transaction::Mode::kWrite);
  ASSERT_TRUE(txn.ok());
  auto insert = conn->Prepare("INSERT INTO t VALUES (1)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE((*insert)->Run().ok());
  ASSERT_TRUE((*txn)->Commit().ok());
  // The statement ran on the pool's writer, which the next write uses: it
  // is detached at commit rather than left to run outside a transaction.
  absl::StatusOr<bool> again = (*insert)->Step();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM t"), 1);
}

TEST_F(SqliteTest, ForeignKeysAreEnforced) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE c (p INTEGER REFERENCES p(id))")
                  .ok());
  EXPECT_FALSE(conn->Exec("INSERT INTO c VALUES (7)").ok());
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM c"), 0);
}

// --- Migrations ---

const std::vector<Migration>& TwoMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "create_items", "CREATE TABLE items (id INTEGER PRIMARY KEY)"},
      // Depends on the first: only works in order.
      {2, "add_name",
       "ALTER TABLE items ADD COLUMN name TEXT; "
       "INSERT INTO items (id, name) VALUES (1, 'seed')"},
  };
  return kMigrations;
}

TEST_F(SqliteTest, MigrationsApplyInOrderOnce) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  absl::Status status = ApplyMigrations(*conn, TwoMigrations());
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM schema_migrations"), 2);
  EXPECT_EQ(QueryInt(*conn, "SELECT MAX(version) FROM schema_migrations"), 2);

  // The second run is a no-op (re-running either migration would fail or
  // insert a second seed row).
  status = ApplyMigrations(*conn, TwoMigrations());
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM items"), 1);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM schema_migrations"), 2);
}

TEST_F(SqliteTest, MigrationsSurviveReopen) {
  {
    auto conn = OpenConnection(DbPath());
    ASSERT_NE(conn, nullptr);
    ASSERT_TRUE(ApplyMigrations(*conn, TwoMigrations()).ok());
  }
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(ApplyMigrations(*conn, TwoMigrations()).ok());
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM items"), 1);
}

TEST_F(SqliteTest, NewMigrationIsAppliedAlone) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(ApplyMigrations(*conn, TwoMigrations()).ok());
  std::vector<Migration> three = TwoMigrations();
  three.push_back(
      {3, "more", "INSERT INTO items (id, name) VALUES (2, 'three')"});
  ASSERT_TRUE(ApplyMigrations(*conn, three).ok());
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM items"), 2);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM schema_migrations"), 3);
}

TEST_F(SqliteTest, DatabaseNewerThanBinaryFails) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  std::vector<Migration> three = TwoMigrations();
  three.push_back({3, "extra", "CREATE TABLE extra (id INTEGER)"});
  ASSERT_TRUE(ApplyMigrations(*conn, three).ok());
  absl::Status status = ApplyMigrations(*conn, TwoMigrations());
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(SqliteTest, MigrationsOutOfOrderAreRejected) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  std::vector<Migration> bad = {
      {2, "second", "CREATE TABLE b (id INTEGER)"},
      {1, "first", "CREATE TABLE a (id INTEGER)"},
  };
  EXPECT_FALSE(ApplyMigrations(*conn, bad).ok());
  EXPECT_FALSE(TableExists(*conn, "a"));
  EXPECT_FALSE(TableExists(*conn, "b"));
  std::vector<Migration> repeated = {
      {1, "first", "CREATE TABLE a (id INTEGER)"},
      {1, "again", "CREATE TABLE b (id INTEGER)"},
  };
  EXPECT_FALSE(ApplyMigrations(*conn, repeated).ok());
  EXPECT_FALSE(TableExists(*conn, "a"));
}

TEST_F(SqliteTest, FailedMigrationIsRolledBackAndNotRecorded) {
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  std::vector<Migration> migrations = {
      {1, "good", "CREATE TABLE good (id INTEGER)"},
      {2, "bad",
       "CREATE TABLE half (id INTEGER); INSERT INTO no_such_table VALUES (1)"},
  };
  absl::Status status = ApplyMigrations(*conn, migrations);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("bad"), absl::string_view::npos) << status;
  EXPECT_TRUE(TableExists(*conn, "good"));
  EXPECT_FALSE(TableExists(*conn, "half"));
  EXPECT_EQ(QueryInt(*conn, "SELECT MAX(version) FROM schema_migrations"), 1);
}

TEST_F(SqliteTest, ConcurrentMigrationsApplyOnce) {
  std::vector<Migration> migrations;
  static const std::vector<std::string> kSql = [] {
    std::vector<std::string> sql = {"CREATE TABLE log (version INTEGER)"};
    for (int v = 2; v <= 10; ++v) {
      sql.push_back("INSERT INTO log VALUES (" + std::to_string(v) + ")");
    }
    return sql;
  }();
  for (int v = 1; v <= 10; ++v) {
    migrations.push_back({v, "m", kSql[v - 1]});
  }
  // The database exists (in WAL mode) before the race starts.
  ASSERT_NE(OpenConnection(DbPath()), nullptr);
  std::vector<absl::Status> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      SqliteOptions options;
      options.path = DbPath();
      auto conn = OpenSqliteConnection(options);
      if (!conn.ok()) {
        results[i] = conn.status();
        return;
      }
      results[i] = ApplyMigrations(**conn, migrations);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  auto conn = OpenConnection(DbPath());
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM log"), 9);
  EXPECT_EQ(QueryInt(*conn, "SELECT COUNT(*) FROM schema_migrations"), 10);
}

// --- Request log ---

class RequestLogTest : public SqliteTest {
 protected:
  void SetUp() override {
    conn_ = OpenConnection(DbPath());
    ASSERT_NE(conn_, nullptr);
    ASSERT_TRUE(conn_->Exec(kRequestLogDdl).ok());
  }
  std::unique_ptr<Connection> conn_;
};

TEST_F(RequestLogTest, UnusedIdIsNullopt) {
  auto found = LookupRequest(*conn_, RequestKey{"req-1", "Create", "fp"});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

TEST_F(RequestLogTest, EmptyIdIsNeverStored) {
  RequestKey key{"", "Create", "fp"};
  ASSERT_TRUE(RecordRequest(*conn_, key, "resp").ok());
  EXPECT_EQ(QueryInt(*conn_, "SELECT COUNT(*) FROM request_log"), 0);
  auto found = LookupRequest(*conn_, key);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  // Recording it again is still fine.
  EXPECT_TRUE(RecordRequest(*conn_, key, "resp").ok());
}

TEST_F(RequestLogTest, SameKeyReturnsStoredResponse) {
  RequestKey key{"req-1", "/shien.budget.v1.BudgetService/UpdateProgram",
                 "0123abcd"};
  const std::string response("binary\0response\xff", 16);
  ASSERT_TRUE(RecordRequest(*conn_, key, response).ok());
  auto found = LookupRequest(*conn_, key);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, response);
}

TEST_F(RequestLogTest, RecordedInsideRolledBackTransactionIsGone) {
  RequestKey key{"req-1", "M", "fp"};
  {
    auto txn = Transaction::Begin(*conn_, Transaction::Mode::kWrite);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(RecordRequest(*conn_, key, "resp").ok());
  }
  auto found = LookupRequest(*conn_, key);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(RequestLogTest, DifferentFingerprintIsReused) {
  ASSERT_TRUE(RecordRequest(*conn_, {"req-1", "M", "fp-a"}, "resp").ok());
  auto found = LookupRequest(*conn_, RequestKey{"req-1", "M", "fp-b"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(found.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(ErrorField(found.status()), "request_id");
}

TEST_F(RequestLogTest, DifferentMethodIsReused) {
  ASSERT_TRUE(RecordRequest(*conn_, {"req-1", "Create", "fp"}, "resp").ok());
  auto found = LookupRequest(*conn_, RequestKey{"req-1", "Delete", "fp"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(found.status()), "REQUEST_ID_REUSED");
}

TEST_F(RequestLogTest, RecordingTheSameIdTwiceFails) {
  ASSERT_TRUE(RecordRequest(*conn_, {"req-1", "M", "fp"}, "first").ok());
  EXPECT_FALSE(RecordRequest(*conn_, {"req-1", "M", "fp"}, "second").ok());
  auto found = LookupRequest(*conn_, RequestKey{"req-1", "M", "fp"});
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, "first");
}

}  // namespace
}  // namespace shien::sql
