#include "common/fiscal/fiscal.h"

#include "absl/strings/str_cat.h"

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
  return static_cast<int64_t>((n * 1000 + denominator / 2) / denominator);
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

}  // namespace shien
