#ifndef SHIEN_COMMON_SQL_CONNECTION_H_
#define SHIEN_COMMON_SQL_CONNECTION_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shien::sql {

// The SQL engines a store runs on. Store code is written once in the SQL
// both accept; placeholders are `?` (or `?N` for the N-th parameter).
enum class Dialect { kSqlite, kPostgres };

// A prepared statement borrowed from a connection. Not thread-safe (neither
// is its connection). Errors map to absl codes the same way on every
// engine: UNAVAILABLE when the database cannot be reached, is locked past
// its timeout or the connection was lost; ALREADY_EXISTS on a uniqueness
// violation; FAILED_PRECONDITION on another constraint; INTERNAL otherwise.
class Statement {
 public:
  virtual ~Statement() = default;

  // Binds by 1-based index. Chainable.
  virtual Statement& Bind(int index, int64_t value) = 0;
  virtual Statement& Bind(int index, absl::string_view text) = 0;
  virtual Statement& BindBlob(int index, absl::string_view bytes) = 0;
  virtual Statement& BindNull(int index) = 0;

  // Runs one step: true when a row is available, false when done.
  virtual absl::StatusOr<bool> Step() = 0;
  // Steps to completion, ignoring rows.
  absl::Status Run();

  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual std::string Blob(int column) const = 0;
};

// One connection to a database. Not thread-safe: use through Pool.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;
  // Runs one or more statements without parameters or results.
  virtual absl::Status Exec(absl::string_view sql) = 0;
  // Returns the prepared statement for `sql` (prepared once per
  // connection). At most one statement of a connection is stepped at a
  // time; reset the previous one before preparing the next.
  virtual absl::StatusOr<std::unique_ptr<Statement>> Prepare(
      const std::string& sql) = 0;
  // Rows changed by the last statement.
  virtual int64_t Changes() const = 0;
  // Starts, commits and rolls back a transaction (see Transaction). A failed
  // Commit leaves the transaction open for Rollback, or (SQLite write
  // groups) already rolled back, Rollback then doing nothing.
  virtual absl::Status Begin(bool write) = 0;
  virtual absl::Status Commit() { return Exec("COMMIT"); }
  virtual void Rollback() { Exec("ROLLBACK").IgnoreError(); }
};

// A fixed set of connections to one database. Thread-safe.
class Pool {
 public:
  explicit Pool(std::vector<std::unique_ptr<Connection>> connections);

  // A connection held for the lifetime of the handle.
  class Handle {
   public:
    Handle(Pool* pool, Connection* conn) : pool_(pool), conn_(conn) {}
    ~Handle() { pool_->Release(conn_); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Connection* operator->() const { return conn_; }
    Connection& operator*() const { return *conn_; }

   private:
    Pool* pool_;
    Connection* conn_;
  };

  // Blocks until a connection is free.
  Handle Acquire();
  Dialect dialect() const { return all_.front()->dialect(); }

 private:
  void Release(Connection* conn);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> free_;
};

// A transaction on one connection. Writes are serialized with every other
// write to the database (SQLite: in turn within the process, then BEGIN
// IMMEDIATE across processes; PostgreSQL: a transaction-scoped advisory
// lock), so read-modify-write cannot be interleaved, across processes too.
// Reads see one consistent snapshot. Rolled back on destruction unless
// committed.
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

#endif  // SHIEN_COMMON_SQL_CONNECTION_H_
