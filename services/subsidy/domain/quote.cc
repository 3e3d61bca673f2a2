#include "services/subsidy/domain/quote.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace shien::subsidy {

absl::Status ValidateExpenses(const std::vector<Expense>& expenses,
                              const std::string& field, bool dates_required) {
  if (expenses.size() > kMaxExpenses) {
    return FieldError(field, "TOO_MANY_ENTRIES",
                      absl::StrCat("at most ", kMaxExpenses));
  }
  for (size_t i = 0; i < expenses.size(); ++i) {
    const Expense& e = expenses[i];
    std::string where = absl::StrCat(field, "[", i, "]");
    if (e.amount_yen < 1 || e.amount_yen > kMaxExpenseYen) {
      return FieldError(where + ".amount_yen", "OUT_OF_RANGE",
                        absl::StrCat("must be 1 to ", kMaxExpenseYen, " yen"));
    }
    if (e.category.empty() || e.category.size() > 63) {
      return FieldError(where + ".category", "REQUIRED_FIELD",
                        "must name an expense category");
    }
    if (e.description.size() > 1000) {
      return FieldError(where + ".description", "FIELD_TOO_LONG",
                        "is longer than 1000 bytes");
    }
    if (e.incurred.has_value() && !IsValidDate(*e.incurred)) {
      return FieldError(where + ".incurred_date", "INVALID_DATE",
                        "is not a calendar date");
    }
    if (dates_required && !e.incurred.has_value()) {
      return FieldError(where + ".incurred_date", "REQUIRED_FIELD",
                        "a completion report dates every expense");
    }
  }
  return absl::OkStatus();
}

Quote ComputeQuote(const Scheme& scheme, const Course& course,
                   const Applicant& a, const std::vector<Expense>& expenses,
                   std::optional<CivilDate> start_date) {
  Quote q;
  auto fail = [&](std::string reason, std::string field, std::string text) {
    q.reasons.push_back({std::move(reason), std::move(field), std::move(text)});
  };
  q.sme = IsSme(a);
  q.small_enterprise = IsSmallEnterprise(a);
  if (!scheme.terms_published) {
    fail("TERMS_NOT_PUBLISHED", "scheme",
         "the scheme's terms are not published yet");
  }
  if (!q.sme) {
    fail("NOT_AN_SME", "applicant.capital_yen",
         "capital and employees are both above the SME limits of the "
         "industry (中小企業基本法 art. 2)");
  }
  if (course.applicant_class == ApplicantClass::kSmallEnterprise &&
      !q.small_enterprise) {
    fail("NOT_A_SMALL_ENTERPRISE", "applicant.employees",
         absl::StrCat(course.title, " is for 小規模企業者 only"));
  }
  if (scheme.excludes_deemed_large_enterprises && a.deemed_large_enterprise) {
    fail("DEEMED_LARGE_ENTERPRISE", "applicant.deemed_large_enterprise",
         "みなし大企業 are excluded from this scheme");
  }
  bool located = a.head_office_prefecture == scheme.prefecture;
  if (scheme.location_rule == LocationRule::kAnyOffice) {
    located =
        located ||
        std::find(a.office_prefectures.begin(), a.office_prefectures.end(),
                  scheme.prefecture) != a.office_prefectures.end();
  }
  if (!located) {
    fail("NOT_IN_PREFECTURE",
         scheme.location_rule == LocationRule::kAnyOffice
             ? "applicant.office_prefectures"
             : "applicant.head_office_prefecture",
         absl::StrCat(scheme.location_rule == LocationRule::kAnyOffice
                          ? "needs an office in "
                          : "needs the head office in ",
                      scheme.prefecture));
  }
  const size_t person_reasons = q.reasons.size();

  for (size_t i = 0; i < expenses.size(); ++i) {
    const Expense& e = expenses[i];
    std::string field = absl::StrCat("expenses[", i, "]");
    if (scheme.FindCategory(e.category) == nullptr) {
      fail("CATEGORY_NOT_ELIGIBLE", field,
           absl::StrCat("\"", e.category, "\" is not an eligible category"));
      continue;
    }
    if (start_date && e.incurred && *e.incurred < *start_date) {
      fail("BEFORE_START_DATE", field,
           absl::StrCat("incurred ", FormatDate(*e.incurred),
                        ", before the start date ", FormatDate(*start_date)));
      continue;
    }
    q.eligible_expenses_yen += e.amount_yen;
  }
  q.steps.push_back({"eligible expenses", q.eligible_expenses_yen, 0, 0});
  const __int128 product =
      static_cast<__int128>(q.eligible_expenses_yen) * scheme.rate_numerator;
  const int64_t exact_floor =
      scheme.rate_denominator > 0
          ? static_cast<int64_t>(product / scheme.rate_denominator)
          : 0;
  q.steps.push_back({absl::StrCat("× rate ", scheme.rate_numerator, "/",
                                  scheme.rate_denominator),
                     exact_floor, static_cast<int64_t>(product),
                     scheme.rate_denominator});
  const int64_t unit = std::max<int64_t>(1, scheme.rounding_unit_yen);
  const int64_t truncated = exact_floor / unit * unit;
  q.steps.push_back({absl::StrCat("truncated to a multiple of ", unit, " yen"),
                     truncated, 0, 0});
  const int64_t capped = std::min(truncated, course.cap_yen);
  q.steps.push_back(
      {absl::StrCat("capped at ", course.cap_yen, " yen"), capped, 0, 0});
  q.steps.push_back(
      {absl::StrCat("floor ", course.floor_yen, " yen"), capped, 0, 0});
  bool amount_ok = capped > 0 && capped >= course.floor_yen;
  if (!amount_ok) {
    fail("BELOW_FLOOR", "expenses",
         absl::StrCat("the subsidy would be ", capped, " yen, below the ",
                      course.title, " floor of ", course.floor_yen, " yen"));
  }
  // Left-out expenses do not make the application ineligible.
  bool person_ok = person_reasons == 0;
  q.eligible = person_ok && amount_ok;
  q.amount_yen = q.eligible ? capped : 0;
  return q;
}

}  // namespace shien::subsidy
