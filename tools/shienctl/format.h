#ifndef SHIEN_TOOLS_SHIENCTL_FORMAT_H_
#define SHIEN_TOOLS_SHIENCTL_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace shien::ctl {

// Money as the plan prints it, in 千円 with thousands separators and "▲ "
// for negatives: 1337734000 → "1,337,734", -741000 → "▲ 741". Integer
// arithmetic only; amounts that are not whole 千円 are truncated toward zero
// (the plan's convention, common/fiscal FormatThousandYen).
std::string Sen(int64_t yen);

// Yen with separators and "▲ " for negatives: 767000 → "767,000",
// -5 → "▲ 5".
std::string Yen(int64_t yen);

// Tenths of a percent as the plan prints them: 1663 → "166.3%",
// -5 → "▲ 0.5%".
std::string Permille(int64_t permille);

// numerator / denominator to one decimal, rounded half up with integer
// arithmetic: (301, 181) → "166.3%". "-" when denominator is not positive.
// A negative numerator is rounded half up on its magnitude.
std::string Percent(int64_t numerator, int64_t denominator);

// "FY2026", or "令和8年度" when `era` is true.
std::string YearLabel(int fiscal_year, bool era);

// Columns a UTF-8 string takes on a terminal: East Asian wide and
// full-width characters count 2, everything else 1 (invalid bytes count 1).
int DisplayWidth(absl::string_view utf8);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_FORMAT_H_
