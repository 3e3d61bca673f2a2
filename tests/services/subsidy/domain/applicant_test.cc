#include "services/subsidy/domain/applicant.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace shien::subsidy {
namespace {

// Replaces the check digit (the first one) by `digit`.
std::string WithCheckDigit(const std::string& number, char digit) {
  std::string out = number;
  out[0] = digit;
  return out;
}

const std::vector<std::string>& RealCorporateNumbers() {
  static const auto* numbers = new std::vector<std::string>{
      "7000012050002",  // 国税庁
      "4000012090001",
      "5010001008846",
  };
  return *numbers;
}

TEST(IsValidCorporateNumberTest, AcceptsRealNumbers) {
  for (const std::string& number : RealCorporateNumbers()) {
    EXPECT_TRUE(IsValidCorporateNumber(number)) << number;
  }
}

TEST(IsValidCorporateNumberTest, RejectsEveryOtherCheckDigit) {
  for (const std::string& number : RealCorporateNumbers()) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == number[0]) continue;
      const std::string changed = WithCheckDigit(number, digit);
      EXPECT_FALSE(IsValidCorporateNumber(changed)) << changed;
    }
  }
}

TEST(IsValidCorporateNumberTest, CheckDigitNineWhenSumIsAMultipleOfNine) {
  // Base digits summing (weighted) to 0 mod 9 give 9 - 0 = 9, never 0.
  EXPECT_TRUE(IsValidCorporateNumber("9000000000000"));
  EXPECT_FALSE(IsValidCorporateNumber("0000000000000"));
  // 9 at the rightmost position (weight 1): 9 mod 9 = 0 → check digit 9.
  EXPECT_TRUE(IsValidCorporateNumber("9000000000009"));
  // 1 at the leftmost base position (n = 12, weight 2): 9 - 2 = 7.
  EXPECT_TRUE(IsValidCorporateNumber("7100000000000"));
  // The same digit at n = 11 (weight 1): 9 - 1 = 8.
  EXPECT_TRUE(IsValidCorporateNumber("8010000000000"));
  EXPECT_FALSE(IsValidCorporateNumber("7010000000000"));
}

TEST(IsValidCorporateNumberTest, RejectsMalformedNumbers) {
  struct Case {
    std::string name;
    std::string number;
  };
  const std::vector<Case> cases = {
      {"empty", ""},
      {"12 digits", "700001205000"},
      {"12 digits without check digit", "000012050002"},
      {"14 digits", "70000120500020"},
      {"14 digits with leading zero", "07000012050002"},
      {"letter in base", "700001205000A"},
      {"letter as check digit", "A000012050002"},
      {"full-width digit", "７000012050002"},
      {"space", "7000012 50002"},
      {"hyphen", "7-000012050002"},
      {"sign", "+000012050002"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidCorporateNumber(c.number)) << c.name;
  }
}

Applicant Company(Industry industry, int64_t capital_yen, int64_t employees) {
  Applicant a;
  a.corporate_number = "7000012050002";
  a.name = "株式会社テスト";
  a.head_office_prefecture = "三重県";
  a.industry = industry;
  a.capital_yen = capital_yen;
  a.employees = employees;
  return a;
}

struct Limit {
  std::string industry_name;
  Industry industry;
  int64_t capital_yen;
  int64_t employees;
  int64_t small_employees;
};

const std::vector<Limit>& Limits() {
  static const auto* limits = new std::vector<Limit>{
      {"manufacturing and others", Industry::kManufacturingAndOthers,
       300'000'000, 300, 20},
      {"wholesale", Industry::kWholesale, 100'000'000, 100, 5},
      {"services", Industry::kServices, 50'000'000, 100, 5},
      {"retail", Industry::kRetail, 50'000'000, 50, 5},
  };
  return *limits;
}

TEST(IsSmeTest, CapitalAndEmployeeLimitsPerIndustry) {
  struct Case {
    std::string name;
    int64_t capital_yen;
    int64_t employees;
    bool sme;
  };
  for (const Limit& l : Limits()) {
    const std::vector<Case> cases = {
        // Capital decides while employees are above their limit.
        {"capital at the limit", l.capital_yen, l.employees + 1, true},
        {"capital one yen above", l.capital_yen + 1, l.employees + 1, false},
        {"capital below", l.capital_yen - 1, l.employees + 1, true},
        {"no capital", 0, l.employees + 1, true},
        // Employees decide while capital is above its limit.
        {"employees at the limit", l.capital_yen + 1, l.employees, true},
        {"employees one above", l.capital_yen + 1, l.employees + 1, false},
        {"no employees", l.capital_yen + 1, 0, true},
        // Either suffices; both within is an SME too.
        {"both within", l.capital_yen, l.employees, true},
        {"both far above", l.capital_yen * 10, l.employees * 10, false},
    };
    for (const Case& c : cases) {
      EXPECT_EQ(IsSme(Company(l.industry, c.capital_yen, c.employees)), c.sme)
          << l.industry_name << ": " << c.name << " (capital " << c.capital_yen
          << ", employees " << c.employees << ")";
    }
  }
}

TEST(IsSmeTest, IndustriesDifferAtTheSameFigures) {
  // 60M yen and 120 employees: an SME in manufacturing (by both), in
  // wholesale by capital, not in services or retail.
  EXPECT_TRUE(
      IsSme(Company(Industry::kManufacturingAndOthers, 60'000'000, 120)));
  EXPECT_TRUE(IsSme(Company(Industry::kWholesale, 60'000'000, 120)));
  EXPECT_FALSE(IsSme(Company(Industry::kServices, 60'000'000, 120)));
  EXPECT_FALSE(IsSme(Company(Industry::kRetail, 60'000'000, 120)));
  // 200M yen and 80 employees: services by employees, retail not.
  EXPECT_TRUE(IsSme(Company(Industry::kServices, 200'000'000, 80)));
  EXPECT_FALSE(IsSme(Company(Industry::kRetail, 200'000'000, 80)));
}

TEST(IsSmallEnterpriseTest, EmployeeLimitPerIndustry) {
  for (const Limit& l : Limits()) {
    EXPECT_TRUE(IsSmallEnterprise(Company(l.industry, 0, l.small_employees)))
        << l.industry_name << " at " << l.small_employees;
    EXPECT_FALSE(
        IsSmallEnterprise(Company(l.industry, 0, l.small_employees + 1)))
        << l.industry_name << " at " << l.small_employees + 1;
    EXPECT_TRUE(IsSmallEnterprise(Company(l.industry, 0, 0)))
        << l.industry_name << " at 0";
    // Capital plays no part.
    EXPECT_TRUE(IsSmallEnterprise(
        Company(l.industry, 10'000'000'000, l.small_employees)))
        << l.industry_name << " with large capital";
  }
}

TEST(ValidateApplicantTest, AcceptsAValidApplicant) {
  Applicant a = Company(Industry::kRetail, 10'000'000, 3);
  a.office_prefectures = {"愛知県", "三重県"};
  EXPECT_TRUE(ValidateApplicant(a).ok()) << ValidateApplicant(a);
  a.capital_yen = 0;
  a.employees = 0;
  EXPECT_TRUE(ValidateApplicant(a).ok()) << ValidateApplicant(a);
}

TEST(ValidateApplicantTest, NamesTheFieldAtFault) {
  struct Case {
    std::string name;
    void (*change)(Applicant&);
    std::string field;
  };
  const std::vector<Case> cases = {
      {"bad check digit",
       [](Applicant& a) { a.corporate_number = "8000012050002"; },
       "applicant.corporate_number"},
      {"no corporate number", [](Applicant& a) { a.corporate_number = ""; },
       "applicant.corporate_number"},
      {"12-digit corporate number",
       [](Applicant& a) { a.corporate_number = "700001205000"; },
       "applicant.corporate_number"},
      {"no name", [](Applicant& a) { a.name = ""; }, "applicant.name"},
      {"name too long", [](Applicant& a) { a.name = std::string(401, 'x'); },
       "applicant.name"},
      {"no head office", [](Applicant& a) { a.head_office_prefecture = ""; },
       "applicant.head_office_prefecture"},
      {"head office too long",
       [](Applicant& a) { a.head_office_prefecture = std::string(41, 'x'); },
       "applicant.head_office_prefecture"},
      {"too many offices",
       [](Applicant& a) {
         a.office_prefectures = std::vector<std::string>(48, "三重県");
       },
       "applicant.office_prefectures"},
      {"empty office",
       [](Applicant& a) {
         a.office_prefectures = {"三重県", ""};
       },
       "applicant.office_prefectures"},
      {"office too long",
       [](Applicant& a) { a.office_prefectures = {std::string(41, 'x')}; },
       "applicant.office_prefectures"},
      {"unspecified industry",
       [](Applicant& a) { a.industry = Industry::kUnspecified; },
       "applicant.industry"},
      {"unknown industry",
       [](Applicant& a) { a.industry = static_cast<Industry>(5); },
       "applicant.industry"},
      {"negative capital", [](Applicant& a) { a.capital_yen = -1; },
       "applicant.capital_yen"},
      {"negative employees", [](Applicant& a) { a.employees = -1; },
       "applicant.employees"},
  };
  for (const Case& c : cases) {
    Applicant a = Company(Industry::kServices, 10'000'000, 10);
    c.change(a);
    absl::Status status = ValidateApplicant(a);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << status;
    EXPECT_EQ(ErrorField(status), c.field) << c.name << ": " << status;
  }
}

TEST(ValidateApplicantTest, AcceptsBoundaryLengths) {
  Applicant a = Company(Industry::kServices, 10'000'000, 10);
  a.name = std::string(400, 'x');
  a.head_office_prefecture = std::string(40, 'x');
  a.office_prefectures = std::vector<std::string>(47, std::string(40, 'x'));
  EXPECT_TRUE(ValidateApplicant(a).ok()) << ValidateApplicant(a);
}

}  // namespace
}  // namespace shien::subsidy
