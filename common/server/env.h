#ifndef SHIEN_COMMON_SERVER_ENV_H_
#define SHIEN_COMMON_SERVER_ENV_H_

#include <string>

namespace shien {

// The environment variable `name`, or `fallback` when unset or empty.
// Used for flag defaults, so a flag given on the command line wins over the
// environment, which wins over the built-in default.
std::string EnvOr(const char* name, const std::string& fallback);

// Same for integers; `fallback` when the variable is not a decimal integer.
int EnvOr(const char* name, int fallback);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_ENV_H_
