#ifndef SHIEN_SERVICES_BUDGET_DOMAIN_PROGRAM_H_
#define SHIEN_SERVICES_BUDGET_DOMAIN_PROGRAM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace shien::budget {

// The six areas (施策の柱); values match the proto enum.
enum class Area {
  kUnspecified = 0,
  kManagementFoundation = 1,
  kMarketExpansion = 2,
  kNewBusinessTechnology = 3,
  kHumanResources = 4,
  kInformation = 5,
  kCorporateAccounting = 6,
};
inline constexpr int kAreaCount = 6;

// 財源; values match the proto enum and the plan's order (国, 県, 市, 自).
enum class FundingSource {
  kUnspecified = 0,
  kNational = 1,
  kPrefecture = 2,
  kMunicipal = 3,
  kOwn = 4,
};

enum class Continuity { kUnspecified = 0, kContinuing = 1, kNew = 2 };

// Bounds on program fields.
inline constexpr int kMaxProgramNumber = 999;
inline constexpr int64_t kMaxBudgetYen = 1'000'000'000'000'000;  // 1e15
inline constexpr size_t kMaxTitleBytes = 400;
inline constexpr size_t kMaxTextBytes = 20'000;
inline constexpr size_t kMaxListEntries = 50;
inline constexpr size_t kMaxListEntryBytes = 4'000;

// A program (事業) of one fiscal year.
struct Program {
  int fiscal_year = 0;
  int number = 0;
  std::string title;
  Area area = Area::kUnspecified;
  std::vector<FundingSource> funding_sources;  // in plan order, no repeats
  int64_t budget_yen = 0;
  Continuity continuity = Continuity::kUnspecified;
  std::vector<std::string> departments;
  std::vector<std::string> related_agencies;
  std::string purpose;
  std::string overview;
  std::vector<std::string> activities;
  std::string shared_sheet;
  // Incremented by every change; the etag is derived from it.
  int64_t revision = 0;
  // Microseconds since the Unix epoch of the last change.
  int64_t update_time_micros = 0;
};

// The funding sources as the plan prints them: {県, 市} → "県・市".
std::string FundingLabel(const std::vector<FundingSource>& sources);

// The etag of a program's current state.
std::string ProgramEtag(const Program& program);

// Checks a program's fields: title non-empty and bounded, area and
// continuity set, at least one funding source in plan order without
// repeats, budget 0..kMaxBudgetYen, departments non-empty strings (at least
// one unless `allow_no_department`), bounded texts and lists.
// INVALID_ARGUMENT naming the field otherwise.
absl::Status ValidateProgram(const Program& program, bool allow_no_department);

// Program fields an update may change, as named in an update mask.
enum class ProgramField {
  kTitle,
  kArea,
  kFundingSources,
  kBudgetYen,
  kContinuity,
  kDepartments,
  kRelatedAgencies,
  kPurpose,
  kOverview,
  kActivities,
};

// Parses an update-mask path ("budget_yen", ...). INVALID_ARGUMENT on field
// "update_mask" for unknown or output-only paths.
absl::StatusOr<std::vector<ProgramField>> ParseProgramMask(
    const std::vector<std::string>& paths);

// Returns `current` with the `fields` taken from `patch`, validated.
// `expected_etag`, when non-empty, must equal the current etag (ABORTED
// otherwise, reason ETAG_MISMATCH).
absl::StatusOr<Program> ApplyProgramUpdate(
    const Program& current, const Program& patch,
    const std::vector<ProgramField>& fields, const std::string& expected_etag);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_DOMAIN_PROGRAM_H_
