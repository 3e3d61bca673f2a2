#include "services/subsidy/data/scheme_loader.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace shien::subsidy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Fy2026File() {
  return testing::SourceDir() + "/data/fy2026/schemes.textproto";
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

class SchemeFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto read = ReadSchemeFile(Fy2026File());
    ASSERT_TRUE(read.ok()) << read.status();
    data_ = new YearSchemes(*std::move(read));
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(data_, nullptr); }

  static const Scheme* Find(const std::string& id) {
    for (const Scheme& s : data_->schemes) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  static YearSchemes* data_;
};

YearSchemes* SchemeFileTest::data_ = nullptr;

TEST_F(SchemeFileTest, HasTheFiveSchemesOfThePlan) {
  EXPECT_EQ(data_->fiscal_year, 2026);
  EXPECT_THAT(data_->source_note, HasSubstr("令和8年度 事業計画書"));
  std::vector<std::string> ids;
  for (const Scheme& s : data_->schemes) {
    ids.push_back(s.id);
    EXPECT_EQ(s.fiscal_year, 2026) << s.id;
  }
  EXPECT_THAT(ids,
              ElementsAre("overseas-business", "productivity", "foreign-filing",
                          "side-job-talent", "out-of-prefecture-talent"));
}

TEST_F(SchemeFileTest, Productivity) {
  const Scheme* s = Find("productivity");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->program_number, 11);
  EXPECT_EQ(s->title, "生産性向上・業態転換支援補助金");
  EXPECT_TRUE(s->terms_published);
  EXPECT_EQ(s->rate_numerator, 1);
  EXPECT_EQ(s->rate_denominator, 2);
  EXPECT_EQ(s->rounding_unit_yen, 1000);

  ASSERT_EQ(s->courses.size(), 2u);
  const Course& wage = s->courses[0];
  EXPECT_EQ(wage.id, "wage-increase");
  EXPECT_EQ(wage.title, "賃上げコース");
  EXPECT_EQ(wage.cap_yen, 2'000'000);
  EXPECT_EQ(wage.floor_yen, 500'000);
  EXPECT_EQ(wage.applicant_class, ApplicantClass::kSme);
  const Course& general = s->courses[1];
  EXPECT_EQ(general.id, "general");
  EXPECT_EQ(general.title, "一般コース");
  EXPECT_EQ(general.cap_yen, 1'000'000);
  EXPECT_EQ(general.floor_yen, 300'000);
  EXPECT_EQ(general.applicant_class, ApplicantClass::kSmallEnterprise);

  std::vector<std::string> categories;
  for (const ExpenseCategory& c : s->expense_categories) {
    categories.push_back(c.id);
  }
  EXPECT_THAT(categories, ElementsAre("publicity", "exhibition", "development",
                                      "rental", "machinery", "outsourcing"));
  ASSERT_NE(s->FindCategory("machinery"), nullptr);
  EXPECT_EQ(s->FindCategory("machinery")->title, "機械装置等費");

  ASSERT_EQ(s->rounds.size(), 2u);
  const Round& first = s->rounds[0];
  EXPECT_EQ(first.id, "1");
  EXPECT_EQ(first.title, "第1期");
  ASSERT_TRUE(first.call_start.has_value());
  ASSERT_TRUE(first.call_end.has_value());
  EXPECT_EQ(FormatDate(*first.call_start), "2026-01-13");
  EXPECT_EQ(FormatDate(*first.call_end), "2026-02-27");
  EXPECT_EQ(first.decision_text, "令和8年4月中旬");
  EXPECT_EQ(first.StateOn(CivilDate{2026, 2, 27}), SchemeState::kOpen);
  EXPECT_EQ(first.StateOn(CivilDate{2026, 4, 1}), SchemeState::kClosed);
  const Round& second = s->rounds[1];
  EXPECT_EQ(second.id, "2");
  EXPECT_EQ(second.title, "第2期");
  EXPECT_FALSE(second.call_start.has_value());
  EXPECT_FALSE(second.call_end.has_value());
  EXPECT_EQ(second.call_window_text, "令和8年5月中旬");
  EXPECT_EQ(second.StateOn(CivilDate{2026, 5, 15}), SchemeState::kForecast);
  // With round 2 undated the scheme stays forecast after round 1 closes.
  EXPECT_EQ(s->StateOn(CivilDate{2026, 4, 1}), SchemeState::kForecast);
  EXPECT_EQ(s->StateOn(CivilDate{2026, 2, 1}), SchemeState::kOpen);

  EXPECT_EQ(s->envelope_id, "productivity");
  EXPECT_EQ(s->envelope_yen, 300'000'000);
  EXPECT_FALSE(s->prior_start_allowed);
  EXPECT_EQ(s->location_rule, LocationRule::kHeadOffice);
  EXPECT_EQ(s->prefecture, "三重県");
  EXPECT_FALSE(s->excludes_deemed_large_enterprises);
  EXPECT_EQ(s->decision_count_indicator,
            "fiscalYears/2026/programs/11/indicators/grant-decisions");
  EXPECT_EQ(s->decision_amount_indicator,
            "fiscalYears/2026/programs/11/indicators/grant-decision-amount");
}

TEST_F(SchemeFileTest, OverseasBusiness) {
  const Scheme* s = Find("overseas-business");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->program_number, 6);
  EXPECT_TRUE(s->terms_published);
  EXPECT_EQ(s->rate_numerator, 1);
  EXPECT_EQ(s->rate_denominator, 2);
  EXPECT_EQ(s->rounding_unit_yen, 1000);
  EXPECT_TRUE(s->prior_start_allowed);
  EXPECT_EQ(s->envelope_id, "overseas-business");
  EXPECT_EQ(s->envelope_yen, 30'000'000);
  ASSERT_EQ(s->courses.size(), 1u);
  EXPECT_EQ(s->courses[0].id, "standard");
  EXPECT_EQ(s->courses[0].cap_yen, 1'000'000);
  EXPECT_EQ(s->courses[0].floor_yen, 0);
  EXPECT_EQ(s->courses[0].applicant_class, ApplicantClass::kSme);
  ASSERT_NE(s->FindCategory("airfare"), nullptr);
  EXPECT_EQ(s->FindCategory("airfare")->note, "往復航空券のみ");
  ASSERT_EQ(s->rounds.size(), 1u);
  EXPECT_FALSE(s->rounds[0].call_start.has_value());
  EXPECT_EQ(s->location_rule, LocationRule::kHeadOffice);
  EXPECT_FALSE(s->excludes_deemed_large_enterprises);
}

TEST_F(SchemeFileTest, ForeignFiling) {
  const Scheme* s = Find("foreign-filing");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->program_number, 14);
  EXPECT_TRUE(s->terms_published);
  EXPECT_TRUE(s->excludes_deemed_large_enterprises);
  EXPECT_EQ(s->location_rule, LocationRule::kAnyOffice);
  EXPECT_EQ(s->prefecture, "三重県");
  EXPECT_FALSE(s->prior_start_allowed);
  EXPECT_EQ(s->envelope_yen, 3'000'000);
  struct Expected {
    std::string id;
    int64_t cap_yen;
  };
  const std::vector<Expected> courses = {
      {"patent", 1'500'000},
      {"utility-design-trademark", 600'000},
      {"counter-squatting-trademark", 300'000},
  };
  ASSERT_EQ(s->courses.size(), courses.size());
  for (size_t i = 0; i < courses.size(); ++i) {
    EXPECT_EQ(s->courses[i].id, courses[i].id) << i;
    EXPECT_EQ(s->courses[i].cap_yen, courses[i].cap_yen) << courses[i].id;
    EXPECT_EQ(s->courses[i].floor_yen, 0) << courses[i].id;
    EXPECT_EQ(s->courses[i].applicant_class, ApplicantClass::kSme)
        << courses[i].id;
  }
  std::vector<std::string> categories;
  for (const ExpenseCategory& c : s->expense_categories) {
    categories.push_back(c.id);
  }
  EXPECT_THAT(categories,
              ElementsAre("filing-fees", "agent-fees", "translation"));
}

TEST_F(SchemeFileTest, ProgramFiveSchemesAreUnpublished) {
  for (const std::string id : {"side-job-talent", "out-of-prefecture-talent"}) {
    const Scheme* s = Find(id);
    ASSERT_NE(s, nullptr) << id;
    EXPECT_EQ(s->program_number, 5) << id;
    EXPECT_FALSE(s->terms_published) << id;
    EXPECT_FALSE(s->title.empty()) << id;
    EXPECT_THAT(s->courses, IsEmpty()) << id;
    EXPECT_THAT(s->rounds, IsEmpty()) << id;
    EXPECT_TRUE(s->envelope_id.empty()) << id;
    EXPECT_EQ(s->envelope_yen, 0) << id;
    EXPECT_EQ(s->rate_numerator, 0) << id;
    EXPECT_TRUE(s->decision_count_indicator.empty()) << id;
    EXPECT_EQ(s->StateOn(CivilDate{2026, 6, 1}), SchemeState::kForecast) << id;
  }
}

TEST(ReadSchemeFileTest, MalformedFileNamesPathAndLine) {
  testing::TempDir dir;
  const std::string path = dir.File("schemes.textproto");
  WriteFile(path,
            "fiscal_year: 2030\n"
            "schemes {\n"
            "  name: \"fiscalYears/2030/schemes/a\"\n"
            "  title: \"A\" no_such_field: 3\n"
            "}\n");
  auto read = ReadSchemeFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument)
      << read.status();
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path + ":4:"));
}

TEST(ReadSchemeFileTest, InvalidContentNamesPathAndElement) {
  const std::string published =
      "  program: \"fiscalYears/2030/programs/1\"\n"
      "  title: \"A\" terms_published: true\n"
      "  rounding_unit_yen: 1000\n"
      "  location_rule: LOCATION_RULE_HEAD_OFFICE prefecture: \"三重県\"\n"
      "  courses { id: \"c\" title: \"C\" cap_yen: 1000 "
      "applicant_class: APPLICANT_CLASS_SME }\n";
  struct Case {
    std::string name;
    std::string text;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"rate above 1",
       "fiscal_year: 2030\n"
       "schemes {\n  name: \"fiscalYears/2030/schemes/a\"\n" +
           published + "  rate { numerator: 3 denominator: 2 }\n}\n",
       "schemes[0].rate"},
      {"second scheme of another year",
       "fiscal_year: 2030\n"
       "schemes {\n  name: \"fiscalYears/2030/schemes/a\"\n" +
           published + "  rate { numerator: 1 denominator: 2 }\n}\n" +
           "schemes {\n  name: \"fiscalYears/2029/schemes/b\"\n" + published +
           "  rate { numerator: 1 denominator: 2 }\n}\n",
       "schemes[1].name"},
      {"bad name",
       "fiscal_year: 2030\n"
       "schemes {\n  name: \"schemes/a\"\n" +
           published + "  rate { numerator: 1 denominator: 2 }\n}\n",
       "schemes[0].name"},
      {"floor above cap",
       "fiscal_year: 2030\n"
       "schemes {\n  name: \"fiscalYears/2030/schemes/a\"\n" +
           published +
           "  rate { numerator: 1 denominator: 2 }\n"
           "  courses { id: \"d\" title: \"D\" cap_yen: 10 floor_yen: 11 "
           "applicant_class: APPLICANT_CLASS_SME }\n}\n",
       "schemes[0].courses[1]"},
  };
  for (const Case& c : cases) {
    testing::TempDir dir;
    const std::string path = dir.File("schemes.textproto");
    WriteFile(path, c.text);
    auto read = ReadSchemeFile(path);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << read.status();
    EXPECT_THAT(std::string(read.status().message()), HasSubstr(path))
        << c.name;
    EXPECT_EQ(ErrorField(read.status()), c.field)
        << c.name << ": " << read.status();
  }
}

// Two schemes under one name cannot both be stored (the store's key is
// year and id): the file is faulty and should be refused as such, naming
// the repeated element, as ValidateScheme does for courses and rounds.
TEST(ReadSchemeFileTest, RepeatedSchemeNameIsRefused) {
  const std::string scheme =
      "schemes {\n"
      "  name: \"fiscalYears/2030/schemes/a\"\n"
      "  program: \"fiscalYears/2030/programs/5\"\n"
      "  title: \"A\"\n"
      "}\n";
  testing::TempDir dir;
  const std::string path = dir.File("schemes.textproto");
  WriteFile(path, "fiscal_year: 2030\n" + scheme + scheme);
  auto read = ReadSchemeFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument)
      << read.status();
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path));
  EXPECT_EQ(ErrorField(read.status()), "schemes[1].name") << read.status();
}

TEST(ReadSchemeFileTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  auto read = ReadSchemeFile(dir.File("none.textproto"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound) << read.status();
}

}  // namespace
}  // namespace shien::subsidy
