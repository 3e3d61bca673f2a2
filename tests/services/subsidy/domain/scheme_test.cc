#include "services/subsidy/domain/scheme.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace shien::subsidy {
namespace {

std::string Name(SchemeState state) {
  switch (state) {
    case SchemeState::kForecast:
      return "FORECAST";
    case SchemeState::kOpen:
      return "OPEN";
    case SchemeState::kClosed:
      return "CLOSED";
    case SchemeState::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

Round Window(const std::string& id, std::optional<CivilDate> start,
             std::optional<CivilDate> end) {
  Round r;
  r.id = id;
  r.title = "第" + id + "期";
  r.call_start = start;
  r.call_end = end;
  return r;
}

TEST(RoundStateOnTest, ForecastOpenClosed) {
  const Round dated =
      Window("1", CivilDate{2026, 1, 13}, CivilDate{2026, 2, 27});
  const Round one_day =
      Window("2", CivilDate{2026, 5, 15}, CivilDate{2026, 5, 15});
  struct Case {
    std::string name;
    Round round;
    CivilDate day;
    SchemeState state;
  };
  const std::vector<Case> cases = {
      {"no dates", Window("2", std::nullopt, std::nullopt),
       CivilDate{2026, 5, 15}, SchemeState::kForecast},
      {"start only", Window("2", CivilDate{2026, 5, 15}, std::nullopt),
       CivilDate{2026, 6, 1}, SchemeState::kForecast},
      {"long before", dated, CivilDate{2025, 4, 1}, SchemeState::kForecast},
      {"the day before", dated, CivilDate{2026, 1, 12}, SchemeState::kForecast},
      {"the first day", dated, CivilDate{2026, 1, 13}, SchemeState::kOpen},
      {"inside", dated, CivilDate{2026, 2, 1}, SchemeState::kOpen},
      {"the last day", dated, CivilDate{2026, 2, 27}, SchemeState::kOpen},
      {"the day after", dated, CivilDate{2026, 2, 28}, SchemeState::kClosed},
      {"the next year", dated, CivilDate{2027, 1, 13}, SchemeState::kClosed},
      {"one-day window, before", one_day, CivilDate{2026, 5, 14},
       SchemeState::kForecast},
      {"one-day window, on it", one_day, CivilDate{2026, 5, 15},
       SchemeState::kOpen},
      {"one-day window, after", one_day, CivilDate{2026, 5, 16},
       SchemeState::kClosed},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Name(c.round.StateOn(c.day)), Name(c.state)) << c.name;
  }
}

Scheme Published() {
  Scheme s;
  s.fiscal_year = 2026;
  s.id = "productivity";
  s.program_number = 11;
  s.title = "生産性向上・業態転換支援補助金";
  s.terms_published = true;
  s.rate_numerator = 1;
  s.rate_denominator = 2;
  s.rounding_unit_yen = 1000;
  s.courses = {
      {"wage-increase", "賃上げコース", 2'000'000, 500'000,
       ApplicantClass::kSme},
      {"general", "一般コース", 1'000'000, 300'000,
       ApplicantClass::kSmallEnterprise},
  };
  s.expense_categories = {{"publicity", "広報費", ""},
                          {"machinery", "機械装置等費", ""}};
  s.rounds = {Window("1", CivilDate{2026, 1, 13}, CivilDate{2026, 2, 27}),
              Window("2", std::nullopt, std::nullopt)};
  s.location_rule = LocationRule::kHeadOffice;
  s.prefecture = "三重県";
  return s;
}

TEST(SchemeStateOnTest, CombinesTheRounds) {
  const Round first =
      Window("1", CivilDate{2026, 1, 13}, CivilDate{2026, 2, 27});
  const Round second =
      Window("2", CivilDate{2026, 5, 15}, CivilDate{2026, 6, 15});
  const Round undated = Window("3", std::nullopt, std::nullopt);
  struct Case {
    std::string name;
    std::vector<Round> rounds;
    bool published;
    CivilDate day;
    SchemeState state;
  };
  const std::vector<Case> cases = {
      {"first open, second forecast",
       {first, second},
       true,
       CivilDate{2026, 2, 1},
       SchemeState::kOpen},
      {"between the windows",
       {first, second},
       true,
       CivilDate{2026, 4, 1},
       SchemeState::kForecast},
      {"second open, first closed",
       {first, second},
       true,
       CivilDate{2026, 5, 15},
       SchemeState::kOpen},
      {"both closed",
       {first, second},
       true,
       CivilDate{2026, 6, 16},
       SchemeState::kClosed},
      {"closed and undated",
       {first, undated},
       true,
       CivilDate{2026, 6, 16},
       SchemeState::kForecast},
      {"open and undated",
       {first, undated},
       true,
       CivilDate{2026, 1, 13},
       SchemeState::kOpen},
      {"only undated",
       {undated},
       true,
       CivilDate{2026, 6, 16},
       SchemeState::kForecast},
      {"before everything",
       {first, second},
       true,
       CivilDate{2025, 12, 1},
       SchemeState::kForecast},
      {"no rounds, unpublished",
       {},
       false,
       CivilDate{2026, 6, 16},
       SchemeState::kForecast},
      {"unpublished with an open window",
       {first},
       false,
       CivilDate{2026, 2, 1},
       SchemeState::kForecast},
  };
  for (const Case& c : cases) {
    Scheme s = Published();
    s.terms_published = c.published;
    s.rounds = c.rounds;
    EXPECT_EQ(Name(s.StateOn(c.day)), Name(c.state)) << c.name;
  }
}

TEST(SchemeTest, FindsByIdAndNames) {
  const Scheme s = Published();
  ASSERT_NE(s.FindCourse("general"), nullptr);
  EXPECT_EQ(s.FindCourse("general")->cap_yen, 1'000'000);
  EXPECT_EQ(s.FindCourse("General"), nullptr);
  EXPECT_EQ(s.FindCourse(""), nullptr);
  ASSERT_NE(s.FindRound("2"), nullptr);
  EXPECT_FALSE(s.FindRound("2")->call_start.has_value());
  EXPECT_EQ(s.FindRound("3"), nullptr);
  ASSERT_NE(s.FindCategory("machinery"), nullptr);
  EXPECT_EQ(s.FindCategory("machinery")->title, "機械装置等費");
  EXPECT_EQ(s.FindCategory("airfare"), nullptr);
  EXPECT_EQ(SchemeName(2026, "productivity"),
            "fiscalYears/2026/schemes/productivity");
}

TEST(ValidateSchemeTest, AcceptsValidSchemes) {
  EXPECT_TRUE(ValidateScheme(Published()).ok()) << ValidateScheme(Published());
  Scheme whole = Published();
  whole.rate_numerator = 2;
  whole.rate_denominator = 2;  // rate 1 is allowed
  whole.rounding_unit_yen = 1;
  whole.courses[0].floor_yen = whole.courses[0].cap_yen;
  whole.rounds.clear();
  whole.expense_categories.clear();
  EXPECT_TRUE(ValidateScheme(whole).ok()) << ValidateScheme(whole);
  Scheme one_day = Published();
  one_day.rounds[1].call_start = CivilDate{2026, 5, 15};
  one_day.rounds[1].call_end = CivilDate{2026, 5, 15};
  EXPECT_TRUE(ValidateScheme(one_day).ok()) << ValidateScheme(one_day);

  // Unpublished: only id and title are needed.
  Scheme unpublished;
  unpublished.fiscal_year = 2026;
  unpublished.id = "side-job-talent";
  unpublished.title = "副業・兼業人材活用促進補助金";
  unpublished.rate_numerator = 0;
  unpublished.rounding_unit_yen = 0;
  EXPECT_TRUE(ValidateScheme(unpublished).ok()) << ValidateScheme(unpublished);
}

TEST(ValidateSchemeTest, NamesTheFieldAtFault) {
  struct Case {
    std::string name;
    void (*change)(Scheme&);
    std::string field;
  };
  const std::vector<Case> cases = {
      {"empty id", [](Scheme& s) { s.id = ""; }, "name"},
      {"upper-case id", [](Scheme& s) { s.id = "Productivity"; }, "name"},
      {"id starting with a digit", [](Scheme& s) { s.id = "1st"; }, "name"},
      {"no title", [](Scheme& s) { s.title = ""; }, "title"},
      {"zero rate", [](Scheme& s) { s.rate_numerator = 0; }, "rate"},
      {"negative rate", [](Scheme& s) { s.rate_numerator = -1; }, "rate"},
      {"rate above 1", [](Scheme& s) { s.rate_numerator = 3; }, "rate"},
      {"zero denominator", [](Scheme& s) { s.rate_denominator = 0; }, "rate"},
      {"zero rounding unit", [](Scheme& s) { s.rounding_unit_yen = 0; },
       "rounding_unit_yen"},
      {"no courses", [](Scheme& s) { s.courses.clear(); }, "courses"},
      {"bad course id", [](Scheme& s) { s.courses[1].id = "General Course"; },
       "courses[1].id"},
      {"repeated course id",
       [](Scheme& s) { s.courses[1].id = s.courses[0].id; }, "courses[1].id"},
      {"floor above cap",
       [](Scheme& s) { s.courses[0].floor_yen = s.courses[0].cap_yen + 1; },
       "courses[0]"},
      {"negative floor", [](Scheme& s) { s.courses[1].floor_yen = -1; },
       "courses[1]"},
      {"zero cap",
       [](Scheme& s) {
         s.courses[1].cap_yen = 0;
         s.courses[1].floor_yen = 0;
       },
       "courses[1]"},
      {"no applicant class",
       [](Scheme& s) {
         s.courses[0].applicant_class = ApplicantClass::kUnspecified;
       },
       "courses[0].applicant_class"},
      {"bad category id",
       [](Scheme& s) { s.expense_categories[1].id = "機械"; },
       "expense_categories[1].id"},
      {"repeated category id",
       [](Scheme& s) {
         s.expense_categories[1].id = s.expense_categories[0].id;
       },
       "expense_categories[1].id"},
      {"empty round id", [](Scheme& s) { s.rounds[0].id = ""; },
       "rounds[0].id"},
      {"repeated round id", [](Scheme& s) { s.rounds[1].id = "1"; },
       "rounds[1].id"},
      {"window end before start",
       [](Scheme& s) {
         s.rounds[0].call_start = CivilDate{2026, 2, 28};
         s.rounds[0].call_end = CivilDate{2026, 2, 27};
       },
       "rounds[0]"},
      {"window start only",
       [](Scheme& s) {
         s.rounds[1].call_start = CivilDate{2026, 5, 15};
       },
       "rounds[1]"},
      {"window end only",
       [](Scheme& s) {
         s.rounds[1].call_end = CivilDate{2026, 5, 31};
       },
       "rounds[1]"},
      {"window on 30 February",
       [](Scheme& s) {
         s.rounds[0].call_end = CivilDate{2026, 2, 30};
       },
       "rounds[0]"},
      {"no location rule",
       [](Scheme& s) { s.location_rule = LocationRule::kUnspecified; },
       "location_rule"},
      {"no prefecture", [](Scheme& s) { s.prefecture = ""; }, "location_rule"},
  };
  for (const Case& c : cases) {
    Scheme s = Published();
    c.change(s);
    absl::Status status = ValidateScheme(s);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << status;
    EXPECT_EQ(ErrorField(status), c.field) << c.name << ": " << status;
  }
}

TEST(ValidateSchemeTest, CourseCategoryAndRoundMayShareAnId) {
  Scheme s = Published();
  s.courses[0].id = "standard";
  s.expense_categories[0].id = "standard";
  s.rounds[0].id = "standard";
  EXPECT_TRUE(ValidateScheme(s).ok()) << ValidateScheme(s);
}

}  // namespace
}  // namespace shien::subsidy
