#ifndef SHIEN_COMMON_API_RESOURCE_NAME_H_
#define SHIEN_COMMON_API_RESOURCE_NAME_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shien {

// Matches `name` against an AIP-122 `pattern` such as
// "fiscalYears/{year}/programs/{number}" and returns the values of the
// variables in order. On mismatch returns INVALID_ARGUMENT naming `field`
// (reason INVALID_RESOURCE_NAME). Variable values are non-empty and contain
// no '/'.
absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern, absl::string_view field);

// Parses a positive decimal integer segment (no sign, no leading zero, at
// most 9 digits). INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int> ParseIdNumber(absl::string_view segment,
                                  absl::string_view field);

// Parses a fiscal-year segment: a year kMinFiscalYear..kMaxFiscalYear.
// INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int> ParseFiscalYear(absl::string_view segment,
                                    absl::string_view field);

// Resource ids of the form [a-z][a-z0-9-]{0,62}: INVALID_ARGUMENT naming
// `field` otherwise.
absl::Status ValidateResourceId(absl::string_view id, absl::string_view field);

}  // namespace shien

#endif  // SHIEN_COMMON_API_RESOURCE_NAME_H_
