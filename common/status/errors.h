#ifndef SHIEN_COMMON_STATUS_ERRORS_H_
#define SHIEN_COMMON_STATUS_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shien {

// Errors carry, besides code and message, a machine-readable reason
// (UPPER_SNAKE, becomes google.rpc.ErrorInfo.reason) and optionally the
// request field at fault (becomes a google.rpc.BadRequest field violation).
// They are stored as absl::Status payloads so domain code stays proto-free.

// Returns an error with `code`, `reason` and `message`.
absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message);

// Returns INVALID_ARGUMENT naming `field` (a dotted path such as
// "program.budget_yen") with `reason` and `message`.
absl::Status FieldError(absl::string_view field, absl::string_view reason,
                        absl::string_view message);

// Same as FieldError with another code (e.g. NOT_FOUND for a name field).
absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view reason, absl::string_view message);

// The reason attached to `status`, or "" when none.
std::string ErrorReason(const absl::Status& status);

// The field attached to `status`, or "" when none.
std::string ErrorField(const absl::Status& status);

// Returns `status` with its field prefixed by `prefix` + "." (e.g. turning
// "budget_yen" into "program.budget_yen"). OK passes through.
absl::Status PrefixField(absl::Status status, absl::string_view prefix);

// Returns `status` naming field `to` instead when it names `from`;
// otherwise unchanged.
absl::Status RenameField(absl::Status status, absl::string_view from,
                         absl::string_view to);

// Returns `status` with `context` + ": " before its message, keeping its
// code, reason and field. OK passes through.
absl::Status WithContext(absl::Status status, absl::string_view context);

}  // namespace shien

#endif  // SHIEN_COMMON_STATUS_ERRORS_H_
