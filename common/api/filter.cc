#include "common/api/filter.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace shien {

absl::Status InvalidFilter(absl::string_view why) {
  return FieldError("filter", "INVALID_FILTER", why);
}

absl::StatusOr<std::vector<FilterTerm>> ParseFilterTerms(
    absl::string_view filter) {
  std::vector<FilterTerm> terms;
  if (absl::StripAsciiWhitespace(filter).empty()) return terms;
  if (filter.size() > 1000) return InvalidFilter("is longer than 1000 bytes");
  // Split on " AND " outside quotes.
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && filter.substr(i, 5) == " AND ") {
      parts.push_back(current);
      current.clear();
      i += 4;
      continue;
    }
    current.push_back(c);
  }
  if (quoted) return InvalidFilter("unterminated string");
  parts.push_back(current);
  for (const std::string& part : parts) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      return InvalidFilter(
          absl::StrCat("\"", part, "\" is not of the form field = value"));
    }
    FilterTerm term;
    term.field = std::string(absl::StripAsciiWhitespace(part.substr(0, eq)));
    term.value = std::string(absl::StripAsciiWhitespace(part.substr(eq + 1)));
    if (term.value.size() >= 2 && term.value.front() == '"' &&
        term.value.back() == '"') {
      term.value = term.value.substr(1, term.value.size() - 2);
      term.quoted = true;
    }
    if (term.field.empty() || (term.value.empty() && !term.quoted)) {
      return InvalidFilter(
          absl::StrCat("\"", part, "\" is not of the form field = value"));
    }
    terms.push_back(std::move(term));
  }
  return terms;
}

}  // namespace shien
