#include "tools/shienctl/csv.h"

#include <algorithm>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace shien::ctl {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const unsigned char t = static_cast<unsigned char>(s[i + k]);
    if ((t & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (t & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// True when `s` parses as Shift_JIS with at least one double-byte or
// half-width kana character.
bool LooksLikeShiftJis(absl::string_view s) {
  bool saw_japanese = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    if (c >= 0xA1 && c <= 0xDF) {  // half-width katakana
      saw_japanese = true;
      continue;
    }
    if ((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) {
      if (i + 1 >= s.size()) return false;
      const unsigned char t = static_cast<unsigned char>(s[i + 1]);
      if (t < 0x40 || t == 0x7F || t > 0xFC) return false;
      saw_japanese = true;
      ++i;
      continue;
    }
    return false;
  }
  return saw_japanese;
}

}  // namespace

absl::Status CheckUtf8Line(absl::string_view text, int64_t line) {
  if (line == 1 && text.size() >= 2 &&
      ((text[0] == '\xFF' && text[1] == '\xFE') ||
       (text[0] == '\xFE' && text[1] == '\xFF'))) {
    return absl::InvalidArgumentError(
        "line 1: the file is UTF-16; save it as UTF-8 (e.g. iconv -f UTF-16 "
        "-t UTF-8)");
  }
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      if (LooksLikeShiftJis(text)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line,
            ": the file looks like Shift_JIS; convert it to UTF-8 (e.g. "
            "iconv -f SHIFT_JIS -t UTF-8 in.csv > out.csv)"));
      }
      return absl::InvalidArgumentError(absl::StrFormat(
          "line %d: not valid UTF-8 (byte 0x%02X at byte %d of the line); "
          "save the file as UTF-8",
          line, static_cast<unsigned char>(text[i]), i + 1));
    }
    i += len;
  }
  return absl::OkStatus();
}

absl::Status CheckUtf8Stream(std::istream& stream) {
  std::string text;
  int64_t line = 0;
  while (std::getline(stream, text)) {
    ++line;
    absl::string_view view = text;
    if (line == 1 && absl::StartsWith(view, kBom)) view.remove_prefix(3);
    absl::Status status = CheckUtf8Line(view, line);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

bool CsvReader::ReadLine(std::string* line) {
  if (!std::getline(*in_, *line)) return false;
  bytes_read_ += static_cast<int64_t>(line->size()) + (in_->eof() ? 0 : 1);
  ++line_;
  if (line_ == 1 && absl::StartsWith(*line, kBom)) line->erase(0, 3);
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

absl::StatusOr<bool> CsvReader::Next(CsvRecord* record) {
  std::string text;
  do {
    if (!ReadLine(&text)) return false;
  } while (text.empty());
  record->line = line_;
  record->fields.clear();
  std::string field;
  bool in_quotes = false;
  bool was_quoted = false;
  size_t i = 0;
  while (true) {
    if (i == text.size()) {
      if (in_quotes) {
        // A quoted line break: the record continues on the next line.
        if (!ReadLine(&text)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", record->line, ": field ", record->fields.size() + 1,
              ": a quoted field is never closed (a '\"' is missing)"));
        }
        field += '\n';
        i = 0;
        continue;
      }
      record->fields.push_back(std::move(field));
      return true;
    }
    const char c = text[i++];
    if (in_quotes) {
      if (c != '"') {
        field += c;
      } else if (i < text.size() && text[i] == '"') {
        field += '"';
        ++i;
      } else {
        in_quotes = false;
        if (i < text.size() && text[i] != ',') {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line_, ": field ", record->fields.size() + 1,
              ": text after a closing quote (write \"\" for a quote inside "
              "a quoted field)"));
        }
      }
    } else if (c == ',') {
      record->fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '"') {
      if (!field.empty() || was_quoted) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line_, ": field ", record->fields.size() + 1,
            ": a quote inside an unquoted field (quote the whole field and "
            "write \"\" for the quote)"));
      }
      in_quotes = true;
      was_quoted = true;
    } else {
      field += c;
    }
  }
}

absl::StatusOr<ColumnMap> ColumnMap::FromHeader(
    const CsvRecord& header, const std::vector<std::string>& required,
    const std::vector<std::string>& optional) {
  auto expected = [&] {
    std::string list = absl::StrJoin(required, ",");
    if (!optional.empty()) {
      absl::StrAppend(&list, " (optional: ", absl::StrJoin(optional, ","), ")");
    }
    return list;
  };
  ColumnMap map;
  for (const std::string& raw : header.fields) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
    const bool known =
        std::find(required.begin(), required.end(), name) != required.end() ||
        std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", header.line, ": unknown column \"", name,
          "\"; the header row must name the columns ", expected()));
    }
    if (std::find(map.names_.begin(), map.names_.end(), name) !=
        map.names_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", header.line, ": column \"", name, "\" appears twice"));
    }
    map.names_.push_back(std::move(name));
  }
  for (const std::string& name : required) {
    if (std::find(map.names_.begin(), map.names_.end(), name) ==
        map.names_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", header.line, ": missing required column \"", name,
          "\"; the header row must name the columns ", expected()));
    }
  }
  return map;
}

absl::Status ColumnMap::CheckWidth(const CsvRecord& record) const {
  if (record.fields.size() == names_.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("line ", record.line, ": ", record.fields.size(),
                   " fields, but the header has ", names_.size(),
                   " columns (quote a field that holds a comma)"));
}

absl::string_view ColumnMap::Get(const CsvRecord& record,
                                 absl::string_view name) const {
  for (size_t i = 0; i < names_.size() && i < record.fields.size(); ++i) {
    if (names_[i] == name) return absl::StripAsciiWhitespace(record.fields[i]);
  }
  return {};
}

}  // namespace shien::ctl
