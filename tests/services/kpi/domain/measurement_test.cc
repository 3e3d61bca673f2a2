#include "services/kpi/domain/measurement.h"

#include <string>

#include "common/api/request_id.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/kpi/domain/indicator.h"

namespace shien::kpi {
namespace {

Indicator MakeIndicator(Measure measure = Measure::kCount) {
  Indicator i;
  i.fiscal_year = 2026;
  i.program_number = 5;
  i.id = "consultations";
  i.title = "相談件数";
  i.unit = measure == Measure::kMoney ? "円" : "件";
  i.measure = measure;
  i.kind = IndicatorKind::kActivity;
  i.aggregation = Aggregation::kSum;
  i.target.state = TargetState::kSet;
  i.target.value = 450;
  return i;
}

Measurement MonthRow(int year, int month, int64_t value = 3) {
  Measurement m;
  m.fiscal_year = 2026;
  m.program_number = 5;
  m.indicator_id = "consultations";
  m.period.is_month = true;
  m.period.date = CivilDate{year, month, 0};
  m.value = value;
  m.kind = MeasurementKind::kActual;
  m.request_id = "req-1";
  return m;
}

Measurement DateRow(int year, int month, int day, int64_t value = 3) {
  Measurement m = MonthRow(year, month, value);
  m.period.is_month = false;
  m.period.date = CivilDate{year, month, day};
  return m;
}

void ExpectError(const absl::Status& s, const std::string& field,
                 const std::string& reason) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(ErrorField(s), field) << s;
  EXPECT_EQ(ErrorReason(s), reason) << s;
}

TEST(ValidateMeasurementTest, AcceptsPeriodsInsideTheFiscalYear) {
  const Indicator i = MakeIndicator();
  for (int month : {4, 5, 12}) {
    EXPECT_TRUE(ValidateMeasurement(MonthRow(2026, month), i).ok()) << month;
  }
  EXPECT_TRUE(ValidateMeasurement(MonthRow(2027, 1), i).ok());
  EXPECT_TRUE(ValidateMeasurement(MonthRow(2027, 3), i).ok());
  EXPECT_TRUE(ValidateMeasurement(DateRow(2026, 4, 1), i).ok());
  EXPECT_TRUE(ValidateMeasurement(DateRow(2027, 3, 31), i).ok());
  EXPECT_TRUE(ValidateMeasurement(DateRow(2027, 2, 28), i).ok());
  Measurement forecast = DateRow(2027, 3, 31);
  forecast.kind = MeasurementKind::kForecast;
  EXPECT_TRUE(ValidateMeasurement(forecast, i).ok());
}

TEST(ValidateMeasurementTest, RejectsPeriodsOutsideTheFiscalYear) {
  const Indicator i = MakeIndicator();
  absl::Status march = ValidateMeasurement(MonthRow(2026, 3), i);
  ExpectError(march, "month", "PERIOD_OUT_OF_FISCAL_YEAR");
  EXPECT_NE(march.message().find("2026-03"), absl::string_view::npos) << march;
  ExpectError(ValidateMeasurement(MonthRow(2027, 4), i), "month",
              "PERIOD_OUT_OF_FISCAL_YEAR");
  ExpectError(ValidateMeasurement(MonthRow(2025, 12), i), "month",
              "PERIOD_OUT_OF_FISCAL_YEAR");
  ExpectError(ValidateMeasurement(DateRow(2026, 3, 31), i), "as_of_date",
              "PERIOD_OUT_OF_FISCAL_YEAR");
  ExpectError(ValidateMeasurement(DateRow(2027, 4, 1), i), "as_of_date",
              "PERIOD_OUT_OF_FISCAL_YEAR");
}

TEST(ValidateMeasurementTest, RejectsDatesThatDoNotExist) {
  const Indicator i = MakeIndicator();
  // Day 30 of February: checked before the fiscal year.
  ExpectError(ValidateMeasurement(DateRow(2026, 2, 30), i), "as_of_date",
              "INVALID_DATE");
  ExpectError(ValidateMeasurement(DateRow(2027, 2, 29), i), "as_of_date",
              "INVALID_DATE");
  ExpectError(ValidateMeasurement(DateRow(2026, 4, 31), i), "as_of_date",
              "INVALID_DATE");
  ExpectError(ValidateMeasurement(DateRow(2026, 6, 0), i), "as_of_date",
              "INVALID_DATE");
  ExpectError(ValidateMeasurement(MonthRow(2026, 13), i), "month",
              "INVALID_DATE");
  ExpectError(ValidateMeasurement(MonthRow(2026, 0), i), "month",
              "INVALID_DATE");
}

TEST(ValidateMeasurementTest, RejectsValuesOutOfRange) {
  const Indicator count = MakeIndicator();
  ExpectError(ValidateMeasurement(MonthRow(2026, 5, -1), count), "value",
              "NEGATIVE_VALUE");
  ExpectError(ValidateMeasurement(MonthRow(2026, 5, kMaxCount + 1), count),
              "value", "OUT_OF_RANGE");
  EXPECT_TRUE(ValidateMeasurement(MonthRow(2026, 5, kMaxCount), count).ok());
  EXPECT_TRUE(ValidateMeasurement(MonthRow(2026, 5, 0), count).ok());

  const Indicator money = MakeIndicator(Measure::kMoney);
  EXPECT_TRUE(
      ValidateMeasurement(MonthRow(2026, 5, kMaxCount + 1), money).ok());
  EXPECT_TRUE(ValidateMeasurement(MonthRow(2026, 5, kMaxMoneyYen), money).ok());
  ExpectError(ValidateMeasurement(MonthRow(2026, 5, kMaxMoneyYen + 1), money),
              "value", "OUT_OF_RANGE");
}

TEST(ValidateMeasurementTest, ChecksTheUnitWhenSent) {
  const Indicator i = MakeIndicator();
  Measurement m = MonthRow(2026, 5);
  m.unit = "";
  EXPECT_TRUE(ValidateMeasurement(m, i).ok());
  m.unit = "件";
  EXPECT_TRUE(ValidateMeasurement(m, i).ok());
  m.unit = "回";
  ExpectError(ValidateMeasurement(m, i), "unit", "UNIT_MISMATCH");

  const Indicator money = MakeIndicator(Measure::kMoney);
  Measurement yen = MonthRow(2026, 5, 1000);
  yen.unit = "千円";
  absl::Status s = ValidateMeasurement(yen, money);
  ExpectError(s, "unit", "UNIT_MISMATCH");
  EXPECT_NE(s.message().find("yen"), absl::string_view::npos) << s;
}

TEST(ValidateMeasurementTest, RequiresKindAndRequestId) {
  const Indicator i = MakeIndicator();
  Measurement m = MonthRow(2026, 5);
  m.kind = MeasurementKind::kUnspecified;
  ExpectError(ValidateMeasurement(m, i), "kind", "INVALID_ENUM_VALUE");
  m.kind = static_cast<MeasurementKind>(9);
  ExpectError(ValidateMeasurement(m, i), "kind", "INVALID_ENUM_VALUE");

  Measurement no_id = MonthRow(2026, 5);
  no_id.request_id = "";
  ExpectError(ValidateMeasurement(no_id, i), "request_id", "REQUIRED_FIELD");
  Measurement spaced = MonthRow(2026, 5);
  spaced.request_id = "has space";
  absl::Status s = ValidateMeasurement(spaced, i);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "request_id");
}

TEST(PeriodTest, KeyFirstAndLast) {
  Period may{true, {2026, 5, 0}};
  EXPECT_EQ(may.Key(), "2026-05");
  EXPECT_EQ(may.First(), (CivilDate{2026, 5, 1}));
  EXPECT_EQ(may.Last(), (CivilDate{2026, 5, 31}));

  Period feb{true, {2027, 2, 0}};
  EXPECT_EQ(feb.Key(), "2027-02");
  EXPECT_EQ(feb.Last(), (CivilDate{2027, 2, 28}));
  Period leap_feb{true, {2028, 2, 0}};
  EXPECT_EQ(leap_feb.Last(), (CivilDate{2028, 2, 29}));
  Period april{true, {2026, 4, 0}};
  EXPECT_EQ(april.Last(), (CivilDate{2026, 4, 30}));

  Period date{false, {2026, 5, 31}};
  EXPECT_EQ(date.Key(), "2026-05-31");
  EXPECT_EQ(date.First(), (CivilDate{2026, 5, 31}));
  EXPECT_EQ(date.Last(), (CivilDate{2026, 5, 31}));
  Period early{false, {2026, 4, 3}};
  EXPECT_EQ(early.Key(), "2026-04-03");

  EXPECT_FALSE(may == (Period{false, {2026, 5, 0}}));
  EXPECT_TRUE(may == (Period{true, {2026, 5, 0}}));
}

TEST(PlanRequestIdTest, IsStableAndNamesTheRow) {
  Measurement m = DateRow(2025, 12, 31, 301);
  m.fiscal_year = 2025;
  m.program_number = 9;
  EXPECT_EQ(PlanRequestId(m), "plan/fy2025/9/consultations/2025-12-31/actual");
  // Does not depend on the value or on who recorded it.
  Measurement other = m;
  other.value = 999;
  other.recorded_by = "someone";
  other.request_id = "x";
  EXPECT_EQ(PlanRequestId(other), PlanRequestId(m));

  Measurement forecast = m;
  forecast.kind = MeasurementKind::kForecast;
  EXPECT_EQ(PlanRequestId(forecast),
            "plan/fy2025/9/consultations/2025-12-31/forecast");
  Measurement month = MonthRow(2026, 5);
  EXPECT_EQ(PlanRequestId(month), "plan/fy2026/5/consultations/2026-05/actual");
  // The id is itself a valid request_id.
  EXPECT_TRUE(ValidateRequestId(PlanRequestId(m), "request_id", true).ok());
}

TEST(SameMeasurementTest, ComparesContentNotMetadata) {
  Measurement a = MonthRow(2026, 5, 3);
  Measurement b = a;
  b.request_id = "other";
  b.unit = "件";
  b.recorded_by = "someone";
  b.sequence = 8;
  EXPECT_TRUE(SameMeasurement(a, b));
  b.value = 4;
  EXPECT_FALSE(SameMeasurement(a, b));
  Measurement c = a;
  c.kind = MeasurementKind::kForecast;
  EXPECT_FALSE(SameMeasurement(a, c));
  Measurement d = a;
  d.period.date.month = 6;
  EXPECT_FALSE(SameMeasurement(a, d));
  Measurement e = a;
  e.indicator_id = "other";
  EXPECT_FALSE(SameMeasurement(a, e));
}

}  // namespace
}  // namespace shien::kpi
