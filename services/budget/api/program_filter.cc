#include "services/budget/api/program_filter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/api/filter.h"
#include "shien/budget/v1/program.pb.h"

namespace shien::budget {

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
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilterTerms(filter);
  if (!terms.ok()) return terms.status();
  for (const FilterTerm& term : *terms) {
    const std::string& value = term.value;
    if (term.field == "area") {
      v1::Area a;
      if (!v1::Area_Parse(value, &a) || a == v1::AREA_UNSPECIFIED) {
        return InvalidFilter(absl::StrCat("unknown area \"", value, "\""));
      }
      out.area = static_cast<Area>(a);
    } else if (term.field == "funding_source") {
      v1::FundingSource f;
      if (!v1::FundingSource_Parse(value, &f) ||
          f == v1::FUNDING_SOURCE_UNSPECIFIED) {
        return InvalidFilter(
            absl::StrCat("unknown funding_source \"", value, "\""));
      }
      out.funding_source = static_cast<FundingSource>(f);
    } else if (term.field == "continuity") {
      v1::Continuity c;
      if (!v1::Continuity_Parse(value, &c) || c == v1::CONTINUITY_UNSPECIFIED) {
        return InvalidFilter(
            absl::StrCat("unknown continuity \"", value, "\""));
      }
      out.continuity = static_cast<Continuity>(c);
    } else if (term.field == "department") {
      if (!term.quoted) {
        return InvalidFilter("department must be a double-quoted string");
      }
      out.department = value;
    } else {
      return InvalidFilter(absl::StrCat(
          "unknown field \"", term.field,
          "\"; use area, funding_source, department or continuity"));
    }
  }
  return out;
}

}  // namespace shien::budget
