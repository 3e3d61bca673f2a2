#include "common/api/request_id.h"

#include "absl/strings/string_view.h"
#include "common/status/errors.h"

namespace shien {

absl::Status ValidateRequestId(absl::string_view request_id,
                               absl::string_view field, bool required) {
  if (request_id.empty()) {
    if (!required) return absl::OkStatus();
    return FieldError(field, "REQUIRED_FIELD", "is required");
  }
  if (request_id.size() > 128) {
    return FieldError(field, "FIELD_TOO_LONG", "is longer than 128 characters");
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return FieldError(field, "INVALID_REQUEST_ID",
                        "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

}  // namespace shien
