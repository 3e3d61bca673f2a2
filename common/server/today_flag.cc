#include "common/server/today_flag.h"

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/server/env.h"

ABSL_FLAG(std::string, today, shien::EnvOr("SHIEN_TODAY", std::string()),
          "the date the service takes as today, YYYY-MM-DD (env "
          "SHIEN_TODAY); unset: today in Japan. For rehearsals and tests");

namespace shien {

absl::StatusOr<std::function<CivilDate()>> TodayFromFlags() {
  const std::string text = absl::GetFlag(FLAGS_today);
  if (text.empty()) return std::function<CivilDate()>(TodayInJapan);
  std::optional<CivilDate> date = ParseDate(text);
  if (!date) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--today (SHIEN_TODAY): \"", text, "\" is not a date YYYY-MM-DD"));
  }
  std::fprintf(stderr, "today is fixed at %s (--today)\n", text.c_str());
  return std::function<CivilDate()>([d = *date] { return d; });
}

}  // namespace shien
