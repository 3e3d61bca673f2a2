// The conformance suite every KpiStore implementation must pass. Each
// implementation registers a factory with INSTANTIATE_TEST_SUITE_P below.
#include "services/kpi/storage/kpi_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/data/kpi_loader.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/storage/postgres_kpi_store.h"
#include "services/kpi/storage/sqlite_kpi_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace shien::kpi {
namespace {

using ::testing::HasSubstr;

using StoreFactory =
    std::function<std::unique_ptr<KpiStore>(const std::string& dir)>;

struct Impl {
  std::string name;
  StoreFactory open;
};

void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

absl::Status AllowAll(const Indicator&) { return absl::OkStatus(); }

class KpiStoreTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    ASSERT_NE(store_, nullptr);
    auto report = LoadKpiData(testing::SourceDir() + "/data", *store_);
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_EQ(report->loaded.size(), 2u);
    ASSERT_TRUE(report->skipped.empty());
  }

  static RequestKey Key(const std::string& id, const std::string& body = "b") {
    return RequestKey{id, "Test", body};
  }

  static std::string Encode(const Indicator& i) {
    return absl::StrCat(IndicatorName(i), ":", i.revision, ":", i.title, ":",
                        i.update_time_micros);
  }

  // A monthly actual of FY2026.
  static Measurement Row(const std::string& request_id, int program,
                         const std::string& id, int month, int64_t value) {
    Measurement m;
    m.fiscal_year = 2026;
    m.program_number = program;
    m.indicator_id = id;
    m.period.is_month = true;
    m.period.date = CivilDate{month >= 4 ? 2026 : 2027, month, 0};
    m.value = value;
    m.kind = MeasurementKind::kActual;
    m.request_id = request_id;
    m.recorded_by = "tester";
    return m;
  }

  // FY2026 program 5 相談件数 (target 450).
  static Measurement Consultations(const std::string& request_id, int month,
                                   int64_t value) {
    return Row(request_id, 5, "consultations", month, value);
  }

  int64_t Version(int year) {
    auto list = store_->ListIndicators(year, 0);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? list->data_version : -1;
  }

  std::vector<RowResult> Record(const std::vector<Measurement>& rows,
                                const RowAuthorizer& authorize = AllowAll) {
    auto results = store_->RecordMeasurements(rows, authorize);
    EXPECT_TRUE(results.ok()) << results.status();
    if (!results.ok()) return {};
    EXPECT_EQ(results->size(), rows.size());
    return *std::move(results);
  }

  std::vector<Measurement> History(int program, const std::string& id,
                                   std::optional<int64_t> as_of = std::nullopt,
                                   bool current_only = false) {
    auto list = store_->ListMeasurements(2026, program, id, 0, 100, as_of,
                                         current_only);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *std::move(list) : std::vector<Measurement>{};
  }

  static Indicator NewIndicator(const std::string& id, int program = 5) {
    Indicator i;
    i.fiscal_year = 2026;
    i.program_number = program;
    i.id = id;
    i.title = "新しい指標";
    i.unit = "件";
    i.measure = Measure::kCount;
    i.kind = IndicatorKind::kOutcome;
    i.aggregation = Aggregation::kSum;
    i.target.state = TargetState::kSet;
    i.target.value = 12;
    i.position = 9;
    return i;
  }

  testing::TempDir dir_;
  std::unique_ptr<KpiStore> store_;
};

TEST_P(KpiStoreTest, LoadsBothYearsOnce) {
  auto fy2026 = store_->ListIndicators(2026, 0);
  ASSERT_TRUE(fy2026.ok()) << fy2026.status();
  EXPECT_EQ(fy2026->indicators.size(), 55u);
  auto fy2025 = store_->ListIndicators(2025, 0);
  ASSERT_TRUE(fy2025.ok()) << fy2025.status();
  EXPECT_EQ(fy2025->indicators.size(), 39u);
  auto measurements = store_->CurrentMeasurements(2025, 0, "");
  ASSERT_TRUE(measurements.ok()) << measurements.status();
  EXPECT_EQ(measurements->measurements.size(), 39u);
  for (const Measurement& m : measurements->measurements) {
    EXPECT_EQ(m.recorded_by, "plan");
    EXPECT_EQ(m.request_id, PlanRequestId(m));
    EXPECT_FALSE(m.supersede_time_micros.has_value());
  }
  const int64_t v2025 = Version(2025);
  const int64_t v2026 = Version(2026);

  // A second load changes nothing.
  auto report = LoadKpiData(testing::SourceDir() + "/data", *store_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->loaded.empty());
  EXPECT_EQ(report->skipped.size(), 2u);
  EXPECT_EQ(Version(2025), v2025);
  EXPECT_EQ(Version(2026), v2026);
  EXPECT_EQ(store_->CurrentMeasurements(2025, 0, "")->measurements.size(), 39u);
  auto again = store_->LoadYear(2026, "again", {NewIndicator("extra")}, {});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
  EXPECT_EQ(store_->GetIndicator(2026, 5, "extra").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(KpiStoreTest, GetsIndicators) {
  auto output = store_->GetIndicator(2026, 19, "output-participants");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_EQ(output->title, "アウトプット数(事業への参加企業数または参加人数)");
  EXPECT_EQ(output->unit, "社・人");
  EXPECT_EQ(output->target.state, TargetState::kSet);
  EXPECT_EQ(output->target.value, 2360);
  EXPECT_EQ(output->target.note, "令和8年度: 2,360(社・人)");
  ASSERT_TRUE(output->multi_year_target.has_value());
  EXPECT_EQ(output->multi_year_target->first_fiscal_year, 2025);
  EXPECT_EQ(output->multi_year_target->last_fiscal_year, 2027);
  EXPECT_EQ(output->multi_year_target->value, 7080);
  EXPECT_EQ(output->revision, 1);
  EXPECT_GT(output->update_time_micros, 0);

  auto part = store_->GetIndicator(2026, 9, "consultations-advance");
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->parent_id, "consultations");
  EXPECT_FALSE(part->parts_bounded_by_whole);
  auto whole = store_->GetIndicator(2026, 9, "consultations");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_TRUE(whole->parts_bounded_by_whole);
  EXPECT_EQ(whole->target.state, TargetState::kToBeDecided);
  EXPECT_EQ(whole->target.note, "R8年度目標: 未定");

  auto latest = store_->GetIndicator(2025, 16, "projects-second-year");
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->aggregation, Aggregation::kLatest);
  auto money = store_->GetIndicator(2026, 6, "grant-decision-amount");
  ASSERT_TRUE(money.ok()) << money.status();
  EXPECT_EQ(money->measure, Measure::kMoney);
  EXPECT_EQ(money->target.value, 30'000'000);

  auto missing = store_->GetIndicator(2026, 9, "nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(missing.status()), "INDICATOR_NOT_FOUND");
  EXPECT_EQ(store_->GetIndicator(2030, 9, "consultations").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetIndicator(2026, 19, "consultations").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(KpiStoreTest, ListsIndicatorsByProgramAndPosition) {
  auto all = store_->ListIndicators(2026, 0);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_FALSE(all->indicators.empty());
  EXPECT_EQ(all->indicators.front().program_number, 2);
  EXPECT_EQ(all->indicators.front().id, "consultations-family");
  EXPECT_TRUE(
      std::is_sorted(all->indicators.begin(), all->indicators.end(),
                     [](const Indicator& a, const Indicator& b) {
                       return std::tie(a.program_number, a.position, a.id) <
                              std::tie(b.program_number, b.position, b.id);
                     }));
  for (const Indicator& i : all->indicators) EXPECT_EQ(i.fiscal_year, 2026);

  auto program9 = store_->ListIndicators(2026, 9);
  ASSERT_TRUE(program9.ok()) << program9.status();
  std::vector<std::string> ids;
  for (const Indicator& i : program9->indicators) ids.push_back(i.id);
  EXPECT_THAT(ids, ::testing::ElementsAre(
                       "consultations", "consultations-advance",
                       "consultations-counter", "support-completions"));
  EXPECT_EQ(program9->data_version, all->data_version);

  auto none = store_->ListIndicators(2026, 1);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->indicators.empty());

  EXPECT_EQ(store_->ListIndicators(2030, 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->CurrentMeasurements(2030, 0, "").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(KpiStoreTest, RecordsAndDeduplicatesMeasurements) {
  std::vector<RowResult> first =
      Record({Consultations("m1", 4, 30), Consultations("m2", 5, 40)});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].outcome, RowOutcome::kAccepted);
  EXPECT_EQ(first[1].outcome, RowOutcome::kAccepted);

  std::vector<RowResult> second = Record({
      Consultations("m1", 4, 30),  // the same request again
      Consultations("m1", 4, 31),  // its request_id for another value
      Consultations("m3", 4, 30),  // the same value under a new id
      Consultations("m1", 6, 30),  // its request_id for another month
  });
  ASSERT_EQ(second.size(), 4u);
  EXPECT_EQ(second[0].outcome, RowOutcome::kDuplicate);
  EXPECT_TRUE(second[0].error.ok());
  EXPECT_EQ(second[1].outcome, RowOutcome::kRejected);
  EXPECT_EQ(second[1].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(second[1].error), "REQUEST_ID_REUSED");
  EXPECT_EQ(ErrorField(second[1].error), "request_id");
  EXPECT_EQ(second[2].outcome, RowOutcome::kDuplicate);
  EXPECT_EQ(second[3].outcome, RowOutcome::kRejected);
  EXPECT_EQ(ErrorReason(second[3].error), "REQUEST_ID_REUSED");

  std::vector<Measurement> stored = History(5, "consultations");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].request_id, "m1");
  EXPECT_EQ(stored[0].value, 30);
  EXPECT_EQ(stored[0].recorded_by, "tester");
  EXPECT_EQ(stored[0].period.Key(), "2026-04");
  EXPECT_FALSE(stored[0].previous_value.has_value());
  EXPECT_FALSE(stored[0].supersede_time_micros.has_value());
  EXPECT_GT(stored[0].record_time_micros, 0);
  EXPECT_EQ(stored[1].request_id, "m2");
  EXPECT_LT(stored[0].sequence, stored[1].sequence);

  // Paging by sequence.
  auto after = store_->ListMeasurements(
      2026, 5, "consultations", stored[0].sequence, 10, std::nullopt, false);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().request_id, "m2");
  auto limited = store_->ListMeasurements(2026, 5, "consultations", 0, 1,
                                          std::nullopt, false);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ(limited->front().request_id, "m1");

  auto current = store_->CurrentMeasurements(2026, 5, "consultations");
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->measurements.size(), 2u);
  auto program = store_->CurrentMeasurements(2026, 5, "");
  ASSERT_TRUE(program.ok());
  EXPECT_EQ(program->measurements.size(), 2u);
  auto other = store_->CurrentMeasurements(2026, 6, "");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->measurements.empty());
}

TEST_P(KpiStoreTest, CorrectionSupersedesAndKeepsHistory) {
  ASSERT_EQ(Record({Consultations("c1", 5, 40)})[0].outcome,
            RowOutcome::kAccepted);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<RowResult> corrected = Record({Consultations("c2", 5, 42)});
  ASSERT_EQ(corrected.size(), 1u);
  EXPECT_EQ(corrected[0].outcome, RowOutcome::kCorrected);
  EXPECT_TRUE(corrected[0].error.ok());

  std::vector<Measurement> all = History(5, "consultations");
  ASSERT_EQ(all.size(), 2u);
  const Measurement& old_version = all[0];
  const Measurement& new_version = all[1];
  EXPECT_EQ(old_version.value, 40);
  ASSERT_TRUE(old_version.supersede_time_micros.has_value());
  EXPECT_EQ(*old_version.supersede_time_micros, new_version.record_time_micros);
  EXPECT_EQ(new_version.value, 42);
  EXPECT_EQ(new_version.previous_value, 40);
  EXPECT_FALSE(new_version.supersede_time_micros.has_value());
  EXPECT_GT(new_version.record_time_micros, old_version.record_time_micros);

  std::vector<Measurement> current =
      History(5, "consultations", std::nullopt, /*current_only=*/true);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].value, 42);
  auto snapshot = store_->CurrentMeasurements(2026, 5, "consultations");
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->measurements.size(), 1u);
  EXPECT_EQ(snapshot->measurements[0].value, 42);

  // As of the first recording, the old version was current.
  const int64_t then = old_version.record_time_micros;
  std::vector<Measurement> back_then = History(5, "consultations", then);
  ASSERT_EQ(back_then.size(), 1u);
  EXPECT_EQ(back_then[0].value, 40);
  EXPECT_FALSE(back_then[0].supersede_time_micros.has_value());
  std::vector<Measurement> current_then =
      History(5, "consultations", then, /*current_only=*/true);
  ASSERT_EQ(current_then.size(), 1u);
  EXPECT_EQ(current_then[0].value, 40);
  // Before anything was recorded, nothing.
  EXPECT_TRUE(History(5, "consultations", then - 1).empty());

  // Correcting back to the first value is another correction.
  std::vector<RowResult> back = Record({Consultations("c3", 5, 40)});
  EXPECT_EQ(back[0].outcome, RowOutcome::kCorrected);
  EXPECT_EQ(History(5, "consultations").size(), 3u);
  // The first request, replayed, is still a duplicate.
  EXPECT_EQ(Record({Consultations("c1", 5, 40)})[0].outcome,
            RowOutcome::kDuplicate);
  // Forecast and actual of the same month are separate values.
  Measurement forecast = Consultations("c4", 5, 99);
  forecast.kind = MeasurementKind::kForecast;
  EXPECT_EQ(Record({forecast})[0].outcome, RowOutcome::kAccepted);
}

TEST_P(KpiStoreTest, RejectsUnknownIndicatorsAndInvalidRows) {
  std::vector<RowResult> results = Record({
      Row("u1", 5, "no-such-indicator", 5, 1),
      Row("u2", 99, "consultations", 5, 1),
      Consultations("u3", 5, -1),
      Consultations("u4", 5, 1),
  });
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, RowOutcome::kRejected);
  EXPECT_EQ(results[0].error.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(results[0].error), "INDICATOR_NOT_FOUND");
  EXPECT_EQ(results[1].outcome, RowOutcome::kRejected);
  EXPECT_EQ(results[1].error.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(results[2].outcome, RowOutcome::kRejected);
  EXPECT_EQ(ErrorReason(results[2].error), "NEGATIVE_VALUE");
  EXPECT_EQ(results[3].outcome, RowOutcome::kAccepted);

  Measurement march = Consultations("u5", 3, 1);
  march.period.date.year = 2026;  // before FY2026
  Measurement unit = Consultations("u6", 6, 1);
  unit.unit = "回";
  std::vector<RowResult> invalid = Record({march, unit});
  EXPECT_EQ(ErrorReason(invalid[0].error), "PERIOD_OUT_OF_FISCAL_YEAR");
  EXPECT_EQ(ErrorReason(invalid[1].error), "UNIT_MISMATCH");

  std::vector<Measurement> stored = History(5, "consultations");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].request_id, "u4");
  // A rejected request_id was not taken.
  EXPECT_EQ(Record({Consultations("u3", 7, 2)})[0].outcome,
            RowOutcome::kAccepted);
}

TEST_P(KpiStoreTest, AuthorizerCanRejectARow) {
  const int64_t v0 = Version(2026);
  std::vector<int> asked;
  auto only_program_6 = [&](const Indicator& i) -> absl::Status {
    asked.push_back(i.program_number);
    if (i.program_number == 6) return absl::OkStatus();
    return Error(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                 "not your program");
  };
  std::vector<RowResult> results =
      Record({Consultations("p1", 5, 3), Row("p2", 6, "grant-decisions", 5, 2)},
             only_program_6);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, RowOutcome::kRejected);
  EXPECT_EQ(results[0].error.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(results[1].outcome, RowOutcome::kAccepted);
  EXPECT_THAT(asked, ::testing::ElementsAre(5, 6));
  EXPECT_TRUE(History(5, "consultations").empty());
  EXPECT_EQ(History(6, "grant-decisions").size(), 1u);

  // Denied alone: nothing stored, no new version.
  const int64_t v1 = Version(2026);
  EXPECT_GT(v1, v0);
  auto deny = [](const Indicator&) {
    return absl::PermissionDeniedError("no");
  };
  std::vector<RowResult> denied = Record({Consultations("p3", 5, 3)}, deny);
  EXPECT_EQ(denied[0].outcome, RowOutcome::kRejected);
  EXPECT_EQ(denied[0].error.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(History(5, "consultations").empty());
  EXPECT_EQ(Version(2026), v1);
  // The denied request_id is still free.
  EXPECT_EQ(Record({Consultations("p3", 5, 3)})[0].outcome,
            RowOutcome::kAccepted);
}

TEST_P(KpiStoreTest, PartsStayWithinTheirWhole) {
  // FY2026 program 9: 相談件数 bounds its parts 事前 and 窓口.
  std::vector<RowResult> results = Record({
      Row("b1", 9, "consultations", 5, 10),
      Row("b2", 9, "consultations-advance", 5, 6),
      Row("b3", 9, "consultations-counter", 5, 5),
  });
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, RowOutcome::kAccepted);
  EXPECT_EQ(results[1].outcome, RowOutcome::kAccepted);
  EXPECT_EQ(results[2].outcome, RowOutcome::kRejected);
  EXPECT_EQ(results[2].error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(results[2].error), "PART_EXCEEDS_WHOLE");
  EXPECT_EQ(ErrorField(results[2].error), "value");
  EXPECT_TRUE(History(9, "consultations-counter").empty());

  // Up to the whole is fine.
  EXPECT_EQ(Record({Row("b4", 9, "consultations-counter", 5, 4)})[0].outcome,
            RowOutcome::kAccepted);
  // A part correcting itself counts only its new value.
  EXPECT_EQ(Record({Row("b5", 9, "consultations-advance", 5, 5)})[0].outcome,
            RowOutcome::kCorrected);

  // The whole cannot drop below its parts (5 + 4).
  std::vector<RowResult> lower = Record({Row("b6", 9, "consultations", 5, 8)});
  EXPECT_EQ(lower[0].outcome, RowOutcome::kRejected);
  EXPECT_EQ(ErrorReason(lower[0].error), "WHOLE_BELOW_PARTS");
  std::vector<Measurement> whole = History(9, "consultations", std::nullopt,
                                           /*current_only=*/true);
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].value, 10);
  EXPECT_EQ(Record({Row("b7", 9, "consultations", 5, 9)})[0].outcome,
            RowOutcome::kCorrected);

  // Other months and kinds are separate; parts without a whole are free.
  EXPECT_EQ(Record({Row("b8", 9, "consultations-advance", 6, 500)})[0].outcome,
            RowOutcome::kAccepted);
  std::vector<RowResult> june_whole =
      Record({Row("b9", 9, "consultations", 6, 499)});
  EXPECT_EQ(june_whole[0].outcome, RowOutcome::kRejected);
  EXPECT_EQ(ErrorReason(june_whole[0].error), "WHOLE_BELOW_PARTS");
  Measurement forecast = Row("b10", 9, "consultations-counter", 5, 50);
  forecast.kind = MeasurementKind::kForecast;
  EXPECT_EQ(Record({forecast})[0].outcome, RowOutcome::kAccepted);
}

TEST_P(KpiStoreTest, DataVersionMovesOnAcceptedWritesOnly) {
  const int64_t v0 = Version(2026);
  const int64_t v2025 = Version(2025);
  EXPECT_EQ(
      Record({Consultations("v1", 4, 1), Consultations("v2", 5, 1)})[0].outcome,
      RowOutcome::kAccepted);
  const int64_t v1 = Version(2026);
  EXPECT_GT(v1, v0);
  EXPECT_EQ(store_->CurrentMeasurements(2026, 0, "")->data_version, v1);
  EXPECT_EQ(Version(2025), v2025);

  // Duplicates and rejections do not move it.
  Record({Consultations("v1", 4, 1), Consultations("v3", 4, 1),
          Consultations("v1", 4, 7), Row("v4", 5, "nope", 4, 1)});
  EXPECT_EQ(Version(2026), v1);
  auto empty = store_->RecordMeasurements({}, AllowAll);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(Version(2026), v1);

  // A correction does.
  EXPECT_EQ(Record({Consultations("v5", 4, 2)})[0].outcome,
            RowOutcome::kCorrected);
  const int64_t v2 = Version(2026);
  EXPECT_GT(v2, v1);

  // A FY2025 row moves FY2025's version only.
  Measurement fy2025 = Row("v6", 9, "consultations", 1, 5);
  fy2025.fiscal_year = 2025;
  fy2025.period.date.year = 2026;  // 2026-01 is in FY2025
  EXPECT_EQ(Record({fy2025})[0].outcome, RowOutcome::kAccepted);
  EXPECT_GT(Version(2025), v2025);
  EXPECT_EQ(Version(2026), v2);
}

TEST_P(KpiStoreTest, CreatesIndicatorsOnceAndReplaysTheResponse) {
  const int64_t v0 = Version(2026);
  auto created = store_->CreateIndicator(NewIndicator("referrals"),
                                         Key("create-1"), Encode);
  ASSERT_TRUE(created.ok()) << created.status();
  auto stored = store_->GetIndicator(2026, 5, "referrals");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->revision, 1);
  EXPECT_EQ(stored->title, "新しい指標");
  EXPECT_EQ(stored->target.value, 12);
  EXPECT_EQ(*created, Encode(*stored));
  EXPECT_GT(Version(2026), v0);
  const int64_t v1 = Version(2026);

  // The same request again returns the same bytes without creating.
  auto replay = store_->CreateIndicator(NewIndicator("referrals"),
                                        Key("create-1"), Encode);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *created);
  EXPECT_EQ(Version(2026), v1);

  // Another request for the taken id.
  auto taken = store_->CreateIndicator(NewIndicator("referrals"),
                                       Key("create-2"), Encode);
  EXPECT_EQ(taken.status().code(), absl::StatusCode::kAlreadyExists);
  auto taken_from_file =
      store_->CreateIndicator(NewIndicator("consultations"), Key(""), Encode);
  EXPECT_EQ(taken_from_file.status().code(), absl::StatusCode::kAlreadyExists);
  // The request_id with another body.
  auto reused = store_->CreateIndicator(NewIndicator("other"),
                                        Key("create-1", "other body"), Encode);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(reused.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(store_->GetIndicator(2026, 5, "other").status().code(),
            absl::StatusCode::kNotFound);

  // A year not loaded.
  Indicator fy2030 = NewIndicator("future");
  fy2030.fiscal_year = 2030;
  EXPECT_EQ(
      store_->CreateIndicator(fy2030, Key("create-3"), Encode).status().code(),
      absl::StatusCode::kFailedPrecondition);

  // A part of an existing whole; a part of nothing.
  Indicator part = NewIndicator("consultations-online", 9);
  part.parent_id = "consultations";
  part.target.state = TargetState::kNone;
  part.target.value = 0;
  auto made = store_->CreateIndicator(part, Key("create-4"), Encode);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(store_->GetIndicator(2026, 9, "consultations-online")->parent_id,
            "consultations");
  Indicator orphan = NewIndicator("orphan", 9);
  orphan.parent_id = "nothing";
  auto failed = store_->CreateIndicator(orphan, Key("create-5"), Encode);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(failed.status()), "PARENT_NOT_FOUND");
  EXPECT_EQ(Version(2026), v1 + 1);
  // The failed request did not take its request_id.
  orphan.parent_id = "";
  EXPECT_TRUE(store_->CreateIndicator(orphan, Key("create-5"), Encode).ok());
}

TEST_P(KpiStoreTest, UpdatesIndicatorsThroughAMutateFunction) {
  auto current = store_->GetIndicator(2026, 9, "consultations");
  ASSERT_TRUE(current.ok()) << current.status();
  const int64_t v0 = Version(2026);
  int calls = 0;
  Indicator patch;
  patch.target.state = TargetState::kSet;
  patch.target.value = 200;
  const std::string etag = IndicatorEtag(*current);
  auto mutate = [&](const Indicator& i) {
    ++calls;
    return ApplyIndicatorUpdate(i, patch, {IndicatorField::kTarget}, etag);
  };
  auto updated = store_->UpdateIndicator(2026, 9, "consultations", mutate,
                                         Key("u1"), Encode);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(calls, 1);
  auto after = store_->GetIndicator(2026, 9, "consultations");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->revision, 2);
  EXPECT_EQ(after->target.state, TargetState::kSet);
  EXPECT_EQ(after->target.value, 200);
  EXPECT_EQ(after->title, current->title);
  EXPECT_TRUE(after->parts_bounded_by_whole);
  EXPECT_GE(after->update_time_micros, current->update_time_micros);
  EXPECT_EQ(*updated, Encode(*after));
  const int64_t v1 = Version(2026);
  EXPECT_GT(v1, v0);

  // Replayed: the recorded answer, mutate not called.
  auto replay = store_->UpdateIndicator(2026, 9, "consultations", mutate,
                                        Key("u1"), Encode);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *updated);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Version(2026), v1);

  // A new request with the now stale etag fails and changes nothing.
  auto stale = store_->UpdateIndicator(2026, 9, "consultations", mutate,
                                       Key("u2"), Encode);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(stale.status()), "ETAG_MISMATCH");
  EXPECT_EQ(store_->GetIndicator(2026, 9, "consultations")->revision, 2);
  EXPECT_EQ(Version(2026), v1);

  auto missing =
      store_->UpdateIndicator(2026, 9, "nope", mutate, Key("u3"), Encode);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(missing.status()), "INDICATOR_NOT_FOUND");
}

TEST_P(KpiStoreTest, SurvivesReopen) {
  ASSERT_EQ(Record({Consultations("keep", 5, 77)})[0].outcome,
            RowOutcome::kAccepted);
  ASSERT_TRUE(
      store_->CreateIndicator(NewIndicator("kept"), Key("k1"), Encode).ok());
  const int64_t version = Version(2026);
  store_.reset();
  store_ = GetParam().open(dir_.path());
  ASSERT_NE(store_, nullptr);
  std::vector<Measurement> kept = History(5, "consultations");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].value, 77);
  EXPECT_EQ(kept[0].request_id, "keep");
  EXPECT_TRUE(store_->GetIndicator(2026, 5, "kept").ok());
  EXPECT_EQ(Version(2026), version);
  EXPECT_EQ(store_->ListIndicators(2025, 0)->indicators.size(), 39u);
  EXPECT_EQ(Record({Consultations("keep", 5, 77)})[0].outcome,
            RowOutcome::kDuplicate);
  auto report = LoadKpiData(testing::SourceDir() + "/data", *store_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->skipped.size(), 2u);
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_P(KpiStoreTest, FailedLoadLeavesTheYearUnloaded) {
  Indicator i = NewIndicator("a");
  i.fiscal_year = 2030;
  Measurement negative = Consultations("plan/a", 5, -3);
  negative.fiscal_year = 2030;
  negative.indicator_id = "a";
  negative.period.date.year = 2030;
  auto failed = store_->LoadYear(2030, "note", {i}, {negative});
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(failed.status()), "NEGATIVE_VALUE");
  EXPECT_EQ(ErrorField(failed.status()), "measurements[0].value");
  EXPECT_EQ(store_->ListIndicators(2030, 0).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetIndicator(2030, 5, "a").status().code(),
            absl::StatusCode::kNotFound);

  Measurement unknown = negative;
  unknown.value = 3;
  unknown.indicator_id = "b";
  auto not_found = store_->LoadYear(2030, "note", {i}, {unknown});
  EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(not_found.status()), "INDICATOR_NOT_FOUND");
  EXPECT_EQ(store_->ListIndicators(2030, 0).status().code(),
            absl::StatusCode::kNotFound);

  // Fixed, it loads.
  unknown.indicator_id = "a";
  auto loaded = store_->LoadYear(2030, "note", {i}, {unknown});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(*loaded);
  auto current = store_->CurrentMeasurements(2030, 5, "a");
  ASSERT_TRUE(current.ok()) << current.status();
  ASSERT_EQ(current->measurements.size(), 1u);
  EXPECT_EQ(current->measurements[0].value, 3);
}

TEST_P(KpiStoreTest, FileWithUnknownIndicatorFailsAtLoad) {
  testing::TempDir data;
  const std::string year_dir = data.path() + "/fy2030";
  ASSERT_TRUE(std::filesystem::create_directories(year_dir));
  const std::string path = year_dir + "/indicators.textproto";
  std::ofstream(path)
      << "fiscal_year: 2030\n"
         "indicators {\n"
         "  name: \"fiscalYears/2030/programs/5/indicators/a\"\n"
         "  title: \"A\" unit: \"件\" measure: MEASURE_COUNT\n"
         "  kind: INDICATOR_KIND_ACTIVITY\n"
         "  aggregation: AGGREGATION_SUM\n"
         "  target { state: TARGET_STATE_SET value: 5 }\n"
         "}\n"
         "measurements {\n"
         "  indicator: \"fiscalYears/2030/programs/5/"
         "indicators/missing\"\n"
         "  month { year: 2030 month: 5 }\n"
         "  value: 1 kind: MEASUREMENT_KIND_ACTUAL\n"
         "}\n";
  // The file itself reads.
  ASSERT_TRUE(ReadKpiFile(path).ok()) << ReadKpiFile(path).status();
  auto report = LoadKpiData(data.path(), *store_);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(report.status().message()),
              HasSubstr("measurements[0]"));
  EXPECT_EQ(store_->ListIndicators(2030, 0).status().code(),
            absl::StatusCode::kNotFound);
}

// A year's load must not write into another fiscal year behind that year's
// data_version ("Every write bumps the fiscal year's data_version").
TEST_P(KpiStoreTest, LoadYearDoesNotWriteIntoAnotherYear) {
  const int64_t v2026 = Version(2026);
  Indicator i = NewIndicator("a");
  i.fiscal_year = 2030;
  // A row of FY2026 in FY2030's file.
  Measurement stray = Consultations("plan/stray", 5, 3);
  auto loaded = store_->LoadYear(2030, "note", {i}, {stray});
  auto fy2026 = store_->CurrentMeasurements(2026, 5, "consultations");
  ASSERT_TRUE(fy2026.ok()) << fy2026.status();
  if (!fy2026->measurements.empty()) {
    EXPECT_GT(fy2026->data_version, v2026)
        << "LoadYear(2030) recorded a FY2026 measurement without bumping "
           "FY2026's data_version; loaded: "
        << (loaded.ok() ? "ok" : loaded.status().ToString());
  }
  EXPECT_FALSE(loaded.ok() && *loaded && !fy2026->measurements.empty())
      << "LoadYear(2030) accepted a measurement of fiscal year 2026";
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, KpiStoreTest,
    ::testing::Values(Impl{"sqlite",
                           [](const std::string& dir) {
                             sql::SqliteOptions options;
                             options.path = dir + "/kpi.db";
                             options.durable = false;
                             auto store = OpenSqliteKpiStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// The same suite against PostgreSQL: a throwaway cluster (initdb + pg_ctl
// on a free loopback port) shared by this test binary, one database per
// test directory.
INSTANTIATE_TEST_SUITE_P(
    Postgres, KpiStoreTest,
    ::testing::Values(Impl{"postgres",
                           [](const std::string& dir) {
                             sql::PostgresOptions options;
                             options.conninfo =
                                 testing::SharedPostgresDatabase(dir);
                             EXPECT_FALSE(options.conninfo.empty());
                             auto store = OpenPostgresKpiStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace shien::kpi
