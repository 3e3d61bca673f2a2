#ifndef SHIEN_COMMON_SERVER_TODAY_FLAG_H_
#define SHIEN_COMMON_SERVER_TODAY_FLAG_H_

#include <functional>

#include "absl/status/statusor.h"
#include "common/fiscal/fiscal.h"

namespace shien {

// The date a server takes as today, from --today (env SHIEN_TODAY): unset,
// the date in Japan (TodayInJapan); "YYYY-MM-DD", that date, for rehearsing
// a fiscal year's calendar (rounds open, progress as of a date) outside it
// and for tests. INVALID_ARGUMENT when the flag is not a calendar date.
absl::StatusOr<std::function<CivilDate()>> TodayFromFlags();

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_TODAY_FLAG_H_
