#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/api/timestamps.h"
#include "common/sql/audit.h"
#include "common/sql/data_version.h"
#include "common/sql/migrations.h"
#include "common/sql/request_log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/subsidy/codec/codec.h"
#include "services/subsidy/storage/postgres_subsidy_store.h"
#include "services/subsidy/storage/schema/migrations.h"
#include "services/subsidy/storage/sqlite_subsidy_store.h"

namespace shien::subsidy {
namespace {

using sql::Connection;
using sql::Statement;
using sql::Transaction;

// Schemes are stored with a fixed "today": their states are output-only
// and recomputed when read.
constexpr CivilDate kStorageDay{2000, 1, 1};
// The outbox target of releases of reserved funds.
constexpr char kReleaseTarget[] = "budget.ReleaseFunds";

// The characters of UTF-8 `text` (what SQL's substr and length count).
int64_t CharacterCount(absl::string_view text) {
  int64_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string EncodeScheme(const Scheme& s) {
  pb::Scheme out;
  ToProto(s, kStorageDay, &out);
  return out.SerializeAsString();
}

absl::StatusOr<Scheme> DecodeScheme(const std::string& bytes) {
  pb::Scheme in;
  if (!in.ParseFromString(bytes)) {
    return absl::DataLossError("a stored scheme is unreadable");
  }
  return FromProto(in);
}

absl::StatusOr<Application> DecodeApplication(const Statement& s) {
  // Columns: id, fiscal_year, scheme_id, revision, data.
  pb::Application in;
  if (!in.ParseFromString(s.Blob(4))) {
    return absl::DataLossError("a stored application is unreadable");
  }
  Application a = FromProto(in);
  a.id = s.Int(0);
  a.fiscal_year = static_cast<int>(s.Int(1));
  a.scheme_id = s.Text(2);
  a.revision = s.Int(3);
  return a;
}

std::string EncodeApplication(const Application& a) {
  pb::Application out;
  ToProto(a, &out);
  return out.SerializeAsString();
}

constexpr char kApplicationColumns[] =
    "id, fiscal_year, scheme_id, revision, data";

class SqlSubsidyStore final : public SubsidyStore {
 public:
  explicit SqlSubsidyStore(std::unique_ptr<sql::Pool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<bool> LoadYear(int year, const std::string& note,
                                const std::vector<Scheme>& schemes) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(
        auto exists,
        conn->Prepare("SELECT 1 FROM fiscal_years WHERE year = ?"));
    exists->Bind(1, year);
    SHIEN_ASSIGN_OR_RETURN(bool found, exists->Step());
    exists.reset();
    if (found) return false;
    SHIEN_ASSIGN_OR_RETURN(auto insert,
                           conn->Prepare("INSERT INTO fiscal_years (year, "
                                         "source_note) VALUES (?, ?)"));
    insert->Bind(1, year).Bind(2, note);
    SHIEN_RETURN_IF_ERROR(insert->Run());
    insert.reset();
    for (const Scheme& s : schemes) {
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt, conn->Prepare("INSERT INTO schemes (fiscal_year, id, "
                                   "data, revision) VALUES (?, ?, ?, 1)"));
      stmt->Bind(1, year).Bind(2, s.id).BindBlob(3, EncodeScheme(s));
      SHIEN_RETURN_IF_ERROR(stmt->Run());
    }
    SHIEN_RETURN_IF_ERROR(
        sql::RecordAudit(*conn, absl::StrCat("loaded the schemes: ", note),
                         absl::StrCat("fiscalYears/", year), "LoadSchemes"));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return true;
  }

  absl::StatusOr<Scheme> GetScheme(int year, const std::string& id) override {
    auto conn = pool_->Acquire();
    return ReadScheme(*conn, year, id);
  }

  absl::StatusOr<std::vector<Scheme>> ListSchemes(int year) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_RETURN_IF_ERROR(sql::ReadDataVersion(*conn, year).status());
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn->Prepare("SELECT data FROM schemes WHERE fiscal_year "
                                 "= ? ORDER BY id"));
    stmt->Bind(1, year);
    std::vector<Scheme> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      SHIEN_ASSIGN_OR_RETURN(Scheme s, DecodeScheme(stmt->Blob(0)));
      out.push_back(std::move(s));
    }
    return out;
  }

  absl::StatusOr<std::string> UpdateScheme(
      int year, const std::string& id,
      const std::function<absl::Status(Scheme&)>& mutate, const RequestKey& key,
      const ResponseEncoder<Scheme>& encode) override {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(Scheme s, ReadScheme(c, year, id));
          SHIEN_RETURN_IF_ERROR(mutate(s));
          SHIEN_ASSIGN_OR_RETURN(
              auto stmt,
              c.Prepare("UPDATE schemes SET data = ?, revision = revision + 1 "
                        "WHERE fiscal_year = ? AND id = ?"));
          stmt->BindBlob(1, EncodeScheme(s)).Bind(2, year).Bind(3, id);
          SHIEN_RETURN_IF_ERROR(stmt->Run());
          stmt.reset();
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, year));
          return encode(s);
        });
  }

  absl::StatusOr<std::optional<std::string>> FindResponse(
      const RequestKey& key) override {
    auto conn = pool_->Acquire();
    return sql::LookupRequest(*conn, key);
  }

  absl::StatusOr<std::string> CreateApplication(
      const Application& application, const RequestKey& key,
      const ResponseEncoder<Application>& encode) override {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_RETURN_IF_ERROR(
              ReadScheme(c, application.fiscal_year, application.scheme_id)
                  .status());
          Application a = application;
          a.revision = 1;
          a.create_time_micros = a.update_time_micros = NowMicros();
          SHIEN_ASSIGN_OR_RETURN(
              auto insert,
              c.Prepare("INSERT INTO applications (fiscal_year, scheme_id, "
                        "round_id, course_id, corporate_number, state, "
                        "requested_yen, committed_yen, revision, data) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?) RETURNING id"));
          insert->Bind(1, a.fiscal_year)
              .Bind(2, a.scheme_id)
              .Bind(3, a.round_id)
              .Bind(4, a.course_id)
              .Bind(5, a.applicant.corporate_number)
              .Bind(6, static_cast<int64_t>(a.state))
              .Bind(7, a.quote.amount_yen)
              .Bind(8, a.CommittedYen())
              .Bind(9, a.revision)
              .BindBlob(10, "");
          SHIEN_ASSIGN_OR_RETURN(bool row, insert->Step());
          if (!row) return absl::InternalError("no row id");
          a.id = insert->Int(0);
          insert.reset();
          SHIEN_RETURN_IF_ERROR(WriteApplication(c, a));
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, a.fiscal_year));
          return encode(a);
        });
  }

  absl::StatusOr<Application> GetApplication(int year,
                                             const std::string& scheme,
                                             int64_t id) override {
    auto conn = pool_->Acquire();
    return ReadApplication(*conn, year, scheme, id);
  }

  absl::StatusOr<std::vector<Application>> ListApplications(
      int year, const std::string& scheme, const ApplicationFilter& filter,
      int64_t after_id, int limit) override {
    auto conn = pool_->Acquire();
    SHIEN_RETURN_IF_ERROR(ReadScheme(*conn, year, scheme).status());
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(absl::StrCat(
            "SELECT ", kApplicationColumns,
            " FROM applications WHERE fiscal_year = ? AND scheme_id = ? AND "
            "id > ? AND (? = 0 OR state = ?) AND (? = '' OR round_id = ?) "
            "AND (? = '' OR course_id = ?) ORDER BY id LIMIT ?")));
    const int64_t state =
        filter.state ? static_cast<int64_t>(*filter.state) : 0;
    const std::string round = filter.round_id.value_or("");
    const std::string course = filter.course_id.value_or("");
    stmt->Bind(1, year)
        .Bind(2, scheme)
        .Bind(3, after_id)
        .Bind(4, state)
        .Bind(5, state)
        .Bind(6, round)
        .Bind(7, round)
        .Bind(8, course)
        .Bind(9, course)
        .Bind(10, static_cast<int64_t>(limit));
    std::vector<Application> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      SHIEN_ASSIGN_OR_RETURN(Application a, DecodeApplication(*stmt));
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::StatusOr<std::string> MutateApplication(
      int year, const std::string& scheme, int64_t id,
      const std::function<absl::Status(Application&)>& mutate,
      const std::function<std::vector<OutboxMessage>(
          const Application&, const DecisionTotals&)>& outbox,
      const RequestKey& key,
      const ResponseEncoder<Application>& encode) override {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(Application a,
                                 ReadApplication(c, year, scheme, id));
          const State before = a.state;
          SHIEN_RETURN_IF_ERROR(mutate(a));
          if (a.state == State::kSubmitted && before != State::kSubmitted) {
            SHIEN_RETURN_IF_ERROR(CheckSingleApplication(c, a));
          }
          SHIEN_RETURN_IF_ERROR(WriteApplication(c, a));
          SHIEN_ASSIGN_OR_RETURN(DecisionTotals totals,
                                 Totals(c, year, scheme));
          for (const OutboxMessage& m : outbox(a, totals)) {
            SHIEN_ASSIGN_OR_RETURN(
                auto insert,
                c.Prepare("INSERT INTO outbox (target, request_id, payload, "
                          "amount_yen) VALUES (?, ?, ?, ?)"));
            insert->Bind(1, m.target)
                .Bind(2, m.request_id)
                .BindBlob(3, m.payload)
                .Bind(4, m.amount_yen);
            SHIEN_RETURN_IF_ERROR(insert->Run());
          }
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, year));
          return encode(a);
        });
  }

  absl::StatusOr<int64_t> PendingBudgetMessages(
      const std::string& application) override {
    // The request ids that start with "<application>/", compared exactly
    // (SQLite prepares a LIKE with a bound pattern again at every run).
    const std::string prefix = application + "/";
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn->Prepare("SELECT COUNT(*) FROM outbox WHERE target = "
                                 "'budget.ReleaseFunds' AND dead = 0 AND "
                                 "delivered_micros IS NULL AND "
                                 "substr(request_id, 1, ?) = ?"));
    stmt->Bind(1, CharacterCount(prefix));
    stmt->Bind(2, prefix);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    return row ? stmt->Int(0) : 0;
  }

  absl::StatusOr<bool> ReleaseUnlessHeld(
      int year, const std::string& scheme, int64_t id,
      const std::string& reservation, const OutboxMessage& release) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(Application a,
                           ReadApplication(*conn, year, scheme, id));
    if (a.reservation == reservation && a.CommittedYen() > 0) {
      // Held: nothing to release, once what showed it is durable.
      SHIEN_RETURN_IF_ERROR(txn->Commit());
      return false;
    }
    // A new revision, so that the next approval reserves under a new
    // request id instead of replaying the reservation released here.
    a.revision += 1;
    a.update_time_micros = NowMicros();
    SHIEN_RETURN_IF_ERROR(WriteApplication(*conn, a));
    SHIEN_ASSIGN_OR_RETURN(
        auto insert,
        conn->Prepare("INSERT INTO outbox (target, request_id, payload, "
                      "amount_yen) VALUES (?, ?, ?, ?)"));
    insert->Bind(1, release.target)
        .Bind(2, release.request_id)
        .BindBlob(3, release.payload)
        .Bind(4, release.amount_yen);
    SHIEN_RETURN_IF_ERROR(insert->Run());
    insert.reset();
    SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(*conn, year));
    SHIEN_RETURN_IF_ERROR(sql::RecordAudit(
        *conn,
        absl::StrCat("released reservation ", reservation,
                     " the application does not hold; revision ", a.revision),
        ApplicationName(a)));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return true;
  }

  absl::StatusOr<StatsSnapshot> Stats(int year,
                                      const std::string& scheme) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_RETURN_IF_ERROR(ReadScheme(*conn, year, scheme).status());
    StatsSnapshot out;
    SHIEN_ASSIGN_OR_RETURN(out.data_version, sql::ReadDataVersion(*conn, year));
    {
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt,
          conn->Prepare("SELECT state, round_id, course_id, requested_yen, "
                        "committed_yen FROM applications WHERE fiscal_year = ? "
                        "AND scheme_id = ? ORDER BY id"));
      stmt->Bind(1, year).Bind(2, scheme);
      while (true) {
        SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        out.applications.push_back({static_cast<State>(stmt->Int(0)),
                                    stmt->Text(1), stmt->Text(2), stmt->Int(3),
                                    stmt->Int(4)});
      }
    }
    SHIEN_ASSIGN_OR_RETURN(
        auto pending,
        conn->Prepare("SELECT COALESCE(SUM(amount_yen), 0) FROM outbox WHERE "
                      "delivered_micros IS NULL AND dead = 0 AND target = "
                      "'budget.ReleaseFunds' AND "
                      "substr(request_id, 1, ?) = ?"));
    const std::string prefix = absl::StrCat(SchemeName(year, scheme), "/");
    pending->Bind(1, CharacterCount(prefix)).Bind(2, prefix);
    SHIEN_ASSIGN_OR_RETURN(bool row, pending->Step());
    if (row) out.pending_release_yen = pending->Int(0);
    pending.reset();
    SHIEN_ASSIGN_OR_RETURN(
        auto dead,
        conn->Prepare("SELECT COALESCE(SUM(amount_yen), 0) FROM outbox WHERE "
                      "dead = 1 AND target = 'budget.ReleaseFunds' AND "
                      "substr(request_id, 1, ?) = ?"));
    dead->Bind(1, CharacterCount(prefix)).Bind(2, prefix);
    SHIEN_ASSIGN_OR_RETURN(bool dead_row, dead->Step());
    if (dead_row) out.dead_release_yen = dead->Int(0);
    return out;
  }

  absl::StatusOr<std::vector<OutboxMessage>> PendingOutbox(
      int64_t after_sequence, int limit) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare("SELECT sequence, target, request_id, payload, "
                      "amount_yen, attempts, last_error FROM outbox WHERE "
                      "delivered_micros IS NULL AND dead = 0 AND sequence > ? "
                      "ORDER BY sequence LIMIT ?"));
    stmt->Bind(1, after_sequence).Bind(2, static_cast<int64_t>(limit));
    std::vector<OutboxMessage> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      out.push_back({stmt->Int(0), stmt->Text(1), stmt->Text(2), stmt->Blob(3),
                     stmt->Int(4), stmt->Int(5), stmt->Text(6)});
    }
    return out;
  }

  absl::StatusOr<bool> HoldOutboxLease(const std::string& holder,
                                       int64_t now_micros,
                                       int64_t ttl_micros) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(
        auto read,
        conn->Prepare("SELECT holder, expires_micros FROM outbox_lease"));
    SHIEN_ASSIGN_OR_RETURN(bool found, read->Step());
    if (found && read->Text(0) != holder && read->Int(1) > now_micros) {
      return false;
    }
    read.reset();
    SHIEN_ASSIGN_OR_RETURN(
        auto write,
        conn->Prepare(found ? "UPDATE outbox_lease SET holder = ?, "
                              "expires_micros = ? WHERE singleton = 1"
                            : "INSERT INTO outbox_lease (holder, "
                              "expires_micros, singleton) VALUES (?, ?, 1)"));
    write->Bind(1, holder).Bind(2, now_micros + ttl_micros);
    SHIEN_RETURN_IF_ERROR(write->Run());
    write.reset();
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return true;
  }

  absl::Status MarkDelivered(const std::vector<int64_t>& sequences) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    bool releases = false;
    for (int64_t sequence : sequences) {
      SHIEN_ASSIGN_OR_RETURN(
          auto target,
          conn->Prepare("SELECT target FROM outbox WHERE sequence = ?"));
      target->Bind(1, sequence);
      SHIEN_ASSIGN_OR_RETURN(bool found, target->Step());
      releases = releases || (found && target->Text(0) == kReleaseTarget);
      target.reset();
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt,
          conn->Prepare("UPDATE outbox SET delivered_micros = ?, attempts = "
                        "attempts + 1 WHERE sequence = ?"));
      stmt->Bind(1, NowMicros()).Bind(2, sequence);
      SHIEN_RETURN_IF_ERROR(stmt->Run());
    }
    if (releases) {
      // Statistics show pending releases: every view of them is now stale.
      SHIEN_RETURN_IF_ERROR(conn->Exec(
          "UPDATE fiscal_years SET data_version = data_version + 1"));
    }
    return txn->Commit();
  }

  absl::Status MarkFailed(int64_t sequence, const std::string& error,
                          bool dead) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare("UPDATE outbox SET attempts = attempts + 1, last_error "
                      "= ?, dead = ? WHERE sequence = ?"));
    // At most 1,000 bytes, cut at a character boundary (valid UTF-8).
    size_t cut = std::min<size_t>(error.size(), 1000);
    while (cut > 0 && cut < error.size() &&
           (static_cast<unsigned char>(error[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    const std::string kept = error.substr(0, cut);
    stmt->Bind(1, kept)
        .Bind(2, static_cast<int64_t>(dead ? 1 : 0))
        .Bind(3, sequence);
    SHIEN_RETURN_IF_ERROR(stmt->Run());
    stmt.reset();
    if (dead) {
      SHIEN_RETURN_IF_ERROR(conn->Exec(
          "UPDATE fiscal_years SET data_version = data_version + 1"));
      SHIEN_RETURN_IF_ERROR(sql::RecordAudit(
          *conn,
          absl::StrCat("outbox message ", sequence,
                       " set aside for good: ", kept),
          absl::StrCat("outbox/", sequence), "OutboxSetAside"));
    }
    return txn->Commit();
  }

  absl::StatusOr<std::string> DatabaseId() override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto stmt,
                           conn->Prepare("SELECT id FROM database_identity"));
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return absl::InternalError("database identity missing");
    return stmt->Text(0);
  }

  absl::StatusOr<int64_t> DataVersion(int year) override {
    auto conn = pool_->Acquire();
    return sql::ReadDataVersion(*conn, year);
  }

  absl::StatusOr<std::vector<sql::AuditEvent>> ListAuditEvents(
      const sql::AuditQuery& query) override {
    auto conn = pool_->Acquire();
    return sql::ListAuditEvents(*conn, query);
  }

  absl::Status Ping() override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto stmt,
                           conn->Prepare("SELECT COUNT(*) FROM fiscal_years"));
    return stmt->Step().status();
  }

 private:
  absl::StatusOr<Scheme> ReadScheme(Connection& c, int year,
                                    const std::string& id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, c.Prepare("SELECT data FROM schemes WHERE fiscal_year = ? "
                             "AND id = ?"));
    stmt->Bind(1, year).Bind(2, id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) {
      return FieldError(absl::StatusCode::kNotFound, "scheme",
                        "SCHEME_NOT_FOUND",
                        absl::StrCat(SchemeName(year, id), " does not exist"));
    }
    return DecodeScheme(stmt->Blob(0));
  }

  absl::StatusOr<Application> ReadApplication(Connection& c, int year,
                                              const std::string& scheme,
                                              int64_t id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        c.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                               " FROM applications WHERE fiscal_year = ? AND "
                               "scheme_id = ? AND id = ?")));
    stmt->Bind(1, year).Bind(2, scheme).Bind(3, id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) {
      return FieldError(absl::StatusCode::kNotFound, "name",
                        "APPLICATION_NOT_FOUND",
                        absl::StrCat(SchemeName(year, scheme), "/applications/",
                                     id, " does not exist"));
    }
    return DecodeApplication(*stmt);
  }

  absl::Status WriteApplication(Connection& c, const Application& a) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        c.Prepare("UPDATE applications SET round_id = ?, course_id = ?, "
                  "corporate_number = ?, state = ?, requested_yen = ?, "
                  "committed_yen = ?, revision = ?, data = ? WHERE id = ?"));
    stmt->Bind(1, a.round_id)
        .Bind(2, a.course_id)
        .Bind(3, a.applicant.corporate_number)
        .Bind(4, static_cast<int64_t>(a.state))
        .Bind(5, a.quote.amount_yen)
        .Bind(6, a.CommittedYen())
        .Bind(7, a.revision)
        .BindBlob(8, EncodeApplication(a))
        .Bind(9, a.id);
    return stmt->Run();
  }

  absl::Status CheckSingleApplication(Connection& c, const Application& a) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        c.Prepare("SELECT id FROM applications WHERE fiscal_year = ? AND "
                  "scheme_id = ? AND round_id = ? AND corporate_number = ? "
                  "AND id != ? AND state NOT IN (?, ?) LIMIT 1"));
    stmt->Bind(1, a.fiscal_year)
        .Bind(2, a.scheme_id)
        .Bind(3, a.round_id)
        .Bind(4, a.applicant.corporate_number)
        .Bind(5, a.id)
        .Bind(6, static_cast<int64_t>(State::kDraft))
        .Bind(7, static_cast<int64_t>(State::kWithdrawn));
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (row) {
      return FieldError(absl::StatusCode::kAlreadyExists,
                        "application.applicant.corporate_number",
                        "DUPLICATE_APPLICATION",
                        absl::StrCat("the applicant already has application ",
                                     stmt->Int(0), " in round ", a.round_id));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DecisionTotals> Totals(Connection& c, int year,
                                        const std::string& scheme) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        // Kept by the database's triggers (migration 007).
        c.Prepare("SELECT decisions, committed_yen FROM decision_totals "
                  "WHERE fiscal_year = ? AND scheme_id = ?"));
    stmt->Bind(1, year).Bind(2, scheme);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return DecisionTotals{};
    return DecisionTotals{stmt->Int(0), stmt->Int(1)};
  }

  std::unique_ptr<sql::Pool> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SubsidyStore>> OpenSubsidyStore(
    std::unique_ptr<sql::Pool> pool) {
  {
    auto conn = pool->Acquire();
    SHIEN_RETURN_IF_ERROR(
        sql::ApplyMigrations(*conn, conn->dialect() == sql::Dialect::kPostgres
                                        ? SubsidyPostgresMigrations()
                                        : SubsidyMigrations()));
  }
  return std::unique_ptr<SubsidyStore>(new SqlSubsidyStore(std::move(pool)));
}

absl::StatusOr<std::unique_ptr<SubsidyStore>> OpenSqliteSubsidyStore(
    const sql::SqliteOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool, sql::OpenSqlitePool(options, connections));
  return OpenSubsidyStore(std::move(pool));
}

absl::StatusOr<std::unique_ptr<SubsidyStore>> OpenPostgresSubsidyStore(
    const sql::PostgresOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool,
                         sql::OpenPostgresPool(options, connections));
  return OpenSubsidyStore(std::move(pool));
}

}  // namespace shien::subsidy
