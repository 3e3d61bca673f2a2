#ifndef SHIEN_COMMON_API_FINGERPRINT_H_
#define SHIEN_COMMON_API_FINGERPRINT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace shien {

// A stable 128-bit fingerprint of `data` as 32 lowercase hex digits: the same
// bytes give the same fingerprint in every process and on every machine.
// Not a cryptographic hash: used to compare request bodies and build etags.
std::string Fingerprint(absl::string_view data);

}  // namespace shien

#endif  // SHIEN_COMMON_API_FINGERPRINT_H_
