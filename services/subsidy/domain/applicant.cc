#include "services/subsidy/domain/applicant.h"

#include "common/status/errors.h"

namespace shien::subsidy {
namespace {

struct Limits {
  int64_t capital_yen;
  int64_t employees;
  int64_t small_employees;
};

Limits LimitsOf(Industry industry) {
  switch (industry) {
    case Industry::kWholesale:
      return {100'000'000, 100, 5};
    case Industry::kServices:
      return {50'000'000, 100, 5};
    case Industry::kRetail:
      return {50'000'000, 50, 5};
    default:
      return {300'000'000, 300, 20};
  }
}

}  // namespace

bool IsValidCorporateNumber(const std::string& number) {
  if (number.size() != 13) return false;
  for (char c : number) {
    if (c < '0' || c > '9') return false;
  }
  int sum = 0;
  for (int n = 1; n <= 12; ++n) {
    int digit = number[13 - n] - '0';  // n-th from the right of the base
    sum += digit * (n % 2 == 1 ? 1 : 2);
  }
  return number[0] - '0' == 9 - sum % 9;
}

bool IsSme(const Applicant& a) {
  Limits l = LimitsOf(a.industry);
  return a.capital_yen <= l.capital_yen || a.employees <= l.employees;
}

bool IsSmallEnterprise(const Applicant& a) {
  return a.employees <= LimitsOf(a.industry).small_employees;
}

absl::Status ValidateApplicant(const Applicant& a) {
  if (!IsValidCorporateNumber(a.corporate_number)) {
    return FieldError("applicant.corporate_number", "INVALID_CORPORATE_NUMBER",
                      "must be 13 digits with a valid check digit");
  }
  if (a.name.empty() || a.name.size() > 400) {
    return FieldError("applicant.name", "INVALID_NAME",
                      "must be 1 to 400 bytes");
  }
  if (a.head_office_prefecture.empty() ||
      a.head_office_prefecture.size() > 40) {
    return FieldError("applicant.head_office_prefecture", "REQUIRED_FIELD",
                      "must name a prefecture");
  }
  if (a.office_prefectures.size() > 47) {
    return FieldError("applicant.office_prefectures", "TOO_MANY_ENTRIES",
                      "at most 47");
  }
  for (const std::string& p : a.office_prefectures) {
    if (p.empty() || p.size() > 40) {
      return FieldError("applicant.office_prefectures", "INVALID_PREFECTURE",
                        "entries must name a prefecture");
    }
  }
  int industry = static_cast<int>(a.industry);
  if (industry < 1 || industry > 4) {
    return FieldError("applicant.industry", "INVALID_ENUM_VALUE",
                      "must be a known industry");
  }
  if (a.capital_yen < 0) {
    return FieldError("applicant.capital_yen", "NEGATIVE_VALUE",
                      "must not be negative");
  }
  if (a.employees < 0 || a.employees > 10'000'000) {
    return FieldError("applicant.employees", "OUT_OF_RANGE",
                      "must be 0 or more");
  }
  return absl::OkStatus();
}

}  // namespace shien::subsidy
