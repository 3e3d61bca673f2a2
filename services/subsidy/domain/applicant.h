#ifndef SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICANT_H_
#define SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICANT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace shien::subsidy {

// Values match shien.subsidy.v1.Industry.
enum class Industry {
  kUnspecified = 0,
  kManufacturingAndOthers = 1,
  kWholesale = 2,
  kServices = 3,
  kRetail = 4,
};

struct Applicant {
  std::string corporate_number;
  std::string name;
  std::string head_office_prefecture;
  std::vector<std::string> office_prefectures;
  Industry industry = Industry::kUnspecified;
  int64_t capital_yen = 0;
  int64_t employees = 0;
  bool deemed_large_enterprise = false;
};

// True for a 13-digit 法人番号 whose first digit is the check digit:
// 9 - (Σ P_n × Q_n mod 9) over the 12 base digits, P_n the n-th digit from
// the right, Q_n 1 for odd n and 2 for even n.
bool IsValidCorporateNumber(const std::string& number);

// 中小企業者 under 中小企業基本法 art. 2: capital or employees within the
// industry's limit (either suffices).
bool IsSme(const Applicant& applicant);

// 小規模企業者: employees ≤ 20, or ≤ 5 in wholesale, retail and services.
bool IsSmallEnterprise(const Applicant& applicant);

// Checks the applicant's fields (INVALID_ARGUMENT naming
// "applicant.<field>"): a valid corporate number, a name, a head-office
// prefecture, an industry, capital and employees not negative, bounded
// strings and lists.
absl::Status ValidateApplicant(const Applicant& applicant);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICANT_H_
