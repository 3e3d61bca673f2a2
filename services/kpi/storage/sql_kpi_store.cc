#include <chrono>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/timestamps.h"
#include "common/sql/audit.h"
#include "common/sql/data_version.h"
#include "common/sql/migrations.h"
#include "common/sql/request_log.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/kpi/storage/postgres_kpi_store.h"
#include "services/kpi/storage/schema/migrations.h"
#include "services/kpi/storage/sqlite_kpi_store.h"

namespace shien::kpi {
namespace {

using sql::Connection;
using sql::Statement;
using sql::Transaction;

constexpr char kIndicatorColumns[] =
    "fiscal_year, program_number, id, title, unit, measure, kind, "
    "aggregation, target_state, target_value, target_note, multi_first, "
    "multi_last, multi_value, parent_id, parts_bounded, position, note, "
    "revision, update_time_micros";

constexpr char kMeasurementColumns[] =
    "sequence, request_id, fiscal_year, program_number, indicator_id, "
    "is_month, period_year, period_month, period_day, kind, value, unit, "
    "previous_value, recorded_by, record_time_micros, supersede_time_micros";

Indicator ReadIndicator(const Statement& s) {
  Indicator i;
  i.fiscal_year = static_cast<int>(s.Int(0));
  i.program_number = static_cast<int>(s.Int(1));
  i.id = s.Text(2);
  i.title = s.Text(3);
  i.unit = s.Text(4);
  i.measure = static_cast<Measure>(s.Int(5));
  i.kind = static_cast<IndicatorKind>(s.Int(6));
  i.aggregation = static_cast<Aggregation>(s.Int(7));
  i.target.state = static_cast<TargetState>(s.Int(8));
  i.target.value = s.Int(9);
  i.target.note = s.Text(10);
  if (!s.IsNull(11)) {
    i.multi_year_target = MultiYearTarget{
        static_cast<int>(s.Int(11)), static_cast<int>(s.Int(12)), s.Int(13)};
  }
  i.parent_id = s.Text(14);
  i.parts_bounded_by_whole = s.Int(15) != 0;
  i.position = static_cast<int>(s.Int(16));
  i.note = s.Text(17);
  i.revision = s.Int(18);
  i.update_time_micros = s.Int(19);
  return i;
}

Measurement ReadMeasurement(const Statement& s) {
  Measurement m;
  m.sequence = s.Int(0);
  m.request_id = s.Text(1);
  m.fiscal_year = static_cast<int>(s.Int(2));
  m.program_number = static_cast<int>(s.Int(3));
  m.indicator_id = s.Text(4);
  m.period.is_month = s.Int(5) != 0;
  m.period.date =
      CivilDate{static_cast<int>(s.Int(6)), static_cast<int>(s.Int(7)),
                static_cast<int>(s.Int(8))};
  m.kind = static_cast<MeasurementKind>(s.Int(9));
  m.value = s.Int(10);
  m.unit = s.Text(11);
  if (!s.IsNull(12)) m.previous_value = s.Int(12);
  m.recorded_by = s.Text(13);
  m.record_time_micros = s.Int(14);
  if (!s.IsNull(15)) m.supersede_time_micros = s.Int(15);
  return m;
}

absl::Status IndicatorNotFound(absl::string_view field, int year, int program,
                               const std::string& id) {
  return FieldError(
      absl::StatusCode::kNotFound, field, "INDICATOR_NOT_FOUND",
      absl::StrCat(IndicatorName(year, program, id), " does not exist"));
}

class SqlKpiStore final : public KpiStore {
 public:
  explicit SqlKpiStore(std::unique_ptr<sql::Pool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<bool> LoadYear(
      int year, const std::string& source_note,
      const std::vector<Indicator>& indicators,
      const std::vector<Measurement>& measurements) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    SHIEN_ASSIGN_OR_RETURN(bool exists, YearExists(*conn, year));
    if (exists) return false;
    SHIEN_ASSIGN_OR_RETURN(auto insert,
                           conn->Prepare("INSERT INTO fiscal_years (year, "
                                         "source_note) VALUES (?, ?)"));
    insert->Bind(1, year).Bind(2, source_note);
    SHIEN_RETURN_IF_ERROR(insert->Run());
    insert.reset();
    const int64_t now = NowMicros();
    for (Indicator i : indicators) {
      i.revision = 1;
      i.update_time_micros = now;
      SHIEN_RETURN_IF_ERROR(WriteIndicator(*conn, i, /*insert=*/true));
    }
    for (size_t n = 0; n < measurements.size(); ++n) {
      if (measurements[n].fiscal_year != year) {
        return FieldError(
            absl::StrCat("measurements[", n, "].indicator"),
            "WRONG_FISCAL_YEAR",
            absl::StrCat("must be an indicator of fiscal year ", year));
      }
      SHIEN_ASSIGN_OR_RETURN(
          RowResult r,
          ApplyRow(
              *conn, measurements[n],
              [](const Indicator&) { return absl::OkStatus(); }, now));
      if (r.outcome == RowOutcome::kRejected) {
        return PrefixField(r.error, absl::StrCat("measurements[", n, "]"));
      }
    }
    SHIEN_RETURN_IF_ERROR(sql::RecordAudit(*conn, "loaded the indicators",
                                           absl::StrCat("fiscalYears/", year),
                                           "LoadIndicators"));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return true;
  }

  absl::StatusOr<Indicator> GetIndicator(int year, int program,
                                         const std::string& id) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(std::optional<Indicator> found,
                           FindIndicator(*conn, year, program, id));
    if (!found) return IndicatorNotFound("name", year, program, id);
    return *found;
  }

  absl::StatusOr<IndicatorSnapshot> ListIndicators(int year,
                                                   int program) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    IndicatorSnapshot snapshot;
    SHIEN_ASSIGN_OR_RETURN(snapshot.data_version,
                           sql::ReadDataVersion(*conn, year));
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(absl::StrCat(
            "SELECT ", kIndicatorColumns,
            " FROM indicators WHERE fiscal_year = ? AND (? = 0 OR "
            "program_number = ?) ORDER BY program_number, position, id")));
    stmt->Bind(1, year).Bind(2, program).Bind(3, program);
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      snapshot.indicators.push_back(ReadIndicator(*stmt));
    }
    return snapshot;
  }

  absl::StatusOr<std::string> CreateIndicator(
      const Indicator& indicator, const RequestKey& key,
      const ResponseEncoder<Indicator>& encode) override {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(bool year_exists,
                                 YearExists(c, indicator.fiscal_year));
          if (!year_exists) {
            return FieldError(
                absl::StatusCode::kFailedPrecondition, "parent",
                "FISCAL_YEAR_NOT_LOADED",
                absl::StrCat("fiscal year ", indicator.fiscal_year,
                             " has no KPI data loaded"));
          }
          SHIEN_ASSIGN_OR_RETURN(
              std::optional<Indicator> existing,
              FindIndicator(c, indicator.fiscal_year, indicator.program_number,
                            indicator.id));
          if (existing) {
            return FieldError(
                absl::StatusCode::kAlreadyExists, "indicator_id",
                "ALREADY_EXISTS",
                absl::StrCat(IndicatorName(indicator), " already exists"));
          }
          if (!indicator.parent_id.empty()) {
            SHIEN_ASSIGN_OR_RETURN(
                std::optional<Indicator> parent,
                FindIndicator(c, indicator.fiscal_year,
                              indicator.program_number, indicator.parent_id));
            if (!parent || !parent->parent_id.empty()) {
              return FieldError("indicator.parent", "PARENT_NOT_FOUND",
                                "must name a whole of the same program");
            }
          }
          Indicator stored = indicator;
          stored.revision = 1;
          stored.update_time_micros = NowMicros();
          SHIEN_RETURN_IF_ERROR(WriteIndicator(c, stored, /*insert=*/true));
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, stored.fiscal_year));
          return encode(stored);
        });
  }

  absl::StatusOr<std::string> UpdateIndicator(
      int year, int program, const std::string& id,
      const std::function<absl::StatusOr<Indicator>(const Indicator&)>& mutate,
      const RequestKey& key,
      const ResponseEncoder<Indicator>& encode) override {
    auto conn = pool_->Acquire();
    return sql::RunIdempotent(
        *conn, key, [&](Connection& c) -> absl::StatusOr<std::string> {
          SHIEN_ASSIGN_OR_RETURN(std::optional<Indicator> current,
                                 FindIndicator(c, year, program, id));
          if (!current) {
            return IndicatorNotFound("indicator.name", year, program, id);
          }
          SHIEN_ASSIGN_OR_RETURN(Indicator next, mutate(*current));
          next.update_time_micros = NowMicros();
          SHIEN_RETURN_IF_ERROR(WriteIndicator(c, next, /*insert=*/false));
          SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(c, year));
          return encode(next);
        });
  }

  absl::StatusOr<std::vector<RowResult>> RecordMeasurements(
      const std::vector<Measurement>& rows,
      const RowAuthorizer& authorize) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(
        auto txn, Transaction::Begin(*conn, Transaction::Mode::kWrite));
    std::vector<RowResult> results;
    std::vector<int> touched;
    const int64_t now = NowMicros();
    for (const Measurement& row : rows) {
      SHIEN_ASSIGN_OR_RETURN(RowResult r, ApplyRow(*conn, row, authorize, now));
      if (r.outcome == RowOutcome::kAccepted ||
          r.outcome == RowOutcome::kCorrected) {
        touched.push_back(row.fiscal_year);
      }
      results.push_back(std::move(r));
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int year : touched)
      SHIEN_RETURN_IF_ERROR(sql::BumpDataVersion(*conn, year));
    SHIEN_RETURN_IF_ERROR(RecordBatchAudit(*conn, rows, results));
    SHIEN_RETURN_IF_ERROR(txn->Commit());
    return results;
  }

  absl::StatusOr<std::vector<Measurement>> ListMeasurements(
      int year, int program, const std::string& id, int64_t after_sequence,
      int limit, std::optional<int64_t> as_of_micros,
      bool current_only) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    SHIEN_ASSIGN_OR_RETURN(std::optional<Indicator> indicator,
                           FindIndicator(*conn, year, program, id));
    if (!indicator) return IndicatorNotFound("parent", year, program, id);
    const int64_t at = as_of_micros.value_or(INT64_MAX);
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(absl::StrCat(
            "SELECT ", kMeasurementColumns,
            " FROM measurements WHERE fiscal_year = ? AND program_number = ? "
            "AND indicator_id = ? AND sequence > ? AND record_time_micros <= ? "
            "AND (? = 0 OR supersede_time_micros IS NULL OR "
            "supersede_time_micros > ?) ORDER BY sequence LIMIT ?")));
    stmt->Bind(1, year)
        .Bind(2, program)
        .Bind(3, id)
        .Bind(4, after_sequence)
        .Bind(5, at)
        .Bind(6, static_cast<int64_t>(current_only ? 1 : 0))
        .Bind(7, at)
        .Bind(8, static_cast<int64_t>(limit));
    std::vector<Measurement> out;
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Measurement m = ReadMeasurement(*stmt);
      if (m.supersede_time_micros && *m.supersede_time_micros > at) {
        m.supersede_time_micros.reset();  // not yet superseded back then
      }
      out.push_back(std::move(m));
    }
    return out;
  }

  absl::StatusOr<MeasurementSnapshot> CurrentMeasurements(
      int year, int program, const std::string& id) override {
    auto conn = pool_->Acquire();
    SHIEN_ASSIGN_OR_RETURN(auto txn,
                           Transaction::Begin(*conn, Transaction::Mode::kRead));
    MeasurementSnapshot snapshot;
    SHIEN_ASSIGN_OR_RETURN(snapshot.data_version,
                           sql::ReadDataVersion(*conn, year));
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn->Prepare(absl::StrCat(
            "SELECT ", kMeasurementColumns,
            " FROM measurements WHERE fiscal_year = ? AND (? = 0 OR "
            "program_number = ?) AND (? = '' OR indicator_id = ?) AND "
            "supersede_time_micros IS NULL ORDER BY sequence")));
    stmt->Bind(1, year)
        .Bind(2, program)
        .Bind(3, program)
        .Bind(4, id)
        .Bind(5, id);
    while (true) {
      SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      snapshot.measurements.push_back(ReadMeasurement(*stmt));
    }
    return snapshot;
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
  absl::StatusOr<bool> YearExists(Connection& conn, int year) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare("SELECT 1 FROM fiscal_years WHERE year = ?"));
    stmt->Bind(1, year);
    return stmt->Step();
  }

  absl::StatusOr<std::optional<Indicator>> FindIndicator(
      Connection& conn, int year, int program, const std::string& id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(absl::StrCat("SELECT ", kIndicatorColumns,
                                  " FROM indicators WHERE fiscal_year = ? AND "
                                  "program_number = ? AND id = ?")));
    stmt->Bind(1, year).Bind(2, program).Bind(3, id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::nullopt;
    return ReadIndicator(*stmt);
  }

  absl::Status WriteIndicator(Connection& conn, const Indicator& i,
                              bool insert) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(
            insert
                ? "INSERT INTO indicators (title, unit, measure, kind, "
                  "aggregation, target_state, target_value, target_note, "
                  "multi_first, multi_last, multi_value, parent_id, "
                  "parts_bounded, position, note, revision, "
                  "update_time_micros, fiscal_year, program_number, id) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                : "UPDATE indicators SET title = ?, unit = ?, measure = ?, "
                  "kind = ?, aggregation = ?, target_state = ?, target_value "
                  "= ?, target_note = ?, multi_first = ?, multi_last = ?, "
                  "multi_value = ?, parent_id = ?, parts_bounded = ?, "
                  "position = ?, note = ?, revision = ?, update_time_micros "
                  "= ? WHERE fiscal_year = ? AND program_number = ? AND id "
                  "= ?"));
    stmt->Bind(1, i.title)
        .Bind(2, i.unit)
        .Bind(3, static_cast<int64_t>(i.measure))
        .Bind(4, static_cast<int64_t>(i.kind))
        .Bind(5, static_cast<int64_t>(i.aggregation))
        .Bind(6, static_cast<int64_t>(i.target.state))
        .Bind(7, i.target.value)
        .Bind(8, i.target.note);
    if (i.multi_year_target) {
      stmt->Bind(9,
                 static_cast<int64_t>(i.multi_year_target->first_fiscal_year))
          .Bind(10, static_cast<int64_t>(i.multi_year_target->last_fiscal_year))
          .Bind(11, i.multi_year_target->value);
    } else {
      stmt->BindNull(9).BindNull(10).BindNull(11);
    }
    stmt->Bind(12, i.parent_id)
        .Bind(13, static_cast<int64_t>(i.parts_bounded_by_whole ? 1 : 0))
        .Bind(14, static_cast<int64_t>(i.position))
        .Bind(15, i.note)
        .Bind(16, i.revision)
        .Bind(17, i.update_time_micros)
        .Bind(18, static_cast<int64_t>(i.fiscal_year))
        .Bind(19, static_cast<int64_t>(i.program_number))
        .Bind(20, i.id);
    return stmt->Run();
  }

  absl::StatusOr<std::optional<Measurement>> FindByRequestId(
      Connection& conn, const std::string& request_id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt, conn.Prepare(absl::StrCat("SELECT ", kMeasurementColumns,
                                             " FROM measurements WHERE "
                                             "request_id = ?")));
    stmt->Bind(1, request_id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::nullopt;
    return ReadMeasurement(*stmt);
  }

  // A row remembered in measurement_requests under `request_id`, as a
  // Measurement (only the fields SameMeasurement compares are set).
  absl::StatusOr<std::optional<Measurement>> FindRepeatedRequest(
      Connection& conn, const std::string& request_id) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare("SELECT fiscal_year, program_number, indicator_id, "
                     "period_key, kind, value FROM measurement_requests "
                     "WHERE request_id = ?"));
    stmt->Bind(1, request_id);
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::nullopt;
    Measurement m;
    m.fiscal_year = static_cast<int>(stmt->Int(0));
    m.program_number = static_cast<int>(stmt->Int(1));
    m.indicator_id = stmt->Text(2);
    const std::string key = stmt->Text(3);
    int y = 0, mo = 0, d = 0;
    m.period.is_month = key.size() == 7;
    std::sscanf(key.c_str(), "%d-%d-%d", &y, &mo, &d);
    m.period.date = CivilDate{y, mo, m.period.is_month ? 0 : d};
    m.kind = static_cast<MeasurementKind>(stmt->Int(4));
    m.value = stmt->Int(5);
    return m;
  }

  // The current value of (indicator, period, kind), if any.
  absl::StatusOr<std::optional<Measurement>> FindCurrent(Connection& conn,
                                                         int year, int program,
                                                         const std::string& id,
                                                         const Period& period,
                                                         MeasurementKind kind) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(absl::StrCat(
            "SELECT ", kMeasurementColumns,
            " FROM measurements WHERE fiscal_year = ? AND program_number = ? "
            "AND indicator_id = ? AND period_key = ? AND kind = ? AND "
            "supersede_time_micros IS NULL")));
    stmt->Bind(1, year)
        .Bind(2, program)
        .Bind(3, id)
        .Bind(4, period.Key())
        .Bind(5, static_cast<int64_t>(kind));
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return std::nullopt;
    return ReadMeasurement(*stmt);
  }

  // Sum of the current values of the parts of `whole_id` for the period
  // and kind, leaving out `except_id`.
  absl::StatusOr<int64_t> PartsSum(Connection& conn, int year, int program,
                                   const std::string& whole_id,
                                   const std::string& except_id,
                                   const Period& period, MeasurementKind kind) {
    SHIEN_ASSIGN_OR_RETURN(
        auto stmt,
        conn.Prepare(
            "SELECT COALESCE(SUM(m.value), 0) FROM measurements m JOIN "
            "indicators i ON i.fiscal_year = m.fiscal_year AND "
            "i.program_number = m.program_number AND i.id = m.indicator_id "
            "WHERE m.fiscal_year = ? AND m.program_number = ? AND "
            "i.parent_id = ? AND m.indicator_id != ? AND m.period_key = ? "
            "AND m.kind = ? AND m.supersede_time_micros IS NULL"));
    stmt->Bind(1, year)
        .Bind(2, program)
        .Bind(3, whole_id)
        .Bind(4, except_id)
        .Bind(5, period.Key())
        .Bind(6, static_cast<int64_t>(kind));
    SHIEN_ASSIGN_OR_RETURN(bool row, stmt->Step());
    return row ? stmt->Int(0) : 0;
  }

  // Checks the breakdown rule for `row` of `indicator`.
  absl::Status CheckBreakdown(Connection& conn, const Indicator& indicator,
                              const Measurement& row) {
    if (!indicator.parent_id.empty()) {
      SHIEN_ASSIGN_OR_RETURN(
          std::optional<Indicator> whole,
          FindIndicator(conn, row.fiscal_year, row.program_number,
                        indicator.parent_id));
      if (!whole || !whole->parts_bounded_by_whole) return absl::OkStatus();
      SHIEN_ASSIGN_OR_RETURN(
          std::optional<Measurement> whole_value,
          FindCurrent(conn, row.fiscal_year, row.program_number, whole->id,
                      row.period, row.kind));
      if (!whole_value) return absl::OkStatus();
      SHIEN_ASSIGN_OR_RETURN(
          int64_t others,
          PartsSum(conn, row.fiscal_year, row.program_number, whole->id,
                   indicator.id, row.period, row.kind));
      if (others + row.value > whole_value->value) {
        return FieldError(
            "value", "PART_EXCEEDS_WHOLE",
            absl::StrCat("the parts of ", whole->title, " would add up to ",
                         others + row.value, ", more than its ",
                         whole_value->value, " for ", row.period.Key()));
      }
    }
    if (indicator.parts_bounded_by_whole) {
      SHIEN_ASSIGN_OR_RETURN(int64_t parts,
                             PartsSum(conn, row.fiscal_year, row.program_number,
                                      indicator.id, "", row.period, row.kind));
      if (parts > row.value) {
        return FieldError("value", "WHOLE_BELOW_PARTS",
                          absl::StrCat("its parts already add up to ", parts,
                                       " for ", row.period.Key()));
      }
    }
    return absl::OkStatus();
  }

  // One audit event for a batch of measurements: how many were stored or
  // corrected, and their request ids (the first 50).
  static absl::Status RecordBatchAudit(Connection& conn,
                                       const std::vector<Measurement>& rows,
                                       const std::vector<RowResult>& results) {
    int64_t stored = 0;
    int64_t corrected = 0;
    std::string ids;
    std::set<std::string> years;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome != RowOutcome::kAccepted &&
          results[i].outcome != RowOutcome::kCorrected) {
        continue;
      }
      ++stored;
      if (results[i].outcome == RowOutcome::kCorrected) ++corrected;
      years.insert(absl::StrCat("fiscalYears/", rows[i].fiscal_year));
      if (stored <= 50)
        absl::StrAppend(&ids, stored > 1 ? " " : "", rows[i].request_id);
    }
    if (stored == 0) return absl::OkStatus();
    return sql::RecordAudit(
        conn,
        absl::StrCat("recorded ", stored, " measurements (", corrected,
                     " corrections); request ids: ", ids,
                     stored > 50 ? " …" : ""),
        absl::StrJoin(years, ","));
  }

  // Applies one row inside the caller's write transaction. Errors returned
  // (not in RowResult) are database failures that abort the batch.
  absl::StatusOr<RowResult> ApplyRow(Connection& conn, const Measurement& row,
                                     const RowAuthorizer& authorize,
                                     int64_t now) {
    RowResult result;
    auto reject = [&](absl::Status error) {
      result.outcome = RowOutcome::kRejected;
      result.error = std::move(error);
      return result;
    };
    SHIEN_ASSIGN_OR_RETURN(std::optional<Measurement> same_id,
                           FindByRequestId(conn, row.request_id));
    if (!same_id) {
      SHIEN_ASSIGN_OR_RETURN(same_id,
                             FindRepeatedRequest(conn, row.request_id));
    }
    if (same_id) {
      if (!SameMeasurement(*same_id, row)) {
        return reject(FieldError("request_id", "REQUEST_ID_REUSED",
                                 "was already used for another value"));
      }
      result.outcome = RowOutcome::kDuplicate;
      return result;
    }
    SHIEN_ASSIGN_OR_RETURN(std::optional<Indicator> indicator,
                           FindIndicator(conn, row.fiscal_year,
                                         row.program_number, row.indicator_id));
    if (!indicator) {
      return reject(IndicatorNotFound("indicator", row.fiscal_year,
                                      row.program_number, row.indicator_id));
    }
    absl::Status s = ValidateMeasurement(row, *indicator);
    if (!s.ok()) return reject(s);
    s = authorize(*indicator);
    if (!s.ok()) return reject(s);
    SHIEN_ASSIGN_OR_RETURN(
        std::optional<Measurement> current,
        FindCurrent(conn, row.fiscal_year, row.program_number, row.indicator_id,
                    row.period, row.kind));
    if (current && current->value == row.value) {
      // Nothing to store, but the id is remembered with its row.
      SHIEN_ASSIGN_OR_RETURN(
          auto remember,
          conn.Prepare("INSERT INTO measurement_requests (request_id, "
                       "fiscal_year, program_number, indicator_id, "
                       "period_key, kind, value) VALUES (?,?,?,?,?,?,?)"));
      remember->Bind(1, row.request_id)
          .Bind(2, static_cast<int64_t>(row.fiscal_year))
          .Bind(3, static_cast<int64_t>(row.program_number))
          .Bind(4, row.indicator_id)
          .Bind(5, row.period.Key())
          .Bind(6, static_cast<int64_t>(row.kind))
          .Bind(7, row.value);
      SHIEN_RETURN_IF_ERROR(remember->Run());
      result.outcome = RowOutcome::kDuplicate;
      return result;
    }
    s = CheckBreakdown(conn, *indicator, row);
    if (!s.ok()) return reject(s);
    if (current) {
      SHIEN_ASSIGN_OR_RETURN(
          auto supersede,
          conn.Prepare("UPDATE measurements SET supersede_time_micros = ? "
                       "WHERE sequence = ?"));
      supersede->Bind(1, now).Bind(2, current->sequence);
      SHIEN_RETURN_IF_ERROR(supersede->Run());
      result.outcome = RowOutcome::kCorrected;
    }
    SHIEN_ASSIGN_OR_RETURN(
        auto insert,
        conn.Prepare("INSERT INTO measurements (request_id, fiscal_year, "
                     "program_number, indicator_id, is_month, period_key, "
                     "period_year, period_month, period_day, kind, value, "
                     "unit, previous_value, recorded_by, record_time_micros) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    insert->Bind(1, row.request_id)
        .Bind(2, static_cast<int64_t>(row.fiscal_year))
        .Bind(3, static_cast<int64_t>(row.program_number))
        .Bind(4, row.indicator_id)
        .Bind(5, static_cast<int64_t>(row.period.is_month ? 1 : 0))
        .Bind(6, row.period.Key())
        .Bind(7, static_cast<int64_t>(row.period.date.year))
        .Bind(8, static_cast<int64_t>(row.period.date.month))
        .Bind(9, static_cast<int64_t>(row.period.date.day))
        .Bind(10, static_cast<int64_t>(row.kind))
        .Bind(11, row.value)
        .Bind(12, row.unit);
    if (current) {
      insert->Bind(13, current->value);
    } else {
      insert->BindNull(13);
    }
    insert->Bind(14, row.recorded_by).Bind(15, now);
    SHIEN_RETURN_IF_ERROR(insert->Run());
    return result;
  }

  std::unique_ptr<sql::Pool> pool_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<KpiStore>> OpenKpiStore(
    std::unique_ptr<sql::Pool> pool) {
  {
    auto conn = pool->Acquire();
    SHIEN_RETURN_IF_ERROR(
        sql::ApplyMigrations(*conn, conn->dialect() == sql::Dialect::kPostgres
                                        ? KpiPostgresMigrations()
                                        : KpiMigrations()));
  }
  return std::unique_ptr<KpiStore>(new SqlKpiStore(std::move(pool)));
}

absl::StatusOr<std::unique_ptr<KpiStore>> OpenSqliteKpiStore(
    const sql::SqliteOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool, sql::OpenSqlitePool(options, connections));
  return OpenKpiStore(std::move(pool));
}

absl::StatusOr<std::unique_ptr<KpiStore>> OpenPostgresKpiStore(
    const sql::PostgresOptions& options, int connections) {
  SHIEN_ASSIGN_OR_RETURN(auto pool,
                         sql::OpenPostgresPool(options, connections));
  return OpenKpiStore(std::move(pool));
}

}  // namespace shien::kpi
