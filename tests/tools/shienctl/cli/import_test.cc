// `shienctl import` against the real servers: interrupted at random points
// (SIGKILL of shienctl, a server restart) and rerun, every row ends up
// counted once; rejected rows are reported by line and can be fixed and
// rerun; each kind of malformed CSV gets a line-numbered error.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/tools/shienctl/cli/shienctl_system.h"

namespace shien {
namespace {

namespace bpb = ::shien::budget::v1;
namespace kpb = ::shien::kpi::v1;
using testing::CtlResult;
using testing::ShienctlSystem;

class ShienctlImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(system_.Start(&error)) << error;
  }

  bpb::ExecutionRow Total() {
    grpc::ClientContext context;
    bpb::GetExecutionSummaryRequest request;
    request.set_name("fiscalYears/2026/executionSummary");
    bpb::ExecutionSummary summary;
    grpc::Status status =
        system_.Budget()->GetExecutionSummary(&context, request, &summary);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return summary.total();
  }

  std::vector<bpb::Expenditure> Expenditures(int program) {
    grpc::ClientContext context;
    bpb::ListExpendituresRequest request;
    request.set_parent("fiscalYears/2026/programs/" + std::to_string(program));
    request.set_page_size(1000);
    bpb::ListExpendituresResponse response;
    EXPECT_TRUE(
        system_.Budget()->ListExpenditures(&context, request, &response).ok());
    return {response.expenditures().begin(), response.expenditures().end()};
  }

  // Polls `done` every 2 ms for up to 30 s.
  template <typename Predicate>
  static bool WaitFor(Predicate done) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // The KPI data version of FY2026: one more per committed batch.
  int64_t KpiVersion() {
    grpc::ClientContext context;
    kpb::GetKpiDashboardRequest request;
    request.set_name("fiscalYears/2026/kpiDashboard");
    kpb::KpiDashboard dashboard;
    EXPECT_TRUE(
        system_.Kpi()->GetKpiDashboard(&context, request, &dashboard).ok());
    return dashboard.data_version();
  }

  CtlResult Import(const std::string& kind, const std::string& path) {
    return system_.Run({"import", kind, path});
  }

  ShienctlSystem system_;
};

TEST_F(ShienctlImportTest, InterruptedAtRandomAndRerunCountsEachRowOnce) {
  constexpr int kRows = 3000;
  std::string csv = "voucher,program,month,amount_yen,description\n";
  int64_t sum = 0;
  for (int i = 0; i < kRows; ++i) {
    const int month = i % 12;  // April 2026 .. March 2027
    const int year = month < 9 ? 2026 : 2027;
    const int calendar_month = (month + 3) % 12 + 1;
    char line[128];
    std::snprintf(line, sizeof(line), "V-%06d,%d,%d-%02d,%d,row %d\n", i,
                  i % 24 + 1, year, calendar_month, i + 1, i);
    csv += line;
    sum += i + 1;
  }
  const std::string path = system_.WriteFile("vouchers.csv", csv);

  // Four random points of the import, in order: shienctl is killed (or,
  // the third time, the server is restarted under it) as soon as the
  // server holds that many records. Each run starts the file again.
  const unsigned seed = static_cast<unsigned>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::vector<int> points(4);
  for (int& point : points) {
    point = std::uniform_int_distribution<int>(1, kRows - 1)(random);
  }
  std::sort(points.begin(), points.end());
  int interrupted = 0;
  for (size_t attempt = 0; attempt < points.size(); ++attempt) {
    const std::string tag = "kill" + std::to_string(attempt);
    pid_t pid =
        system_.Spawn({"import", "expenditures", path, "--batch_size=10"}, tag);
    ASSERT_TRUE(
        WaitFor([&] { return Total().record_count() >= points[attempt]; }));
    if (attempt == 2) {
      // The server goes away under the import, and comes back.
      std::string error;
      ASSERT_TRUE(system_.RestartBudget(&error)) << error;
      CtlResult r = system_.Collect(pid, tag);
      if (r.exit_code != 0) {
        EXPECT_EQ(r.exit_code, 3) << r.err;
        EXPECT_NE(r.err.find("Run the same command again"), std::string::npos)
            << r.err;
      }
    } else {
      kill(pid, SIGKILL);
      system_.Collect(pid, tag);
    }
    const bpb::ExecutionRow partial = Total();
    std::cout << "stopped at " << partial.record_count() << " records (point "
              << points[attempt] << ")\n";
    if (partial.record_count() < kRows) ++interrupted;
    EXPECT_LE(partial.record_count(), kRows);
    EXPECT_LE(partial.executed_yen(), sum);
  }
  EXPECT_GT(interrupted, 0);

  CtlResult r = Import("expenditures", path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3,000 rows;"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rejected 0"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("progress: 100%"), std::string::npos) << r.err;

  const bpb::ExecutionRow total = Total();
  EXPECT_EQ(total.record_count(), kRows);
  EXPECT_EQ(total.executed_yen(), sum);
  const auto records = Expenditures(1);
  EXPECT_EQ(records.size(), static_cast<size_t>(kRows / 24));
  EXPECT_EQ(records[0].request_id(), "exp:V-000000");
  EXPECT_EQ(records[0].source_record_id(), "V-000000");

  // Once more: everything is a duplicate.
  r = Import("expenditures", path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted 0, duplicate 3,000, rejected 0"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Total().executed_yen(), sum);
}

TEST_F(ShienctlImportTest, MeasurementsInterruptedAndRerunCountedOnce) {
  // Every FY2026 indicator that is not part of a breakdown, April to March.
  grpc::ClientContext context;
  kpb::ListIndicatorsRequest request;
  request.set_parent("fiscalYears/2026");
  request.set_page_size(200);
  kpb::ListIndicatorsResponse indicators;
  ASSERT_TRUE(
      system_.Kpi()->ListIndicators(&context, request, &indicators).ok());
  std::vector<std::string> names;
  std::string csv = "indicator,period,kind,value\n";
  for (const kpb::Indicator& indicator : indicators.indicators()) {
    if (!indicator.parent().empty() || indicator.parts_bounded_by_whole()) {
      continue;
    }
    names.push_back(indicator.name());
    for (int m = 0; m < 12; ++m) {
      const int year = m < 9 ? 2026 : 2027;
      char line[256];
      std::snprintf(line, sizeof(line), "%s,%d-%02d,actual,%d\n",
                    indicator.name().c_str(), year, (m + 3) % 12 + 1, m + 1);
      csv += line;
    }
  }
  ASSERT_GT(names.size(), 20u);
  const std::string path = system_.WriteFile("actuals.csv", csv);
  // Killed after 3, 10 and 25 more committed batches of 10 rows.
  const int64_t start = KpiVersion();
  for (int batches : {3, 10, 25}) {
    const std::string tag = "mkill" + std::to_string(batches);
    pid_t pid =
        system_.Spawn({"import", "measurements", path, "--batch_size=10"}, tag);
    ASSERT_TRUE(WaitFor([&] { return KpiVersion() >= start + batches; }));
    kill(pid, SIGKILL);
    system_.Collect(pid, tag);
  }
  CtlResult r = Import("measurements", path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rejected 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(corrections 0)"), std::string::npos) << r.out;

  for (const std::string& name : names) {
    grpc::ClientContext list_context;
    kpb::ListMeasurementsRequest list;
    list.set_parent(name);
    list.set_page_size(1000);
    kpb::ListMeasurementsResponse measurements;
    ASSERT_TRUE(system_.Kpi()
                    ->ListMeasurements(&list_context, list, &measurements)
                    .ok());
    // Every version, superseded ones included: exactly one per month.
    ASSERT_EQ(measurements.measurements_size(), 12) << name;
    int64_t sum = 0;
    for (const auto& m : measurements.measurements()) sum += m.value();
    EXPECT_EQ(sum, 78) << name;
  }

  // A new value for a stored month is a correction, not a second count.
  const std::string fix =
      system_.WriteFile("fix.csv", "indicator,period,kind,value\n" + names[0] +
                                       ",2026-04,actual,5\n");
  r = Import("measurements", fix);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted 1 (corrections 1)"), std::string::npos)
      << r.out;
}

TEST_F(ShienctlImportTest, RejectedRowsAreReportedByLineAndCanBeFixed) {
  const std::string bad =
      system_.WriteFile("bad.csv",
                        "voucher,program,month,amount_yen\n"
                        "F-1,5,2026-04,1000\n"
                        "F-2,99,2026-04,2000\n"  // line 3: no program 99
                        "F-3,5,2026-13,3000\n"   // line 4: no month 13
                        "F-4,5,2026-04,-5\n"     // line 5: negative
                        "F-5,5,2026-04,12.5\n"   // line 6: not whole yen
                        ",5,2026-04,10\n"        // line 7: no voucher
                        "F-6,5,2026-04,4000\n");
  CtlResult r = Import("expenditures", bad);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("7 rows; accepted 2, duplicate 0, rejected 5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("line 3: program: PROGRAM_NOT_FOUND"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 4: month: \"2026-13\" is not YYYY-MM"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 5: amount_yen"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 6: amount_yen"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 7: voucher: is empty"), std::string::npos)
      << r.err;
  EXPECT_EQ(Total().executed_yen(), 5000);

  // Fixed, the file is run again: the good rows are not added twice.
  const std::string fixed =
      system_.WriteFile("bad.csv",
                        "voucher,program,month,amount_yen\n"
                        "F-1,5,2026-04,1000\n"
                        "F-2,9,2026-04,2000\n"
                        "F-3,5,2026-12,3000\n"
                        "F-4,5,2026-04,5\n"
                        "F-5,5,2026-04,12\n"
                        "F-7,5,2026-04,10\n"
                        "F-6,5,2026-04,4000\n");
  r = Import("expenditures", fixed);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted 5, duplicate 2, rejected 0"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Total().executed_yen(), 1000 + 2000 + 3000 + 5 + 12 + 10 + 4000);
  EXPECT_EQ(Total().record_count(), 7);

  // A changed amount under a stored voucher is refused, not added.
  const std::string changed = system_.WriteFile(
      "changed.csv", "voucher,program,month,amount_yen\nF-1,5,2026-04,999\n");
  r = Import("expenditures", changed);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 2: request_id: REQUEST_ID_REUSED"),
            std::string::npos)
      << r.err;
}

TEST_F(ShienctlImportTest, SpreadsheetCsvIsAccepted) {
  // A BOM, CRLF line ends, quoted commas, "" escapes, a quoted line break
  // and empty lines; line numbers still count the empty lines.
  const std::string path = system_.WriteFile(
      "excel.csv",
      "\xEF\xBB\xBFvoucher,program,month,amount_yen,description\r\n"
      "S-1,7,2026-04,\"1,500,000\",\"展示会, 大阪\"\r\n"
      "\r\n"
      "S-2,7,2026-05,100,\"He said \"\"hi\"\"\"\r\n"
      "S-3,7,2026-06,200,\"two\r\nlines\"\r\n"
      "\r\n"
      "S-4,77,2026-06,300,bad program\r\n");
  CtlResult r = Import("expenditures", path);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("4 rows; accepted 3"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("line 8: program: PROGRAM_NOT_FOUND"), std::string::npos)
      << r.err;
  const auto records = Expenditures(7);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].amount_yen(), 1500000);
  EXPECT_EQ(records[0].description(), "展示会, 大阪");
  EXPECT_EQ(records[1].description(), "He said \"hi\"");
  // A quoted line break is kept as LF, whatever the file's line ends.
  EXPECT_EQ(records[2].description(), "two\nlines");
}

TEST_F(ShienctlImportTest, MalformedCsvGivesLineNumberedErrors) {
  struct Case {
    const char* name;
    std::string content;
    int exit_code;
    const char* message;
  };
  const std::string header = "voucher,program,month,amount_yen\n";
  const Case cases[] = {
      {"shift_jis",
       header + "M-1,5,2026-04,100\nM-2,5,2026-04,\x93\x8C\x8B\x9E\n", 2,
       "line 3: the file looks like Shift_JIS; convert it to UTF-8 (e.g. "
       "iconv -f SHIFT_JIS -t UTF-8"},
      {"latin1", header + "M-1,5,2026-04,100\nM-2,5,2026-04,caf\xE9\n", 2,
       "line 3: not valid UTF-8"},
      {"utf16", std::string("\xFF\xFEv\0o\0", 6), 2,
       "line 1: the file is UTF-16"},
      {"missing_column", "voucher,program,amount_yen\nM-1,5,100\n", 2,
       "line 1: missing required column \"month\""},
      {"unknown_column", "voucher,program,month,amount_yen,colour\n", 2,
       "line 1: unknown column \"colour\""},
      {"empty", "", 2, "line 1: the file is empty"},
      {"wrong_count", header + "M-1,5,2026-04,1,000\n", 1,
       "line 2: 5 fields, but the header has 4 columns"},
      {"unclosed_quote", header + "M-1,5,2026-04,\"100\n", 1,
       "line 2: field 4: a quoted field is never closed"},
      {"stray_quote", header + "M-1,5,2026\"04,100\n", 1,
       "line 2: field 3: a quote inside an unquoted field"},
      {"text_after_quote", header + "M-1,5,\"2026-04\"x,100\n", 1,
       "line 2: field 3: text after a closing quote"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path =
        system_.WriteFile(std::string(c.name) + ".csv", c.content);
    CtlResult r = Import("expenditures", path);
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  // Files refused as a whole sent nothing, not even their good rows.
  EXPECT_EQ(Total().record_count(), 0);
}

}  // namespace
}  // namespace shien
