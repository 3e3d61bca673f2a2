#include "tools/shienctl/import_rows.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/fiscal/fiscal.h"

namespace shien::ctl {
namespace {

absl::Status RowError(const CsvRecord& record, absl::string_view column,
                      absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", record.line, ": ", column, ": ", what));
}

// Digits only, optionally with thousands separators in the right places
// ("1,500,000"). False on anything else (signs, decimals, overflow).
bool ParseWholeNumber(absl::string_view text, int64_t* value) {
  if (text.empty()) return false;
  std::string digits;
  if (absl::StrContains(text, ',')) {
    std::vector<absl::string_view> groups = absl::StrSplit(text, ',');
    for (size_t i = 0; i < groups.size(); ++i) {
      const size_t n = groups[i].size();
      if (i == 0 ? (n < 1 || n > 3) : n != 3) return false;
      absl::StrAppend(&digits, groups[i]);
    }
  } else {
    digits = std::string(text);
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return digits.size() <= 18 && absl::SimpleAtoi(digits, value);
}

// "YYYY-MM" or, when `allow_day`, "YYYY-MM-DD". day is 0 for a month.
bool ParsePeriod(absl::string_view text, bool allow_day, CivilDate* date) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 2 && !(allow_day && parts.size() == 3)) return false;
  const size_t widths[] = {4, 2, 2};
  int values[3] = {0, 0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() != widths[i]) return false;
    for (char c : parts[i]) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
    if (!absl::SimpleAtoi(parts[i], &values[i])) return false;
  }
  *date = CivilDate{values[0], values[1], values[2]};
  if (date->month < 1 || date->month > 12) return false;
  return parts.size() == 2 || IsValidDate(*date);
}

}  // namespace

const std::vector<std::string>& ExpenditureColumns() {
  static const auto* columns =
      new std::vector<std::string>{"voucher", "program", "month", "amount_yen"};
  return *columns;
}

const std::vector<std::string>& ExpenditureOptionalColumns() {
  static const auto* columns = new std::vector<std::string>{"description"};
  return *columns;
}

const std::vector<std::string>& MeasurementColumns() {
  static const auto* columns =
      new std::vector<std::string>{"indicator", "period", "kind", "value"};
  return *columns;
}

const std::vector<std::string>& MeasurementOptionalColumns() {
  static const auto* columns = new std::vector<std::string>{"unit"};
  return *columns;
}

std::string Fnv64Hex(absl::string_view data) {
  uint64_t hash = 14695981039346656037ULL;
  for (char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", hash);
}

std::string RowRequestId(absl::string_view prefix, absl::string_view key) {
  bool printable = !key.empty();
  for (char c : key) printable = printable && c >= 0x21 && c <= 0x7e;
  if (printable && prefix.size() + key.size() <= 128) {
    return absl::StrCat(prefix, key);
  }
  return absl::StrCat(prefix, "h:", Fnv64Hex(key));
}

absl::Status ParseExpenditureRow(const ColumnMap& columns,
                                 const CsvRecord& record,
                                 budget::v1::Expenditure* out) {
  absl::Status width = columns.CheckWidth(record);
  if (!width.ok()) return width;
  out->Clear();
  const absl::string_view voucher = columns.Get(record, "voucher");
  if (voucher.empty()) {
    return RowError(record, "voucher",
                    "is empty; every record needs its voucher number");
  }
  if (voucher.size() > 128) {
    return RowError(record, "voucher", "is longer than 128 characters");
  }
  CivilDate month;
  const absl::string_view month_text = columns.Get(record, "month");
  if (!ParsePeriod(month_text, /*allow_day=*/false, &month)) {
    return RowError(record, "month",
                    absl::StrCat("\"", month_text, "\" is not YYYY-MM"));
  }
  const int fiscal_year = FiscalYearOfMonth(month.year, month.month);
  const absl::string_view program = columns.Get(record, "program");
  int number = 0;
  if (absl::StartsWith(program, "fiscalYears/")) {
    out->set_program(std::string(program));
  } else if (absl::SimpleAtoi(program, &number) && number > 0) {
    out->set_program(
        absl::StrCat("fiscalYears/", fiscal_year, "/programs/", number));
  } else {
    return RowError(
        record, "program",
        absl::StrCat("\"", program, "\" is not a program number or name"));
  }
  int64_t amount = 0;
  const absl::string_view amount_text = columns.Get(record, "amount_yen");
  if (!ParseWholeNumber(amount_text, &amount) || amount < 1) {
    return RowError(record, "amount_yen",
                    absl::StrCat("\"", amount_text,
                                 "\" is not a whole number of yen, 1 or more"));
  }
  out->mutable_month()->set_year(month.year);
  out->mutable_month()->set_month(month.month);
  out->set_amount_yen(amount);
  out->set_source_record_id(std::string(voucher));
  out->set_request_id(RowRequestId("exp:", voucher));
  out->set_description(std::string(columns.Get(record, "description")));
  return absl::OkStatus();
}

absl::Status ParseMeasurementRow(const ColumnMap& columns,
                                 const CsvRecord& record,
                                 kpi::v1::Measurement* out) {
  absl::Status width = columns.CheckWidth(record);
  if (!width.ok()) return width;
  out->Clear();
  CivilDate period;
  const absl::string_view period_text = columns.Get(record, "period");
  if (!ParsePeriod(period_text, /*allow_day=*/true, &period)) {
    return RowError(
        record, "period",
        absl::StrCat("\"", period_text, "\" is not YYYY-MM or YYYY-MM-DD"));
  }
  const int fiscal_year = period.day == 0
                              ? FiscalYearOfMonth(period.year, period.month)
                              : FiscalYearOfDate(period);
  const absl::string_view indicator = columns.Get(record, "indicator");
  if (absl::StartsWith(indicator, "fiscalYears/")) {
    out->set_indicator(std::string(indicator));
  } else {
    std::vector<absl::string_view> parts = absl::StrSplit(indicator, '/');
    int number = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &number) ||
        number < 1 || parts[1].empty()) {
      return RowError(record, "indicator",
                      absl::StrCat("\"", indicator,
                                   "\" is not PROGRAM/INDICATOR_ID (e.g. "
                                   "17/consultations) or a resource name"));
    }
    out->set_indicator(absl::StrCat("fiscalYears/", fiscal_year, "/programs/",
                                    number, "/indicators/", parts[1]));
  }
  const std::string kind = absl::AsciiStrToLower(columns.Get(record, "kind"));
  if (kind == "actual" || kind == "measurement_kind_actual") {
    out->set_kind(kpi::v1::MEASUREMENT_KIND_ACTUAL);
  } else if (kind == "forecast" || kind == "measurement_kind_forecast") {
    out->set_kind(kpi::v1::MEASUREMENT_KIND_FORECAST);
  } else {
    return RowError(record, "kind",
                    absl::StrCat("\"", columns.Get(record, "kind"),
                                 "\" is not actual or forecast"));
  }
  int64_t value = 0;
  const absl::string_view value_text = columns.Get(record, "value");
  if (!ParseWholeNumber(value_text, &value)) {
    return RowError(
        record, "value",
        absl::StrCat("\"", value_text, "\" is not a whole number, 0 or more"));
  }
  google::type::Date* date =
      period.day == 0 ? out->mutable_month() : out->mutable_as_of_date();
  date->set_year(period.year);
  date->set_month(period.month);
  date->set_day(period.day);
  out->set_value(value);
  out->set_unit(std::string(columns.Get(record, "unit")));
  const char* kind_word =
      out->kind() == kpi::v1::MEASUREMENT_KIND_ACTUAL ? "actual" : "forecast";
  out->set_request_id(
      RowRequestId("msr:", absl::StrCat(out->indicator(), ":", period_text, ":",
                                        kind_word, ":", value)));
  return absl::OkStatus();
}

}  // namespace shien::ctl
