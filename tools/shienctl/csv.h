#ifndef SHIEN_TOOLS_SHIENCTL_CSV_H_
#define SHIEN_TOOLS_SHIENCTL_CSV_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shien::ctl {

// CSV as shienctl reads it (RFC 4180 plus what spreadsheets write):
// - UTF-8 only. A UTF-8 byte order mark at the start is accepted and
//   skipped (Excel's "CSV UTF-8" writes one). Shift_JIS and UTF-16 input is
//   refused with a message saying how to convert it.
// - Lines end in LF or CRLF.
// - Fields are separated by commas; a field may be quoted with '"', and
//   then holds commas, line breaks and '""' for one quote. A quote inside an
//   unquoted field, or text after a closing quote, is an error. A line
//   break inside a quoted field is kept as "\n" (LF) in either case.
// - Empty lines (nothing but the line ending) are skipped; line numbers
//   still count them.
// Line numbers are 1-based physical lines of the file; a record that spans
// lines (a quoted line break) has the number of its first line.

// Checks that `stream` is UTF-8 from its current position to its end, line
// by line. INVALID_ARGUMENT "line N: ..." naming the first bad line; the
// message says when the bytes look like Shift_JIS or UTF-16.
absl::Status CheckUtf8Stream(std::istream& stream);

// Same for one line; `line` numbers the message.
absl::Status CheckUtf8Line(absl::string_view text, int64_t line);

struct CsvRecord {
  // Line of the record's first character.
  int64_t line = 0;
  std::vector<std::string> fields;
};

// Reads records one at a time from a stream it does not own.
class CsvReader {
 public:
  explicit CsvReader(std::istream* in) : in_(in) {}

  // The next record into *record: true, or false at the end of the input.
  // A malformed record is INVALID_ARGUMENT "line N: ..." and is skipped:
  // the next call continues after it.
  absl::StatusOr<bool> Next(CsvRecord* record);

  // Bytes consumed so far (for progress).
  int64_t bytes_read() const { return bytes_read_; }

 private:
  // Reads one physical line without its ending into *line; false at EOF.
  bool ReadLine(std::string* line);

  std::istream* in_;
  int64_t line_ = 0;
  int64_t bytes_read_ = 0;
};

// The columns of a CSV with a header row: which column holds each name.
class ColumnMap {
 public:
  // From the header record. Names are compared after trimming spaces, case
  // insensitively. INVALID_ARGUMENT "line N: ..." when a required column is
  // missing, a column is unknown or named twice, listing the columns
  // expected.
  static absl::StatusOr<ColumnMap> FromHeader(
      const CsvRecord& header, const std::vector<std::string>& required,
      const std::vector<std::string>& optional);

  // INVALID_ARGUMENT "line N: ..." unless the record has as many fields as
  // the header.
  absl::Status CheckWidth(const CsvRecord& record) const;

  // The field of column `name` in `record` (trimmed of spaces); empty when
  // the column is absent from the header.
  absl::string_view Get(const CsvRecord& record, absl::string_view name) const;

 private:
  std::vector<std::string> names_;
};

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_CSV_H_
