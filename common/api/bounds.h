#ifndef SHIEN_COMMON_API_BOUNDS_H_
#define SHIEN_COMMON_API_BOUNDS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace shien {

// The bounds every request is held to, whatever its type: no string or
// bytes field longer than kMaxStringBytes, no repeated field with more than
// kMaxRepeatedItems entries, no nesting deeper than kMaxNestingDepth.
// Services check tighter bounds of their own where the domain has them.
inline constexpr size_t kMaxStringBytes = 16 * 1024;
inline constexpr int kMaxRepeatedItems = 10'000;
inline constexpr int kMaxNestingDepth = 16;

// INVALID_ARGUMENT naming the field path at fault (e.g.
// "expenditures[3].description", reason FIELD_TOO_LONG, TOO_MANY_ITEMS or
// NESTED_TOO_DEEP) when `message` exceeds a bound.
absl::Status CheckBounds(const google::protobuf::Message& message);

}  // namespace shien

#endif  // SHIEN_COMMON_API_BOUNDS_H_
