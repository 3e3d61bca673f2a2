#ifndef SHIEN_SERVICES_KPI_DOMAIN_MEASUREMENT_H_
#define SHIEN_SERVICES_KPI_DOMAIN_MEASUREMENT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/fiscal/fiscal.h"
#include "services/kpi/domain/indicator.h"

namespace shien::kpi {

enum class MeasurementKind { kUnspecified = 0, kActual = 1, kForecast = 2 };

inline constexpr size_t kMaxMeasurementsPerBatch = 1000;

// A month of the fiscal year (day 0), or a cumulative as-of date.
struct Period {
  bool is_month = true;
  CivilDate date;  // day 0 for a month

  // The first and last day the period covers for ordering and eligibility:
  // a month covers its days; an as-of date is that day.
  CivilDate First() const;
  CivilDate Last() const;
  // "2026-05" or "2026-05-31".
  std::string Key() const;
  friend bool operator==(const Period&, const Period&) = default;
};

// One version of a measurement.
struct Measurement {
  int fiscal_year = 0;
  int program_number = 0;
  std::string indicator_id;
  Period period;
  int64_t value = 0;
  MeasurementKind kind = MeasurementKind::kUnspecified;
  std::string request_id;
  std::string unit;  // as sent; empty when not sent
  std::optional<int64_t> previous_value;
  std::string recorded_by;
  int64_t record_time_micros = 0;
  std::optional<int64_t> supersede_time_micros;
  int64_t sequence = 0;
};

// Checks a row against its indicator (INVALID_ARGUMENT naming the field):
// request_id, kind set, the period a real month or date inside the
// indicator's fiscal year (PERIOD_OUT_OF_FISCAL_YEAR), the value 0..max of
// the measure (NEGATIVE_VALUE, OUT_OF_RANGE), a sent unit equal to the
// indicator's (UNIT_MISMATCH).
absl::Status ValidateMeasurement(const Measurement& m,
                                 const Indicator& indicator);

// True when two rows with the same request_id say the same thing.
bool SameMeasurement(const Measurement& a, const Measurement& b);

// The request_id the loader gives a value printed in the plan.
std::string PlanRequestId(const Measurement& m);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_DOMAIN_MEASUREMENT_H_
