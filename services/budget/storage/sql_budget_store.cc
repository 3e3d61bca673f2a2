#include <chrono>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/api/timestamps.h"
#include "common/sql/audit.h"
#include "common/sql/data_version.h"
#include "common/sql/migrations.h"
#include "common/sql/request_log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/budget/storage/postgres_budget_store.h"
#include "services/budget/storage/schema/migrations.h"
#include "services/budget/storage/sqlite_budget_store.h"

namespace shien::budget {
namespace {

using sql::Connection;
using sql::Statement;
using sql::Transaction;

absl::Status NotFound(absl::string_view field, absl::string_view what) {
  return FieldError(absl::StatusCode::kNotFound, field, "NOT_FOUND",
                    absl::StrCat(what, " does not exist"));
}

std::string EncodeWarnings(const std::vector<PlanWarning>& warnings) {
  std::vector<std::string> lines;
  for (const PlanWarning& w : warnings) {
    lines.push_back(absl::StrCat(
        w.code, "\t", absl::StrJoin(w.program_numbers, ","), "\t", w.message));
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<PlanWarning> DecodeWarnings(const std::string& text) {
  std::vector<PlanWarning> out;
  if (text.empty()) return out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<std::string> parts =
        absl::StrSplit(line, absl::MaxSplits('\t', 2));
    if (parts.size() != 3) continue;
    PlanWarning w{parts[0], {}, parts[2]};
    for (absl::string_view n :
         absl::StrSplit(parts[1], ',', absl::SkipEmpty())) {
      int v = 0;
      if (absl::SimpleAtoi(n, &v)) w.program_numbers.push_back(v);
    }
    out.push_back(std::move(w));
  }
  return out;
}

class SqlBudgetStore final : public BudgetStore {
 public:
  explicit SqlBudgetStore(std::unique_ptr<sql::Pool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<bool> LoadPlan(
      const Plan& plan, const std::vector<PlanWarning>& warnings) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(
        auto exists,
        conn->Prepare("SELECT 1 FROM fiscal_years WHERE year = ?"));
    exists->Bind(1, plan.fiscal_year);
    SHIEN_ASSIGN_OR_RETURN(bool found, exists->Step());
    exists.reset();
    if (found) return false;
    SHIEN_ASSIGN_OR_RETURN(
        auto fy, conn->Prepare("INSERT INTO fiscal_years (year, title, "
                               "organization, warnings) VALUES (?, ?, ?, ?)"));
    fy->Bind(1, plan.fiscal_year)
        .Bind(2, plan.title)
        .Bind(3, plan.organization)
        .Bind(4, EncodeWarnings(warnings));
    SHIEN_RETURN_IF_ERROR(fy->Run());
    fy.reset();
    const int64_t now = NowMicros();
    for (const Program& p : plan.programs) {
      Program stored = p;
      stored.fiscal_year = plan.fiscal_year;
      stored.revision = 1;
      stored.update_time_micros = now;
      SHIEN_RETURN_IF_ERROR(WriteProgram(*conn, stored, /*insert=*/true));
    }
    for (const Envelope& e : plan.envelopes) {
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt,
          conn->Prepare(
              "INSERT INTO envelopes (fiscal_year, id, "
              "program_number, title, amount_yen) VALUES (?,?,?,?,?)"));
      stmt->Bind(1, plan.fiscal_year)
          .Bind(2, e.id)
          .Bind(3, e.program_number)
          .Bind(4, e.title)
          .Bind(5, e.amount_yen);
      SHIEN_RETURN_IF_ERROR(stmt->Run());
    }
    SHIEN_RETURN_IF_ERROR(sql::RecordAudit(
        *conn,
        absl::StrCat("loaded the plan: ", plan.programs.size(), " programs"),
        absl::StrCat("fiscalYears/", plan.fiscal_year), "LoadPlan"));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return true;
  }

  absl::StatusOr<FiscalYearRecord> GetFiscalYear(int year) override {
    SHIEN_ASSIGN_OR_RETURN(std::vector<FiscalYearRecord> all,
                           ReadFiscalYears(year));
    if (all.empty())
      return NotFound("name", absl::StrCat("fiscalYears/", year));
    return all.front();
  }

  absl::StatusOr<std::vector<FiscalYearRecord>> ListFiscalYears() override {
    return ReadFiscalYears(0);
  }

  absl::StatusOr<Program> GetProgram(int year, int number) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_ASSIGN_OR_RETURN(std::vector<Program> programs,
                           ReadPrograms(*conn, year, number));
    if (programs.empty()) {
      return NotFound("name",
                      absl::StrCat("fiscalYears/", year, "/programs/", number));
    }
    return programs.front();
  }

  absl::StatusOr<ProgramSnapshot> ListPrograms(int year) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    ProgramSnapshot snapshot;
    SHIEN_ASSIGN_OR_RETURN(snapshot.data_version,
                           sql::ReadDataVersion(*conn, year));
    SHIEN_ASSIGN_OR_RETURN(snapshot.programs, ReadPrograms(*conn, year, 0));
    return snapshot;
  }

  absl::StatusOr<std::string> UpdateProgram(
      int year, int number,
      const std::function<absl::StatusOr<Program>(const Program&)>& mutate,
      const RequestKey& key, const ResponseEncoder<Program>& encode,
      int64_t* programs_version) override {
    return IdempotentWrite(
        year, key, [&](Connection& conn) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::vector<Program> current,
                                 ReadPrograms(conn, year, number));
          if (current.empty()) {
            return NotFound("program.name", absl::StrCat("fiscalYears/", year,
                                                         "/programs/", number));
          }
          SHIEN_ASSIGN_OR_RETURN(Program next, mutate(current.front()));
          next.fiscal_year = year;
          next.number = number;
          next.update_time_micros = NowMicros();
          SHIEN_RETURN_IF_ERROR(WriteProgram(conn, next, /*insert=*/false));
          if (programs_version != nullptr) {
            SHIEN_ASSIGN_OR_RETURN(*programs_version,
                                   ProgramsVersion(conn, year));
          }
          return encode(next);
        });
  }

  absl::StatusOr<std::vector<RecordResult>> RecordExpenditures(
      const std::vector<Expenditure>& records) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    std::vector<RecordResult> results;
    std::map<int, bool> touched_years;
    std::map<std::pair<int, int>, int64_t> executed;  // (year, program) → yen
    const int64_t now = NowMicros();
    for (const Expenditure& e : records) {
      RecordResult result;
      SHIEN_ASSIGN_OR_RETURN(std::optional<Expenditure> existing,
                             FindExpenditure(*conn, e.request_id));
      if (existing.has_value()) {
        if (SameExpenditure(*existing, e)) {
          result.outcome = RecordOutcome::kDuplicate;
        } else {
          result.outcome = RecordOutcome::kRejected;
          result.error = FieldError("request_id", "REQUEST_ID_REUSED",
                                    "was already used for a record with other "
                                    "content");
        }
        results.push_back(std::move(result));
        continue;
      }
      SHIEN_ASSIGN_OR_RETURN(
          bool program_exists,
          ProgramExists(*conn, e.fiscal_year, e.program_number));
      if (!program_exists) {
        result.outcome = RecordOutcome::kRejected;
        result.error = FieldError(
            absl::StatusCode::kNotFound, "program", "PROGRAM_NOT_FOUND",
            absl::StrCat("fiscalYears/", e.fiscal_year, "/programs/",
                         e.program_number, " does not exist"));
        results.push_back(std::move(result));
        continue;
      }
      // Keep every program's executed total within kMaxBudgetYen, so the
      // sums of the summaries never overflow.
      auto total = executed.find({e.fiscal_year, e.program_number});
      if (total == executed.end()) {
        SHIEN_ASSIGN_OR_RETURN(
            auto sum, conn->Prepare("SELECT COALESCE(SUM(amount_yen), 0) FROM "
                                    "expenditures WHERE fiscal_year = ? AND "
                                    "program_number = ?"));
        sum->Bind(1, e.fiscal_year).Bind(2, e.program_number);
        SHIEN_ASSIGN_OR_RETURN(bool row, sum->Step());
        total = executed
                    .emplace(std::make_pair(e.fiscal_year, e.program_number),
                             row ? sum->Int(0) : 0)
                    .first;
      }
      if (total->second + e.amount_yen > kMaxBudgetYen) {
        result.outcome = RecordOutcome::kRejected;
        result.error =
            FieldError("amount_yen", "PROGRAM_TOTAL_TOO_LARGE",
                       absl::StrCat("the program's expenditures would exceed ",
                                    kMaxBudgetYen, " yen"));
        results.push_back(std::move(result));
        continue;
      }
      total->second += e.amount_yen;
      SHIEN_ASSIGN_OR_RETURN(
          auto insert,
          conn->Prepare("INSERT INTO expenditures (request_id, fiscal_year, "
                        "program_number, year, month, amount_yen, "
                        "source_record_id, description, create_time_micros) "
                        "VALUES (?,?,?,?,?,?,?,?,?)"));
      insert->Bind(1, e.request_id)
          .Bind(2, e.fiscal_year)
          .Bind(3, e.program_number)
          .Bind(4, e.year)
          .Bind(5, e.month)
          .Bind(6, e.amount_yen)
          .Bind(7, e.source_record_id)
          .Bind(8, e.description)
          .Bind(9, now);
      SHIEN_RETURN_IF_ERROR(insert->Run());
      touched_years[e.fiscal_year] = true;
      results.push_back(std::move(result));
    }
    for (const auto& [year, unused] : touched_years) {
      SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(*conn, year));
    }
    SHIEN_RETURN_IF_ERROR(RecordBatchAudit(*conn, records, results));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return results;
  }

  absl::StatusOr<std::vector<Expenditure>> ListExpenditures(
      int year, int number, int64_t after_sequence, int limit) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_ASSIGN_OR_RETURN(bool exists, ProgramExists(*conn, year, number));
    if (!exists) {
      return NotFound("parent",
                      absl::StrCat("fiscalYears/", year, "/programs/", number));
    }
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(absl::StrCat("SELECT ", kExpenditureColumns,
                                   " FROM expenditures WHERE fiscal_year = ? "
                                   "AND program_number = ? AND sequence > ? "
                                   "ORDER BY sequence LIMIT ?")));
    stmt->Bind(1, year).Bind(2, number).Bind(3, after_sequence).Bind(4, limit);
    std::vector<Expenditure> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      out.push_back(ReadExpenditure(*stmt));
    }
    return out;
  }

  absl::StatusOr<ExecutionSnapshot> GetExecution(int year) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    ExecutionSnapshot snapshot;
    SHIEN_ASSIGN_OR_RETURN(snapshot.data_version,
                           sql::ReadDataVersion(*conn, year));
    SHIEN_ASSIGN_OR_RETURN(snapshot.programs, ReadPrograms(*conn, year, 0));
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare("SELECT program_number, SUM(amount_yen), COUNT(*) FROM "
                      "expenditures WHERE fiscal_year = ? GROUP BY "
                      "program_number"));
    stmt->Bind(1, year);
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      snapshot.totals.push_back(ExecutionTotal{static_cast<int>(stmt->Int(0)),
                                               stmt->Int(1), stmt->Int(2)});
    }
    return snapshot;
  }

  absl::StatusOr<Envelope> GetEnvelope(int year,
                                       const std::string& id) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(std::vector<Envelope> found,
                           ReadEnvelopes(*conn, year, id));
    if (found.empty()) {
      return NotFound("name",
                      absl::StrCat("fiscalYears/", year, "/envelopes/", id));
    }
    return found.front();
  }

  absl::StatusOr<std::vector<Envelope>> ListEnvelopes(int year) override {
    auto conn = pool_->Acquire();
    // NOT_FOUND for a fiscal year that is not loaded.
    SHIEN_RETURN_IF_ERROR(sql::ReadDataVersion(*conn, year).status());
    return ReadEnvelopes(*conn, year, "");
  }

  absl::StatusOr<std::string> ReserveFunds(
      int year, const std::string& envelope_id, const std::string& holder,
      int64_t amount_yen, const RequestKey& key,
      const ResponseEncoder<Reservation>& encode) override {
    return IdempotentWrite(
        year, key, [&](Connection& conn) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::vector<Envelope> envelopes,
                                 ReadEnvelopes(conn, year, envelope_id,
                                               /*count=*/false));
          if (envelopes.empty()) {
            return NotFound(
                "envelope",
                absl::StrCat("fiscalYears/", year, "/envelopes/", envelope_id));
          }
          const Envelope& envelope = envelopes.front();
          SHIEN_ASSIGN_OR_RETURN(
              std::vector<Reservation> held,
              ReadReservations(conn, year, envelope_id, 0, 1, holder));
          if (!held.empty() && held.front().amount_yen > 0) {
            return FieldError(
                absl::StatusCode::kAlreadyExists, "holder",
                "RESERVATION_EXISTS",
                absl::StrCat(holder, " already holds ", held.front().amount_yen,
                             " yen in reservation ", held.front().id,
                             " on this envelope"));
          }
          const int64_t available = envelope.amount_yen - envelope.reserved_yen;
          if (amount_yen > available) {
            return Error(
                absl::StatusCode::kFailedPrecondition, "ENVELOPE_EXCEEDED",
                absl::StrCat("envelope ", envelope_id, " has ", available,
                             " yen available; ", amount_yen, " requested"));
          }
          const int64_t now = NowMicros();
          if (!held.empty()) {
            // Fully released before: the same reservation holds again.
            SHIEN_ASSIGN_OR_RETURN(
                auto reopen,
                conn.Prepare("UPDATE reservations SET amount_yen = ?, "
                             "reserved_yen = reserved_yen + ?, "
                             "update_time_micros = ? WHERE id = ?"));
            reopen->Bind(1, amount_yen)
                .Bind(2, amount_yen)
                .Bind(3, now)
                .Bind(4, held.front().id);
            SHIEN_RETURN_IF_ERROR(reopen->Run());
            reopen.reset();
            SHIEN_RETURN_IF_ERROR(
                AdjustReserved(conn, year, envelope_id, amount_yen));
            SHIEN_ASSIGN_OR_RETURN(
                held, ReadReservations(conn, year, envelope_id, 0, 1, holder));
            return encode(held.front());
          }
          SHIEN_ASSIGN_OR_RETURN(
              auto insert,
              conn.Prepare("INSERT INTO reservations (fiscal_year, "
                           "envelope_id, holder, amount_yen, reserved_yen, "
                           "create_time_micros, update_time_micros) VALUES "
                           "(?,?,?,?,?,?,?)"));
          insert->Bind(1, year)
              .Bind(2, envelope_id)
              .Bind(3, holder)
              .Bind(4, amount_yen)
              .Bind(5, amount_yen)
              .Bind(6, now)
              .Bind(7, now);
          SHIEN_RETURN_IF_ERROR(insert->Run());
          insert.reset();
          SHIEN_RETURN_IF_ERROR(
              AdjustReserved(conn, year, envelope_id, amount_yen));
          SHIEN_ASSIGN_OR_RETURN(
              held, ReadReservations(conn, year, envelope_id, 0, 1, holder));
          if (held.empty()) return absl::InternalError("reservation vanished");
          return encode(held.front());
        });
  }

  absl::StatusOr<std::string> ReleaseFunds(
      int year, const std::string& envelope_id, int64_t reservation_id,
      int64_t amount_yen, const RequestKey& key,
      const ResponseEncoder<Reservation>& encode) override {
    return IdempotentWrite(
        year, key, [&](Connection& conn) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::vector<Reservation> found,
                                 ReadReservations(conn, year, envelope_id,
                                                  reservation_id - 1, 1, ""));
          if (found.empty() || found.front().id != reservation_id) {
            return NotFound(
                "reservation",
                absl::StrCat("fiscalYears/", year, "/envelopes/", envelope_id,
                             "/reservations/", reservation_id));
          }
          Reservation r = found.front();
          const int64_t release = amount_yen == 0 ? r.amount_yen : amount_yen;
          if (release > r.amount_yen) {
            return FieldError(
                absl::StatusCode::kFailedPrecondition, "amount_yen",
                "RELEASE_EXCEEDS_RESERVATION",
                absl::StrCat("the reservation holds ", r.amount_yen, " yen; ",
                             release, " requested"));
          }
          r.amount_yen -= release;
          r.released_yen += release;
          r.update_time_micros = NowMicros();
          SHIEN_ASSIGN_OR_RETURN(
              auto update,
              conn.Prepare("UPDATE reservations SET amount_yen = ?, "
                           "released_yen = ?, update_time_micros = ? WHERE "
                           "id = ?"));
          update->Bind(1, r.amount_yen)
              .Bind(2, r.released_yen)
              .Bind(3, r.update_time_micros)
              .Bind(4, r.id);
          SHIEN_RETURN_IF_ERROR(update->Run());
          update.reset();
          SHIEN_RETURN_IF_ERROR(
              AdjustReserved(conn, year, envelope_id, -release));
          return encode(r);
        });
  }

  absl::StatusOr<std::string> ReleaseFundsByHolder(
      int year, const std::string& envelope_id, const std::string& holder,
      const RequestKey& key,
      const ResponseEncoder<Reservation>& encode) override {
    return IdempotentWrite(
        year, key, [&](Connection& conn) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::vector<Envelope> envelopes,
                                 ReadEnvelopes(conn, year, envelope_id,
                                               /*count=*/false));
          if (envelopes.empty()) {
            return NotFound(
                "envelope",
                absl::StrCat("fiscalYears/", year, "/envelopes/", envelope_id));
          }
          SHIEN_ASSIGN_OR_RETURN(
              std::vector<Reservation> held,
              ReadReservations(conn, year, envelope_id, 0, 1, holder));
          if (held.empty() || held.front().amount_yen == 0) {
            return encode(Reservation{});
          }
          Reservation r = held.front();
          const int64_t release = r.amount_yen;
          r.amount_yen = 0;
          r.released_yen += release;
          r.update_time_micros = NowMicros();
          SHIEN_ASSIGN_OR_RETURN(
              auto update,
              conn.Prepare("UPDATE reservations SET amount_yen = ?, "
                           "released_yen = ?, update_time_micros = ? WHERE "
                           "id = ?"));
          update->Bind(1, r.amount_yen)
              .Bind(2, r.released_yen)
              .Bind(3, r.update_time_micros)
              .Bind(4, r.id);
          SHIEN_RETURN_IF_ERROR(update->Run());
          update.reset();
          SHIEN_RETURN_IF_ERROR(
              AdjustReserved(conn, year, envelope_id, -release));
          return encode(r);
        });
  }

  absl::StatusOr<std::vector<Reservation>> ListReservations(
      int year, const std::string& envelope_id, int64_t after_id,
      int limit) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        std::vector<Envelope> envelopes,
        ReadEnvelopes(*conn, year, envelope_id, /*count=*/false));
    if (envelopes.empty()) {
      return NotFound("parent", absl::StrCat("fiscalYears/", year,
                                             "/envelopes/", envelope_id));
    }
    return ReadReservations(*conn, year, envelope_id, after_id, limit, "");
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

  absl::StatusOr<std::pair<int64_t, std::optional<int64_t>>>
  DataVersionWithPrior(int year) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn->Prepare("SELECT year, data_version FROM fiscal_years "
                                 "WHERE year = ? OR year = ?"));
    stmt->Bind(1, static_cast<int64_t>(year))
        .Bind(2, static_cast<int64_t>(year - 1));
    std::optional<int64_t> current, prior;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      (stmt->Int(0) == year ? current : prior) = stmt->Int(1);
    }
    if (!current) {
      stmt.reset();
      // NOT_FOUND, or the year as loaded since.
      SHIEN_ASSIGN_OR_RETURN(int64_t loaded, sql::ReadDataVersion(*conn, year));
      current = loaded;
    }
    return std::make_pair(*current, prior);
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
  // One audit event for a batch of expenditures: how many were stored, the
  // yen they add and their request ids (the first 50).
  static absl::Status RecordBatchAudit(
      Connection& conn, const std::vector<Expenditure>& records,
      const std::vector<RecordResult>& results) {
    int64_t count = 0;
    int64_t yen = 0;
    std::string ids;
    std::set<std::string> years;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome != RecordOutcome::kAccepted) continue;
      ++count;
      yen += records[i].amount_yen;
      years.insert(absl::StrCat("fiscalYears/", records[i].fiscal_year));
      if (count <= 50)
        absl::StrAppend(&ids, count > 1 ? " " : "", records[i].request_id);
    }
    if (count == 0) return absl::OkStatus();
    return sql::RecordAudit(
        conn,
        absl::StrCat("recorded ", count, " expenditures, ", yen,
                     " yen; request ids: ", ids, count > 50 ? " …" : ""),
        absl::StrJoin(years, ","));
  }

  // Runs `body` in one write transaction made idempotent by `key`: a
  // repeated request returns its recorded response and runs nothing;
  // otherwise body's response is recorded and the fiscal year's data
  // version bumped in the same transaction. Any error rolls everything back.
  absl::StatusOr<std::string> IdempotentWrite(
      int year, const RequestKey& key,
      const std::function<absl::StatusOr<std::string>(Connection&)>& body) {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::string response, body(c));
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, year));
          return response;
        });
  }

  static constexpr char kExpenditureColumns[] =
      "sequence, request_id, fiscal_year, program_number, year, month, "
      "amount_yen, source_record_id, description, create_time_micros";

  static Expenditure ReadExpenditure(const Statement& s) {
    Expenditure e;
    e.sequence = s.Int(0);
    e.request_id = s.Text(1);
    e.fiscal_year = static_cast<int>(s.Int(2));
    e.program_number = static_cast<int>(s.Int(3));
    e.year = static_cast<int>(s.Int(4));
    e.month = static_cast<int>(s.Int(5));
    e.amount_yen = s.Int(6);
    e.source_record_id = s.Text(7);
    e.description = s.Text(8);
    e.create_time_micros = s.Int(9);
    return e;
  }

  absl::StatusOr<std::optional<Expenditure>> FindExpenditure(
      Connection& conn, const std::string& request_id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare(absl::StrCat("SELECT ", kExpenditureColumns,
                                             " FROM expenditures WHERE "
                                             "request_id = ?")));
    stmt->Bind(1, request_id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::nullopt;
    return ReadExpenditure(*stmt);
  }

  absl::StatusOr<bool> ProgramExists(Connection& conn, int year, int number) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare("SELECT 1 FROM programs WHERE fiscal_year = ? "
                                "AND number = ?"));
    stmt->Bind(1, year).Bind(2, number);
    return stmt->Step();
  }

  absl::Status AdjustReserved(Connection& conn, int year,
                              const std::string& envelope_id, int64_t delta) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("UPDATE envelopes SET reserved_yen = reserved_yen + ? "
                     "WHERE fiscal_year = ? AND id = ?"));
    stmt->Bind(1, delta).Bind(2, year).Bind(3, envelope_id);
    return stmt->Run();
  }

  // The sum of the year's program revisions (see FiscalYearRecord).
  static absl::StatusOr<int64_t> ProgramsVersion(Connection& conn, int year) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare("SELECT COALESCE(SUM(revision), 0) FROM "
                                "programs WHERE fiscal_year = ?"));
    stmt->Bind(1, year);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    return row ? stmt->Int(0) : 0;
  }

  absl::StatusOr<std::vector<FiscalYearRecord>> ReadFiscalYears(int year) {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(
            "SELECT f.year, f.title, f.organization, f.data_version, "
            "f.warnings, COUNT(p.number), COALESCE(SUM(p.budget_yen), 0), "
            "COALESCE(SUM(p.revision), 0) "
            "FROM fiscal_years f LEFT JOIN programs p ON "
            "p.fiscal_year = f.year WHERE ? = 0 OR f.year = ? "
            "GROUP BY f.year ORDER BY f.year DESC"));
    stmt->Bind(1, year).Bind(2, year);
    std::vector<FiscalYearRecord> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      FiscalYearRecord r;
      r.year = static_cast<int>(stmt->Int(0));
      r.title = stmt->Text(1);
      r.organization = stmt->Text(2);
      r.data_version = stmt->Int(3);
      r.warnings = DecodeWarnings(stmt->Text(4));
      r.program_count = static_cast<int>(stmt->Int(5));
      r.budget_total_yen = stmt->Int(6);
      r.programs_version = stmt->Int(7);
      out.push_back(std::move(r));
    }
    return out;
  }

  // number 0: all programs of the year.
  absl::StatusOr<std::vector<Program>> ReadPrograms(Connection& conn, int year,
                                                    int number) {
    std::vector<Program> programs;
    std::map<int, size_t> index;
    {
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt,
          conn.Prepare("SELECT number, title, area, funding_sources, "
                       "budget_yen, continuity, purpose, overview, "
                       "shared_sheet, revision, update_time_micros FROM "
                       "programs WHERE fiscal_year = ? AND (? = 0 OR number = "
                       "?) ORDER BY number"));
      stmt->Bind(1, year).Bind(2, number).Bind(3, number);
      while (true) {
        SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        Program p;
        p.fiscal_year = year;
        p.number = static_cast<int>(stmt->Int(0));
        p.title = stmt->Text(1);
        p.area = static_cast<Area>(stmt->Int(2));
        for (absl::string_view f :
             absl::StrSplit(stmt->Text(3), ',', absl::SkipEmpty())) {
          int v = 0;
          if (absl::SimpleAtoi(f, &v)) {
            p.funding_sources.push_back(static_cast<FundingSource>(v));
          }
        }
        p.budget_yen = stmt->Int(4);
        p.continuity = static_cast<Continuity>(stmt->Int(5));
        p.purpose = stmt->Text(6);
        p.overview = stmt->Text(7);
        p.shared_sheet = stmt->Text(8);
        p.revision = stmt->Int(9);
        p.update_time_micros = stmt->Int(10);
        index[p.number] = programs.size();
        programs.push_back(std::move(p));
      }
    }
    if (programs.empty()) return programs;
    SHIEN_ASSIGN_OR_RETURN(
        auto lists,
        conn.Prepare("SELECT number, kind, value FROM program_list_entries "
                     "WHERE fiscal_year = ? AND (? = 0 OR number = ?) ORDER "
                     "BY number, kind, position"));
    lists->Bind(1, year).Bind(2, number).Bind(3, number);
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, lists->Step());
      if (!row) break;
      auto it = index.find(static_cast<int>(lists->Int(0)));
      if (it == index.end()) continue;
      Program& p = programs[it->second];
      std::string kind = lists->Text(1);
      std::vector<std::string>* target = kind == "department" ? &p.departments
                                         : kind == "agency"
                                             ? &p.related_agencies
                                             : &p.activities;
      target->push_back(lists->Text(2));
    }
    return programs;
  }

  absl::Status WriteProgram(Connection& conn, const Program& p, bool insert) {
    std::vector<std::string> funding;
    for (FundingSource f : p.funding_sources) {
      funding.push_back(absl::StrCat(static_cast<int>(f)));
    }
    {
      SHIEN_ASSIGN_OR_RETURN(
          auto stmt,
          conn.Prepare(
              insert ? "INSERT INTO programs (title, area, funding_sources, "
                       "budget_yen, continuity, purpose, overview, "
                       "shared_sheet, revision, update_time_micros, "
                       "fiscal_year, number) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                     : "UPDATE programs SET title = ?, area = ?, "
                       "funding_sources = ?, budget_yen = ?, continuity = ?, "
                       "purpose = ?, overview = ?, shared_sheet = ?, "
                       "revision = ?, update_time_micros = ? WHERE "
                       "fiscal_year = ? AND number = ?"));
      stmt->Bind(1, p.title)
          .Bind(2, static_cast<int64_t>(p.area))
          .Bind(3, absl::StrJoin(funding, ","))
          .Bind(4, p.budget_yen)
          .Bind(5, static_cast<int64_t>(p.continuity))
          .Bind(6, p.purpose)
          .Bind(7, p.overview)
          .Bind(8, p.shared_sheet)
          .Bind(9, p.revision)
          .Bind(10, p.update_time_micros)
          .Bind(11, p.fiscal_year)
          .Bind(12, p.number);
      SHIEN_RETURN_IF_ERROR(stmt->Run());
    }
    {
      SHIEN_ASSIGN_OR_RETURN(
          auto del, conn.Prepare("DELETE FROM program_list_entries WHERE "
                                 "fiscal_year = ? AND number = ?"));
      del->Bind(1, p.fiscal_year).Bind(2, p.number);
      SHIEN_RETURN_IF_ERROR(del->Run());
    }
    const std::pair<const char*, const std::vector<std::string>*> lists[] = {
        {"department", &p.departments},
        {"agency", &p.related_agencies},
        {"activity", &p.activities}};
    for (const auto& [kind, values] : lists) {
      for (size_t i = 0; i < values->size(); ++i) {
        SHIEN_ASSIGN_OR_RETURN(
            auto stmt,
            conn.Prepare("INSERT INTO program_list_entries (fiscal_year, "
                         "number, kind, position, value) VALUES (?,?,?,?,?)"));
        stmt->Bind(1, p.fiscal_year)
            .Bind(2, p.number)
            .Bind(3, kind)
            .Bind(4, static_cast<int64_t>(i))
            .Bind(5, (*values)[i]);
        SHIEN_RETURN_IF_ERROR(stmt->Run());
      }
    }
    return absl::OkStatus();
  }

  // `count` false: active_reservation_count is left 0 (the writes, which
  // need only the balance, skip counting the envelope's reservations).
  absl::StatusOr<std::vector<Envelope>> ReadEnvelopes(Connection& conn,
                                                      int year,
                                                      const std::string& id,
                                                      bool count = true) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(
            count ? "SELECT e.id, e.program_number, e.title, e.amount_yen, "
                    "e.reserved_yen, (SELECT COUNT(*) FROM reservations r "
                    "WHERE r.fiscal_year = e.fiscal_year AND r.envelope_id = "
                    "e.id AND r.amount_yen > 0) FROM envelopes e WHERE "
                    "e.fiscal_year = ? AND (? = '' OR e.id = ?) ORDER BY e.id"
                  : "SELECT e.id, e.program_number, e.title, e.amount_yen, "
                    "e.reserved_yen, 0 FROM envelopes e WHERE "
                    "e.fiscal_year = ? AND (? = '' OR e.id = ?) ORDER BY "
                    "e.id"));
    stmt->Bind(1, year).Bind(2, id).Bind(3, id);
    std::vector<Envelope> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Envelope e;
      e.fiscal_year = year;
      e.id = stmt->Text(0);
      e.program_number = static_cast<int>(stmt->Int(1));
      e.title = stmt->Text(2);
      e.amount_yen = stmt->Int(3);
      e.reserved_yen = stmt->Int(4);
      e.active_reservation_count = stmt->Int(5);
      out.push_back(std::move(e));
    }
    return out;
  }

  // holder "": any holder.
  absl::StatusOr<std::vector<Reservation>> ReadReservations(
      Connection& conn, int year, const std::string& envelope_id,
      int64_t after_id, int limit, const std::string& holder) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(holder.empty()
                         ? "SELECT id, holder, amount_yen, reserved_yen, "
                           "released_yen, create_time_micros, "
                           "update_time_micros FROM reservations WHERE "
                           "fiscal_year = ?1 AND envelope_id = ?2 AND id > ?3 "
                           "ORDER BY id LIMIT ?4"
                         // One holder: through the unique index.
                         : "SELECT id, holder, amount_yen, reserved_yen, "
                           "released_yen, create_time_micros, "
                           "update_time_micros FROM reservations WHERE "
                           "fiscal_year = ?1 AND envelope_id = ?2 AND id > ?3 "
                           "AND holder = ?5 ORDER BY id LIMIT ?4"));
    stmt->Bind(1, year)
        .Bind(2, envelope_id)
        .Bind(3, after_id)
        .Bind(4, static_cast<int64_t>(limit));
    if (!holder.empty()) stmt->Bind(5, holder);
    std::vector<Reservation> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Reservation r;
      r.fiscal_year = year;
      r.envelope_id = envelope_id;
      r.id = stmt->Int(0);
      r.holder = stmt->Text(1);
      r.amount_yen = stmt->Int(2);
      r.reserved_yen = stmt->Int(3);
      r.released_yen = stmt->Int(4);
      r.create_time_micros = stmt->Int(5);
      r.update_time_micros = stmt->Int(6);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::unique_ptr<sql::Pool> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<BudgetStore>> OpenBudgetStore(
    std::unique_ptr<sql::Pool> pool) {
  {
    auto conn = pool->Acquire();
    SHIEN_RETURN_IF_ERROR(
        sql::ApplyMigrations(*conn, conn->dialect() == sql::Dialect::kPostgres
                                        ? BudgetPostgresMigrations()
                                        : BudgetMigrations()));
  }
  return std::unique_ptr<BudgetStore>(new SqlBudgetStore(std::move(pool)));
}

absl::StatusOr<std::unique_ptr<BudgetStore>> OpenSqliteBudgetStore(
    const sql::SqliteOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool, sql::OpenSqlitePool(options, connections));
  return OpenBudgetStore(std::move(pool));
}

absl::StatusOr<std::unique_ptr<BudgetStore>> OpenPostgresBudgetStore(
    const sql::PostgresOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool,
                         sql::OpenPostgresPool(options, connections));
  return OpenBudgetStore(std::move(pool));
}

}  // namespace shien::budget
