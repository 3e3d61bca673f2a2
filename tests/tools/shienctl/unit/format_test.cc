#include "tools/shienctl/format.h"

#include <string>

#include "gtest/gtest.h"
#include "tools/shienctl/progress.h"
#include "tools/shienctl/table.h"

namespace shien::ctl {
namespace {

TEST(FormatTest, ThousandYenAsThePlanPrints) {
  EXPECT_EQ(Sen(1337734000), "1,337,734");
  EXPECT_EQ(Sen(-741000), "▲ 741");
  EXPECT_EQ(Sen(-3600000), "▲ 3,600");
  EXPECT_EQ(Sen(0), "0");
  EXPECT_EQ(Sen(999), "0");  // not a whole 千円: truncated
  EXPECT_EQ(Yen(767000), "767,000");
  EXPECT_EQ(Yen(-1234), "▲ 1,234");
}

TEST(FormatTest, RatesToOneDecimalHalfUp) {
  EXPECT_EQ(Percent(301, 181), "166.3%");
  EXPECT_EQ(Percent(231, 2800), "8.3%");  // 8.25 → 8.3
  EXPECT_EQ(Percent(0, 1), "0.0%");
  EXPECT_EQ(Percent(1, 0), "-");
  EXPECT_EQ(Permille(1663), "166.3%");
  EXPECT_EQ(Permille(-5), "▲ 0.5%");
}

TEST(FormatTest, YearLabels) {
  EXPECT_EQ(YearLabel(2026, false), "FY2026");
  EXPECT_EQ(YearLabel(2026, true), "令和8年度");
  EXPECT_EQ(YearLabel(2019, true), "令和元年度");
}

TEST(FormatTest, DisplayWidthCountsJapaneseAsTwo) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("事業費"), 6);
  EXPECT_EQ(DisplayWidth("▲ 741"), 5);
  EXPECT_EQ(DisplayWidth("ｱ"), 1);  // half-width katakana
}

TEST(TableTest, AlignsByTerminalWidth) {
  Table table({"名称", ">金額"});
  table.AddRow({"事業", "1,000"});
  table.AddRow({"abc", "▲ 5"});
  table.AddRule();
  table.AddRow({"計", "995"});
  EXPECT_EQ(table.Render(),
            "名称   金額\n"
            "事業  1,000\n"
            "abc     ▲ 5\n"
            "-----------\n"
            "計      995\n");
}

TEST(ProgressTest, RendersRowsRateAndEta) {
  EXPECT_EQ(ProgressReporter::Render(1000, 500, 1000, 5.0, true),
            "[############............]  50%  1,000 rows  200 rows/s  ETA "
            "0:05");
  EXPECT_EQ(ProgressReporter::Render(2000, 1000, 1000, 10.0, false),
            "100%  2,000 rows  200 rows/s");
}

}  // namespace
}  // namespace shien::ctl
