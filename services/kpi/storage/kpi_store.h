#ifndef SHIEN_SERVICES_KPI_STORAGE_KPI_STORE_H_
#define SHIEN_SERVICES_KPI_STORAGE_KPI_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/request_id.h"
#include "common/sql/audit.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/domain/measurement.h"

namespace shien::kpi {

struct IndicatorSnapshot {
  int64_t data_version = 0;
  std::vector<Indicator> indicators;  // by program, position, id
};

struct MeasurementSnapshot {
  int64_t data_version = 0;
  std::vector<Measurement> measurements;  // current versions only
};

enum class RowOutcome { kAccepted, kCorrected, kDuplicate, kRejected };

struct RowResult {
  RowOutcome outcome = RowOutcome::kAccepted;
  absl::Status error;  // kRejected only
};

// Decides whether the caller may record for an indicator's program: OK, or
// PERMISSION_DENIED. Called inside the write transaction for each row.
using RowAuthorizer = std::function<absl::Status(const Indicator&)>;

template <typename T>
using ResponseEncoder = std::function<std::string(const T&)>;

// The KPI service's database. Every write bumps the fiscal year's
// data_version in its transaction; requests with a request_id are recorded
// with their response, and a repeat returns it (AIP-155). NOT_FOUND for
// missing resources, UNAVAILABLE when the database cannot be reached.
// Implementations are thread-safe.
class KpiStore {
 public:
  virtual ~KpiStore() = default;

  // Stores a fiscal year's indicators and the measurements the plan prints
  // (recorded by "plan") unless the year is already loaded; returns false
  // then. Rows are applied as by RecordMeasurements; any rejected row fails
  // the whole load.
  virtual absl::StatusOr<bool> LoadYear(
      int year, const std::string& source_note,
      const std::vector<Indicator>& indicators,
      const std::vector<Measurement>& measurements) = 0;

  virtual absl::StatusOr<Indicator> GetIndicator(int year, int program,
                                                 const std::string& id) = 0;
  // program 0: every program. NOT_FOUND when the year is not loaded.
  virtual absl::StatusOr<IndicatorSnapshot> ListIndicators(int year,
                                                           int program) = 0;

  // ALREADY_EXISTS when the id is taken; FAILED_PRECONDITION when the year
  // is not loaded.
  virtual absl::StatusOr<std::string> CreateIndicator(
      const Indicator& indicator, const RequestKey& key,
      const ResponseEncoder<Indicator>& encode) = 0;

  virtual absl::StatusOr<std::string> UpdateIndicator(
      int year, int program, const std::string& id,
      const std::function<absl::StatusOr<Indicator>(const Indicator&)>& mutate,
      const RequestKey& key, const ResponseEncoder<Indicator>& encode) = 0;

  // Applies a batch of rows in one transaction, one result per row. Each
  // row: a stored request_id is a duplicate (same content) or rejected
  // (REQUEST_ID_REUSED); an unknown indicator is rejected
  // (INDICATOR_NOT_FOUND); ValidateMeasurement and `authorize` may reject
  // it; the same value as the current one for its (indicator, period, kind)
  // is a duplicate; a different value is a correction that supersedes the
  // current one (kCorrected); a part that would add up to more than its
  // bounding whole (PART_EXCEEDS_WHOLE), or a whole below its parts
  // (WHOLE_BELOW_PARTS), is rejected.
  virtual absl::StatusOr<std::vector<RowResult>> RecordMeasurements(
      const std::vector<Measurement>& rows, const RowAuthorizer& authorize) = 0;

  // Every version of an indicator's measurements with sequence >
  // after_sequence, oldest first, at most `limit`. With `as_of_micros`,
  // only versions recorded by then, with supersede times as of then.
  virtual absl::StatusOr<std::vector<Measurement>> ListMeasurements(
      int year, int program, const std::string& id, int64_t after_sequence,
      int limit, std::optional<int64_t> as_of_micros, bool current_only) = 0;

  // The current measurements of a fiscal year (program 0 and id "": all),
  // with the data version, in one snapshot.
  virtual absl::StatusOr<MeasurementSnapshot> CurrentMeasurements(
      int year, int program, const std::string& id) = 0;

  // The fiscal year's data version; NOT_FOUND when not loaded.
  virtual absl::StatusOr<int64_t> DataVersion(int year) = 0;

  // A random identity of this database, the same for every instance that
  // shares it (for cache keys).
  virtual absl::StatusOr<std::string> DatabaseId() = 0;

  // The audit trail, newest first (see common/sql/audit.h).
  virtual absl::StatusOr<std::vector<sql::AuditEvent>> ListAuditEvents(
      const sql::AuditQuery& query) = 0;
  virtual absl::Status Ping() = 0;
};

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_STORAGE_KPI_STORE_H_
