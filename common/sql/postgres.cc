#include "common/sql/postgres.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/sync/blocking_region.h"

namespace shien::sql {
namespace {

// Serializes writers on one database; any constant works, the lock is per
// database.
constexpr char kWriteLock[] =
    "SELECT pg_advisory_xact_lock(7306813772447465984)";

// The SQLSTATE of a failed result mapped to the codes Statement documents.
absl::Status FromResult(PGconn* conn, const PGresult* result,
                        absl::string_view what) {
  const char* state =
      result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = absl::StrCat(
      what, ": ",
      absl::StripTrailingAsciiWhitespace(result ? PQresultErrorMessage(result)
                                                : PQerrorMessage(conn)));
  if (PQstatus(conn) != CONNECTION_OK || state == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL connection lost: ", message));
  }
  const absl::string_view code(state);
  if (code == "23505") return absl::AlreadyExistsError(message);
  if (absl::StartsWith(code, "23")) {
    return absl::FailedPreconditionError(message);
  }
  if (absl::StartsWith(code, "08") || absl::StartsWith(code, "57") ||
      absl::StartsWith(code, "53") || code == "40001" || code == "40P01") {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PGconn* conn, std::string name, int params,
                    int64_t* changes)
      : conn_(conn),
        name_(std::move(name)),
        values_(params),
        binary_(params, 0),
        changes_(changes) {}
  ~PostgresStatement() override {
    if (result_ != nullptr) PQclear(result_);
  }

  Statement& Bind(int index, int64_t value) override {
    return Set(index, absl::StrCat(value), false);
  }
  Statement& Bind(int index, absl::string_view text) override {
    return Set(index, std::string(text), false);
  }
  Statement& BindBlob(int index, absl::string_view bytes) override {
    return Set(index, std::string(bytes), true);
  }
  Statement& BindNull(int index) override {
    if (index >= 1 && index <= static_cast<int>(values_.size())) {
      values_[index - 1].reset();
    }
    return *this;
  }

  absl::StatusOr<bool> Step() override {
    if (result_ == nullptr) {
      std::vector<const char*> values(values_.size());
      std::vector<int> lengths(values_.size());
      for (size_t i = 0; i < values_.size(); ++i) {
        values[i] = values_[i] ? values_[i]->data() : nullptr;
        lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
      }
      {
        BlockingRegion waiting;  // a round trip to the server
        result_ = PQexecPrepared(conn_, name_.c_str(),
                                 static_cast<int>(values.size()), values.data(),
                                 lengths.data(), binary_.data(), 0);
      }
      const ExecStatusType status = PQresultStatus(result_);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        return FromResult(conn_, result_, "postgres step");
      }
      int64_t changed = 0;
      absl::SimpleAtoi(PQcmdTuples(result_), &changed);
      *changes_ = changed;
      row_ = -1;
    }
    ++row_;
    return row_ < PQntuples(result_);
  }

  bool IsNull(int column) const override {
    return PQgetisnull(result_, row_, column) != 0;
  }
  int64_t Int(int column) const override {
    if (IsNull(column)) return 0;
    int64_t v = 0;
    const char* text = PQgetvalue(result_, row_, column);
    if (!absl::SimpleAtoi(text, &v)) {
      // numeric results of SUM() may carry a fraction part of zeros.
      v = std::strtoll(text, nullptr, 10);
    }
    return v;
  }
  std::string Text(int column) const override {
    return std::string(PQgetvalue(result_, row_, column),
                       PQgetlength(result_, row_, column));
  }
  std::string Blob(int column) const override {
    if (IsNull(column)) return "";
    size_t size = 0;
    unsigned char* bytes =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(
                            PQgetvalue(result_, row_, column)),
                        &size);
    if (bytes == nullptr) return "";
    std::string out(reinterpret_cast<const char*>(bytes), size);
    PQfreemem(bytes);
    return out;
  }

 private:
  Statement& Set(int index, std::string value, bool binary) {
    if (index >= 1 && index <= static_cast<int>(values_.size())) {
      values_[index - 1] = std::move(value);
      binary_[index - 1] = binary ? 1 : 0;
    }
    return *this;
  }

  PGconn* conn_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;
  int64_t* changes_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string where)
      : conn_(conn), where_(std::move(where)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  absl::Status Exec(absl::string_view sql) override {
    if (absl::Status s = EnsureConnected(); !s.ok()) return s;
    PGresult* result;
    {
      BlockingRegion waiting;
      result = PQexec(conn_, std::string(sql).c_str());
    }
    const ExecStatusType status = PQresultStatus(result);
    absl::Status out = absl::OkStatus();
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      out = FromResult(conn_, result, "postgres exec");
    }
    PQclear(result);
    return out;
  }

  absl::StatusOr<std::unique_ptr<Statement>> Prepare(
      const std::string& sql) override {
    if (absl::Status s = EnsureConnected(); !s.ok()) return s;
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      auto [text, params] = ToPostgresPlaceholders(sql);
      std::string name = absl::StrCat("s", prepared_.size() + 1);
      PGresult* result;
      {
        BlockingRegion waiting;
        result = PQprepare(conn_, name.c_str(), text.c_str(), params, nullptr);
      }
      if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        absl::Status s = FromResult(
            conn_, result, absl::StrCat("postgres prepare [", sql, "]"));
        PQclear(result);
        return s;
      }
      PQclear(result);
      it = prepared_.emplace(sql, std::make_pair(name, params)).first;
    }
    return std::make_unique<PostgresStatement>(conn_, it->second.first,
                                               it->second.second, &changes_);
  }

  int64_t Changes() const override { return changes_; }

  // COMMIT of a transaction an error aborted answers "ROLLBACK": that is a
  // failure, not a commit.
  absl::Status Commit() override {
    if (absl::Status s = EnsureConnected(); !s.ok()) return s;
    PGresult* result;
    {
      BlockingRegion waiting;  // the server's commit and its WAL flush
      result = PQexec(conn_, "COMMIT");
    }
    absl::Status out = absl::OkStatus();
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      out = FromResult(conn_, result, "postgres commit");
    } else if (absl::string_view(PQcmdStatus(result)) != "COMMIT") {
      out = absl::AbortedError(
          "postgres commit: the transaction had failed and was rolled back");
    }
    PQclear(result);
    return out;
  }

  absl::Status Begin(bool write) override {
    absl::Status status = write ? Exec(absl::StrCat("BEGIN; ", kWriteLock))
                                : Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    // A transaction begun but not locked is not handed out half open.
    if (!status.ok() && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      Exec("ROLLBACK").IgnoreError();
    }
    return status;
  }

 private:
  // Re-establishes a lost connection (its prepared statements are gone
  // with it).
  absl::Status EnsureConnected() {
    if (PQstatus(conn_) == CONNECTION_OK) return absl::OkStatus();
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) {
      return absl::UnavailableError(absl::StrCat(
          "PostgreSQL at ", where_, " is unreachable: ",
          absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn_))));
    }
    return absl::OkStatus();
  }

  PGconn* conn_;
  std::string where_;
  std::map<std::string, std::pair<std::string, int>> prepared_;
  int64_t changes_ = 0;
};

}  // namespace

std::pair<std::string, int> ToPostgresPlaceholders(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int most = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    size_t j = i + 1;
    while (j < sql.size() && absl::ascii_isdigit(sql[j])) ++j;
    int n = 0;
    if (j > i + 1) {
      absl::SimpleAtoi(sql.substr(i + 1, j - i - 1), &n);
      i = j - 1;
    } else {
      n = ++most;
    }
    most = std::max(most, n);
    absl::StrAppend(&out, "$", n);
  }
  return {out, most};
}

std::string DescribePostgres(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    if (error != nullptr) PQfreemem(error);
    return "postgresql (unparsable connection string)";
  }
  std::string host = "localhost", port = "5432", db;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const absl::string_view key(o->keyword);
    if (key == "host" || key == "hostaddr") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  return absl::StrCat("postgresql ", host, ":", port, "/", db);
}

absl::StatusOr<std::unique_ptr<Connection>> OpenPostgresConnection(
    const PostgresOptions& options) {
  const std::string timeout = absl::StrCat(options.connect_timeout_s);
  const char* keys[] = {"dbname", "connect_timeout", "application_name",
                        nullptr};
  const char* values[] = {options.conninfo.c_str(), timeout.c_str(), "shien",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  std::string where = "(unknown)";
  if (conn != nullptr) {
    where = absl::StrCat(PQhost(conn) ? PQhost(conn) : "", ":",
                         PQport(conn) ? PQport(conn) : "", "/",
                         PQdb(conn) ? PQdb(conn) : "");
  }
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    absl::Status status = absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL at ", where, ": ",
        conn ? absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn))
             : "out of memory"));
    PQfinish(conn);
    return status;
  }
  auto out = std::make_unique<PostgresConnection>(conn, where);
  absl::Status status =
      out->Exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  if (!status.ok()) return status;
  return std::unique_ptr<Connection>(std::move(out));
}

absl::StatusOr<std::unique_ptr<Pool>> OpenPostgresPool(
    const PostgresOptions& options, int size) {
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < size; ++i) {
    auto conn = OpenPostgresConnection(options);
    if (!conn.ok()) return conn.status();
    connections.push_back(*std::move(conn));
  }
  return std::make_unique<Pool>(std::move(connections));
}

}  // namespace shien::sql
