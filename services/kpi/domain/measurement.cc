#include "services/kpi/domain/measurement.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/api/request_id.h"
#include "common/status/errors.h"

namespace shien::kpi {

CivilDate Period::First() const {
  return is_month ? CivilDate{date.year, date.month, 1} : date;
}

CivilDate Period::Last() const {
  return is_month ? CivilDate{date.year, date.month,
                              DaysInMonth(date.year, date.month)}
                  : date;
}

std::string Period::Key() const {
  return is_month ? absl::StrFormat("%04d-%02d", date.year, date.month)
                  : FormatDate(date);
}

absl::Status ValidateMeasurement(const Measurement& m,
                                 const Indicator& indicator) {
  absl::Status s = ValidateRequestId(m.request_id, "request_id", true);
  if (!s.ok()) return s;
  if (m.kind != MeasurementKind::kActual &&
      m.kind != MeasurementKind::kForecast) {
    return FieldError("kind", "INVALID_ENUM_VALUE",
                      "must be MEASUREMENT_KIND_ACTUAL or "
                      "MEASUREMENT_KIND_FORECAST");
  }
  const char* field = m.period.is_month ? "month" : "as_of_date";
  CivilDate first = m.period.First();
  if (!IsValidDate(first) || !IsValidDate(m.period.Last())) {
    return FieldError(field, "INVALID_DATE", "is not a calendar date");
  }
  if (first < FiscalYearStart(indicator.fiscal_year) ||
      m.period.Last() > FiscalYearEnd(indicator.fiscal_year)) {
    return FieldError(
        field, "PERIOD_OUT_OF_FISCAL_YEAR",
        absl::StrCat(m.period.Key(), " is outside fiscal year ",
                     indicator.fiscal_year, " (",
                     FormatDate(FiscalYearStart(indicator.fiscal_year)), " to ",
                     FormatDate(FiscalYearEnd(indicator.fiscal_year)), ")"));
  }
  if (m.value < 0) {
    return FieldError("value", "NEGATIVE_VALUE",
                      absl::StrCat("must not be negative, got ", m.value));
  }
  if (m.value > MaxValue(indicator.measure)) {
    return FieldError(
        "value", "OUT_OF_RANGE",
        absl::StrCat("must be at most ", MaxValue(indicator.measure)));
  }
  if (!m.unit.empty() && m.unit != indicator.unit) {
    return FieldError("unit", "UNIT_MISMATCH",
                      absl::StrCat("the indicator is measured in ",
                                   indicator.unit, ", not ", m.unit,
                                   indicator.measure == Measure::kMoney
                                       ? " (send money in yen)"
                                       : ""));
  }
  return absl::OkStatus();
}

bool SameMeasurement(const Measurement& a, const Measurement& b) {
  return a.fiscal_year == b.fiscal_year &&
         a.program_number == b.program_number &&
         a.indicator_id == b.indicator_id && a.period == b.period &&
         a.value == b.value && a.kind == b.kind;
}

std::string PlanRequestId(const Measurement& m) {
  return absl::StrCat(
      "plan/fy", m.fiscal_year, "/", m.program_number, "/", m.indicator_id, "/",
      m.period.Key(), "/",
      m.kind == MeasurementKind::kForecast ? "forecast" : "actual");
}

}  // namespace shien::kpi
