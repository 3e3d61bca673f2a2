#include "tools/shienctl/format.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/fiscal/fiscal.h"

namespace shien::ctl {
namespace {

// Decodes the code point at `s[*i]` and advances *i; U+FFFD for an invalid
// byte (which advances by one).
uint32_t NextCodePoint(absl::string_view s, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = 0;
  uint32_t cp = 0;
  if (c < 0x80) {
    ++*i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    ++*i;
    return 0xFFFD;
  }
  if (*i + len > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    const unsigned char t = static_cast<unsigned char>(s[*i + k]);
    if ((t & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (t & 0x3F);
  }
  *i += len;
  return cp;
}

bool IsWide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

std::string Sen(int64_t yen) { return FormatThousandYen(yen); }

std::string Yen(int64_t yen) {
  if (yen < 0) {
    const uint64_t magnitude = 0 - static_cast<uint64_t>(yen);
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) {
      return "▲ 9,223,372,036,854,775,808";
    }
    return "▲ " + WithSeparators(static_cast<int64_t>(magnitude));
  }
  return WithSeparators(yen);
}

std::string Permille(int64_t permille) {
  const bool negative = permille < 0;
  const int64_t magnitude = negative ? -permille : permille;
  return absl::StrCat(negative ? "▲ " : "", magnitude / 10, ".", magnitude % 10,
                      "%");
}

std::string Percent(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return "-";
  if (numerator < 0) return Permille(-PermilleHalfUp(-numerator, denominator));
  return Permille(PermilleHalfUp(numerator, denominator));
}

std::string YearLabel(int fiscal_year, bool era) {
  if (era) {
    std::string label = EraLabel(fiscal_year);
    if (!label.empty()) return label;
  }
  return absl::StrCat("FY", fiscal_year);
}

int DisplayWidth(absl::string_view utf8) {
  int width = 0;
  size_t i = 0;
  while (i < utf8.size()) width += IsWide(NextCodePoint(utf8, &i)) ? 2 : 1;
  return width;
}

}  // namespace shien::ctl
