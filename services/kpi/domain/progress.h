#ifndef SHIEN_SERVICES_KPI_DOMAIN_PROGRESS_H_
#define SHIEN_SERVICES_KPI_DOMAIN_PROGRESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fiscal/fiscal.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/domain/measurement.h"

namespace shien::kpi {

enum class ProgressStatus {
  kUnspecified = 0,
  kAchieved = 1,
  kOnTrack = 2,
  kBehind = 3,
  kNoTarget = 4,
};

struct Progress {
  CivilDate as_of;
  int64_t actual = 0;
  bool has_actual = false;
  std::optional<CivilDate> actual_as_of;
  // Set with a target: actual / target and its tenths of a percent.
  std::optional<int64_t> progress_permille;
  int64_t elapsed_days = 0;  // of the fiscal year, by as_of inclusive
  int64_t total_days = 0;    // of the fiscal year
  ProgressStatus status = ProgressStatus::kUnspecified;
  int64_t projected_year_end = 0;
  std::string projection_basis;  // "forecast", "pace" or "latest"
};

// The date progress is computed for when none is asked: today in Japan,
// clamped to the fiscal year (a year that has ended is seen at its end, one
// not started at its start).
CivilDate DefaultAsOf(int fiscal_year, const CivilDate& today);

// Progress of `indicator` as of `as_of` from its current (not superseded)
// measurements; others are ignored.
//
// Actual: for AGGREGATION_SUM, the latest cumulative (as-of date) actual
// dated on or before as_of, plus the monthly actuals of months that begin
// after that date and on or before as_of; for AGGREGATION_LATEST, the
// actual with the latest period that begins on or before as_of.
// Status: NO_TARGET without a set target; ACHIEVED when actual ≥ target;
// BEHIND when the year is over; for SUM, ON_TRACK when actual / target ≥
// elapsed / total days (exact comparison), else BEHIND; for LATEST,
// ON_TRACK. Projection: the forecast with the latest period when any;
// else actual × total / elapsed (rounded down) for SUM; else the actual.
Progress ComputeProgress(const Indicator& indicator,
                         const std::vector<Measurement>& measurements,
                         const CivilDate& as_of);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_DOMAIN_PROGRESS_H_
