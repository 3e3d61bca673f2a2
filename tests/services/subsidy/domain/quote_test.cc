#include "services/subsidy/domain/quote.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/subsidy/data/scheme_loader.h"
#include "tests/testing/temp_dir.h"

namespace shien::subsidy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

// A small manufacturer with its head office in Mie: an SME and a small
// enterprise.
Applicant SmallMieManufacturer() {
  Applicant a;
  a.corporate_number = "7000012050002";
  a.name = "株式会社三重製作所";
  a.head_office_prefecture = "三重県";
  a.industry = Industry::kManufacturingAndOthers;
  a.capital_yen = 10'000'000;
  a.employees = 10;
  return a;
}

// An SME that is not a small enterprise.
Applicant MidsizeMieManufacturer() {
  Applicant a = SmallMieManufacturer();
  a.capital_yen = 100'000'000;
  a.employees = 150;
  return a;
}

Expense Cost(const std::string& category, int64_t amount_yen,
             std::optional<CivilDate> incurred = std::nullopt) {
  return Expense{category, "", amount_yen, incurred};
}

std::vector<std::string> Reasons(const Quote& q) {
  std::vector<std::string> out;
  for (const Ineligibility& r : q.reasons) out.push_back(r.reason);
  return out;
}

const Ineligibility* FindReason(const Quote& q, const std::string& reason) {
  for (const Ineligibility& r : q.reasons) {
    if (r.reason == reason) return &r;
  }
  return nullptr;
}

class QuoteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto read =
        ReadSchemeFile(testing::SourceDir() + "/data/fy2026/schemes.textproto");
    ASSERT_TRUE(read.ok()) << read.status();
    data_ = new YearSchemes(*std::move(read));
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(data_, nullptr); }

  static const Scheme& GetScheme(const std::string& id) {
    for (const Scheme& s : data_->schemes) {
      if (s.id == id) return s;
    }
    ADD_FAILURE() << "no scheme " << id;
    static const Scheme* none = new Scheme();
    return *none;
  }

  static const Course& GetCourse(const std::string& scheme,
                                 const std::string& course) {
    const Course* c = GetScheme(scheme).FindCourse(course);
    if (c == nullptr) {
      ADD_FAILURE() << "no course " << course << " in " << scheme;
      static const Course* none = new Course();
      return *none;
    }
    return *c;
  }

  static Quote QuoteFor(const std::string& scheme, const std::string& course,
                        const Applicant& applicant,
                        const std::vector<Expense>& expenses,
                        std::optional<CivilDate> start = std::nullopt) {
    return ComputeQuote(GetScheme(scheme), GetCourse(scheme, course), applicant,
                        expenses, start);
  }

  static YearSchemes* data_;
};

YearSchemes* QuoteTest::data_ = nullptr;

struct AmountCase {
  std::string name;
  std::string scheme;
  std::string course;
  std::string category;
  int64_t expenses_yen;
  int64_t exact_yen;      // × rate, rounded down to the yen
  int64_t truncated_yen;  // to the 1,000-yen unit
  int64_t capped_yen;
  bool eligible;
};

TEST_F(QuoteTest, CapsAndFloorsOfThePlan) {
  const std::vector<AmountCase> cases = {
      // Program 11 賃上げコース: cap 2,000千円, floor 500千円.
      {"wage-increase at the cap", "productivity", "wage-increase", "machinery",
       4'000'000, 2'000'000, 2'000'000, 2'000'000, true},
      {"wage-increase above the cap", "productivity", "wage-increase",
       "machinery", 4'002'000, 2'001'000, 2'001'000, 2'000'000, true},
      {"wage-increase far above the cap", "productivity", "wage-increase",
       "machinery", 50'000'000, 25'000'000, 25'000'000, 2'000'000, true},
      {"wage-increase below the cap", "productivity", "wage-increase",
       "machinery", 3'998'000, 1'999'000, 1'999'000, 1'999'000, true},
      {"wage-increase at the floor", "productivity", "wage-increase",
       "publicity", 1'000'000, 500'000, 500'000, 500'000, true},
      {"wage-increase truncated onto the floor", "productivity",
       "wage-increase", "publicity", 1'001'999, 500'999, 500'000, 500'000,
       true},
      {"wage-increase truncated below the floor", "productivity",
       "wage-increase", "publicity", 999'998, 499'999, 499'000, 499'000, false},
      // Program 11 一般コース: cap 1,000千円, floor 300千円.
      {"general below the floor", "productivity", "general", "exhibition",
       599'999, 299'999, 299'000, 299'000, false},
      {"general at the floor", "productivity", "general", "exhibition", 600'000,
       300'000, 300'000, 300'000, true},
      {"general at the cap", "productivity", "general", "development",
       2'000'000, 1'000'000, 1'000'000, 1'000'000, true},
      {"general above the cap", "productivity", "general", "development",
       2'002'000, 1'001'000, 1'001'000, 1'000'000, true},
      {"general just below the cap", "productivity", "general", "rental",
       1'999'999, 999'999, 999'000, 999'000, true},
      // Program 6: cap 1,000千円, no floor.
      {"overseas at the cap", "overseas-business", "standard", "airfare",
       2'000'000, 1'000'000, 1'000'000, 1'000'000, true},
      {"overseas truncated onto the cap", "overseas-business", "standard",
       "airfare", 2'001'999, 1'000'999, 1'000'000, 1'000'000, true},
      {"overseas above the cap", "overseas-business", "standard",
       "overseas-expansion", 2'002'000, 1'001'000, 1'001'000, 1'000'000, true},
      {"overseas truncated below the cap", "overseas-business", "standard",
       "airfare", 1'999'999, 999'999, 999'000, 999'000, true},
      {"overseas smallest amount", "overseas-business", "standard", "airfare",
       2'000, 1'000, 1'000, 1'000, true},
      {"overseas truncated to nothing", "overseas-business", "standard",
       "airfare", 1'999, 999, 0, 0, false},
      // Program 14: caps 1,500 / 600 / 300千円, no floor.
      {"patent at the cap", "foreign-filing", "patent", "filing-fees",
       3'000'000, 1'500'000, 1'500'000, 1'500'000, true},
      {"patent above the cap", "foreign-filing", "patent", "agent-fees",
       3'002'000, 1'501'000, 1'501'000, 1'500'000, true},
      {"patent below the cap", "foreign-filing", "patent", "translation",
       2'998'000, 1'499'000, 1'499'000, 1'499'000, true},
      {"patent truncated below the cap", "foreign-filing", "patent",
       "translation", 2'999'999, 1'499'999, 1'499'000, 1'499'000, true},
      {"utility/design/trademark at the cap", "foreign-filing",
       "utility-design-trademark", "filing-fees", 1'200'000, 600'000, 600'000,
       600'000, true},
      {"utility/design/trademark above the cap", "foreign-filing",
       "utility-design-trademark", "filing-fees", 1'202'000, 601'000, 601'000,
       600'000, true},
      {"utility/design/trademark below the cap", "foreign-filing",
       "utility-design-trademark", "agent-fees", 1'198'000, 599'000, 599'000,
       599'000, true},
      {"counter-squatting at the cap", "foreign-filing",
       "counter-squatting-trademark", "filing-fees", 600'000, 300'000, 300'000,
       300'000, true},
      {"counter-squatting above the cap", "foreign-filing",
       "counter-squatting-trademark", "filing-fees", 602'000, 301'000, 301'000,
       300'000, true},
      {"counter-squatting below the cap", "foreign-filing",
       "counter-squatting-trademark", "translation", 598'000, 299'000, 299'000,
       299'000, true},
  };
  for (const AmountCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Course& course = GetCourse(c.scheme, c.course);
    Quote q = QuoteFor(c.scheme, c.course, SmallMieManufacturer(),
                       {Cost(c.category, c.expenses_yen)});
    EXPECT_EQ(q.eligible, c.eligible);
    EXPECT_EQ(q.amount_yen, c.eligible ? c.capped_yen : 0);
    EXPECT_EQ(q.eligible_expenses_yen, c.expenses_yen);
    EXPECT_TRUE(q.sme);
    EXPECT_TRUE(q.small_enterprise);
    if (c.eligible) {
      EXPECT_THAT(q.reasons, IsEmpty());
    } else {
      EXPECT_THAT(Reasons(q), ElementsAre("BELOW_FLOOR"));
      const Ineligibility* floor = FindReason(q, "BELOW_FLOOR");
      ASSERT_NE(floor, nullptr);
      EXPECT_EQ(floor->field, "expenses");
    }
    ASSERT_EQ(q.steps.size(), 5u);
    EXPECT_EQ(q.steps[0].amount_yen, c.expenses_yen);
    EXPECT_EQ(q.steps[1].amount_yen, c.exact_yen);
    EXPECT_EQ(q.steps[1].numerator, c.expenses_yen);  // × 1
    EXPECT_EQ(q.steps[1].denominator, 2);
    EXPECT_EQ(q.steps[2].amount_yen, c.truncated_yen);
    EXPECT_EQ(q.steps[3].amount_yen, c.capped_yen);
    EXPECT_EQ(q.steps[4].amount_yen, c.capped_yen);
    EXPECT_THAT(q.steps[3].label, HasSubstr(std::to_string(course.cap_yen)));
    EXPECT_THAT(q.steps[4].label, HasSubstr(std::to_string(course.floor_yen)));
  }
}

TEST_F(QuoteTest, StepsAreLabelledInOrder) {
  Quote q = QuoteFor("productivity", "wage-increase", SmallMieManufacturer(),
                     {Cost("machinery", 1'500'001), Cost("outsourcing", 2)});
  ASSERT_EQ(q.steps.size(), 5u);
  EXPECT_THAT(q.steps[0].label, StartsWith("eligible expenses"));
  EXPECT_THAT(q.steps[1].label, StartsWith("× rate"));
  EXPECT_THAT(q.steps[1].label, HasSubstr("1/2"));
  EXPECT_THAT(q.steps[2].label, StartsWith("truncated"));
  EXPECT_THAT(q.steps[2].label, HasSubstr("1000"));
  EXPECT_THAT(q.steps[3].label, StartsWith("capped"));
  EXPECT_THAT(q.steps[4].label, StartsWith("floor"));
  // 1,500,003 × 1/2 = 750,001.5 → 750,001 → 750,000.
  EXPECT_EQ(q.steps[0].amount_yen, 1'500'003);
  EXPECT_EQ(q.steps[1].amount_yen, 750'001);
  EXPECT_EQ(q.steps[1].numerator, 1'500'003);
  EXPECT_EQ(q.steps[1].denominator, 2);
  EXPECT_EQ(q.steps[2].amount_yen, 750'000);
  EXPECT_EQ(q.steps[3].amount_yen, 750'000);
  EXPECT_EQ(q.steps[4].amount_yen, 750'000);
  EXPECT_EQ(q.steps[0].numerator, 0);  // only the rate step has a fraction
  EXPECT_EQ(q.steps[2].denominator, 0);
  EXPECT_TRUE(q.eligible);
  EXPECT_EQ(q.amount_yen, 750'000);
}

TEST_F(QuoteTest, GeneralCourseIsForSmallEnterprisesOnly) {
  struct Case {
    std::string name;
    Industry industry;
    int64_t employees;
    bool small;
  };
  const std::vector<Case> cases = {
      {"manufacturing 20", Industry::kManufacturingAndOthers, 20, true},
      {"manufacturing 21", Industry::kManufacturingAndOthers, 21, false},
      {"wholesale 5", Industry::kWholesale, 5, true},
      {"wholesale 6", Industry::kWholesale, 6, false},
      {"services 5", Industry::kServices, 5, true},
      {"services 6", Industry::kServices, 6, false},
      {"retail 5", Industry::kRetail, 5, true},
      {"retail 6", Industry::kRetail, 6, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Applicant a = SmallMieManufacturer();
    a.industry = c.industry;
    a.capital_yen = 10'000'000;
    a.employees = c.employees;
    Quote general =
        QuoteFor("productivity", "general", a, {Cost("machinery", 1'000'000)});
    EXPECT_EQ(general.small_enterprise, c.small);
    EXPECT_TRUE(general.sme);
    EXPECT_EQ(general.eligible, c.small);
    EXPECT_EQ(general.amount_yen, c.small ? 500'000 : 0);
    if (c.small) {
      EXPECT_THAT(general.reasons, IsEmpty());
    } else {
      EXPECT_THAT(Reasons(general), ElementsAre("NOT_A_SMALL_ENTERPRISE"));
      EXPECT_EQ(general.reasons[0].field, "applicant.employees");
    }
    // 賃上げコース takes any SME.
    Quote wage = QuoteFor("productivity", "wage-increase", a,
                          {Cost("machinery", 1'000'000)});
    EXPECT_TRUE(wage.eligible) << ::testing::PrintToString(Reasons(wage));
    EXPECT_EQ(wage.amount_yen, 500'000);
  }
}

TEST_F(QuoteTest, DeemedLargeEnterprisesAreExcludedOnlyWhereTheSchemeSaysSo) {
  Applicant a = MidsizeMieManufacturer();
  a.deemed_large_enterprise = true;
  struct Case {
    std::string name;
    std::string scheme;
    std::string course;
    std::string category;
    bool excluded;
  };
  const std::vector<Case> cases = {
      {"foreign-filing patent", "foreign-filing", "patent", "filing-fees",
       true},
      {"foreign-filing trademark", "foreign-filing", "utility-design-trademark",
       "translation", true},
      {"foreign-filing counter-squatting", "foreign-filing",
       "counter-squatting-trademark", "agent-fees", true},
      {"productivity wage-increase", "productivity", "wage-increase",
       "machinery", false},
      {"overseas-business", "overseas-business", "standard", "airfare", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // 600,000 × 1/2 = 300,000: within every cap, at no floor below it
    // except productivity's 500,000, so 1,000,000 there.
    const int64_t expenses = c.scheme == "productivity" ? 1'000'000 : 600'000;
    Quote q = QuoteFor(c.scheme, c.course, a, {Cost(c.category, expenses)});
    EXPECT_EQ(q.eligible, !c.excluded) << ::testing::PrintToString(Reasons(q));
    if (c.excluded) {
      EXPECT_THAT(Reasons(q), ElementsAre("DEEMED_LARGE_ENTERPRISE"));
      EXPECT_EQ(q.reasons[0].field, "applicant.deemed_large_enterprise");
      EXPECT_EQ(q.amount_yen, 0);
      EXPECT_EQ(q.steps.back().amount_yen, 300'000);
    } else {
      EXPECT_THAT(q.reasons, IsEmpty());
      EXPECT_EQ(q.amount_yen, expenses / 2);
    }
  }
}

TEST_F(QuoteTest, LocationRules) {
  struct Case {
    std::string name;
    std::string scheme;
    std::string course;
    std::string category;
    std::string head_office;
    std::vector<std::string> offices;
    bool located;
    std::string field;  // of NOT_IN_PREFECTURE
  };
  const std::vector<Case> cases = {
      {"productivity head office in Mie",
       "productivity",
       "wage-increase",
       "machinery",
       "三重県",
       {},
       true,
       ""},
      {"productivity office only in Mie",
       "productivity",
       "wage-increase",
       "machinery",
       "愛知県",
       {"三重県"},
       false,
       "applicant.head_office_prefecture"},
      {"productivity nothing in Mie",
       "productivity",
       "wage-increase",
       "machinery",
       "愛知県",
       {"岐阜県"},
       false,
       "applicant.head_office_prefecture"},
      {"overseas office only in Mie",
       "overseas-business",
       "standard",
       "airfare",
       "愛知県",
       {"三重県"},
       false,
       "applicant.head_office_prefecture"},
      {"foreign-filing head office in Mie",
       "foreign-filing",
       "patent",
       "filing-fees",
       "三重県",
       {},
       true,
       ""},
      {"foreign-filing office in Mie",
       "foreign-filing",
       "patent",
       "filing-fees",
       "愛知県",
       {"岐阜県", "三重県"},
       true,
       ""},
      {"foreign-filing nothing in Mie",
       "foreign-filing",
       "patent",
       "filing-fees",
       "愛知県",
       {"岐阜県", "滋賀県"},
       false,
       "applicant.office_prefectures"},
      {"foreign-filing prefecture spelled differently",
       "foreign-filing",
       "patent",
       "filing-fees",
       "愛知県",
       {"三重"},
       false,
       "applicant.office_prefectures"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Applicant a = SmallMieManufacturer();
    a.head_office_prefecture = c.head_office;
    a.office_prefectures = c.offices;
    Quote q = QuoteFor(c.scheme, c.course, a, {Cost(c.category, 1'200'000)});
    EXPECT_EQ(q.eligible, c.located);
    if (c.located) {
      EXPECT_THAT(q.reasons, IsEmpty());
      EXPECT_EQ(q.amount_yen, 600'000);
    } else {
      EXPECT_THAT(Reasons(q), ElementsAre("NOT_IN_PREFECTURE"));
      EXPECT_EQ(q.reasons[0].field, c.field);
      EXPECT_THAT(q.reasons[0].description, HasSubstr("三重県"));
      EXPECT_EQ(q.amount_yen, 0);
    }
  }
}

TEST_F(QuoteTest, ExpenseOutsideTheCategoriesIsLeftOutButTheRestCounts) {
  Quote q = QuoteFor("productivity", "wage-increase", SmallMieManufacturer(),
                     {Cost("machinery", 800'000), Cost("airfare", 5'000'000),
                      Cost("outsourcing", 400'000), Cost("", 1'000)});
  EXPECT_TRUE(q.eligible) << ::testing::PrintToString(Reasons(q));
  EXPECT_EQ(q.eligible_expenses_yen, 1'200'000);
  EXPECT_EQ(q.amount_yen, 600'000);
  EXPECT_THAT(Reasons(q),
              ElementsAre("CATEGORY_NOT_ELIGIBLE", "CATEGORY_NOT_ELIGIBLE"));
  EXPECT_EQ(q.reasons[0].field, "expenses[1]");
  EXPECT_THAT(q.reasons[0].description, HasSubstr("airfare"));
  EXPECT_EQ(q.reasons[1].field, "expenses[3]");

  // Left out, the rest can fall below the floor.
  Quote below =
      QuoteFor("productivity", "wage-increase", SmallMieManufacturer(),
               {Cost("machinery", 900'000), Cost("airfare", 5'000'000)});
  EXPECT_FALSE(below.eligible);
  EXPECT_EQ(below.eligible_expenses_yen, 900'000);
  EXPECT_THAT(Reasons(below),
              ElementsAre("CATEGORY_NOT_ELIGIBLE", "BELOW_FLOOR"));
}

TEST_F(QuoteTest, ExpensesBeforeTheStartDateAreLeftOut) {
  const CivilDate start{2026, 5, 1};
  const std::vector<Expense> expenses = {
      Cost("airfare", 300'000, CivilDate{2026, 4, 30}),
      Cost("airfare", 400'000, CivilDate{2026, 5, 1}),
      Cost("overseas-expansion", 500'000, CivilDate{2026, 9, 30}),
      Cost("overseas-expansion", 700'000, CivilDate{2025, 12, 31}),
  };
  Quote q = QuoteFor("overseas-business", "standard", SmallMieManufacturer(),
                     expenses, start);
  EXPECT_TRUE(q.eligible);
  EXPECT_EQ(q.eligible_expenses_yen, 900'000);
  EXPECT_EQ(q.amount_yen, 450'000);
  EXPECT_THAT(Reasons(q),
              ElementsAre("BEFORE_START_DATE", "BEFORE_START_DATE"));
  EXPECT_EQ(q.reasons[0].field, "expenses[0]");
  EXPECT_THAT(q.reasons[0].description, HasSubstr("2026-04-30"));
  EXPECT_THAT(q.reasons[0].description, HasSubstr("2026-05-01"));
  EXPECT_EQ(q.reasons[1].field, "expenses[3]");

  // Without a start date every dated expense counts.
  Quote all = QuoteFor("overseas-business", "standard", SmallMieManufacturer(),
                       expenses);
  EXPECT_THAT(all.reasons, IsEmpty());
  EXPECT_EQ(all.eligible_expenses_yen, 1'900'000);
  EXPECT_EQ(all.amount_yen, 950'000);

  // An expense outside the categories is reported once, as such.
  Quote both = QuoteFor("overseas-business", "standard", SmallMieManufacturer(),
                        {Cost("machinery", 100'000, CivilDate{2026, 1, 1}),
                         Cost("airfare", 100'000, CivilDate{2026, 6, 1})},
                        start);
  EXPECT_THAT(Reasons(both), ElementsAre("CATEGORY_NOT_ELIGIBLE"));
  EXPECT_EQ(both.amount_yen, 50'000);
}

TEST_F(QuoteTest, NonSmeIsRefused) {
  Applicant a = SmallMieManufacturer();
  a.capital_yen = 300'000'001;
  a.employees = 301;
  Quote q = QuoteFor("productivity", "wage-increase", a,
                     {Cost("machinery", 4'000'000)});
  EXPECT_FALSE(q.sme);
  EXPECT_FALSE(q.small_enterprise);
  EXPECT_FALSE(q.eligible);
  EXPECT_EQ(q.amount_yen, 0);
  EXPECT_THAT(Reasons(q), ElementsAre("NOT_AN_SME"));
  // The arithmetic is still shown.
  ASSERT_EQ(q.steps.size(), 5u);
  EXPECT_EQ(q.steps[3].amount_yen, 2'000'000);

  // One condition within its limit is enough.
  a.employees = 300;
  Quote by_employees = QuoteFor("productivity", "wage-increase", a,
                                {Cost("machinery", 4'000'000)});
  EXPECT_TRUE(by_employees.sme);
  EXPECT_TRUE(by_employees.eligible);
  EXPECT_EQ(by_employees.amount_yen, 2'000'000);
}

TEST_F(QuoteTest, UnpublishedSchemeCannotBeQuoted) {
  const Scheme& scheme = GetScheme("side-job-talent");
  ASSERT_FALSE(scheme.terms_published);
  Course course;
  course.id = "standard";
  course.title = "一般";
  course.cap_yen = 1'000'000;
  course.floor_yen = 0;
  course.applicant_class = ApplicantClass::kSme;
  Quote q = ComputeQuote(scheme, course, SmallMieManufacturer(),
                         {Cost("fees", 1'000'000)});
  EXPECT_FALSE(q.eligible);
  EXPECT_EQ(q.amount_yen, 0);
  ASSERT_FALSE(q.reasons.empty());
  EXPECT_EQ(q.reasons[0].reason, "TERMS_NOT_PUBLISHED");
  EXPECT_EQ(q.reasons[0].field, "scheme");
}

TEST_F(QuoteTest, ListsEveryFailedConditionAtOnce) {
  Applicant a = SmallMieManufacturer();
  a.capital_yen = 300'000'001;
  a.employees = 301;
  a.head_office_prefecture = "愛知県";
  a.office_prefectures = {"岐阜県"};
  a.deemed_large_enterprise = true;

  Quote productivity =
      QuoteFor("productivity", "general", a,
               {Cost("machinery", 100'000), Cost("airfare", 100'000)});
  EXPECT_FALSE(productivity.eligible);
  EXPECT_THAT(Reasons(productivity),
              UnorderedElementsAreArray(std::vector<std::string>{
                  "NOT_AN_SME", "NOT_A_SMALL_ENTERPRISE", "NOT_IN_PREFECTURE",
                  "CATEGORY_NOT_ELIGIBLE", "BELOW_FLOOR"}));
  ASSERT_EQ(productivity.steps.size(), 5u);
  EXPECT_EQ(productivity.steps[0].amount_yen, 100'000);
  EXPECT_EQ(productivity.steps[4].amount_yen, 50'000);

  Quote filing = QuoteFor("foreign-filing", "patent", a,
                          {Cost("filing-fees", 1'000), Cost("rental", 1)});
  EXPECT_FALSE(filing.eligible);
  EXPECT_THAT(Reasons(filing),
              UnorderedElementsAreArray(std::vector<std::string>{
                  "NOT_AN_SME", "DEEMED_LARGE_ENTERPRISE", "NOT_IN_PREFECTURE",
                  "CATEGORY_NOT_ELIGIBLE", "BELOW_FLOOR"}));
}

TEST_F(QuoteTest, NoExpensesIsBelowTheFloor) {
  Quote q =
      QuoteFor("overseas-business", "standard", SmallMieManufacturer(), {});
  EXPECT_FALSE(q.eligible);
  EXPECT_EQ(q.eligible_expenses_yen, 0);
  EXPECT_THAT(Reasons(q), ElementsAre("BELOW_FLOOR"));
}

TEST_F(QuoteTest, LargestExpensesDoNotOverflow) {
  std::vector<Expense> expenses(kMaxExpenses,
                                Cost("machinery", kMaxExpenseYen));
  Quote q = QuoteFor("productivity", "wage-increase", SmallMieManufacturer(),
                     expenses);
  EXPECT_EQ(q.eligible_expenses_yen,
            static_cast<int64_t>(kMaxExpenses) * kMaxExpenseYen);
  EXPECT_EQ(q.steps[1].amount_yen,
            static_cast<int64_t>(kMaxExpenses) * kMaxExpenseYen / 2);
  EXPECT_TRUE(q.eligible);
  EXPECT_EQ(q.amount_yen, 2'000'000);
}

TEST(ValidateExpensesTest, AcceptsValidExpenses) {
  EXPECT_TRUE(ValidateExpenses({}, "expenses", false).ok());
  EXPECT_TRUE(ValidateExpenses({}, "actual_expenses", true).ok());
  std::vector<Expense> many(kMaxExpenses,
                            Cost("machinery", 1, CivilDate{2024, 2, 29}));
  many.back().amount_yen = kMaxExpenseYen;
  many.back().description = std::string(1000, 'x');
  EXPECT_TRUE(ValidateExpenses(many, "expenses", true).ok())
      << ValidateExpenses(many, "expenses", true);
  // Dates are optional in an application.
  EXPECT_TRUE(ValidateExpenses({Cost("machinery", 5)}, "expenses", false).ok());
}

TEST(ValidateExpensesTest, NamesTheFieldAtFault) {
  struct Case {
    std::string name;
    std::vector<Expense> expenses;
    std::string field_name;
    bool dates_required;
    std::string field;
    std::string reason;
  };
  const CivilDate day{2026, 6, 1};
  std::vector<Expense> too_many(kMaxExpenses + 1, Cost("machinery", 1, day));
  const std::vector<Case> cases = {
      {"zero amount",
       {Cost("machinery", 0)},
       "expenses",
       false,
       "expenses[0].amount_yen",
       "OUT_OF_RANGE"},
      {"negative amount",
       {Cost("machinery", 10), Cost("machinery", -1)},
       "expenses",
       false,
       "expenses[1].amount_yen",
       "OUT_OF_RANGE"},
      {"amount too big",
       {Cost("machinery", kMaxExpenseYen + 1)},
       "expenses",
       false,
       "expenses[0].amount_yen",
       "OUT_OF_RANGE"},
      {"no category",
       {Cost("", 10)},
       "expenses",
       false,
       "expenses[0].category",
       "REQUIRED_FIELD"},
      {"category too long",
       {Cost(std::string(64, 'a'), 10)},
       "expenses",
       false,
       "expenses[0].category",
       "REQUIRED_FIELD"},
      {"description too long",
       {Expense{"machinery", std::string(1001, 'x'), 10, std::nullopt}},
       "expenses",
       false,
       "expenses[0].description",
       "FIELD_TOO_LONG"},
      {"missing date in a report",
       {Cost("machinery", 10, day), Cost("machinery", 10)},
       "actual_expenses",
       true,
       "actual_expenses[1].incurred_date",
       "REQUIRED_FIELD"},
      {"30 February",
       {Cost("machinery", 10, CivilDate{2026, 2, 30})},
       "expenses",
       false,
       "expenses[0].incurred_date",
       "INVALID_DATE"},
      {"29 February of a common year",
       {Cost("machinery", 10, CivilDate{2026, 2, 29})},
       "actual_expenses",
       true,
       "actual_expenses[0].incurred_date",
       "INVALID_DATE"},
      {"month 13",
       {Cost("machinery", 10, CivilDate{2026, 13, 1})},
       "expenses",
       false,
       "expenses[0].incurred_date",
       "INVALID_DATE"},
      {"zero date",
       {Cost("machinery", 10, CivilDate{0, 0, 0})},
       "expenses",
       false,
       "expenses[0].incurred_date",
       "INVALID_DATE"},
      {"too many", too_many, "expenses", true, "expenses", "TOO_MANY_ENTRIES"},
  };
  for (const Case& c : cases) {
    absl::Status status =
        ValidateExpenses(c.expenses, c.field_name, c.dates_required);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << status;
    EXPECT_EQ(ErrorField(status), c.field) << c.name << ": " << status;
    EXPECT_EQ(ErrorReason(status), c.reason) << c.name << ": " << status;
  }
}

}  // namespace
}  // namespace shien::subsidy
