#ifndef SHIEN_SERVICES_KPI_DOMAIN_INDICATOR_H_
#define SHIEN_SERVICES_KPI_DOMAIN_INDICATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace shien::kpi {

// Values match the shien.kpi.v1 proto enums.
enum class IndicatorKind { kUnspecified = 0, kActivity = 1, kOutcome = 2 };
enum class Aggregation { kUnspecified = 0, kSum = 1, kLatest = 2 };
enum class Measure { kUnspecified = 0, kCount = 1, kMoney = 2 };
enum class TargetState {
  kUnspecified = 0,
  kSet = 1,
  kToBeDecided = 2,
  kNone = 3
};

inline constexpr int64_t kMaxCount = 1'000'000'000;             // 1e9
inline constexpr int64_t kMaxMoneyYen = 1'000'000'000'000'000;  // 1e15
inline constexpr size_t kMaxTitleBytes = 400;
inline constexpr size_t kMaxUnitBytes = 40;
inline constexpr size_t kMaxNoteBytes = 4000;

struct Target {
  TargetState state = TargetState::kUnspecified;
  int64_t value = 0;  // kSet only
  std::string note;
};

struct MultiYearTarget {
  int first_fiscal_year = 0;
  int last_fiscal_year = 0;
  int64_t value = 0;
};

// A target indicator of one program in one fiscal year.
struct Indicator {
  int fiscal_year = 0;
  int program_number = 0;
  std::string id;
  std::string title;
  std::string unit;
  Measure measure = Measure::kUnspecified;
  IndicatorKind kind = IndicatorKind::kUnspecified;
  Aggregation aggregation = Aggregation::kUnspecified;
  Target target;
  std::optional<MultiYearTarget> multi_year_target;
  std::string parent_id;  // the whole, for a part of a breakdown
  bool parts_bounded_by_whole = false;
  int position = 0;
  std::string note;
  int64_t revision = 0;
  int64_t update_time_micros = 0;
};

// The largest value the measure allows.
int64_t MaxValue(Measure measure);

// `fiscalYears/{year}/programs/{number}/indicators/{id}`.
std::string IndicatorName(int fiscal_year, int program_number,
                          const std::string& id);
std::string IndicatorName(const Indicator& indicator);

// The etag of the indicator's current state.
std::string IndicatorEtag(const Indicator& indicator);

// Checks the indicator's own fields (INVALID_ARGUMENT naming the field):
// id, bounded title/unit/note, enums set, a SET target within the
// measure's range and an unset value otherwise, a multi-year target whose
// years include the indicator's, a part not also bounding parts.
absl::Status ValidateIndicator(const Indicator& indicator);

// Checks a fiscal year's set of indicators together: ids unique per
// program, every parent an indicator of the same program that is not itself
// a part, and — where the whole bounds its parts and all targets are set —
// the parts' targets adding up to no more than the whole's.
absl::Status ValidateIndicatorSet(const std::vector<Indicator>& indicators);

enum class IndicatorField {
  kTitle,
  kUnit,
  kKind,
  kAggregation,
  kTarget,
  kMultiYearTarget,
  kNote,
  kPosition,
};

// Parses update-mask paths; INVALID_ARGUMENT on "update_mask".
absl::StatusOr<std::vector<IndicatorField>> ParseIndicatorMask(
    const std::vector<std::string>& paths);

// `current` with `fields` from `patch`, validated; ABORTED (ETAG_MISMATCH)
// when `expected_etag` is set and stale.
absl::StatusOr<Indicator> ApplyIndicatorUpdate(
    const Indicator& current, const Indicator& patch,
    const std::vector<IndicatorField>& fields,
    const std::string& expected_etag);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_DOMAIN_INDICATOR_H_
