#include "common/fiscal/fiscal.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace shien {
namespace {

TEST(MonthInFiscalYearTest, Boundaries) {
  EXPECT_FALSE(MonthInFiscalYear(2026, 2026, 3));
  EXPECT_TRUE(MonthInFiscalYear(2026, 2026, 4));
  EXPECT_TRUE(MonthInFiscalYear(2026, 2026, 12));
  EXPECT_TRUE(MonthInFiscalYear(2026, 2027, 1));
  EXPECT_TRUE(MonthInFiscalYear(2026, 2027, 3));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2027, 4));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2025, 12));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2028, 1));
}

TEST(MonthInFiscalYearTest, EveryMonthOfTheYear) {
  int count = 0;
  for (int year = 2025; year <= 2028; ++year) {
    for (int month = 1; month <= 12; ++month) {
      if (MonthInFiscalYear(2026, year, month)) ++count;
    }
  }
  EXPECT_EQ(count, 12);
}

TEST(MonthInFiscalYearTest, InvalidMonths) {
  EXPECT_FALSE(MonthInFiscalYear(2026, 2026, 0));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2027, 0));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2026, 13));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2027, 13));
  EXPECT_FALSE(MonthInFiscalYear(2026, 2027, -1));
}

TEST(FiscalYearOfMonthTest, AprilStartsTheYear) {
  EXPECT_EQ(FiscalYearOfMonth(2026, 3), 2025);
  EXPECT_EQ(FiscalYearOfMonth(2026, 4), 2026);
  EXPECT_EQ(FiscalYearOfMonth(2026, 12), 2026);
  EXPECT_EQ(FiscalYearOfMonth(2027, 1), 2026);
  EXPECT_EQ(FiscalYearOfMonth(2027, 3), 2026);
  EXPECT_EQ(FiscalYearOfMonth(2027, 4), 2027);
}

TEST(FiscalYearOfMonthTest, AgreesWithMonthInFiscalYear) {
  for (int year = 2024; year <= 2028; ++year) {
    for (int month = 1; month <= 12; ++month) {
      EXPECT_TRUE(
          MonthInFiscalYear(FiscalYearOfMonth(year, month), year, month))
          << year << "-" << month;
    }
  }
}

TEST(EraLabelTest, ReiwaAndHeisei) {
  EXPECT_EQ(EraLabel(2026), "令和8年度");
  EXPECT_EQ(EraLabel(2025), "令和7年度");
  EXPECT_EQ(EraLabel(2020), "令和2年度");
  EXPECT_EQ(EraLabel(2019), "令和元年度");
  EXPECT_EQ(EraLabel(2018), "平成30年度");
  EXPECT_EQ(EraLabel(1990), "平成2年度");
  EXPECT_EQ(EraLabel(1989), "平成元年度");
}

TEST(EraLabelTest, BeforeHeiseiIsEmpty) {
  EXPECT_EQ(EraLabel(1988), "");
  EXPECT_EQ(EraLabel(0), "");
}

TEST(FormatThousandYenTest, PlanExamples) {
  EXPECT_EQ(FormatThousandYen(1337734000), "1,337,734");
  EXPECT_EQ(FormatThousandYen(-741000), "▲ 741");
  EXPECT_EQ(FormatThousandYen(0), "0");
  EXPECT_EQ(FormatThousandYen(-1046000), "▲ 1,046");
  EXPECT_EQ(FormatThousandYen(124990000), "124,990");
  EXPECT_EQ(FormatThousandYen(999000), "999");
  EXPECT_EQ(FormatThousandYen(1000000), "1,000");
}

TEST(FormatThousandYenTest, TruncatesTowardZero) {
  EXPECT_EQ(FormatThousandYen(1999), "1");
  EXPECT_EQ(FormatThousandYen(999), "0");
  EXPECT_EQ(FormatThousandYen(-1999), "▲ 1");
  EXPECT_EQ(FormatThousandYen(-999), "0");
}

TEST(FormatThousandYenTest, Extremes) {
  EXPECT_EQ(FormatThousandYen(std::numeric_limits<int64_t>::max()),
            "9,223,372,036,854,775");
  EXPECT_EQ(FormatThousandYen(std::numeric_limits<int64_t>::min()),
            "▲ 9,223,372,036,854,775");
}

TEST(WithSeparatorsTest, Groups) {
  EXPECT_EQ(WithSeparators(0), "0");
  EXPECT_EQ(WithSeparators(999), "999");
  EXPECT_EQ(WithSeparators(1000), "1,000");
  EXPECT_EQ(WithSeparators(1234567), "1,234,567");
  EXPECT_EQ(WithSeparators(-1234567), "-1,234,567");
  EXPECT_EQ(WithSeparators(100000), "100,000");
  EXPECT_EQ(WithSeparators(std::numeric_limits<int64_t>::min()),
            "-9,223,372,036,854,775,808");
}

TEST(PermilleHalfUpTest, PlanFigures) {
  EXPECT_EQ(PermilleHalfUp(301, 181), 1663);   // 166.3%
  EXPECT_EQ(PermilleHalfUp(95, 67), 1418);     // 141.8%
  EXPECT_EQ(PermilleHalfUp(2172, 2800), 776);  // 77.6%
  EXPECT_EQ(PermilleHalfUp(1, 1), 1000);
  EXPECT_EQ(PermilleHalfUp(0, 7), 0);
}

TEST(PermilleHalfUpTest, HalfRoundsUp) {
  EXPECT_EQ(PermilleHalfUp(1, 2000), 1);  // 0.05% → 0.1%
  EXPECT_EQ(PermilleHalfUp(1, 2001), 0);  // just below half
  EXPECT_EQ(PermilleHalfUp(3, 2000), 2);  // 0.15% → 0.2%
  EXPECT_EQ(PermilleHalfUp(1, 3), 333);   // 33.33% → 33.3%
  EXPECT_EQ(PermilleHalfUp(2, 3), 667);   // 66.67% → 66.7%
}

TEST(PermilleHalfUpTest, LargeAmountsDoNotOverflow) {
  // Yen amounts of a whole plan: 1,337,734,000 / 1,206,500,000.
  EXPECT_EQ(PermilleHalfUp(1337734000, 1206500000), 1109);
  EXPECT_EQ(PermilleHalfUp(9'000'000'000'000'000, 9'000'000'000'000'000), 1000);
}

TEST(ParseDateTest, CalendarDates) {
  EXPECT_EQ(ParseDate("2026-11-27"), (CivilDate{2026, 11, 27}));
  EXPECT_EQ(ParseDate("2028-02-29"), (CivilDate{2028, 2, 29}));
  EXPECT_EQ(FormatDate(*ParseDate("2027-03-31")), "2027-03-31");
}

TEST(ParseDateTest, RefusesWhatIsNotADate) {
  for (const char* text :
       {"", "2026-11-7", "2026/11/27", "2026-13-01", "2027-02-29", "2026-04-31",
        "20261127", "2026-11-27 ", "+026-11-27", "2026-1a-27"}) {
    EXPECT_EQ(ParseDate(text), std::nullopt) << text;
  }
}

TEST(GcdTest, Values) {
  EXPECT_EQ(Gcd(12, 18), 6);
  EXPECT_EQ(Gcd(18, 12), 6);
  EXPECT_EQ(Gcd(7, 13), 1);
  EXPECT_EQ(Gcd(0, 5), 5);
  EXPECT_EQ(Gcd(5, 0), 5);
  EXPECT_EQ(Gcd(0, 0), 1);
  EXPECT_EQ(Gcd(-12, 18), 6);
  EXPECT_EQ(Gcd(12, -18), 6);
  EXPECT_EQ(Gcd(1001, 1001), 1001);
}

}  // namespace
}  // namespace shien
