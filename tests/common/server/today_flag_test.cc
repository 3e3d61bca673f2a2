#include "common/server/today_flag.h"

#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, today);

namespace shien {
namespace {

class TodayFlagTest : public ::testing::Test {
 protected:
  void TearDown() override { absl::SetFlag(&FLAGS_today, ""); }
};

TEST_F(TodayFlagTest, UnsetIsTodayInJapan) {
  absl::SetFlag(&FLAGS_today, "");
  absl::StatusOr<std::function<CivilDate()>> today = TodayFromFlags();
  ASSERT_TRUE(today.ok()) << today.status();
  const CivilDate before = TodayInJapan();
  const CivilDate got = (*today)();
  EXPECT_GE(got, before);
  EXPECT_LE(got, TodayInJapan());
}

TEST_F(TodayFlagTest, AFixedDate) {
  absl::SetFlag(&FLAGS_today, "2026-11-27");
  absl::StatusOr<std::function<CivilDate()>> today = TodayFromFlags();
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_EQ((*today)(), (CivilDate{2026, 11, 27}));
}

TEST_F(TodayFlagTest, NotADateIsRefused) {
  absl::SetFlag(&FLAGS_today, "2026-02-30");
  absl::StatusOr<std::function<CivilDate()>> today = TodayFromFlags();
  EXPECT_EQ(today.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(today.status().message().find("2026-02-30"), std::string::npos);
}

}  // namespace
}  // namespace shien
