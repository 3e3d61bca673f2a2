#ifndef SHIEN_TOOLS_SHIENCTL_IMPORT_ROWS_H_
#define SHIEN_TOOLS_SHIENCTL_IMPORT_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "shien/budget/v1/expenditure.pb.h"
#include "shien/kpi/v1/measurement.pb.h"
#include "tools/shienctl/csv.h"

namespace shien::ctl {

// The CSV formats of `shienctl import`. Each row's request_id is derived
// from the row's own key, never from the file, so importing a file again
// (whole, or after an interruption or after fixing rejected rows) stores
// nothing twice.

// expenditures: voucher,program,month,amount_yen[,description]
//   voucher      the accounting system's voucher number (source_record_id);
//                required, unique per record; request_id "exp:<voucher>"
//   program      program number (e.g. 11) or its resource name
//   month        YYYY-MM; the fiscal year is the month's (2027-03 → FY2026)
//   amount_yen   whole yen, 1 or more; "1,500,000" (quoted) is accepted
//   description  optional free text
const std::vector<std::string>& ExpenditureColumns();
const std::vector<std::string>& ExpenditureOptionalColumns();

// measurements: indicator,period,kind,value[,unit]
//   indicator  PROGRAM/INDICATOR_ID (e.g. 17/consultations) or the full
//              resource name
//   period     YYYY-MM for a month's value, YYYY-MM-DD for a cumulative
//              value as of that date; the fiscal year is the period's
//   kind       actual or forecast
//   value      whole number, 0 or more (yen for money indicators)
//   unit       optional; when set it must be the indicator's
// request_id "msr:<indicator>:<period>:<kind>:<value>": the same row again
// is a duplicate; a new value for the same indicator, period and kind is a
// correction (the server keeps the history).
const std::vector<std::string>& MeasurementColumns();
const std::vector<std::string>& MeasurementOptionalColumns();

// Converts one data row. INVALID_ARGUMENT "line N: <column>: ..." when a
// field is missing or malformed.
absl::Status ParseExpenditureRow(const ColumnMap& columns,
                                 const CsvRecord& record,
                                 budget::v1::Expenditure* out);
absl::Status ParseMeasurementRow(const ColumnMap& columns,
                                 const CsvRecord& record,
                                 kpi::v1::Measurement* out);

// A request_id (1 to 128 printable ASCII characters) for `key`: "<prefix>"
// followed by the key when it is printable ASCII and fits, else by a 64-bit
// FNV-1a hash of it in hex.
std::string RowRequestId(absl::string_view prefix, absl::string_view key);

// FNV-1a 64-bit hash of `data` as 16 hex digits.
std::string Fnv64Hex(absl::string_view data);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_IMPORT_ROWS_H_
