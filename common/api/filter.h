#ifndef SHIEN_COMMON_API_FILTER_H_
#define SHIEN_COMMON_API_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shien {

// One restriction of a list filter: `field = value`.
struct FilterTerm {
  std::string field;
  std::string value;  // without the quotes when quoted
  bool quoted = false;
};

// Parses the AIP-160 subset the List methods take: restrictions
// `field = value` joined by ` AND `, values bare (enum names, numbers) or
// double-quoted strings (which may contain " AND " and "="). An empty
// filter has no terms. INVALID_ARGUMENT on field "filter" (reason
// INVALID_FILTER) for anything else or beyond 1,000 bytes.
absl::StatusOr<std::vector<FilterTerm>> ParseFilterTerms(
    absl::string_view filter);

// INVALID_ARGUMENT on field "filter" (reason INVALID_FILTER) saying `why`.
absl::Status InvalidFilter(absl::string_view why);

}  // namespace shien

#endif  // SHIEN_COMMON_API_FILTER_H_
