#ifndef SHIEN_TOOLS_BENCH_INGEST_H_
#define SHIEN_TOOLS_BENCH_INGEST_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/loadgen.h"

namespace shien::bench {

// Streaming ingestion (KpiService.RecordMeasurements) against the same rows
// written by a plain loop of KpiStore::RecordMeasurements batches into a
// fresh database of the same schema, in one run.
struct IngestOptions {
  std::string target;  // the KPI server
  std::string token;   // a reporter (or service) token
  // Where fy*/indicators.textproto are (the server's --data_dir): the raw
  // loop's database is loaded from it.
  std::string data_dir;
  // The raw loop's SQLite file (created; in the same file system as the
  // server's database so both pay the same fsync).
  std::string raw_db;
  // fsync each commit in the raw loop (the server's default is on).
  bool durable = true;
  int year = 2026;
  // Programs whose indicators receive rows: those the reporter may record
  // for (the development reporter: 経営支援課 and 技術支援課).
  std::set<int> programs = {4, 6, 11, 13, 14, 16, 17, 20};
  int batch_rows = 500;
  // Concurrent streams (each a client stream of batches).
  int streams = 1;
  double warmup_seconds = 2;
  double seconds = 10;
};

struct IngestStats {
  std::string name;  // "raw-insert" or "RecordMeasurements"
  int64_t rows = 0;  // acknowledged (committed) rows in the window
  int64_t batches = 0;
  int64_t rejected = 0;
  double seconds = 0;
  // Per-batch commit time (raw loop only), microseconds.
  int64_t batch_p50_us = 0;
  int64_t batch_p99_us = 0;
  std::string error;  // the first failure, empty when none
  double rate() const { return seconds > 0 ? rows / seconds : 0; }
};

// Runs the raw loop, then the streams, each for warm-up + seconds. A row
// rejected or a call failed is reported in `error`; the error status is for
// setup failures (the data, the raw database).
absl::StatusOr<std::vector<IngestStats>> RunIngest(
    const IngestOptions& options);

std::string IngestJson(const IngestStats& stats, const IngestOptions& options);

}  // namespace shien::bench

#endif  // SHIEN_TOOLS_BENCH_INGEST_H_
