#include "common/sql/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/macros.h"
#include "common/sync/blocking_region.h"

namespace shien::sql {
namespace {

absl::Status FromSqlite(sqlite3* db, int rc, absl::string_view what) {
  std::string msg = absl::StrCat(what, ": ", sqlite3_errmsg(db));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE ||
          rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(msg);
      }
      return absl::FailedPreconditionError(msg);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

class SqliteConnection;

class SqliteStatement final : public Statement {
 public:
  // `owner` non-null: the statement belongs to another connection (the
  // write group's) and `owner` detaches it when its write turn ends.
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, SqliteConnection* owner)
      : db_(db), stmt_(stmt), owner_(owner) {}
  ~SqliteStatement() override;

  // Resets the statement and forgets it; later calls fail or read nothing.
  void Detach() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    stmt_ = nullptr;
    owner_ = nullptr;
  }

  Statement& Bind(int index, int64_t value) override {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& Bind(int index, absl::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindBlob(int index, absl::string_view bytes) override {
    sqlite3_bind_blob(stmt_, index, bytes.data(),
                      static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindNull(int index) override {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }

  absl::StatusOr<bool> Step() override {
    if (stmt_ == nullptr) {
      return absl::FailedPreconditionError(
          "sqlite step: the statement outlived its write transaction");
    }
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return FromSqlite(db_, sqlite3_extended_errcode(db_), "sqlite step");
  }

  bool IsNull(int column) const override {
    return stmt_ == nullptr ||
           sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t Int(int column) const override {
    return stmt_ == nullptr ? 0 : sqlite3_column_int64(stmt_, column);
  }
  std::string Text(int column) const override {
    if (stmt_ == nullptr) return std::string();
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), size)
                : std::string();
  }
  std::string Blob(int column) const override {
    if (stmt_ == nullptr) return std::string();
    const void* data = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(static_cast<const char*>(data), size)
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  SqliteConnection* owner_;
};

class WriteGroup;

class SqliteConnection final : public Connection {
 public:
  // `group` null: this connection writes on its own (it is a write group's
  // writer). Otherwise its write transactions run in `group`.
  SqliteConnection(sqlite3* db, std::shared_ptr<WriteGroup> group)
      : db_(db), group_(std::move(group)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  absl::Status Exec(absl::string_view sql) override {
    if (writer_ != nullptr) return writer_->Exec(sql);
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      absl::Status status =
          FromSqlite(db_, sqlite3_extended_errcode(db_), "sqlite exec");
      sqlite3_free(err);
      return status;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<Statement>> Prepare(
      const std::string& sql) override {
    if (writer_ != nullptr) {
      SHIEN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Cached(sql));
      auto statement =
          std::make_unique<SqliteStatement>(writer_->db_, stmt, this);
      borrowed_.push_back(statement.get());
      return std::unique_ptr<Statement>(std::move(statement));
    }
    SHIEN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(sql));
    return std::make_unique<SqliteStatement>(db_, stmt, nullptr);
  }

  int64_t Changes() const override {
    return sqlite3_changes64(writer_ != nullptr ? writer_->db_ : db_);
  }

  absl::Status Begin(bool write) override;
  absl::Status Commit() override;
  void Rollback() override;

  // True when no transaction is open.
  bool Autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

  void Forget(SqliteStatement* statement) { std::erase(borrowed_, statement); }

 private:
  absl::StatusOr<sqlite3_stmt*> Cached(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      int rc =
          sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        return FromSqlite(db_, rc, absl::StrCat("sqlite prepare [", sql, "]"));
      }
      it = cache_.emplace(sql, stmt).first;
    }
    return it->second;
  }
  // Ends this connection's write turn: its statements on the writer are
  // reset and detached, since the next member uses the writer next.
  void EndTurn() {
    for (SqliteStatement* statement : borrowed_) statement->Detach();
    borrowed_.clear();
    writer_ = nullptr;
  }

  sqlite3* db_;
  std::shared_ptr<WriteGroup> group_;
  // The group's writer while this connection holds a write turn.
  SqliteConnection* writer_ = nullptr;
  std::vector<SqliteStatement*> borrowed_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (owner_ != nullptr) owner_->Forget(this);
}

// Group commit for the connections of one pool. Their write transactions
// take turns (in-process, rather than in SQLite's busy loop, which does not
// queue and can starve a writer past its timeout) and each runs as a
// savepoint of one transaction open on a dedicated writer connection. The
// transaction commits when the member ending its turn sees nobody waiting
// for one (or after kMaxMembers): one commit, and one fsync, for every
// write queued behind the previous commit. A member's Commit returns only
// after the group's commit, with its status: acknowledged means durable as
// before. Other connections see a member's writes only once the group has
// committed. Thread-safe.
class WriteGroup {
 public:
  static constexpr int kMaxMembers = 64;

  explicit WriteGroup(std::unique_ptr<SqliteConnection> writer)
      : writer_(std::move(writer)) {}

  // Takes the write turn and opens a member savepoint. On success the
  // caller holds the turn until Leave and writes through the returned
  // connection.
  absl::StatusOr<SqliteConnection*> Enter() {
    waiting_.fetch_add(1);
    {
      BlockingRegion waiting;
      turn_.lock();
    }
    waiting_.fetch_sub(1);
    DropLostTransaction();
    if (open_ == nullptr) {
      absl::Status begun = writer_->Exec("BEGIN IMMEDIATE");
      if (!begun.ok()) {
        turn_.unlock();
        return begun;
      }
      open_ = std::make_shared<Epoch>();
      members_ = 0;
    }
    absl::Status saved = writer_->Exec("SAVEPOINT member");
    if (!saved.ok()) {
      HandOver();
      return saved;
    }
    return writer_.get();
  }

  // Ends the member that holds the turn. `commit`: releases its savepoint
  // and returns once the group committed, with the commit's status; on an
  // error the member's writes are rolled back. Otherwise rolls them back,
  // and returns the status of the group's commit once it is made when
  // earlier members' writes were in it (what the member read of them is
  // not to be answered before they are durable), or OK.
  absl::Status Leave(bool commit) {
    if (!commit) {
      RollbackMember();
      std::shared_ptr<Epoch> read_from = members_ > 0 ? open_ : nullptr;
      HandOver();
      return read_from == nullptr ? absl::OkStatus() : Await(*read_from);
    }
    absl::Status released = writer_->Exec("RELEASE member");
    if (released.ok() && writer_->Autocommit()) {
      released = absl::UnavailableError(
          "sqlite: the write transaction was rolled back by the database");
    }
    if (!released.ok()) {
      RollbackMember();
      HandOver();
      return released;
    }
    ++members_;
    std::shared_ptr<Epoch> mine = open_;
    HandOver();
    return Await(*mine);
  }

 private:
  struct Epoch {
    bool done = false;  // guarded by done_mu_
    absl::Status status;
    // Wakes this group's members only, not those already in the next.
    std::condition_variable done_cv;
  };

  absl::Status Await(Epoch& epoch) {
    BlockingRegion waiting;
    std::unique_lock<std::mutex> lock(done_mu_);
    epoch.done_cv.wait(lock, [&] { return epoch.done; });
    return epoch.status;
  }

  void Resolve(const absl::Status& status) {
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      open_->done = true;
      open_->status = status;
    }
    open_->done_cv.notify_all();
    open_ = nullptr;
  }

  // SQLite rolls a whole transaction back on some errors (disk full, I/O):
  // the members released into it are lost, and fail.
  void DropLostTransaction() {
    if (open_ != nullptr && writer_->Autocommit()) {
      Resolve(absl::UnavailableError(
          "sqlite: the write transaction was rolled back by the database"));
    }
  }

  void RollbackMember() {
    if (!writer_->Autocommit()) {
      writer_->Exec("ROLLBACK TO member").IgnoreError();
      writer_->Exec("RELEASE member").IgnoreError();
    }
    DropLostTransaction();
  }

  // Passes the turn on. The last member of a group (nobody waiting, or the
  // group full) commits it first.
  void HandOver() {
    if (open_ != nullptr && (waiting_.load() == 0 || members_ >= kMaxMembers)) {
      if (members_ == 0) {
        writer_->Exec("ROLLBACK").IgnoreError();
        Resolve(absl::OkStatus());
      } else {
        absl::Status committed = writer_->Exec("COMMIT");
        if (!committed.ok()) writer_->Exec("ROLLBACK").IgnoreError();
        Resolve(committed);
      }
    }
    turn_.unlock();
  }

  const std::unique_ptr<SqliteConnection> writer_;
  std::mutex turn_;  // held by the member writing
  std::atomic<int> waiting_{0};
  // Owned by the turn's holder.
  std::shared_ptr<Epoch> open_;  // null: no transaction open
  int members_ = 0;
  std::mutex done_mu_;
};

absl::Status SqliteConnection::Begin(bool write) {
  if (!write) return Exec("BEGIN DEFERRED");
  if (group_ == nullptr) return Exec("BEGIN IMMEDIATE");
  SHIEN_ASSIGN_OR_RETURN(writer_, group_->Enter());
  return absl::OkStatus();
}

absl::Status SqliteConnection::Commit() {
  if (writer_ == nullptr) return Exec("COMMIT");
  EndTurn();
  return group_->Leave(/*commit=*/true);
}

void SqliteConnection::Rollback() {
  if (writer_ == nullptr) {
    Exec("ROLLBACK").IgnoreError();
    return;
  }
  EndTurn();
  group_->Leave(/*commit=*/false).IgnoreError();
}

absl::StatusOr<sqlite3*> OpenDatabase(const SqliteOptions& options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      options.path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("cannot open database ", options.path, ": ",
                     db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  return db;
}

absl::StatusOr<std::unique_ptr<SqliteConnection>> OpenInGroup(
    const SqliteOptions& options, std::shared_ptr<WriteGroup> group) {
  SHIEN_ASSIGN_OR_RETURN(sqlite3 * db, OpenDatabase(options));
  auto conn = std::make_unique<SqliteConnection>(db, std::move(group));
  SHIEN_RETURN_IF_ERROR(conn->Exec(
      absl::StrCat("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                   // Savepoint and sort spill files in memory, not in files
                   // created and unlinked per transaction.
                   "PRAGMA temp_store=MEMORY; PRAGMA synchronous=",
                   options.durable ? "FULL" : "NORMAL", ";")));
  return conn;
}

absl::StatusOr<std::shared_ptr<WriteGroup>> OpenWriteGroup(
    const SqliteOptions& options) {
  SHIEN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer,
                         OpenInGroup(options, nullptr));
  return std::make_shared<WriteGroup>(std::move(writer));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> OpenSqliteConnection(
    const SqliteOptions& options) {
  SHIEN_ASSIGN_OR_RETURN(std::shared_ptr<WriteGroup> group,
                         OpenWriteGroup(options));
  SHIEN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                         OpenInGroup(options, std::move(group)));
  return std::unique_ptr<Connection>(std::move(conn));
}

absl::StatusOr<std::unique_ptr<Pool>> OpenSqlitePool(
    const SqliteOptions& options, int size) {
  SHIEN_ASSIGN_OR_RETURN(std::shared_ptr<WriteGroup> group,
                         OpenWriteGroup(options));
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < size; ++i) {
    SHIEN_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                           OpenInGroup(options, group));
    connections.push_back(std::move(conn));
  }
  return std::make_unique<Pool>(std::move(connections));
}

}  // namespace shien::sql
