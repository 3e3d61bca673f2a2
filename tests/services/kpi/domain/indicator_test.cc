#include "services/kpi/domain/indicator.h"

#include <functional>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::kpi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Indicator Valid(const std::string& id = "consultations", int program = 9) {
  Indicator i;
  i.fiscal_year = 2026;
  i.program_number = program;
  i.id = id;
  i.title = "相談件数";
  i.unit = "件";
  i.measure = Measure::kCount;
  i.kind = IndicatorKind::kActivity;
  i.aggregation = Aggregation::kSum;
  i.target.state = TargetState::kSet;
  i.target.value = 100;
  i.position = 1;
  return i;
}

Indicator Part(const std::string& id, const std::string& parent, int64_t target,
               int program = 9) {
  Indicator i = Valid(id, program);
  i.parent_id = parent;
  i.target.value = target;
  return i;
}

struct RuleCase {
  std::string name;
  std::function<void(Indicator&)> change;
  std::string field;
  std::string reason;
};

class ValidateIndicatorRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidateIndicatorRuleTest, RejectsNamingTheField) {
  Indicator i = Valid();
  GetParam().change(i);
  absl::Status s = ValidateIndicator(i);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(ErrorField(s), GetParam().field) << s;
  EXPECT_EQ(ErrorReason(s), GetParam().reason) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(GetParam().field));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateIndicatorRuleTest,
    ::testing::Values(
        RuleCase{"EmptyId", [](Indicator& i) { i.id = ""; }, "indicator_id",
                 "INVALID_RESOURCE_ID"},
        RuleCase{"UpperCaseId", [](Indicator& i) { i.id = "Consultations"; },
                 "indicator_id", "INVALID_RESOURCE_ID"},
        RuleCase{"IdWithSlash", [](Indicator& i) { i.id = "a/b"; },
                 "indicator_id", "INVALID_RESOURCE_ID"},
        RuleCase{"EmptyTitle", [](Indicator& i) { i.title = ""; }, "title",
                 "REQUIRED_FIELD"},
        RuleCase{"LongTitle",
                 [](Indicator& i) { i.title = std::string(401, 'x'); }, "title",
                 "FIELD_TOO_LONG"},
        RuleCase{"EmptyUnit", [](Indicator& i) { i.unit = ""; }, "unit",
                 "REQUIRED_FIELD"},
        RuleCase{"LongUnit",
                 [](Indicator& i) { i.unit = std::string(41, 'x'); }, "unit",
                 "FIELD_TOO_LONG"},
        RuleCase{"LongNote",
                 [](Indicator& i) { i.note = std::string(4001, 'x'); }, "note",
                 "FIELD_TOO_LONG"},
        RuleCase{"LongTargetNote",
                 [](Indicator& i) { i.target.note = std::string(4001, 'x'); },
                 "target.note", "FIELD_TOO_LONG"},
        RuleCase{"MeasureUnset",
                 [](Indicator& i) { i.measure = Measure::kUnspecified; },
                 "measure", "INVALID_ENUM_VALUE"},
        RuleCase{"MeasureOutOfEnum",
                 [](Indicator& i) { i.measure = static_cast<Measure>(7); },
                 "measure", "INVALID_ENUM_VALUE"},
        RuleCase{"KindUnset",
                 [](Indicator& i) { i.kind = IndicatorKind::kUnspecified; },
                 "kind", "INVALID_ENUM_VALUE"},
        RuleCase{
            "AggregationUnset",
            [](Indicator& i) { i.aggregation = Aggregation::kUnspecified; },
            "aggregation", "INVALID_ENUM_VALUE"},
        RuleCase{"TargetStateUnset",
                 [](Indicator& i) {
                   i.target.state = TargetState::kUnspecified;
                   i.target.value = 0;
                 },
                 "target.state", "INVALID_ENUM_VALUE"},
        RuleCase{"NegativeTarget", [](Indicator& i) { i.target.value = -1; },
                 "target.value", "OUT_OF_RANGE"},
        RuleCase{"CountTargetAboveMax",
                 [](Indicator& i) { i.target.value = kMaxCount + 1; },
                 "target.value", "OUT_OF_RANGE"},
        RuleCase{"MoneyTargetAboveMax",
                 [](Indicator& i) {
                   i.measure = Measure::kMoney;
                   i.target.value = kMaxMoneyYen + 1;
                 },
                 "target.value", "OUT_OF_RANGE"},
        RuleCase{"ValueOfUndecidedTarget",
                 [](Indicator& i) {
                   i.target.state = TargetState::kToBeDecided;
                   i.target.value = 5;
                 },
                 "target.value", "UNEXPECTED_VALUE"},
        RuleCase{"ValueOfNoTarget",
                 [](Indicator& i) {
                   i.target.state = TargetState::kNone;
                   i.target.value = 5;
                 },
                 "target.value", "UNEXPECTED_VALUE"},
        RuleCase{"MultiYearStartsLater",
                 [](Indicator& i) {
                   i.multi_year_target = MultiYearTarget{2027, 2029, 10};
                 },
                 "multi_year_target", "INVALID_YEARS"},
        RuleCase{"MultiYearEndsEarlier",
                 [](Indicator& i) {
                   i.multi_year_target = MultiYearTarget{2023, 2025, 10};
                 },
                 "multi_year_target", "INVALID_YEARS"},
        RuleCase{"MultiYearTooLong",
                 [](Indicator& i) {
                   i.multi_year_target = MultiYearTarget{2020, 2031, 10};
                 },
                 "multi_year_target", "INVALID_YEARS"},
        RuleCase{"MultiYearNegative",
                 [](Indicator& i) {
                   i.multi_year_target = MultiYearTarget{2025, 2027, -1};
                 },
                 "multi_year_target.value", "OUT_OF_RANGE"},
        RuleCase{
            "MultiYearAboveMax",
            [](Indicator& i) {
              i.multi_year_target = MultiYearTarget{2025, 2027, kMaxCount + 1};
            },
            "multi_year_target.value", "OUT_OF_RANGE"},
        RuleCase{"PartBoundingParts",
                 [](Indicator& i) {
                   i.parent_id = "whole";
                   i.parts_bounded_by_whole = true;
                 },
                 "parts_bounded_by_whole", "NESTED_BREAKDOWN"},
        RuleCase{"NegativePosition", [](Indicator& i) { i.position = -1; },
                 "position", "OUT_OF_RANGE"},
        RuleCase{"PositionAbove1000", [](Indicator& i) { i.position = 1001; },
                 "position", "OUT_OF_RANGE"}),
    [](const ::testing::TestParamInfo<RuleCase>& info) {
      return info.param.name;
    });

TEST(ValidateIndicatorTest, AcceptsValidIndicatorsAtTheLimits) {
  EXPECT_TRUE(ValidateIndicator(Valid()).ok());
  Indicator i = Valid();
  i.title = std::string(400, 'x');
  i.unit = std::string(40, 'x');
  i.note = std::string(4000, 'x');
  i.target.note = std::string(4000, 'x');
  i.target.value = kMaxCount;
  i.position = 1000;
  i.multi_year_target = MultiYearTarget{2017, 2026, kMaxCount};
  EXPECT_TRUE(ValidateIndicator(i).ok()) << ValidateIndicator(i);

  Indicator money = Valid();
  money.measure = Measure::kMoney;
  money.target.value = kMaxMoneyYen;
  EXPECT_TRUE(ValidateIndicator(money).ok()) << ValidateIndicator(money);

  Indicator zero = Valid();
  zero.target.value = 0;
  zero.position = 0;
  EXPECT_TRUE(ValidateIndicator(zero).ok());

  for (TargetState state : {TargetState::kToBeDecided, TargetState::kNone}) {
    Indicator unset = Valid();
    unset.target.state = state;
    unset.target.value = 0;
    unset.target.note = "未定";
    EXPECT_TRUE(ValidateIndicator(unset).ok()) << ValidateIndicator(unset);
  }

  Indicator part = Part("advance", "consultations", 10);
  EXPECT_TRUE(ValidateIndicator(part).ok());
  Indicator latest = Valid();
  latest.aggregation = Aggregation::kLatest;
  latest.kind = IndicatorKind::kOutcome;
  EXPECT_TRUE(ValidateIndicator(latest).ok());
}

TEST(ValidateIndicatorSetTest, AcceptsABoundedBreakdown) {
  Indicator whole = Valid();
  whole.parts_bounded_by_whole = true;
  whole.target.value = 181;
  EXPECT_TRUE(ValidateIndicatorSet({whole, Part("advance", "consultations", 66),
                                    Part("counter", "consultations", 115)})
                  .ok());
  // The same id in another program is another indicator.
  EXPECT_TRUE(ValidateIndicatorSet({Valid("a", 1), Valid("a", 2)}).ok());
  EXPECT_TRUE(ValidateIndicatorSet({}).ok());
}

TEST(ValidateIndicatorSetTest, PrefixesTheInvalidMembersField) {
  Indicator bad = Valid("b");
  bad.title = "";
  absl::Status s = ValidateIndicatorSet({Valid("a"), bad});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "indicators[1].title");
  EXPECT_EQ(ErrorReason(s), "REQUIRED_FIELD");
}

TEST(ValidateIndicatorSetTest, RejectsDuplicateIds) {
  absl::Status s = ValidateIndicatorSet({Valid("a"), Valid("b"), Valid("a")});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "indicators[2].name");
  EXPECT_EQ(ErrorReason(s), "DUPLICATE_ENTRY");
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("fiscalYears/2026/programs/9/indicators/a"));
}

TEST(ValidateIndicatorSetTest, RejectsAMissingParent) {
  absl::Status s = ValidateIndicatorSet({Valid("a"), Part("b", "nowhere", 1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "indicators[1].parent");
  EXPECT_EQ(ErrorReason(s), "PARENT_NOT_FOUND");

  // A whole of another program does not count.
  absl::Status other =
      ValidateIndicatorSet({Valid("a", 3), Part("b", "a", 1, /*program=*/4)});
  EXPECT_EQ(ErrorField(other), "indicators[1].parent");
  EXPECT_EQ(ErrorReason(other), "PARENT_NOT_FOUND");
}

TEST(ValidateIndicatorSetTest, RejectsANestedBreakdown) {
  absl::Status s =
      ValidateIndicatorSet({Valid("a"), Part("b", "a", 1), Part("c", "b", 1)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "indicators[2].parent");
  EXPECT_EQ(ErrorReason(s), "NESTED_BREAKDOWN");
}

TEST(ValidateIndicatorSetTest, RejectsPartsExceedingTheWhole) {
  Indicator whole = Valid("whole");
  whole.parts_bounded_by_whole = true;
  whole.target.value = 100;
  // Equal is fine.
  EXPECT_TRUE(ValidateIndicatorSet(
                  {whole, Part("a", "whole", 60), Part("b", "whole", 40)})
                  .ok());
  absl::Status s = ValidateIndicatorSet(
      {whole, Part("a", "whole", 60), Part("b", "whole", 41)});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "indicators");
  EXPECT_EQ(ErrorReason(s), "PARTS_EXCEED_WHOLE");
  EXPECT_THAT(std::string(s.message()), HasSubstr("101"));

  // Not checked when the whole does not bound its parts...
  Indicator unbounded = whole;
  unbounded.parts_bounded_by_whole = false;
  EXPECT_TRUE(ValidateIndicatorSet(
                  {unbounded, Part("a", "whole", 60), Part("b", "whole", 41)})
                  .ok());
  // ...or a part's target is not set.
  Indicator undecided = Part("b", "whole", 0);
  undecided.target.state = TargetState::kToBeDecided;
  EXPECT_TRUE(
      ValidateIndicatorSet({whole, Part("a", "whole", 60), undecided}).ok());
  // ...or the whole's target is not set.
  Indicator open_whole = whole;
  open_whole.target.state = TargetState::kNone;
  open_whole.target.value = 0;
  EXPECT_TRUE(ValidateIndicatorSet(
                  {open_whole, Part("a", "whole", 60), Part("b", "whole", 41)})
                  .ok());
}

TEST(ParseIndicatorMaskTest, ParsesFields) {
  auto fields = ParseIndicatorMask({"title", "target", "position"});
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields,
              ElementsAre(IndicatorField::kTitle, IndicatorField::kTarget,
                          IndicatorField::kPosition));
  auto each = ParseIndicatorMask(
      {"unit", "kind", "aggregation", "multi_year_target", "note"});
  ASSERT_TRUE(each.ok()) << each.status();
  EXPECT_THAT(*each, ElementsAre(IndicatorField::kUnit, IndicatorField::kKind,
                                 IndicatorField::kAggregation,
                                 IndicatorField::kMultiYearTarget,
                                 IndicatorField::kNote));
}

TEST(ParseIndicatorMaskTest, StarMeansEveryWritableField) {
  auto all = ParseIndicatorMask({"*"});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 8u);
}

TEST(ParseIndicatorMaskTest, RejectsEmptyAndUnknownPaths) {
  auto empty = ParseIndicatorMask({});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(empty.status()), "update_mask");
  EXPECT_EQ(ErrorReason(empty.status()), "REQUIRED_FIELD");

  for (const std::vector<std::string>& paths :
       std::vector<std::vector<std::string>>{{"name"},
                                             {"measure"},
                                             {"parent"},
                                             {"title", "revision"},
                                             {"target.value"},
                                             {"*", "title"},
                                             {""}}) {
    auto parsed = ParseIndicatorMask(paths);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << paths.back();
    EXPECT_EQ(ErrorField(parsed.status()), "update_mask") << paths.back();
    EXPECT_EQ(ErrorReason(parsed.status()), "INVALID_FIELD_MASK")
        << paths.back();
  }
}

TEST(ApplyIndicatorUpdateTest, ChangesOnlyMaskedFieldsAndBumpsRevision) {
  Indicator current = Valid();
  current.revision = 3;
  current.note = "old note";
  Indicator patch = Valid();
  patch.title = "新しい題";
  patch.note = "new note";
  patch.target.value = 250;
  patch.position = 7;
  patch.measure = Measure::kMoney;  // not writable
  patch.id = "other";               // not writable

  auto next = ApplyIndicatorUpdate(
      current, patch, {IndicatorField::kNote, IndicatorField::kTarget},
      IndicatorEtag(current));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->note, "new note");
  EXPECT_EQ(next->target.value, 250);
  EXPECT_EQ(next->title, "相談件数");
  EXPECT_EQ(next->position, 1);
  EXPECT_EQ(next->measure, Measure::kCount);
  EXPECT_EQ(next->id, "consultations");
  EXPECT_EQ(next->revision, 4);
  // The new revision has a new etag.
  EXPECT_NE(IndicatorEtag(*next), IndicatorEtag(current));

  // No etag: no check.
  auto unchecked =
      ApplyIndicatorUpdate(current, patch, {IndicatorField::kTitle}, "");
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked->title, "新しい題");
  EXPECT_EQ(unchecked->note, "old note");
  EXPECT_EQ(unchecked->revision, 4);
}

TEST(ApplyIndicatorUpdateTest, ClearsTheMultiYearTargetWhenMasked) {
  Indicator current = Valid();
  current.multi_year_target = MultiYearTarget{2025, 2027, 300};
  auto next = ApplyIndicatorUpdate(current, Valid(),
                                   {IndicatorField::kMultiYearTarget}, "");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_FALSE(next->multi_year_target.has_value());
}

TEST(ApplyIndicatorUpdateTest, RejectsAStaleEtag) {
  Indicator current = Valid();
  current.revision = 2;
  Indicator older = current;
  older.revision = 1;
  auto stale = ApplyIndicatorUpdate(current, Valid(), {IndicatorField::kNote},
                                    IndicatorEtag(older));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(stale.status()), "ETAG_MISMATCH");
  auto garbage =
      ApplyIndicatorUpdate(current, Valid(), {IndicatorField::kNote}, "nope");
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kAborted);
}

TEST(ApplyIndicatorUpdateTest, PrefixesTheFieldOfAnInvalidResult) {
  Indicator patch = Valid();
  patch.title = "";
  auto next =
      ApplyIndicatorUpdate(Valid(), patch, {IndicatorField::kTitle}, "");
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(next.status()), "indicator.title");
  EXPECT_EQ(ErrorReason(next.status()), "REQUIRED_FIELD");

  Indicator bad_target = Valid();
  bad_target.target.state = TargetState::kNone;  // with value 100
  auto target =
      ApplyIndicatorUpdate(Valid(), bad_target, {IndicatorField::kTarget}, "");
  EXPECT_EQ(ErrorField(target.status()), "indicator.target.value");
  EXPECT_EQ(ErrorReason(target.status()), "UNEXPECTED_VALUE");
}

TEST(IndicatorNameTest, FormatsTheResourceName) {
  EXPECT_EQ(IndicatorName(2026, 9, "consultations"),
            "fiscalYears/2026/programs/9/indicators/consultations");
  EXPECT_EQ(IndicatorName(Valid("x", 12)),
            "fiscalYears/2026/programs/12/indicators/x");
  EXPECT_EQ(MaxValue(Measure::kCount), kMaxCount);
  EXPECT_EQ(MaxValue(Measure::kMoney), kMaxMoneyYen);
}

}  // namespace
}  // namespace shien::kpi
