#include "services/budget/api/program_filter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "shien/budget/v1/program.pb.h"

namespace shien::budget {
namespace {

absl::Status Bad(absl::string_view why) {
  return FieldError("filter", "INVALID_FILTER", why);
}

// Splits on " AND " outside quotes.
absl::StatusOr<std::vector<std::string>> Terms(absl::string_view filter) {
  std::vector<std::string> terms;
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < filter.size(); ++i) {
    char c = filter[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && filter.substr(i, 5) == " AND ") {
      terms.push_back(current);
      current.clear();
      i += 4;
      continue;
    }
    current.push_back(c);
  }
  if (quoted) return Bad("unterminated string");
  terms.push_back(current);
  return terms;
}

}  // namespace

bool ProgramFilter::Matches(const Program& p) const {
  if (area && p.area != *area) return false;
  if (continuity && p.continuity != *continuity) return false;
  if (funding_source &&
      std::find(p.funding_sources.begin(), p.funding_sources.end(),
                *funding_source) == p.funding_sources.end()) {
    return false;
  }
  if (department && std::find(p.departments.begin(), p.departments.end(),
                              *department) == p.departments.end()) {
    return false;
  }
  return true;
}

absl::StatusOr<ProgramFilter> ParseProgramFilter(absl::string_view filter) {
  ProgramFilter out;
  if (absl::StripAsciiWhitespace(filter).empty()) return out;
  if (filter.size() > 1000) return Bad("is longer than 1000 characters");
  absl::StatusOr<std::vector<std::string>> terms = Terms(filter);
  if (!terms.ok()) return terms.status();
  for (const std::string& term : *terms) {
    size_t eq = term.find('=');
    if (eq == std::string::npos) {
      return Bad(
          absl::StrCat("\"", term, "\" is not of the form field = value"));
    }
    std::string field(absl::StripAsciiWhitespace(term.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(term.substr(eq + 1)));
    if (field == "area") {
      v1::Area a;
      if (!v1::Area_Parse(value, &a) || a == v1::AREA_UNSPECIFIED) {
        return Bad(absl::StrCat("unknown area \"", value, "\""));
      }
      out.area = static_cast<Area>(a);
    } else if (field == "funding_source") {
      v1::FundingSource f;
      if (!v1::FundingSource_Parse(value, &f) ||
          f == v1::FUNDING_SOURCE_UNSPECIFIED) {
        return Bad(absl::StrCat("unknown funding_source \"", value, "\""));
      }
      out.funding_source = static_cast<FundingSource>(f);
    } else if (field == "continuity") {
      v1::Continuity c;
      if (!v1::Continuity_Parse(value, &c) || c == v1::CONTINUITY_UNSPECIFIED) {
        return Bad(absl::StrCat("unknown continuity \"", value, "\""));
      }
      out.continuity = static_cast<Continuity>(c);
    } else if (field == "department") {
      if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
        return Bad("department must be a double-quoted string");
      }
      out.department = value.substr(1, value.size() - 2);
    } else {
      return Bad(absl::StrCat("unknown field \"", field,
                              "\"; use area, funding_source, department or "
                              "continuity"));
    }
  }
  return out;
}

}  // namespace shien::budget
