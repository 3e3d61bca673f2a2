#include "common/api/resource_name.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kPattern[] = "fiscalYears/{year}/programs/{number}";

void ExpectInvalidName(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ErrorField(status), field);
  EXPECT_EQ(ErrorReason(status), "INVALID_RESOURCE_NAME");
}

TEST(ParseResourceNameTest, MatchReturnsVariablesInOrder) {
  absl::StatusOr<std::vector<std::string>> values =
      ParseResourceName("fiscalYears/2026/programs/7", kPattern, "name");
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre("2026", "7"));
}

TEST(ParseResourceNameTest, PatternWithoutVariables) {
  absl::StatusOr<std::vector<std::string>> values =
      ParseResourceName("fiscalYears", "fiscalYears", "parent");
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, IsEmpty());
}

TEST(ParseResourceNameTest, ExtraSegmentIsRejected) {
  auto values = ParseResourceName("fiscalYears/2026/programs/7/extra", kPattern,
                                  "program.name");
  ASSERT_FALSE(values.ok());
  ExpectInvalidName(values.status(), "program.name");
}

TEST(ParseResourceNameTest, TrailingSlashIsRejected) {
  auto values =
      ParseResourceName("fiscalYears/2026/programs/7/", kPattern, "name");
  ASSERT_FALSE(values.ok());
  ExpectInvalidName(values.status(), "name");
}

TEST(ParseResourceNameTest, MissingSegmentIsRejected) {
  auto values =
      ParseResourceName("fiscalYears/2026/programs", kPattern, "name");
  ASSERT_FALSE(values.ok());
  ExpectInvalidName(values.status(), "name");
}

TEST(ParseResourceNameTest, EmptyNameIsRejected) {
  auto values = ParseResourceName("", kPattern, "parent");
  ASSERT_FALSE(values.ok());
  ExpectInvalidName(values.status(), "parent");
}

TEST(ParseResourceNameTest, EmptyVariableIsRejected) {
  auto first = ParseResourceName("fiscalYears//programs/7", kPattern, "name");
  ASSERT_FALSE(first.ok());
  ExpectInvalidName(first.status(), "name");
  auto last = ParseResourceName("fiscalYears/2026/programs/", kPattern, "name");
  ASSERT_FALSE(last.ok());
  ExpectInvalidName(last.status(), "name");
}

TEST(ParseResourceNameTest, WrongLiteralIsRejected) {
  auto values =
      ParseResourceName("fiscalYears/2026/envelopes/7", kPattern, "name");
  ASSERT_FALSE(values.ok());
  ExpectInvalidName(values.status(), "name");
  auto wrong_case =
      ParseResourceName("FiscalYears/2026/programs/7", kPattern, "name");
  ASSERT_FALSE(wrong_case.ok());
  ExpectInvalidName(wrong_case.status(), "name");
}

TEST(ParseResourceNameTest, MessageShowsPatternAndName) {
  auto values = ParseResourceName("bogus", kPattern, "name");
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.status().message().find(kPattern), absl::string_view::npos)
      << values.status();
  EXPECT_NE(values.status().message().find("bogus"), absl::string_view::npos)
      << values.status();
}

TEST(ParseIdNumberTest, AcceptsPositiveNumbers) {
  EXPECT_EQ(ParseIdNumber("1", "name").value(), 1);
  EXPECT_EQ(ParseIdNumber("23", "name").value(), 23);
  EXPECT_EQ(ParseIdNumber("999999999", "name").value(), 999999999);
}

TEST(ParseIdNumberTest, RejectsMalformedNumbers) {
  for (const char* segment :
       {"", "0", "01", "007", "+1", "-1", "1a", "a1", "abc", " 1", "1 ", "1.0",
        "1000000000", "9999999999", "12345678901234567890"}) {
    absl::StatusOr<int> value = ParseIdNumber(segment, "program.number");
    ASSERT_FALSE(value.ok()) << "\"" << segment << "\" gave " << *value;
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorField(value.status()), "program.number") << segment;
  }
}

TEST(ValidateResourceIdTest, AcceptsWellFormedIds) {
  for (const std::string& id : {std::string("a"), std::string("subsidy-2026"),
                                std::string("x9-"), std::string(63, 'z')}) {
    EXPECT_TRUE(ValidateResourceId(id, "envelope_id").ok()) << id;
  }
}

TEST(ValidateResourceIdTest, RejectsMalformedIds) {
  for (const std::string& id :
       {std::string(""), std::string("1abc"), std::string("-abc"),
        std::string("Abc"), std::string("ab_c"), std::string("ab c"),
        std::string("abC"), std::string("ab/c"), std::string(64, 'z'),
        std::string("\xe4\xba\x8b")}) {
    absl::Status status = ValidateResourceId(id, "envelope_id");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(ErrorField(status), "envelope_id") << id;
  }
}

}  // namespace
}  // namespace shien
