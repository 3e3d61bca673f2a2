#include "tools/shienctl/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Every record of `text`, or the first error's message.
std::vector<CsvRecord> ReadAll(const std::string& text,
                               std::vector<std::string>* errors) {
  std::istringstream in(text);
  CsvReader reader(&in);
  std::vector<CsvRecord> records;
  while (true) {
    CsvRecord record;
    absl::StatusOr<bool> next = reader.Next(&record);
    if (!next.ok()) {
      errors->push_back(std::string(next.status().message()));
      continue;
    }
    if (!*next) break;
    records.push_back(record);
  }
  return records;
}

TEST(CsvReaderTest, ReadsRfc4180WithBomCrlfAndEmptyLines) {
  std::vector<std::string> errors;
  auto records = ReadAll(
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "\r\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
      "2,\"multi\nline\",\n"
      "\n"
      "3,,last",
      &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_EQ(records[1].line, 3);
  EXPECT_THAT(records[1].fields, ElementsAre("1", "x, y", "say \"hi\""));
  EXPECT_EQ(records[2].line, 4);
  EXPECT_THAT(records[2].fields, ElementsAre("2", "multi\nline", ""));
  EXPECT_EQ(records[3].line, 7);
  EXPECT_THAT(records[3].fields, ElementsAre("3", "", "last"));
}

TEST(CsvReaderTest, MalformedRecordsAreLineNumberedAndSkipped) {
  std::vector<std::string> errors;
  auto records = ReadAll(
      "a,b\n"
      "x\"y,1\n"
      "\"x\"y,2\n"
      "ok,3\n"
      "\"never closed,4\n",
      &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], HasSubstr("line 2: field 1: a quote inside"));
  EXPECT_THAT(errors[1], HasSubstr("line 3: field 1: text after a closing"));
  EXPECT_THAT(errors[2], HasSubstr("line 5: field 1: a quoted field is never"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].line, 4);
}

TEST(CsvEncodingTest, RefusesShiftJisAndUtf16WithAdvice) {
  EXPECT_TRUE(CheckUtf8Line("展示会, 大阪", 1).ok());
  absl::Status sjis = CheckUtf8Line("\x93\x8C\x8B\x9E,1", 7);
  EXPECT_THAT(std::string(sjis.message()),
              HasSubstr("line 7: the file looks like Shift_JIS; convert it to "
                        "UTF-8 (e.g. iconv -f SHIFT_JIS -t UTF-8"));
  absl::Status kana = CheckUtf8Line("\xB1\xB2", 2);  // half-width ｱｲ
  EXPECT_THAT(std::string(kana.message()), HasSubstr("Shift_JIS"));
  absl::Status latin1 = CheckUtf8Line("caf\xE9", 3);
  EXPECT_THAT(std::string(latin1.message()),
              HasSubstr("line 3: not valid UTF-8 (byte 0xE9 at byte 4"));
  absl::Status utf16 = CheckUtf8Line(std::string("\xFF\xFE"
                                                 "a\0",
                                                 4),
                                     1);
  EXPECT_THAT(std::string(utf16.message()), HasSubstr("UTF-16"));
  // Overlong and surrogate encodings are not UTF-8.
  EXPECT_FALSE(CheckUtf8Line("\xC0\xAF", 1).ok());
  EXPECT_FALSE(CheckUtf8Line("\xED\xA0\x80", 1).ok());

  std::istringstream stream(
      "\xEF\xBB\xBF"
      "a\nb\n\x82\xA0\n");
  absl::Status status = CheckUtf8Stream(stream);
  EXPECT_THAT(std::string(status.message()), HasSubstr("line 3: "));
}

TEST(ColumnMapTest, NamesColumnsByHeader) {
  CsvRecord header{1, {" Amount_Yen ", "voucher", "note"}};
  auto map = ColumnMap::FromHeader(header, {"voucher", "amount_yen"}, {"note"});
  ASSERT_TRUE(map.ok()) << map.status();
  CsvRecord row{2, {" 100 ", "V-1", "x"}};
  EXPECT_EQ(map->Get(row, "amount_yen"), "100");
  EXPECT_EQ(map->Get(row, "voucher"), "V-1");
  EXPECT_EQ(map->Get(row, "missing"), "");
  EXPECT_TRUE(map->CheckWidth(row).ok());
  EXPECT_THAT(std::string(map->CheckWidth(CsvRecord{9, {"a"}}).message()),
              HasSubstr("line 9: 1 fields, but the header has 3 columns"));

  auto missing = ColumnMap::FromHeader(CsvRecord{1, {"voucher"}},
                                       {"voucher", "amount_yen"}, {});
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("line 1: missing required column \"amount_yen\""));
  auto twice = ColumnMap::FromHeader(CsvRecord{1, {"voucher", "VOUCHER"}},
                                     {"voucher"}, {});
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("twice"));
  auto unknown =
      ColumnMap::FromHeader(CsvRecord{1, {"voucher", "x"}}, {"voucher"}, {});
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("unknown column \"x\""));
}

}  // namespace
}  // namespace shien::ctl
