#ifndef SHIEN_TOOLS_BENCH_LOADGEN_H_
#define SHIEN_TOOLS_BENCH_LOADGEN_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace shien::bench {

using Clock = std::chrono::steady_clock;

// The bearer tokens of the development principals, by role ("viewer",
// "reporter", "reviewer", "admin", "service"), read from a file of
// `export SHIEN_<ROLE>_TOKEN=<token>` lines (deploy/lib/common.sh
// shien_dev_tokens writes one). NOT_FOUND when the file cannot be read.
absl::StatusOr<std::map<std::string, std::string>> ReadDevTokens(
    const std::string& path);

// A plaintext channel to `target` on a TCP connection of its own: channels
// opened by common/client OpenChannel with the same arguments share one
// connection (gRPC's global subchannel pool), which would cap the calls in
// flight at the server's --max_concurrent_streams. No retries, no
// interceptors: the caller adds the token to each call (AuthorizeCall).
std::shared_ptr<grpc::Channel> OpenBenchChannel(const std::string& target,
                                                int index);

// Sets "authorization: Bearer <token>" and a deadline on `context`.
void PrepareCall(grpc::ClientContext* context, const std::string& token,
                 std::chrono::milliseconds deadline);

// Latency distribution and outcome counts of one measurement.
struct Stats {
  int64_t ok = 0;
  // Failed calls by gRPC code name ("UNAVAILABLE"); "BAD_RESPONSE" for an
  // answer that was OK but wrong.
  std::map<std::string, int64_t> errors;
  double seconds = 0;
  // Of the successful calls, in microseconds.
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  int64_t p999_us = 0;
  int64_t max_us = 0;
  // The largest serialized answer seen.
  int64_t answer_bytes = 0;

  int64_t error_count() const;
  // Successful calls per second.
  double rate() const { return seconds > 0 ? ok / seconds : 0; }
};

// Fills the percentiles of `stats` from `latencies_us` (reordered).
void ComputePercentiles(std::vector<int64_t>& latencies_us, Stats* stats);

// Outcome of one call: a gRPC status, or OK with a response that failed the
// method's check (bad_response).
struct CallOutcome {
  grpc::Status status;
  bool bad_response = false;
  // Size of the serialized answer.
  int64_t answer_bytes = 0;
};

// Issues one call on `context` (prepared by the caller) and runs `done`
// exactly once when it ends, on any thread. One Issuer serves one call at a
// time (it may own the request and response).
using Issuer = std::function<void(grpc::ClientContext* context,
                                  std::function<void(CallOutcome)> done)>;

// Makes the issuer of one in-flight slot for `method` over `channel`:
// "empty" (shien.bench.v1.BenchService/Empty), "sized:N" (BenchService/Sized
// answering N bytes), "GetBudgetSummary",
// "GetKpiDashboard", "GetIndicatorProgress", "GetSchemeStats", each with a
// fixed FY2026 request and a check of its answer. Answers arrive as bytes;
// the slot parses and checks the first one and any that differs from the
// last one that passed (every one with `parse_each`). INVALID_ARGUMENT for
// another method.
absl::StatusOr<Issuer> MakeUnaryIssuer(const std::string& method,
                                       std::shared_ptr<grpc::Channel> channel,
                                       bool parse_each = false);

struct LoadOptions {
  // Calls in flight (closed loop: each slot issues its next call when the
  // previous one ends).
  int in_flight = 16;
  // Connections; 0: one per 8 calls in flight.
  int channels = 0;
  // Calls ending during the warm-up are not counted.
  double warmup_seconds = 2;
  // Measuring time after the warm-up; ignored when count > 0.
  double seconds = 10;
  // When > 0: measure exactly this many calls after the warm-up instead.
  int64_t count = 0;
  std::chrono::milliseconds deadline{10000};
  std::string token;
};

// Runs a closed-loop load of `options.in_flight` calls made by `make_issuer`
// (called once per slot with the slot's channel) against `target` on the
// gRPC callback client, and returns what the measuring window saw:
// throughput over the window, latency of the calls that ended inside it.
absl::StatusOr<Stats> RunClosedLoop(
    const std::string& target, const LoadOptions& options,
    const std::function<absl::StatusOr<Issuer>(std::shared_ptr<grpc::Channel>)>&
        make_issuer);

// One measurement as a JSON object (one line): `fields` (already JSON
// values, e.g. "\"empty\"" or "16") followed by the stats.
std::string StatsJson(
    const std::vector<std::pair<std::string, std::string>>& fields,
    const Stats& stats);

// A JSON string literal of `s`.
std::string JsonString(const std::string& s);

}  // namespace shien::bench

#endif  // SHIEN_TOOLS_BENCH_LOADGEN_H_
