#include "common/fiscal/fiscal.h"

#include <chrono>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace shien {

bool MonthInFiscalYear(int fiscal_year, int year, int month) {
  if (month < 1 || month > 12) return false;
  return (year == fiscal_year && month >= 4) ||
         (year == fiscal_year + 1 && month <= 3);
}

int FiscalYearOfMonth(int year, int month) {
  return month >= 4 ? year : year - 1;
}

std::string EraLabel(int fiscal_year) {
  const char* era;
  int n;
  if (fiscal_year >= 2019) {
    era = "令和";
    n = fiscal_year - 2018;
  } else if (fiscal_year >= 1989) {
    era = "平成";
    n = fiscal_year - 1988;
  } else {
    return "";
  }
  return n == 1 ? absl::StrCat(era, "元年度") : absl::StrCat(era, n, "年度");
}

std::string WithSeparators(int64_t value) {
  bool negative = value < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value)
                                : static_cast<uint64_t>(value);
  std::string digits = absl::StrCat(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

std::string FormatThousandYen(int64_t yen) {
  int64_t thousands = yen / 1000;
  if (thousands < 0) return "▲ " + WithSeparators(-thousands);
  return WithSeparators(thousands);
}

int64_t PermilleHalfUp(int64_t numerator, int64_t denominator) {
  // (n * 1000 + d / 2) / d without overflow for n up to ~9e15.
  __int128 n = numerator;
  const __int128 result = (n * 1000 + denominator / 2) / denominator;
  return result > INT64_MAX ? INT64_MAX : static_cast<int64_t>(result);
}

int64_t Gcd(int64_t a, int64_t b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a == 0 ? 1 : a;
}

bool IsValidDate(const CivilDate& d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= DaysInMonth(d.year, d.month);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

int64_t DaysFromCivil(const CivilDate& date) {
  // Howard Hinnant's days_from_civil.
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (date.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatDate(const CivilDate& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year, d.month, d.day);
}

std::optional<CivilDate> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  auto number = [&](size_t from, size_t length) {
    int value = 0;
    for (size_t i = from; i < from + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const CivilDate date{number(0, 4), number(5, 2), number(8, 2)};
  if (date.year < 0 || date.month < 0 || date.day < 0 || !IsValidDate(date)) {
    return std::nullopt;
  }
  return date;
}

CivilDate FiscalYearStart(int fiscal_year) { return {fiscal_year, 4, 1}; }

CivilDate FiscalYearEnd(int fiscal_year) { return {fiscal_year + 1, 3, 31}; }

int FiscalYearOfDate(const CivilDate& date) {
  return FiscalYearOfMonth(date.year, date.month);
}

CivilDate TodayInJapan() {
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() +
      9 * 3600;
  int64_t z = (seconds >= 0 ? seconds : seconds - 86399) / 86400 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

}  // namespace shien
