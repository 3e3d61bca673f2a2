#ifndef SHIEN_SERVICES_SUBSIDY_DOMAIN_SCHEME_H_
#define SHIEN_SERVICES_SUBSIDY_DOMAIN_SCHEME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/fiscal/fiscal.h"

namespace shien::subsidy {

// Values match the shien.subsidy.v1 proto enums.
enum class ApplicantClass { kUnspecified = 0, kSme = 1, kSmallEnterprise = 2 };
enum class LocationRule { kUnspecified = 0, kHeadOffice = 1, kAnyOffice = 2 };
enum class SchemeState {
  kUnspecified = 0,
  kForecast = 1,
  kOpen = 2,
  kClosed = 3
};

struct Course {
  std::string id;
  std::string title;
  int64_t cap_yen = 0;
  int64_t floor_yen = 0;
  ApplicantClass applicant_class = ApplicantClass::kUnspecified;
};

struct ExpenseCategory {
  std::string id;
  std::string title;
  std::string note;
};

struct Round {
  std::string id;
  std::string title;
  std::optional<CivilDate> call_start;
  std::optional<CivilDate> call_end;
  std::string call_window_text;
  std::string decision_text;

  // Forecast until a window is fixed and begun, open inside it (both days
  // included), closed after it.
  SchemeState StateOn(const CivilDate& day) const;
};

// A subsidy scheme. Reference data: loaded from the plan, rounds' windows
// updated when announced.
struct Scheme {
  int fiscal_year = 0;
  std::string id;
  int program_number = 0;
  std::string title;
  bool terms_published = false;
  int64_t rate_numerator = 0;
  int64_t rate_denominator = 1;
  int64_t rounding_unit_yen = 1;
  std::vector<Course> courses;
  std::vector<ExpenseCategory> expense_categories;
  std::vector<Round> rounds;
  std::string envelope_id;
  int64_t envelope_yen = 0;
  bool prior_start_allowed = false;
  LocationRule location_rule = LocationRule::kUnspecified;
  std::string prefecture;
  bool excludes_deemed_large_enterprises = false;
  std::string note;
  std::string decision_count_indicator;
  std::string decision_amount_indicator;

  const Course* FindCourse(const std::string& id) const;
  const Round* FindRound(const std::string& id) const;
  const ExpenseCategory* FindCategory(const std::string& id) const;
  // Open if any round is open; else forecast if any is; else closed.
  SchemeState StateOn(const CivilDate& day) const;
};

// `fiscalYears/{year}/schemes/{id}`.
std::string SchemeName(int fiscal_year, const std::string& id);

// Checks a scheme's data (INVALID_ARGUMENT naming the field): ids, a
// published scheme's rate in (0, 1], rounding unit ≥ 1, courses with
// 0 ≤ floor ≤ cap, unique ids, windows with start ≤ end.
absl::Status ValidateScheme(const Scheme& scheme);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_DOMAIN_SCHEME_H_
