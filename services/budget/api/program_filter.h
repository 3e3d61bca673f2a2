#ifndef SHIEN_SERVICES_BUDGET_API_PROGRAM_FILTER_H_
#define SHIEN_SERVICES_BUDGET_API_PROGRAM_FILTER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/budget/domain/program.h"

namespace shien::budget {

// A parsed ListPrograms filter: every set restriction must hold.
struct ProgramFilter {
  std::optional<Area> area;
  std::optional<FundingSource> funding_source;
  std::optional<std::string> department;
  std::optional<Continuity> continuity;

  bool Matches(const Program& program) const;
};

// Parses `field = value [AND field = value ...]` (AIP-160 subset) with
// fields area, funding_source, department, continuity; enum values by their
// proto names, department as a double-quoted string. INVALID_ARGUMENT on
// field "filter" otherwise.
absl::StatusOr<ProgramFilter> ParseProgramFilter(absl::string_view filter);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_PROGRAM_FILTER_H_
