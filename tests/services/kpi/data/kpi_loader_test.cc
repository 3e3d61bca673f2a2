#include "services/kpi/data/kpi_loader.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/kpi/domain/progress.h"
#include "tests/testing/temp_dir.h"

namespace shien::kpi {
namespace {

using ::testing::HasSubstr;

std::string DataFile(int year) {
  return absl::StrCat(testing::SourceDir(), "/data/fy", year,
                      "/indicators.textproto");
}

const Indicator* Find(const YearData& data, int program,
                      const std::string& id) {
  for (const Indicator& i : data.indicators) {
    if (i.program_number == program && i.id == id) return &i;
  }
  return nullptr;
}

std::vector<Measurement> MeasurementsOf(const YearData& data, int program,
                                        const std::string& id) {
  std::vector<Measurement> out;
  for (const Measurement& m : data.measurements) {
    if (m.program_number == program && m.indicator_id == id) out.push_back(m);
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class KpiFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto fy2025 = ReadKpiFile(DataFile(2025));
    ASSERT_TRUE(fy2025.ok()) << fy2025.status();
    fy2025_ = new YearData(*std::move(fy2025));
    auto fy2026 = ReadKpiFile(DataFile(2026));
    ASSERT_TRUE(fy2026.ok()) << fy2026.status();
    fy2026_ = new YearData(*std::move(fy2026));
  }
  static void TearDownTestSuite() {
    delete fy2025_;
    delete fy2026_;
    fy2025_ = nullptr;
    fy2026_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(fy2025_, nullptr);
    ASSERT_NE(fy2026_, nullptr);
  }

  // The progress of a FY2025 indicator as of the end of the year.
  static Progress Fy2025Progress(int program, const std::string& id) {
    const Indicator* i = Find(*fy2025_, program, id);
    EXPECT_NE(i, nullptr) << program << "/" << id;
    if (i == nullptr) return Progress{};
    return ComputeProgress(*i, MeasurementsOf(*fy2025_, program, id),
                           CivilDate{2026, 3, 31});
  }

  static YearData* fy2025_;
  static YearData* fy2026_;
};

YearData* KpiFileTest::fy2025_ = nullptr;
YearData* KpiFileTest::fy2026_ = nullptr;

TEST_F(KpiFileTest, ReadsBothYears) {
  EXPECT_EQ(fy2026_->fiscal_year, 2026);
  EXPECT_EQ(fy2026_->indicators.size(), 55u);
  EXPECT_TRUE(fy2026_->measurements.empty());
  EXPECT_THAT(fy2026_->source_note, HasSubstr("令和8年度 事業計画書"));

  EXPECT_EQ(fy2025_->fiscal_year, 2025);
  EXPECT_EQ(fy2025_->indicators.size(), 39u);
  EXPECT_EQ(fy2025_->measurements.size(), 39u);
  EXPECT_FALSE(fy2025_->source_note.empty());

  for (const YearData* data : {fy2025_, fy2026_}) {
    for (const Indicator& i : data->indicators) {
      EXPECT_EQ(i.fiscal_year, data->fiscal_year) << i.id;
      EXPECT_TRUE(ValidateIndicator(i).ok()) << IndicatorName(i);
    }
    EXPECT_TRUE(ValidateIndicatorSet(data->indicators).ok());
  }
}

TEST_F(KpiFileTest, PlanMeasurementsGetPlanRequestIds) {
  for (const Measurement& m : fy2025_->measurements) {
    EXPECT_EQ(m.fiscal_year, 2025);
    EXPECT_EQ(m.request_id, PlanRequestId(m));
    EXPECT_EQ(m.recorded_by, "plan");
    const Indicator* i = Find(*fy2025_, m.program_number, m.indicator_id);
    ASSERT_NE(i, nullptr) << m.indicator_id;
    EXPECT_TRUE(ValidateMeasurement(m, *i).ok()) << ValidateMeasurement(m, *i);
  }
  const std::vector<Measurement> consultations =
      MeasurementsOf(*fy2025_, 9, "consultations");
  ASSERT_EQ(consultations.size(), 1u);
  EXPECT_FALSE(consultations[0].period.is_month);
  EXPECT_EQ(consultations[0].period.date, (CivilDate{2025, 12, 31}));
  EXPECT_EQ(consultations[0].value, 301);
  EXPECT_EQ(consultations[0].kind, MeasurementKind::kActual);
  EXPECT_EQ(consultations[0].request_id,
            "plan/fy2025/9/consultations/2025-12-31/actual");
}

TEST_F(KpiFileTest, Program19HasAThreeYearTarget) {
  const Indicator* output = Find(*fy2026_, 19, "output-participants");
  ASSERT_NE(output, nullptr);
  ASSERT_TRUE(output->multi_year_target.has_value());
  EXPECT_EQ(output->multi_year_target->first_fiscal_year, 2025);
  EXPECT_EQ(output->multi_year_target->last_fiscal_year, 2027);
  EXPECT_EQ(output->multi_year_target->value, 7080);
  EXPECT_EQ(output->target.state, TargetState::kSet);
  EXPECT_EQ(output->target.value, 2360);
  EXPECT_EQ(output->kind, IndicatorKind::kActivity);

  const Indicator* hires = Find(*fy2026_, 19, "quality-employment-hires");
  ASSERT_NE(hires, nullptr);
  ASSERT_TRUE(hires->multi_year_target.has_value());
  EXPECT_EQ(hires->multi_year_target->first_fiscal_year, 2025);
  EXPECT_EQ(hires->multi_year_target->last_fiscal_year, 2027);
  EXPECT_EQ(hires->multi_year_target->value, 755);
  EXPECT_EQ(hires->kind, IndicatorKind::kOutcome);
}

TEST_F(KpiFileTest, Program9ConsultationsAreBrokenDown) {
  for (const YearData* data : {fy2025_, fy2026_}) {
    const Indicator* whole = Find(*data, 9, "consultations");
    ASSERT_NE(whole, nullptr);
    EXPECT_TRUE(whole->parts_bounded_by_whole);
    EXPECT_TRUE(whole->parent_id.empty());
    std::vector<std::string> parts;
    for (const Indicator& i : data->indicators) {
      if (i.program_number == 9 && !i.parent_id.empty()) {
        EXPECT_EQ(i.parent_id, "consultations") << i.id;
        parts.push_back(i.id);
      }
    }
    EXPECT_THAT(parts, ::testing::UnorderedElementsAre(
                           "consultations-advance", "consultations-counter"));
  }
  EXPECT_EQ(Find(*fy2026_, 9, "consultations")->target.state,
            TargetState::kToBeDecided);
  EXPECT_EQ(Find(*fy2025_, 9, "consultations")->target.value, 181);
  EXPECT_EQ(Find(*fy2025_, 9, "consultations-advance")->target.value +
                Find(*fy2025_, 9, "consultations-counter")->target.value,
            181);
}

TEST_F(KpiFileTest, UndecidedTargetsCarryANote) {
  int undecided = 0;
  for (const YearData* data : {fy2025_, fy2026_}) {
    for (const Indicator& i : data->indicators) {
      if (i.target.state != TargetState::kToBeDecided) continue;
      ++undecided;
      EXPECT_FALSE(i.target.note.empty()) << IndicatorName(i);
      EXPECT_EQ(i.target.value, 0) << IndicatorName(i);
    }
  }
  EXPECT_GE(undecided, 8);
  EXPECT_EQ(Find(*fy2026_, 2, "consultations-family")->target.note,
            "令和8年目標については、今後、国と協議予定");
}

TEST_F(KpiFileTest, Fy2025ProgressReproducesThePlansRates) {
  struct Case {
    int program;
    std::string id;
    int64_t actual;
    int64_t permille;
    ProgressStatus status;
  };
  for (const Case& c : {
           Case{9, "consultations", 301, 1663, ProgressStatus::kAchieved},
           Case{9, "support-completions", 95, 1418, ProgressStatus::kAchieved},
           Case{17, "consultations", 2172, 776, ProgressStatus::kBehind},
           Case{17, "consultations-new", 170, 708, ProgressStatus::kBehind},
           Case{10, "applications-405", 20, 1053, ProgressStatus::kAchieved},
           Case{10, "applications-v-up", 4, 1000, ProgressStatus::kAchieved},
       }) {
    Progress p = Fy2025Progress(c.program, c.id);
    EXPECT_EQ(p.actual, c.actual) << c.program << "/" << c.id;
    EXPECT_TRUE(p.has_actual) << c.program << "/" << c.id;
    EXPECT_EQ(p.progress_permille, c.permille) << c.program << "/" << c.id;
    EXPECT_EQ(p.status, c.status) << c.program << "/" << c.id;
    EXPECT_EQ(p.total_days, 365);
    EXPECT_EQ(p.elapsed_days, 365);
  }
  // The dated actual is reported as of its date.
  EXPECT_EQ(Fy2025Progress(9, "consultations").actual_as_of,
            (CivilDate{2025, 12, 31}));
  EXPECT_EQ(Fy2025Progress(10, "applications-405").actual_as_of,
            (CivilDate{2026, 1, 31}));
  // A forecast-only indicator has no actual but a projection.
  Progress forecast = Fy2025Progress(15, "seminars");
  EXPECT_FALSE(forecast.has_actual);
  EXPECT_EQ(forecast.projected_year_end, 8);
  EXPECT_EQ(forecast.projection_basis, "forecast");
  EXPECT_EQ(forecast.status, ProgressStatus::kBehind);
}

TEST(ReadKpiFileTest, MalformedFileNamesPathAndLine) {
  testing::TempDir dir;
  const std::string path = dir.File("indicators.textproto");
  WriteFile(path,
            "fiscal_year: 2030\n"
            "indicators {\n"
            "  title: \"x\" unknown_field: 3\n"
            "}\n");
  auto read = ReadKpiFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path + ":3:"));
}

TEST(ReadKpiFileTest, InvalidContentNamesPathAndElement) {
  testing::TempDir dir;
  const std::string path = dir.File("indicators.textproto");
  WriteFile(path,
            "fiscal_year: 2030\n"
            "indicators {\n"
            "  name: \"fiscalYears/2030/programs/1/indicators/a\"\n"
            "  title: \"A\" unit: \"件\" measure: MEASURE_COUNT\n"
            "  kind: INDICATOR_KIND_ACTIVITY aggregation: AGGREGATION_SUM\n"
            "  target { state: TARGET_STATE_SET value: 5 }\n"
            "}\n"
            "indicators {\n"
            "  name: \"fiscalYears/2029/programs/1/indicators/b\"\n"
            "  title: \"B\" unit: \"件\" measure: MEASURE_COUNT\n"
            "  kind: INDICATOR_KIND_ACTIVITY aggregation: AGGREGATION_SUM\n"
            "  target { state: TARGET_STATE_SET value: 5 }\n"
            "}\n");
  auto read = ReadKpiFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(read.status().message()),
              HasSubstr("indicators[1].name"));

  const std::string bad_title = dir.File("title.textproto");
  WriteFile(bad_title,
            "fiscal_year: 2030\n"
            "indicators {\n"
            "  name: \"fiscalYears/2030/programs/1/indicators/a\"\n"
            "  unit: \"件\" measure: MEASURE_COUNT\n"
            "  kind: INDICATOR_KIND_ACTIVITY aggregation: AGGREGATION_SUM\n"
            "  target { state: TARGET_STATE_SET value: 5 }\n"
            "}\n");
  auto untitled = ReadKpiFile(bad_title);
  EXPECT_EQ(untitled.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(untitled.status().message()), HasSubstr(bad_title));
  EXPECT_THAT(std::string(untitled.status().message()),
              HasSubstr("indicators[0].title"));
}

TEST(ReadKpiFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto read = ReadKpiFile(dir.File("nope.textproto"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr("nope"));
}

}  // namespace
}  // namespace shien::kpi
