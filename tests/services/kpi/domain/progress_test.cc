#include "services/kpi/domain/progress.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/domain/measurement.h"

namespace shien::kpi {
namespace {

Indicator MakeIndicator(int64_t target,
                        Aggregation aggregation = Aggregation::kSum,
                        int fiscal_year = 2026) {
  Indicator i;
  i.fiscal_year = fiscal_year;
  i.program_number = 5;
  i.id = "consultations";
  i.title = "相談件数";
  i.unit = "件";
  i.measure = Measure::kCount;
  i.kind = IndicatorKind::kActivity;
  i.aggregation = aggregation;
  i.target.state = TargetState::kSet;
  i.target.value = target;
  return i;
}

Measurement Month(int year, int month, int64_t value,
                  MeasurementKind kind = MeasurementKind::kActual) {
  Measurement m;
  m.fiscal_year = 2026;
  m.program_number = 5;
  m.indicator_id = "consultations";
  m.period.is_month = true;
  m.period.date = CivilDate{year, month, 0};
  m.value = value;
  m.kind = kind;
  return m;
}

Measurement AsOf(int year, int month, int day, int64_t value,
                 MeasurementKind kind = MeasurementKind::kActual) {
  Measurement m = Month(year, month, value, kind);
  m.period.is_month = false;
  m.period.date = CivilDate{year, month, day};
  return m;
}

// 2026-07-09 is day 100 of FY2026 (30 + 31 + 30 days before July).
constexpr CivilDate kDay100{2026, 7, 9};

TEST(ComputeProgressTest, SumCountsOnlyMonthsBeginningByAsOf) {
  const Indicator i = MakeIndicator(1000);
  const std::vector<Measurement> ms = {Month(2026, 4, 10), Month(2026, 5, 20),
                                       Month(2026, 6, 30)};

  Progress mid_may = ComputeProgress(i, ms, {2026, 5, 15});
  EXPECT_EQ(mid_may.actual, 30);
  EXPECT_TRUE(mid_may.has_actual);
  // May runs past the as-of date: its actual counts as of the as-of date.
  EXPECT_EQ(mid_may.actual_as_of, (CivilDate{2026, 5, 15}));
  EXPECT_EQ(mid_may.as_of, (CivilDate{2026, 5, 15}));

  Progress end_april = ComputeProgress(i, ms, {2026, 4, 30});
  EXPECT_EQ(end_april.actual, 10);
  EXPECT_EQ(end_april.actual_as_of, (CivilDate{2026, 4, 30}));

  Progress june_first = ComputeProgress(i, ms, {2026, 6, 1});
  EXPECT_EQ(june_first.actual, 60);

  Progress december = ComputeProgress(i, ms, {2026, 12, 1});
  EXPECT_EQ(december.actual, 60);
  EXPECT_EQ(december.actual_as_of, (CivilDate{2026, 6, 30}));
}

TEST(ComputeProgressTest, NoMeasurementsMeansNoActual) {
  Progress p = ComputeProgress(MakeIndicator(100), {}, kDay100);
  EXPECT_EQ(p.actual, 0);
  EXPECT_FALSE(p.has_actual);
  EXPECT_EQ(p.actual_as_of, std::nullopt);
  EXPECT_EQ(p.status, ProgressStatus::kBehind);
  EXPECT_EQ(p.progress_permille, 0);
}

TEST(ComputeProgressTest, CumulativeSnapshotReplacesMonthsUpToItsDate) {
  const Indicator i = MakeIndicator(1000);
  std::vector<Measurement> ms = {Month(2026, 4, 10), Month(2026, 5, 20),
                                 Month(2026, 6, 30), Month(2026, 7, 40),
                                 AsOf(2026, 5, 31, 35)};

  // April and May are covered by the snapshot; June and July are added.
  Progress july = ComputeProgress(i, ms, {2026, 7, 31});
  EXPECT_EQ(july.actual, 35 + 30 + 40);
  EXPECT_EQ(july.actual_as_of, (CivilDate{2026, 7, 31}));

  Progress at_snapshot = ComputeProgress(i, ms, {2026, 5, 31});
  EXPECT_EQ(at_snapshot.actual, 35);
  EXPECT_EQ(at_snapshot.actual_as_of, (CivilDate{2026, 5, 31}));

  // The day before the snapshot, only the months count.
  Progress before = ComputeProgress(i, ms, {2026, 5, 30});
  EXPECT_EQ(before.actual, 10 + 20);

  // A later snapshot takes over from the earlier one.
  ms.push_back(AsOf(2026, 6, 30, 70));
  Progress later = ComputeProgress(i, ms, {2026, 7, 31});
  EXPECT_EQ(later.actual, 70 + 40);
}

TEST(ComputeProgressTest, SnapshotInsideAMonthCoversThatMonth) {
  const Indicator i = MakeIndicator(1000);
  const std::vector<Measurement> ms = {Month(2026, 5, 20), Month(2026, 6, 30),
                                       AsOf(2026, 5, 15, 12)};
  // May begins before the snapshot's date, so it is covered; June begins
  // after it and is added.
  EXPECT_EQ(ComputeProgress(i, ms, {2026, 6, 30}).actual, 12 + 30);
}

TEST(ComputeProgressTest, SupersededMeasurementsAreIgnored) {
  const Indicator i = MakeIndicator(1000);
  Measurement old_april = Month(2026, 4, 10);
  old_april.supersede_time_micros = 1'000'000;
  Measurement old_snapshot = AsOf(2026, 5, 31, 500);
  old_snapshot.supersede_time_micros = 2'000'000;
  Measurement old_forecast =
      AsOf(2027, 3, 31, 9999, MeasurementKind::kForecast);
  old_forecast.supersede_time_micros = 3'000'000;
  const std::vector<Measurement> ms = {old_april, Month(2026, 4, 12),
                                       Month(2026, 5, 8), old_snapshot,
                                       old_forecast};
  Progress p = ComputeProgress(i, ms, {2026, 6, 15});
  EXPECT_EQ(p.actual, 20);
  EXPECT_EQ(p.projection_basis, "pace");

  Progress only_superseded = ComputeProgress(i, {old_april}, {2026, 6, 15});
  EXPECT_FALSE(only_superseded.has_actual);
  EXPECT_EQ(only_superseded.actual, 0);
}

TEST(ComputeProgressTest, ForecastsProjectButDoNotCountAsActual) {
  const Indicator i = MakeIndicator(1000);
  // The later forecast wins wherever it is in the list.
  const std::vector<Measurement> ms = {
      AsOf(2027, 3, 31, 500, MeasurementKind::kForecast), Month(2026, 4, 10),
      AsOf(2026, 9, 30, 300, MeasurementKind::kForecast),
      Month(2026, 5, 900, MeasurementKind::kForecast)};
  Progress p = ComputeProgress(i, ms, {2026, 6, 15});
  EXPECT_EQ(p.actual, 10);
  EXPECT_TRUE(p.has_actual);
  EXPECT_EQ(p.projected_year_end, 500);
  EXPECT_EQ(p.projection_basis, "forecast");

  Progress forecast_only = ComputeProgress(
      i, {AsOf(2027, 3, 31, 700, MeasurementKind::kForecast)}, {2026, 6, 15});
  EXPECT_FALSE(forecast_only.has_actual);
  EXPECT_EQ(forecast_only.actual, 0);
  EXPECT_EQ(forecast_only.projected_year_end, 700);
  EXPECT_EQ(forecast_only.projection_basis, "forecast");
}

TEST(ComputeProgressTest, ProjectsByPaceRoundingDown) {
  const Indicator i = MakeIndicator(1000);
  Progress p = ComputeProgress(i, {Month(2026, 4, 7)}, kDay100);
  ASSERT_EQ(p.elapsed_days, 100);
  ASSERT_EQ(p.total_days, 365);
  // 7 × 365 / 100 = 25.55.
  EXPECT_EQ(p.projected_year_end, 25);
  EXPECT_EQ(p.projection_basis, "pace");

  // 2 × 365 / 3 = 243.33 on 2026-04-03.
  Progress early = ComputeProgress(i, {AsOf(2026, 4, 2, 2)}, {2026, 4, 3});
  ASSERT_EQ(early.elapsed_days, 3);
  EXPECT_EQ(early.projected_year_end, 243);
  EXPECT_EQ(early.projection_basis, "pace");
}

TEST(ComputeProgressTest, LatestAggregationTakesTheLatestPeriod) {
  const Indicator i = MakeIndicator(10, Aggregation::kLatest);
  const std::vector<Measurement> ms = {Month(2026, 6, 4), Month(2026, 4, 5),
                                       AsOf(2026, 5, 20, 7)};
  Progress april = ComputeProgress(i, ms, {2026, 4, 20});
  EXPECT_EQ(april.actual, 5);
  EXPECT_EQ(april.actual_as_of, (CivilDate{2026, 4, 20}));

  Progress may = ComputeProgress(i, ms, {2026, 5, 25});
  EXPECT_EQ(may.actual, 7);
  EXPECT_EQ(may.actual_as_of, (CivilDate{2026, 5, 20}));

  Progress june = ComputeProgress(i, ms, {2026, 6, 2});
  EXPECT_EQ(june.actual, 4);
  EXPECT_TRUE(june.has_actual);
  // Not summed, not projected by pace.
  EXPECT_EQ(june.projected_year_end, 4);
  EXPECT_EQ(june.projection_basis, "latest");
  // LATEST below target during the year is on track.
  EXPECT_EQ(june.status, ProgressStatus::kOnTrack);

  // A forecast still gives the projection.
  std::vector<Measurement> with_forecast = ms;
  with_forecast.push_back(AsOf(2027, 3, 31, 6, MeasurementKind::kForecast));
  Progress forecast = ComputeProgress(i, with_forecast, {2026, 6, 2});
  EXPECT_EQ(forecast.actual, 4);
  EXPECT_EQ(forecast.projected_year_end, 6);
  EXPECT_EQ(forecast.projection_basis, "forecast");
}

TEST(ComputeProgressTest, NoTargetWhenTargetNotSet) {
  for (TargetState state : {TargetState::kToBeDecided, TargetState::kNone}) {
    Indicator i = MakeIndicator(0);
    i.target.state = state;
    i.target.note = "未定";
    Progress p = ComputeProgress(i, {Month(2026, 4, 12)}, kDay100);
    EXPECT_EQ(p.status, ProgressStatus::kNoTarget) << static_cast<int>(state);
    EXPECT_EQ(p.progress_permille, std::nullopt);
    EXPECT_EQ(p.actual, 12);
    EXPECT_EQ(p.projection_basis, "pace");
  }
}

TEST(ComputeProgressTest, AchievedWhenActualReachesTarget) {
  Progress reached =
      ComputeProgress(MakeIndicator(30), {Month(2026, 4, 30)}, {2026, 4, 30});
  EXPECT_EQ(reached.status, ProgressStatus::kAchieved);
  EXPECT_EQ(reached.progress_permille, 1000);

  Progress over =
      ComputeProgress(MakeIndicator(30), {Month(2026, 4, 31)}, {2026, 4, 30});
  EXPECT_EQ(over.status, ProgressStatus::kAchieved);

  // A target of 0 is achieved even without an actual; no rate is defined.
  Progress zero = ComputeProgress(MakeIndicator(0), {}, kDay100);
  EXPECT_EQ(zero.status, ProgressStatus::kAchieved);
  EXPECT_EQ(zero.progress_permille, std::nullopt);

  // After the year, too.
  Progress after =
      ComputeProgress(MakeIndicator(30), {Month(2026, 4, 30)}, {2027, 5, 1});
  EXPECT_EQ(after.status, ProgressStatus::kAchieved);
}

TEST(ComputeProgressTest, OnTrackExactlyAtThePaceBoundary) {
  // 20 / 73 == 100 / 365 exactly.
  const Indicator i = MakeIndicator(73);
  Progress at = ComputeProgress(i, {Month(2026, 4, 20)}, kDay100);
  ASSERT_EQ(at.elapsed_days, 100);
  ASSERT_EQ(at.total_days, 365);
  EXPECT_EQ(at.status, ProgressStatus::kOnTrack);

  Progress below = ComputeProgress(i, {Month(2026, 4, 19)}, kDay100);
  EXPECT_EQ(below.status, ProgressStatus::kBehind);

  // And one day later the same 20 is behind.
  Progress next_day = ComputeProgress(i, {Month(2026, 4, 20)}, {2026, 7, 10});
  EXPECT_EQ(next_day.status, ProgressStatus::kBehind);
}

TEST(ComputeProgressTest, BehindOnceTheYearHasEnded) {
  // 364 of 365 would be on track by pace on 2027-03-30, not at the end.
  const Indicator i = MakeIndicator(365);
  Progress before_end =
      ComputeProgress(i, {AsOf(2027, 3, 30, 364)}, {2027, 3, 30});
  EXPECT_EQ(before_end.status, ProgressStatus::kOnTrack);

  Progress at_end = ComputeProgress(i, {AsOf(2027, 3, 30, 364)}, {2027, 3, 31});
  EXPECT_EQ(at_end.status, ProgressStatus::kBehind);

  Progress after = ComputeProgress(i, {AsOf(2027, 3, 30, 364)}, {2027, 6, 1});
  EXPECT_EQ(after.status, ProgressStatus::kBehind);
  EXPECT_EQ(after.elapsed_days, 365);

  // LATEST, otherwise always on track below target, is behind too.
  Progress latest = ComputeProgress(MakeIndicator(10, Aggregation::kLatest),
                                    {Month(2027, 3, 9)}, {2027, 4, 1});
  EXPECT_EQ(latest.status, ProgressStatus::kBehind);
}

TEST(ComputeProgressTest, PermilleRoundsHalfUp) {
  struct Case {
    int64_t actual;
    int64_t target;
    int64_t permille;
  };
  for (const Case& c :
       {Case{301, 181, 1663}, Case{95, 67, 1418}, Case{2172, 2800, 776},
        Case{170, 240, 708}, Case{20, 19, 1053}, Case{4, 4, 1000},
        Case{1, 8, 125}, Case{1, 2000, 1}, Case{1, 2001, 0}}) {
    Progress p = ComputeProgress(MakeIndicator(c.target),
                                 {AsOf(2026, 12, 31, c.actual)}, {2027, 3, 31});
    EXPECT_EQ(p.progress_permille, c.permille) << c.actual << "/" << c.target;
  }
}

TEST(ComputeProgressTest, CountsDaysOfTheFiscalYear) {
  const Indicator fy2026 = MakeIndicator(100);
  Progress first = ComputeProgress(fy2026, {}, {2026, 4, 1});
  EXPECT_EQ(first.total_days, 365);
  EXPECT_EQ(first.elapsed_days, 1);
  Progress last = ComputeProgress(fy2026, {}, {2027, 3, 31});
  EXPECT_EQ(last.elapsed_days, 365);
  Progress before = ComputeProgress(fy2026, {}, {2026, 3, 15});
  EXPECT_EQ(before.elapsed_days, 0);
  EXPECT_EQ(before.total_days, 365);

  // FY2027 ends in March 2028, and February 2028 has 29 days.
  const Indicator fy2027 = MakeIndicator(100, Aggregation::kSum, 2027);
  Progress leap_day = ComputeProgress(fy2027, {}, {2028, 2, 29});
  EXPECT_EQ(leap_day.total_days, 366);
  EXPECT_EQ(leap_day.elapsed_days, 335);
  Progress end = ComputeProgress(fy2027, {}, {2028, 3, 31});
  EXPECT_EQ(end.elapsed_days, 366);
  Progress after = ComputeProgress(fy2027, {}, {2029, 1, 1});
  EXPECT_EQ(after.elapsed_days, 366);
}

TEST(DefaultAsOfTest, ClampsTodayToTheFiscalYear) {
  EXPECT_EQ(DefaultAsOf(2026, {2026, 3, 31}), (CivilDate{2026, 4, 1}));
  EXPECT_EQ(DefaultAsOf(2026, {2020, 1, 1}), (CivilDate{2026, 4, 1}));
  EXPECT_EQ(DefaultAsOf(2026, {2026, 4, 1}), (CivilDate{2026, 4, 1}));
  EXPECT_EQ(DefaultAsOf(2026, {2026, 11, 3}), (CivilDate{2026, 11, 3}));
  EXPECT_EQ(DefaultAsOf(2026, {2027, 3, 31}), (CivilDate{2027, 3, 31}));
  EXPECT_EQ(DefaultAsOf(2026, {2027, 4, 1}), (CivilDate{2027, 3, 31}));
  EXPECT_EQ(DefaultAsOf(2025, {2026, 5, 20}), (CivilDate{2026, 3, 31}));
}

}  // namespace
}  // namespace shien::kpi
