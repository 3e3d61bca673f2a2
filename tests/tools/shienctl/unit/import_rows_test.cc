#include "tools/shienctl/import_rows.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::ctl {
namespace {

using ::testing::HasSubstr;

ColumnMap Columns(const CsvRecord& header,
                  const std::vector<std::string>& required,
                  const std::vector<std::string>& optional) {
  auto map = ColumnMap::FromHeader(header, required, optional);
  EXPECT_TRUE(map.ok()) << map.status();
  return *map;
}

TEST(ExpenditureRowTest, RequestIdComesFromTheVoucher) {
  ColumnMap columns = Columns(
      CsvRecord{1,
                {"voucher", "program", "month", "amount_yen", "description"}},
      ExpenditureColumns(), ExpenditureOptionalColumns());
  budget::v1::Expenditure e;
  ASSERT_TRUE(
      ParseExpenditureRow(
          columns, CsvRecord{2, {"V-9", "11", "2027-03", "1,500,000", "x"}}, &e)
          .ok());
  // March 2027 belongs to FY2026.
  EXPECT_EQ(e.program(), "fiscalYears/2026/programs/11");
  EXPECT_EQ(e.month().year(), 2027);
  EXPECT_EQ(e.month().month(), 3);
  EXPECT_EQ(e.month().day(), 0);
  EXPECT_EQ(e.amount_yen(), 1500000);
  EXPECT_EQ(e.request_id(), "exp:V-9");
  EXPECT_EQ(e.source_record_id(), "V-9");
  EXPECT_EQ(e.description(), "x");

  // The same voucher elsewhere in another file: the same request id.
  budget::v1::Expenditure again;
  ASSERT_TRUE(ParseExpenditureRow(
                  columns,
                  CsvRecord{900, {"V-9", "11", "2027-03", "1500000", "x"}},
                  &again)
                  .ok());
  EXPECT_EQ(again.request_id(), e.request_id());

  for (const auto& [fields, message] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"", "1", "2026-04", "1", ""}, "line 5: voucher: is empty"},
           {{"V", "x", "2026-04", "1", ""}, "line 5: program:"},
           {{"V", "1", "2026/04", "1", ""}, "line 5: month:"},
           {{"V", "1", "2026-00", "1", ""}, "line 5: month:"},
           {{"V", "1", "2026-04", "0", ""}, "line 5: amount_yen:"},
           {{"V", "1", "2026-04", "1,00", ""}, "line 5: amount_yen:"},
           {{"V", "1", "2026-04", "1e3", ""}, "line 5: amount_yen:"},
           {{"V", "1", "2026-04", "1"}, "line 5: 4 fields"}}) {
    absl::Status status =
        ParseExpenditureRow(columns, CsvRecord{5, fields}, &e);
    EXPECT_THAT(std::string(status.message()), HasSubstr(message));
  }
}

TEST(ExpenditureRowTest, NonAsciiOrLongVouchersAreHashed) {
  EXPECT_EQ(RowRequestId("exp:", "V-1"), "exp:V-1");
  const std::string hashed = RowRequestId("exp:", "伝票-1");
  EXPECT_EQ(hashed.rfind("exp:h:", 0), 0u);
  EXPECT_EQ(hashed.size(), 6u + 16u);
  EXPECT_NE(RowRequestId("exp:", "伝票-2"), hashed);
  EXPECT_EQ(RowRequestId("exp:", std::string(125, 'a')).size(), 22u);
  EXPECT_EQ(RowRequestId("exp:", std::string(124, 'a')).size(), 128u);
}

TEST(MeasurementRowTest, KeyAndValueMakeTheRequestId) {
  ColumnMap columns =
      Columns(CsvRecord{1, {"indicator", "period", "kind", "value"}},
              MeasurementColumns(), MeasurementOptionalColumns());
  kpi::v1::Measurement m;
  ASSERT_TRUE(
      ParseMeasurementRow(
          columns,
          CsvRecord{2, {"17/consultations", "2027-01", "actual", "231"}}, &m)
          .ok());
  EXPECT_EQ(m.indicator(),
            "fiscalYears/2026/programs/17/indicators/consultations");
  EXPECT_EQ(m.month().year(), 2027);
  EXPECT_EQ(m.month().month(), 1);
  EXPECT_FALSE(m.has_as_of_date());
  EXPECT_EQ(m.kind(), kpi::v1::MEASUREMENT_KIND_ACTUAL);
  EXPECT_EQ(m.value(), 231);
  EXPECT_EQ(m.request_id(),
            "msr:fiscalYears/2026/programs/17/indicators/consultations:"
            "2027-01:actual:231");

  ASSERT_TRUE(
      ParseMeasurementRow(
          columns,
          CsvRecord{3, {"9/consultations", "2026-03-31", "forecast", "0"}}, &m)
          .ok());
  // 31 March 2026 is the last day of FY2025.
  EXPECT_EQ(m.indicator(),
            "fiscalYears/2025/programs/9/indicators/consultations");
  EXPECT_EQ(m.as_of_date().day(), 31);
  EXPECT_EQ(m.kind(), kpi::v1::MEASUREMENT_KIND_FORECAST);

  for (const auto& [fields, message] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"consultations", "2026-04", "actual", "1"}, "line 4: indicator:"},
           {{"9/x", "2026-02-30", "actual", "1"}, "line 4: period:"},
           {{"9/x", "2026-04", "guess", "1"}, "line 4: kind:"},
           {{"9/x", "2026-04", "actual", "-1"}, "line 4: value:"}}) {
    absl::Status status =
        ParseMeasurementRow(columns, CsvRecord{4, fields}, &m);
    EXPECT_THAT(std::string(status.message()), HasSubstr(message));
  }
}

}  // namespace
}  // namespace shien::ctl
