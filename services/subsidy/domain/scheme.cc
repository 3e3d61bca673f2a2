#include "services/subsidy/domain/scheme.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/errors.h"

namespace shien::subsidy {

SchemeState Round::StateOn(const CivilDate& day) const {
  if (!call_start.has_value() || !call_end.has_value()) {
    return SchemeState::kForecast;
  }
  if (day < *call_start) return SchemeState::kForecast;
  if (day > *call_end) return SchemeState::kClosed;
  return SchemeState::kOpen;
}

const Course* Scheme::FindCourse(const std::string& course_id) const {
  for (const Course& c : courses) {
    if (c.id == course_id) return &c;
  }
  return nullptr;
}

const Round* Scheme::FindRound(const std::string& round_id) const {
  for (const Round& r : rounds) {
    if (r.id == round_id) return &r;
  }
  return nullptr;
}

const ExpenseCategory* Scheme::FindCategory(const std::string& category) const {
  for (const ExpenseCategory& c : expense_categories) {
    if (c.id == category) return &c;
  }
  return nullptr;
}

SchemeState Scheme::StateOn(const CivilDate& day) const {
  bool forecast = rounds.empty() || !terms_published;
  for (const Round& r : rounds) {
    SchemeState s = r.StateOn(day);
    if (s == SchemeState::kOpen && terms_published) return SchemeState::kOpen;
    if (s == SchemeState::kForecast) forecast = true;
  }
  return forecast ? SchemeState::kForecast : SchemeState::kClosed;
}

std::string SchemeName(int fiscal_year, const std::string& id) {
  return absl::StrCat("fiscalYears/", fiscal_year, "/schemes/", id);
}

absl::Status ValidateScheme(const Scheme& s) {
  absl::Status status = ValidateResourceId(s.id, "name");
  if (!status.ok()) return status;
  if (s.title.empty()) {
    return FieldError("title", "REQUIRED_FIELD", "must not be empty");
  }
  if (!s.terms_published) return absl::OkStatus();
  if (s.rate_numerator <= 0 || s.rate_denominator <= 0 ||
      s.rate_numerator > s.rate_denominator) {
    return FieldError("rate", "OUT_OF_RANGE", "must be a fraction in (0, 1]");
  }
  if (s.rounding_unit_yen < 1) {
    return FieldError("rounding_unit_yen", "OUT_OF_RANGE", "must be 1 or more");
  }
  if (s.courses.empty()) {
    return FieldError("courses", "REQUIRED_FIELD",
                      "a published scheme has courses");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < s.courses.size(); ++i) {
    const Course& c = s.courses[i];
    std::string where = absl::StrCat("courses[", i, "]");
    if (!(status = ValidateResourceId(c.id, where + ".id")).ok()) return status;
    if (!ids.insert("course/" + c.id).second) {
      return FieldError(where + ".id", "DUPLICATE_ENTRY", "appears twice");
    }
    if (c.cap_yen <= 0 || c.floor_yen < 0 || c.floor_yen > c.cap_yen) {
      return FieldError(where, "OUT_OF_RANGE",
                        "needs 0 ≤ floor ≤ cap, cap > 0");
    }
    if (c.applicant_class == ApplicantClass::kUnspecified) {
      return FieldError(where + ".applicant_class", "REQUIRED_FIELD",
                        "must say who may apply");
    }
  }
  for (size_t i = 0; i < s.expense_categories.size(); ++i) {
    std::string where = absl::StrCat("expense_categories[", i, "].id");
    if (!(status = ValidateResourceId(s.expense_categories[i].id, where))
             .ok()) {
      return status;
    }
    if (!ids.insert("category/" + s.expense_categories[i].id).second) {
      return FieldError(where, "DUPLICATE_ENTRY", "appears twice");
    }
  }
  for (size_t i = 0; i < s.rounds.size(); ++i) {
    const Round& r = s.rounds[i];
    std::string where = absl::StrCat("rounds[", i, "]");
    if (r.id.empty() || !ids.insert("round/" + r.id).second) {
      return FieldError(where + ".id", "DUPLICATE_ENTRY", "empty or repeated");
    }
    if (r.call_start.has_value() != r.call_end.has_value() ||
        (r.call_start &&
         (!IsValidDate(*r.call_start) || !IsValidDate(*r.call_end) ||
          *r.call_end < *r.call_start))) {
      return FieldError(where, "INVALID_WINDOW",
                        "needs both dates, real, start ≤ end");
    }
  }
  if (s.location_rule == LocationRule::kUnspecified || s.prefecture.empty()) {
    return FieldError("location_rule", "REQUIRED_FIELD",
                      "a published scheme says where applicants must be");
  }
  return absl::OkStatus();
}

}  // namespace shien::subsidy
