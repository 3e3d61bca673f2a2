#ifndef SHIEN_COMMON_API_REQUEST_ID_H_
#define SHIEN_COMMON_API_REQUEST_ID_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shien {

// The identity of a mutating request for AIP-155 idempotency: the client's
// request_id, the method, and a fingerprint of the request body without the
// request_id. An empty request_id means the request is not deduplicated.
struct RequestKey {
  std::string request_id;
  std::string method;
  std::string fingerprint;
};

// Checks a request_id: empty is allowed only when `required` is false;
// otherwise 1 to 128 printable ASCII characters (0x21-0x7e).
// INVALID_ARGUMENT naming `field` on failure.
absl::Status ValidateRequestId(absl::string_view request_id,
                               absl::string_view field, bool required);

}  // namespace shien

#endif  // SHIEN_COMMON_API_REQUEST_ID_H_
