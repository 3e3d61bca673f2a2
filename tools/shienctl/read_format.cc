#include "tools/shienctl/read_format.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/fiscal/fiscal.h"
#include "tools/shienctl/format.h"

namespace shien::ctl {

std::string AreaTitle(budget::v1::Area area) {
  switch (area) {
    case budget::v1::AREA_MANAGEMENT_FOUNDATION:
      return "経営基盤の強化";
    case budget::v1::AREA_MARKET_EXPANSION:
      return "販路拡大・販路開拓";
    case budget::v1::AREA_NEW_BUSINESS_TECHNOLOGY:
      return "新事業・新技術の創出";
    case budget::v1::AREA_HUMAN_RESOURCES:
      return "人材確保・育成";
    case budget::v1::AREA_INFORMATION:
      return "情報収集・発信";
    case budget::v1::AREA_CORPORATE_ACCOUNTING:
      return "法人会計";
    default:
      return "-";
  }
}

std::string DateText(const google::type::Date& date) {
  if (date.year() == 0) return "";
  if (date.day() == 0)
    return absl::StrFormat("%04d-%02d", date.year(), date.month());
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string FractionPercent(const google::type::Fraction& fraction) {
  return Percent(fraction.numerator(), fraction.denominator());
}

std::string IndicatorValue(const kpi::v1::Indicator& indicator, int64_t value) {
  if (indicator.measure() == kpi::v1::MEASURE_MONEY) {
    return Sen(value) + "千円";
  }
  return WithSeparators(value) + indicator.unit();
}

std::string TargetText(const kpi::v1::Indicator& indicator,
                       const kpi::v1::Target& target) {
  switch (target.state()) {
    case kpi::v1::TARGET_STATE_SET:
      return IndicatorValue(indicator, target.value());
    case kpi::v1::TARGET_STATE_TO_BE_DECIDED:
      return "未定";
    default:
      return "なし";
  }
}

std::string StateWord(subsidy::v1::ApplicationState state) {
  const std::string& name = subsidy::v1::ApplicationState_Name(state);
  absl::string_view word = name;
  absl::ConsumePrefix(&word, "APPLICATION_STATE_");
  return absl::AsciiStrToLower(word);
}

std::string LastSegment(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace shien::ctl
