#ifndef SHIEN_COMMON_SERVER_USAGE_H_
#define SHIEN_COMMON_SERVER_USAGE_H_

#include "absl/strings/string_view.h"

namespace shien {

// Sets the program's usage message and makes `--help` list every flag the
// program takes (the shared server, cache and security flags included),
// not only those of its main file. Call before absl::ParseCommandLine.
void SetUsage(absl::string_view message);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_USAGE_H_
