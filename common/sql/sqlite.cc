#include "common/sql/sqlite.h"

#include <sqlite3.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
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
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return FromSqlite(db_, sqlite3_extended_errcode(db_), "sqlite step");
  }

  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t Int(int column) const override {
    return sqlite3_column_int64(stmt_, column);
  }
  std::string Text(int column) const override {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), size)
                : std::string();
  }
  std::string Blob(int column) const override {
    const void* data = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(static_cast<const char*>(data), size)
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  // `writers` is shared by the connections of one pool: their write
  // transactions take turns on it rather than in SQLite's busy loop, which
  // does not queue and can starve a writer past its timeout.
  SqliteConnection(sqlite3* db, std::shared_ptr<std::mutex> writers)
      : db_(db), writers_(std::move(writers)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  absl::Status Exec(absl::string_view sql) override {
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
    return std::make_unique<SqliteStatement>(db_, it->second);
  }

  int64_t Changes() const override { return sqlite3_changes64(db_); }

  absl::Status Begin(bool write) override {
    if (!write) return Exec("BEGIN DEFERRED");
    write_turn_ = std::unique_lock<std::mutex>(*writers_);
    absl::Status status = Exec("BEGIN IMMEDIATE");
    if (!status.ok()) write_turn_ = {};
    return status;
  }

  absl::Status Commit() override {
    absl::Status status = Exec("COMMIT");
    if (status.ok()) write_turn_ = {};
    return status;
  }

  void Rollback() override {
    Exec("ROLLBACK").IgnoreError();
    write_turn_ = {};
  }

 private:
  sqlite3* db_;
  std::shared_ptr<std::mutex> writers_;
  std::unique_lock<std::mutex> write_turn_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace

namespace {

absl::StatusOr<std::unique_ptr<Connection>> OpenWithWriters(
    const SqliteOptions& options, std::shared_ptr<std::mutex> writers) {
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
  auto conn = std::make_unique<SqliteConnection>(db, std::move(writers));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  absl::Status status = conn->Exec(absl::StrCat(
      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=",
      options.durable ? "FULL" : "NORMAL", ";"));
  if (!status.ok()) return status;
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Connection>> OpenSqliteConnection(
    const SqliteOptions& options) {
  return OpenWithWriters(options, std::make_shared<std::mutex>());
}

absl::StatusOr<std::unique_ptr<Pool>> OpenSqlitePool(
    const SqliteOptions& options, int size) {
  auto writers = std::make_shared<std::mutex>();
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < size; ++i) {
    absl::StatusOr<std::unique_ptr<Connection>> conn =
        OpenWithWriters(options, writers);
    if (!conn.ok()) return conn.status();
    connections.push_back(*std::move(conn));
  }
  return std::make_unique<Pool>(std::move(connections));
}

}  // namespace shien::sql
