#include "common/api/filter.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

TEST(ParseFilterTermsTest, EmptyHasNoTerms) {
  auto terms = ParseFilterTerms("   ");
  ASSERT_TRUE(terms.ok());
  EXPECT_TRUE(terms->empty());
}

TEST(ParseFilterTermsTest, SplitsOnAndOutsideQuotes) {
  auto terms = ParseFilterTerms(
      "area = AREA_INFORMATION AND department = \"A AND B = C\"");
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 2u);
  EXPECT_EQ((*terms)[0].field, "area");
  EXPECT_EQ((*terms)[0].value, "AREA_INFORMATION");
  EXPECT_FALSE((*terms)[0].quoted);
  EXPECT_EQ((*terms)[1].field, "department");
  EXPECT_EQ((*terms)[1].value, "A AND B = C");
  EXPECT_TRUE((*terms)[1].quoted);
}

TEST(ParseFilterTermsTest, RejectsMalformedFilters) {
  for (const char* bad :
       {"area", "= x", "area =", "department = \"open", "a = 1 AND b"}) {
    auto terms = ParseFilterTerms(bad);
    ASSERT_FALSE(terms.ok()) << bad;
    EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorField(terms.status()), "filter") << bad;
    EXPECT_EQ(ErrorReason(terms.status()), "INVALID_FILTER") << bad;
  }
  EXPECT_FALSE(ParseFilterTerms(std::string(1001, 'a')).ok());
}

}  // namespace
}  // namespace shien
