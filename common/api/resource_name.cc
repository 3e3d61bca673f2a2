#include "common/api/resource_name.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/fiscal/fiscal.h"
#include "common/status/errors.h"

namespace shien {

absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view name, absl::string_view pattern,
    absl::string_view field) {
  auto mismatch = [&]() {
    return FieldError(field, "INVALID_RESOURCE_NAME",
                      absl::StrCat("expected a name of the form \"", pattern,
                                   "\", got \"", name.substr(0, 200), "\""));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  if (parts.size() != want.size()) return mismatch();
  std::vector<std::string> values;
  for (size_t i = 0; i < parts.size(); ++i) {
    const absl::string_view w = want[i];
    if (!w.empty() && w.front() == '{' && w.back() == '}') {
      if (parts[i].empty()) return mismatch();
      values.emplace_back(parts[i]);
    } else if (parts[i] != w) {
      return mismatch();
    }
  }
  return values;
}

absl::StatusOr<int> ParseIdNumber(absl::string_view segment,
                                  absl::string_view field) {
  if (segment.empty() || segment.size() > 9 || segment[0] == '0') {
    return FieldError(field, "INVALID_RESOURCE_NAME",
                      absl::StrCat("\"", segment.substr(0, 40),
                                   "\" is not a positive number"));
  }
  int value = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') {
      return FieldError(field, "INVALID_RESOURCE_NAME",
                        absl::StrCat("\"", segment.substr(0, 40),
                                     "\" is not a positive number"));
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

absl::StatusOr<int> ParseFiscalYear(absl::string_view segment,
                                    absl::string_view field) {
  absl::StatusOr<int> year = ParseIdNumber(segment, field);
  if (!year.ok()) return year.status();
  if (*year < kMinFiscalYear || *year > kMaxFiscalYear) {
    return FieldError(field, "INVALID_RESOURCE_NAME",
                      absl::StrCat("fiscal year must be ", kMinFiscalYear,
                                   " to ", kMaxFiscalYear));
  }
  return *year;
}

absl::Status ValidateResourceId(absl::string_view id, absl::string_view field) {
  bool ok = !id.empty() && id.size() <= 63 && id[0] >= 'a' && id[0] <= 'z';
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) {
    return FieldError(field, "INVALID_RESOURCE_ID",
                      "must match [a-z][a-z0-9-]{0,62}");
  }
  return absl::OkStatus();
}

}  // namespace shien
