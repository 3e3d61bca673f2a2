#ifndef SHIEN_SERVICES_SUBSIDY_DOMAIN_QUOTE_H_
#define SHIEN_SERVICES_SUBSIDY_DOMAIN_QUOTE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fiscal/fiscal.h"
#include "services/subsidy/domain/applicant.h"
#include "services/subsidy/domain/scheme.h"

namespace shien::subsidy {

inline constexpr size_t kMaxExpenses = 200;
inline constexpr int64_t kMaxExpenseYen = 10'000'000'000;  // 1e10

struct Expense {
  std::string category;
  std::string description;
  int64_t amount_yen = 0;
  std::optional<CivilDate> incurred;
};

struct QuoteStep {
  std::string label;
  int64_t amount_yen = 0;
  int64_t numerator = 0;  // rate step only
  int64_t denominator = 0;
};

struct Ineligibility {
  std::string reason;
  std::string field;
  std::string description;
};

struct Quote {
  bool eligible = false;
  std::vector<Ineligibility> reasons;
  std::vector<QuoteStep> steps;
  int64_t amount_yen = 0;
  int64_t eligible_expenses_yen = 0;
  bool sme = false;
  bool small_enterprise = false;
};

// Checks expenses' own fields (INVALID_ARGUMENT naming
// "<field>[i].<name>"): at most kMaxExpenses, amounts 1..kMaxExpenseYen,
// a real incurred date when given (required when `dates_required`),
// bounded descriptions.
absl::Status ValidateExpenses(const std::vector<Expense>& expenses,
                              const std::string& field, bool dates_required);

// The subsidy for `applicant` on `course` of `scheme` with `expenses`.
// Expenses in categories the scheme does not list, or (with `start_date`)
// incurred before it, are left out with a reason. The applicant is checked
// against the course's class (SME / small enterprise), the scheme's location
// rule and its deemed-large-enterprise exclusion. Amount: eligible expenses
// × rate, truncated to the rounding unit, capped at the course cap; below
// the floor it is not eligible. Every failed condition is listed; the
// arithmetic steps are given even when not eligible.
Quote ComputeQuote(const Scheme& scheme, const Course& course,
                   const Applicant& applicant,
                   const std::vector<Expense>& expenses,
                   std::optional<CivilDate> start_date = std::nullopt);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_DOMAIN_QUOTE_H_
