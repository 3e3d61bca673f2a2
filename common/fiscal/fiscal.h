#ifndef SHIEN_COMMON_FISCAL_FISCAL_H_
#define SHIEN_COMMON_FISCAL_FISCAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shien {

// Fiscal years run from 1 April of `fiscal_year` to 31 March of the next
// calendar year: FY2026 = 令和8年度 = April 2026 to March 2027.

// Smallest and largest fiscal years the system accepts.
inline constexpr int kMinFiscalYear = 2000;
inline constexpr int kMaxFiscalYear = 2100;

// True when the calendar month (`year`, `month` 1-12) lies in `fiscal_year`.
bool MonthInFiscalYear(int fiscal_year, int year, int month);

// The fiscal year a calendar month belongs to.
int FiscalYearOfMonth(int year, int month);

// The Japanese-era label of a fiscal year: 2026 → "令和8年度", 2019 →
// "令和元年度", 2018 → "平成30年度". Years before 1989 give "".
std::string EraLabel(int fiscal_year);

// Formats yen as the plan prints 千円: thousands separators, negative
// amounts with "▲ " (the plan's minus), e.g. -741000 → "▲ 741",
// 1337734000 → "1,337,734". Amounts that are not whole 千円 are truncated
// toward zero.
std::string FormatThousandYen(int64_t yen);

// Formats an integer with thousands separators: 1234567 → "1,234,567".
std::string WithSeparators(int64_t value);

// numerator / denominator in tenths of a percent, rounded half up (the
// plan's 301/181 → 1663, printed 166.3%). denominator must be positive;
// numerator non-negative.
int64_t PermilleHalfUp(int64_t numerator, int64_t denominator);

// Greatest common divisor, for reducing fractions; Gcd(0, 0) = 1.
int64_t Gcd(int64_t a, int64_t b);

// A calendar date (proleptic Gregorian), ordered chronologically.
struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// True for a real calendar date (month 1-12, day within the month).
bool IsValidDate(const CivilDate& date);
int DaysInMonth(int year, int month);
// Days since 1970-01-01 (negative before).
int64_t DaysFromCivil(const CivilDate& date);
// "2026-04-01".
std::string FormatDate(const CivilDate& date);
// The date of "2026-04-01" (exactly four, two and two digits); nullopt for
// any other text or a day that is not in the calendar.
std::optional<CivilDate> ParseDate(std::string_view text);

// 1 April of the fiscal year, and 31 March of the next calendar year.
CivilDate FiscalYearStart(int fiscal_year);
CivilDate FiscalYearEnd(int fiscal_year);
// The fiscal year a date falls in.
int FiscalYearOfDate(const CivilDate& date);

// Today's date in Japan (UTC+9, no daylight saving).
CivilDate TodayInJapan();

}  // namespace shien

#endif  // SHIEN_COMMON_FISCAL_FISCAL_H_
