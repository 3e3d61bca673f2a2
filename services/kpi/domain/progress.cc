#include "services/kpi/domain/progress.h"

namespace shien::kpi {

CivilDate DefaultAsOf(int fiscal_year, const CivilDate& today) {
  if (today > FiscalYearEnd(fiscal_year)) return FiscalYearEnd(fiscal_year);
  if (today < FiscalYearStart(fiscal_year)) return FiscalYearStart(fiscal_year);
  return today;
}

Progress ComputeProgress(const Indicator& indicator,
                         const std::vector<Measurement>& measurements,
                         const CivilDate& as_of) {
  Progress p;
  p.as_of = as_of;
  const CivilDate start = FiscalYearStart(indicator.fiscal_year);
  const CivilDate end = FiscalYearEnd(indicator.fiscal_year);
  p.total_days = DaysFromCivil(end) - DaysFromCivil(start) + 1;
  p.elapsed_days = DaysFromCivil(as_of) - DaysFromCivil(start) + 1;
  if (p.elapsed_days < 0) p.elapsed_days = 0;
  if (p.elapsed_days > p.total_days) p.elapsed_days = p.total_days;

  std::vector<const Measurement*> actuals;
  const Measurement* forecast = nullptr;
  for (const Measurement& m : measurements) {
    if (m.supersede_time_micros.has_value()) continue;
    if (m.kind == MeasurementKind::kForecast) {
      if (forecast == nullptr || forecast->period.Last() < m.period.Last()) {
        forecast = &m;
      }
    } else if (m.kind == MeasurementKind::kActual &&
               m.period.First() <= as_of) {
      actuals.push_back(&m);
    }
  }

  auto note_date = [&](const Measurement& m) {
    CivilDate d = m.period.Last() > as_of ? as_of : m.period.Last();
    if (!p.actual_as_of.has_value() || *p.actual_as_of < d) p.actual_as_of = d;
    p.has_actual = true;
  };
  if (indicator.aggregation == Aggregation::kLatest) {
    const Measurement* latest = nullptr;
    for (const Measurement* m : actuals) {
      if (latest == nullptr || latest->period.Last() < m->period.Last() ||
          (latest->period.Last() == m->period.Last() && !m->period.is_month)) {
        latest = m;
      }
    }
    if (latest != nullptr) {
      p.actual = latest->value;
      note_date(*latest);
    }
  } else {
    const Measurement* snapshot = nullptr;
    for (const Measurement* m : actuals) {
      if (!m->period.is_month &&
          (snapshot == nullptr || snapshot->period.date < m->period.date)) {
        snapshot = m;
      }
    }
    if (snapshot != nullptr) {
      p.actual = snapshot->value;
      note_date(*snapshot);
    }
    for (const Measurement* m : actuals) {
      if (!m->period.is_month) continue;
      if (snapshot != nullptr && m->period.First() <= snapshot->period.date) {
        continue;  // covered by the cumulative value
      }
      p.actual += m->value;
      note_date(*m);
    }
  }

  const Target& t = indicator.target;
  if (t.state != TargetState::kSet) {
    p.status = ProgressStatus::kNoTarget;
  } else {
    if (t.value > 0) p.progress_permille = PermilleHalfUp(p.actual, t.value);
    if (p.actual >= t.value) {
      p.status = ProgressStatus::kAchieved;
    } else if (as_of >= end) {
      p.status = ProgressStatus::kBehind;
    } else if (indicator.aggregation == Aggregation::kLatest) {
      p.status = ProgressStatus::kOnTrack;
    } else {
      // actual / target >= elapsed / total, in integers.
      __int128 lhs = static_cast<__int128>(p.actual) * p.total_days;
      __int128 rhs = static_cast<__int128>(t.value) * p.elapsed_days;
      p.status =
          lhs >= rhs ? ProgressStatus::kOnTrack : ProgressStatus::kBehind;
    }
  }

  if (forecast != nullptr) {
    p.projected_year_end = forecast->value;
    p.projection_basis = "forecast";
  } else if (indicator.aggregation == Aggregation::kSum && p.elapsed_days > 0) {
    p.projected_year_end = static_cast<int64_t>(
        static_cast<__int128>(p.actual) * p.total_days / p.elapsed_days);
    p.projection_basis = "pace";
  } else {
    p.projected_year_end = p.actual;
    p.projection_basis = "latest";
  }
  return p;
}

}  // namespace shien::kpi
