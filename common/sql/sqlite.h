#ifndef SHIEN_COMMON_SQL_SQLITE_H_
#define SHIEN_COMMON_SQL_SQLITE_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shien::sql {

struct SqliteOptions {
  // Database file; ":memory:" is not supported (connections must share it).
  std::string path;
  // How long a connection waits for another's write lock.
  int busy_timeout_ms = 5000;
  // true: synchronous=FULL, an acknowledged commit survives power loss.
  // false: synchronous=NORMAL, survives a process crash only.
  bool durable = true;
};

// A prepared statement borrowed from a connection's cache. Reset and
// unbound when it goes out of scope. Not thread-safe (neither is its
// connection).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index. Chainable.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, absl::string_view text);
  Statement& BindBlob(int index, absl::string_view bytes);
  Statement& BindNull(int index);

  // Runs one step: true when a row is available, false when done.
  // UNAVAILABLE when the database stayed locked past the busy timeout,
  // ALREADY_EXISTS on a uniqueness violation, INTERNAL otherwise.
  absl::StatusOr<bool> Step();
  // Steps to completion, ignoring rows.
  absl::Status Run();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// One SQLite connection in WAL mode with foreign keys on and a statement
// cache. Not thread-safe: use through SqlitePool.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const SqliteOptions& options);
  ~Connection();

  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  // Returns the cached prepared statement for `sql` (compiled on first use).
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(const std::string& sql);
  // Rows changed by the last statement.
  int64_t Changes() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

// A fixed set of connections to one database file. Thread-safe.
class SqlitePool {
 public:
  // Opens `size` connections. The file is created when missing.
  static absl::StatusOr<std::unique_ptr<SqlitePool>> Open(
      const SqliteOptions& options, int size);

  // A connection held for the lifetime of the handle.
  class Handle {
   public:
    Handle(SqlitePool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    ~Handle() { pool_->Release(conn_); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Connection* operator->() const { return conn_; }
    Connection& operator*() const { return *conn_; }

   private:
    SqlitePool* pool_;
    Connection* conn_;
  };

  // Blocks until a connection is free.
  Handle Acquire();

 private:
  void Release(Connection* conn);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> free_;
};

// A transaction on one connection: BEGIN IMMEDIATE for writes (takes the
// write lock up front, so read-modify-write cannot be interleaved) or
// BEGIN DEFERRED for reads (a consistent snapshot). Rolled back on
// destruction unless committed.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  static absl::StatusOr<std::unique_ptr<Transaction>> Begin(Connection& conn,
                                                            Mode mode);
  ~Transaction();
  absl::Status Commit();

 private:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Connection& conn_;
  bool done_ = false;
};

}  // namespace shien::sql

#endif  // SHIEN_COMMON_SQL_SQLITE_H_
