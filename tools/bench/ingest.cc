#include "tools/bench/ingest.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/kpi/data/kpi_loader.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/domain/measurement.h"
#include "services/kpi/storage/sqlite_kpi_store.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"

namespace shien::bench {
namespace {

namespace pb = ::shien::kpi::v1;

// The rows both sides write, as an endless sequence: row i goes to one of
// the (indicator, month, kind) cells, in turn; the first pass stores new
// values, each later pass a correction (a different value superseding the
// current one), which is what re-sent monthly batches mostly are.
class RowSequence {
 public:
  RowSequence(int year, std::vector<kpi::Indicator> indicators)
      : year_(year), indicators_(std::move(indicators)) {}

  int64_t cells() const {
    return static_cast<int64_t>(indicators_.size()) * 12 * 2;
  }

  kpi::Measurement Row(int64_t i) const {
    const int64_t cell = i % cells();
    const int64_t pass = i / cells();
    const kpi::Indicator& indicator = indicators_[cell / 24];
    const int month_index = static_cast<int>(cell % 12);  // 0: April
    const bool forecast = (cell / 12) % 2 == 1;
    kpi::Measurement m;
    m.fiscal_year = year_;
    m.program_number = indicator.program_number;
    m.indicator_id = indicator.id;
    m.period.is_month = true;
    m.period.date = CivilDate{month_index < 9 ? year_ : year_ + 1,
                              (month_index + 3) % 12 + 1, 0};
    m.value = pass + 1;
    m.kind = forecast ? kpi::MeasurementKind::kForecast
                      : kpi::MeasurementKind::kActual;
    m.request_id = absl::StrCat("bench/", i);
    return m;
  }

  void ToProto(const kpi::Measurement& m, pb::Measurement* out) const {
    out->set_indicator(
        kpi::IndicatorName(m.fiscal_year, m.program_number, m.indicator_id));
    out->mutable_month()->set_year(m.period.date.year);
    out->mutable_month()->set_month(m.period.date.month);
    out->set_value(m.value);
    out->set_kind(m.kind == kpi::MeasurementKind::kForecast
                      ? pb::MEASUREMENT_KIND_FORECAST
                      : pb::MEASUREMENT_KIND_ACTUAL);
    out->set_request_id(m.request_id);
  }

 private:
  int year_;
  std::vector<kpi::Indicator> indicators_;
};

// The indicators of `programs` that take rows freely: neither a part of a
// breakdown nor a whole with parts (their bounds would reject some rows).
std::vector<kpi::Indicator> PlainIndicators(
    const std::vector<kpi::Indicator>& all, const std::set<int>& programs) {
  std::set<std::pair<int, std::string>> wholes;
  for (const kpi::Indicator& i : all) {
    if (!i.parent_id.empty()) wholes.insert({i.program_number, i.parent_id});
  }
  std::vector<kpi::Indicator> out;
  for (const kpi::Indicator& i : all) {
    if (programs.count(i.program_number) == 0) continue;
    if (!i.parent_id.empty() || i.parts_bounded_by_whole) continue;
    if (wholes.count({i.program_number, i.id}) != 0) continue;
    out.push_back(i);
  }
  return out;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

Clock::duration FromSeconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(s));
}

IngestStats RawLoop(kpi::KpiStore& store, const RowSequence& rows,
                    const IngestOptions& options) {
  IngestStats stats;
  stats.name = "raw-insert";
  const auto allow = [](const kpi::Indicator&) { return absl::OkStatus(); };
  int64_t next = 0;
  std::vector<int64_t> latencies;
  const Clock::time_point begin =
      Clock::now() + FromSeconds(options.warmup_seconds);
  const Clock::time_point end = begin + FromSeconds(options.seconds);
  Clock::time_point last = begin;
  while (true) {
    const Clock::time_point start = Clock::now();
    if (start >= end) break;
    std::vector<kpi::Measurement> batch;
    batch.reserve(options.batch_rows);
    for (int r = 0; r < options.batch_rows; ++r) {
      kpi::Measurement m = rows.Row(next++);
      m.recorded_by = "bench-raw";
      batch.push_back(std::move(m));
    }
    absl::StatusOr<std::vector<kpi::RowResult>> results =
        store.RecordMeasurements(batch, allow);
    const Clock::time_point done = Clock::now();
    if (!results.ok()) {
      stats.error = std::string(results.status().message());
      break;
    }
    int64_t accepted = 0;
    for (const kpi::RowResult& r : *results) {
      if (r.outcome == kpi::RowOutcome::kRejected) {
        ++stats.rejected;
        if (stats.error.empty()) {
          stats.error = absl::StrCat("row rejected: ", r.error.message());
        }
      } else if (r.outcome != kpi::RowOutcome::kDuplicate) {
        ++accepted;
      }
    }
    if (start >= begin) {
      stats.rows += accepted;
      ++stats.batches;
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(done - start)
              .count());
      last = done;
    }
  }
  stats.seconds = Seconds(last - begin);
  Stats percentiles;
  ComputePercentiles(latencies, &percentiles);
  stats.batch_p50_us = percentiles.p50_us;
  stats.batch_p99_us = percentiles.p99_us;
  return stats;
}

// One client stream writing batches taken from `next` until `stop`; returns
// the rows the server acknowledged (its final answer, sent once everything
// was committed).
IngestStats OneStream(const std::shared_ptr<grpc::Channel>& channel,
                      const RowSequence& rows, const IngestOptions& options,
                      std::atomic<int64_t>* next, Clock::time_point stop) {
  IngestStats stats;
  stats.name = "RecordMeasurements";
  auto stub = pb::KpiService::NewStub(channel);
  grpc::ClientContext context;
  PrepareCall(&context, options.token,
              std::chrono::milliseconds(static_cast<int64_t>(
                  (options.seconds + options.warmup_seconds + 120) * 1000)));
  pb::RecordMeasurementsResponse response;
  std::unique_ptr<grpc::ClientWriter<pb::RecordMeasurementsRequest>> writer =
      stub->RecordMeasurements(&context, &response);
  pb::RecordMeasurementsRequest request;
  while (Clock::now() < stop) {
    request.Clear();
    const int64_t first = next->fetch_add(options.batch_rows);
    for (int r = 0; r < options.batch_rows; ++r) {
      rows.ToProto(rows.Row(first + r), request.add_measurements());
    }
    if (!writer->Write(request)) break;
    ++stats.batches;
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) {
    stats.error = absl::StrCat("RecordMeasurements: ", status.error_message());
  }
  stats.rows = response.accepted_count();
  stats.rejected = response.rejected_count();
  if (stats.rejected > 0 && stats.error.empty()) {
    stats.error =
        absl::StrCat("row rejected: ", response.rejections(0).reason(), ": ",
                     response.rejections(0).description());
  }
  return stats;
}

IngestStats Streams(const RowSequence& rows, const IngestOptions& options,
                    std::atomic<int64_t>* next, double seconds) {
  std::vector<std::thread> threads;
  std::vector<IngestStats> each(options.streams);
  const Clock::time_point begin = Clock::now();
  const Clock::time_point stop = begin + FromSeconds(seconds);
  for (int s = 0; s < options.streams; ++s) {
    threads.emplace_back([&, s] {
      each[s] = OneStream(OpenBenchChannel(options.target, s), rows, options,
                          next, stop);
    });
  }
  for (std::thread& t : threads) t.join();
  IngestStats total;
  total.name = "RecordMeasurements";
  total.seconds = Seconds(Clock::now() - begin);
  for (const IngestStats& s : each) {
    total.rows += s.rows;
    total.batches += s.batches;
    total.rejected += s.rejected;
    if (total.error.empty()) total.error = s.error;
  }
  return total;
}

}  // namespace

absl::StatusOr<std::vector<IngestStats>> RunIngest(
    const IngestOptions& options) {
  if (options.batch_rows < 1 ||
      options.batch_rows > static_cast<int>(kpi::kMaxMeasurementsPerBatch)) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_rows must be 1..", kpi::kMaxMeasurementsPerBatch));
  }
  sql::SqliteOptions sqlite;
  sqlite.path = options.raw_db;
  sqlite.durable = options.durable;
  absl::StatusOr<std::unique_ptr<kpi::KpiStore>> store =
      kpi::OpenSqliteKpiStore(sqlite, 2);
  if (!store.ok()) return store.status();
  absl::StatusOr<kpi::KpiLoadReport> loaded =
      kpi::LoadKpiData(options.data_dir, **store);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<kpi::IndicatorSnapshot> snapshot =
      (*store)->ListIndicators(options.year, 0);
  if (!snapshot.ok()) return snapshot.status();
  std::vector<kpi::Indicator> indicators =
      PlainIndicators(snapshot->indicators, options.programs);
  if (indicators.empty()) {
    return absl::FailedPreconditionError(
        "no indicator of the given programs takes rows");
  }
  const RowSequence rows(options.year, std::move(indicators));

  std::vector<IngestStats> out;
  out.push_back(RawLoop(**store, rows, options));

  // The server's database starts where the raw one did: the same sequence
  // from row 0. The warm-up stream is not counted.
  std::atomic<int64_t> next{0};
  if (options.warmup_seconds > 0) {
    IngestStats warm = Streams(rows, options, &next, options.warmup_seconds);
    if (!warm.error.empty()) {
      out.push_back(warm);
      return out;
    }
  }
  out.push_back(Streams(rows, options, &next, options.seconds));
  return out;
}

std::string IngestJson(const IngestStats& stats, const IngestOptions& options) {
  return absl::StrFormat(
      "{\"name\":%s,\"batch_rows\":%d,\"streams\":%d,\"durable\":%s,"
      "\"rows\":%d,\"batches\":%d,\"rejected\":%d,\"seconds\":%.3f,"
      "\"rate\":%.1f,\"batch_p50_us\":%d,\"batch_p99_us\":%d,"
      "\"error_count\":%d,\"error\":%s}",
      JsonString(stats.name), options.batch_rows,
      stats.name == "raw-insert" ? 1 : options.streams,
      options.durable ? "true" : "false", stats.rows, stats.batches,
      stats.rejected, stats.seconds, stats.rate(), stats.batch_p50_us,
      stats.batch_p99_us, stats.error.empty() ? 0 : 1, JsonString(stats.error));
}

}  // namespace shien::bench
