#ifndef SHIEN_TESTS_TESTING_CORPORATE_NUMBERS_H_
#define SHIEN_TESTS_TESTING_CORPORATE_NUMBERS_H_

#include <cstdio>
#include <string>

namespace shien::testing {

// A valid 13-digit 法人番号 built from `n` (the 12-digit base is n, zero
// padded), with its check digit in front.
inline std::string CorporateNumber(long long n) {
  char base[16];
  std::snprintf(base, sizeof(base), "%012llu",
                static_cast<unsigned long long>(n) % 1000000000000ULL);
  int sum = 0;
  for (int k = 1; k <= 12; ++k) sum += (base[12 - k] - '0') * (k % 2 ? 1 : 2);
  return std::to_string(9 - sum % 9) + base;
}

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_CORPORATE_NUMBERS_H_
