#include "common/status/errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace shien {
namespace {

constexpr absl::string_view kReasonUrl = "shien/reason";
constexpr absl::string_view kFieldUrl = "shien/field";

std::string Payload(const absl::Status& status, absl::string_view url) {
  auto value = status.GetPayload(url);
  return value.has_value() ? std::string(*value) : std::string();
}

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view reason,
                   absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

absl::Status FieldError(absl::string_view field, absl::string_view reason,
                        absl::string_view message) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, reason, message);
}

absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view reason, absl::string_view message) {
  absl::Status status = Error(code, reason, absl::StrCat(field, ": ", message));
  status.SetPayload(kFieldUrl, absl::Cord(field));
  return status;
}

std::string ErrorReason(const absl::Status& status) {
  return Payload(status, kReasonUrl);
}

std::string ErrorField(const absl::Status& status) {
  return Payload(status, kFieldUrl);
}

absl::Status PrefixField(absl::Status status, absl::string_view prefix) {
  if (status.ok()) return status;
  std::string field = ErrorField(status);
  if (field.empty()) return status;
  std::string prefixed = absl::StrCat(prefix, ".", field);
  absl::Status out(status.code(), absl::StrCat(prefix, ".", status.message()));
  out.SetPayload(kReasonUrl, absl::Cord(ErrorReason(status)));
  out.SetPayload(kFieldUrl, absl::Cord(prefixed));
  return out;
}

absl::Status RenameField(absl::Status status, absl::string_view from,
                         absl::string_view to) {
  if (status.ok() || ErrorField(status) != from) return status;
  status.SetPayload(kFieldUrl, absl::Cord(to));
  return status;
}

absl::Status WithContext(absl::Status status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status out(status.code(),
                   absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace shien
