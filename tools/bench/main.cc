// shien_loadgen: measures one thing against a running shien server and
// prints it as one JSON line per result on stdout (a readable summary on
// stderr). bench/run drives it; see README "Performance".
//
//   shien_loadgen --method=GetBudgetSummary --target=127.0.0.1:50051
//       --tokens=var/auth/dev-tokens.env --in_flight=16 --seconds=10
//   shien_loadgen --method=RecordMeasurements --target=KPI --data_dir=data
//       --raw_db=/tmp/raw-kpi.db
//   shien_loadgen --method=ApproveApplication --target=SUBSIDY
//       --budget_target=BUDGET --applications=2000 --clients=64
//
// Exit status: 0 measured without errors; 1 usage or setup failure; 3 calls
// failed or rows were rejected (unless --fail_on_errors=false), or the
// envelope was overcommitted.
#include <malloc.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "tools/bench/approvals.h"
#include "tools/bench/ingest.h"
#include "tools/bench/loadgen.h"

ABSL_FLAG(std::string, method, "empty",
          "empty or sized:N (shien_bench_server; N bytes answered), "
          "GetBudgetSummary, GetKpiDashboard, "
          "GetIndicatorProgress, GetSchemeStats, RecordMeasurements or "
          "ApproveApplication");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "the server, host:port");
ABSL_FLAG(std::string, tokens, "",
          "file of `export SHIEN_<ROLE>_TOKEN=...` lines (deploy/local/run "
          "writes var/auth/dev-tokens.env)");
ABSL_FLAG(std::string, role, "",
          "whose token unary calls carry (default: viewer; reporter for "
          "RecordMeasurements)");
ABSL_FLAG(int, in_flight, 16, "unary calls in flight (closed loop)");
ABSL_FLAG(int, channels, 0,
          "connections for unary calls; 0: one per 8 calls in flight");
ABSL_FLAG(double, warmup_s, 2, "warm-up seconds, not counted");
ABSL_FLAG(double, seconds, 10, "measuring seconds");
ABSL_FLAG(int64_t, count, 0,
          "unary: measure exactly this many calls instead of --seconds");
ABSL_FLAG(int, deadline_ms, 10000, "deadline of each unary call");
ABSL_FLAG(bool, parse_answers, false,
          "unary: parse and check every answer (by default an answer with the "
          "bytes of the last one that passed is not parsed again)");
ABSL_FLAG(std::string, label, "",
          "added to every JSON line as \"label\" (e.g. overload)");
ABSL_FLAG(bool, fail_on_errors, true,
          "exit 3 when a call failed or a row was rejected");
// RecordMeasurements.
ABSL_FLAG(std::string, data_dir, "data",
          "fy*/indicators.textproto for the raw loop's database (the KPI "
          "server's --data_dir)");
ABSL_FLAG(std::string, raw_db, "",
          "the raw loop's SQLite file (deleted first); beside the server's "
          "database so both pay the same fsync");
ABSL_FLAG(bool, durable, true,
          "fsync each commit of the raw loop (the servers' default)");
ABSL_FLAG(int, batch_rows, 500, "rows per message and per raw batch");
ABSL_FLAG(int, streams, 1, "concurrent client streams");
ABSL_FLAG(std::string, programs, "4,6,11,13,14,16,17,20",
          "programs whose indicators receive rows (the reporter's)");
// ApproveApplication.
ABSL_FLAG(std::string, budget_target, "127.0.0.1:50051",
          "the budget service (the envelope is read there)");
ABSL_FLAG(std::string, scheme, "fiscalYears/2026/schemes/overseas-business",
          "the scheme whose envelope is contended");
ABSL_FLAG(int, applications, 2000, "applications to approve");
ABSL_FLAG(int, clients, 64, "concurrent approving clients");

namespace {

namespace bench = ::shien::bench;

int Usage(const std::string& message) {
  std::fprintf(stderr, "shien_loadgen: %s\n", message.c_str());
  return 1;
}

std::string LabelField() {
  const std::string label = absl::GetFlag(FLAGS_label);
  return label.empty() ? "" : bench::JsonString(label);
}

void Print(std::string json) {
  const std::string label = LabelField();
  if (!label.empty()) {
    json = absl::StrCat("{\"label\":", label, ",", json.substr(1));
  }
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
}

int RunUnary(const std::string& method, const std::string& token) {
  bench::LoadOptions options;
  options.in_flight = absl::GetFlag(FLAGS_in_flight);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.warmup_seconds = absl::GetFlag(FLAGS_warmup_s);
  options.seconds = absl::GetFlag(FLAGS_seconds);
  options.count = absl::GetFlag(FLAGS_count);
  options.deadline =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_deadline_ms));
  options.token = token;
  absl::StatusOr<bench::Stats> stats = bench::RunClosedLoop(
      absl::GetFlag(FLAGS_target), options,
      [&method](std::shared_ptr<grpc::Channel> channel) {
        return bench::MakeUnaryIssuer(method, std::move(channel),
                                      absl::GetFlag(FLAGS_parse_answers));
      });
  if (!stats.ok()) return Usage(std::string(stats.status().message()));
  std::fprintf(stderr,
               "%s K=%d: %.0f calls/s, p50 %ld us, p99 %ld us, p99.9 %ld us, "
               "%ld errors\n",
               method.c_str(), options.in_flight, stats->rate(),
               static_cast<long>(stats->p50_us),
               static_cast<long>(stats->p99_us),
               static_cast<long>(stats->p999_us),
               static_cast<long>(stats->error_count()));
  Print(bench::StatsJson(
      {{"name", bench::JsonString(method)},
       {"parse_answers", absl::GetFlag(FLAGS_parse_answers) ? "true" : "false"},
       {"k", absl::StrCat(options.in_flight)},
       {"channels",
        absl::StrCat(options.channels > 0 ? options.channels
                                          : (options.in_flight + 7) / 8)}},
      *stats));
  if (stats->ok == 0) return 3;
  return stats->error_count() > 0 && absl::GetFlag(FLAGS_fail_on_errors) ? 3
                                                                         : 0;
}

int RunIngest(const std::string& token) {
  bench::IngestOptions options;
  options.target = absl::GetFlag(FLAGS_target);
  options.token = token;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.raw_db = absl::GetFlag(FLAGS_raw_db);
  options.durable = absl::GetFlag(FLAGS_durable);
  options.batch_rows = absl::GetFlag(FLAGS_batch_rows);
  options.streams = std::max(1, absl::GetFlag(FLAGS_streams));
  options.warmup_seconds = absl::GetFlag(FLAGS_warmup_s);
  options.seconds = absl::GetFlag(FLAGS_seconds);
  options.programs.clear();
  for (absl::string_view p :
       absl::StrSplit(absl::GetFlag(FLAGS_programs), ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(p, &n)) return Usage("--programs: numbers, e.g. 4,6");
    options.programs.insert(n);
  }
  if (options.raw_db.empty()) return Usage("--raw_db is required");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove(absl::StrCat(options.raw_db, suffix).c_str());
  }
  absl::StatusOr<std::vector<bench::IngestStats>> results =
      bench::RunIngest(options);
  if (!results.ok()) return Usage(std::string(results.status().message()));
  bool failed = false;
  for (const bench::IngestStats& r : *results) {
    std::fprintf(stderr, "%s: %.0f rows/s (%ld rows in %.2f s)%s%s\n",
                 r.name.c_str(), r.rate(), static_cast<long>(r.rows), r.seconds,
                 r.error.empty() ? "" : "; error: ", r.error.c_str());
    Print(bench::IngestJson(r, options));
    failed = failed || !r.error.empty() || r.rows == 0;
  }
  return failed && absl::GetFlag(FLAGS_fail_on_errors) ? 3 : 0;
}

int RunApprovals(const std::map<std::string, std::string>& tokens) {
  bench::ApprovalOptions options;
  options.subsidy_target = absl::GetFlag(FLAGS_target);
  options.budget_target = absl::GetFlag(FLAGS_budget_target);
  options.tokens = tokens;
  options.scheme = absl::GetFlag(FLAGS_scheme);
  options.applications = std::max(1, absl::GetFlag(FLAGS_applications));
  options.clients = std::max(1, absl::GetFlag(FLAGS_clients));
  absl::StatusOr<bench::ApprovalStats> stats = bench::RunApprovals(options);
  if (!stats.ok()) return Usage(std::string(stats.status().message()));
  std::fprintf(
      stderr,
      "ApproveApplication, %d clients: %.0f approvals/s (%ld "
      "approved, %ld refused for funds, %d applications of %ld yen; "
      "prepared in %.2f s); p50 %ld us, p99 %ld us; overcommit: "
      "%s%s%s\n",
      options.clients, stats->approve.rate(),
      static_cast<long>(stats->approve.ok), static_cast<long>(stats->refused),
      options.applications, static_cast<long>(stats->amount_yen),
      stats->prepare_seconds, static_cast<long>(stats->approve.p50_us),
      static_cast<long>(stats->approve.p99_us), stats->overcommit.c_str(),
      stats->error.empty() ? "" : "; ", stats->error.c_str());
  Print(bench::ApprovalJson(*stats, options));
  if (stats->overcommit != "none") return 3;
  return !stats->error.empty() && absl::GetFlag(FLAGS_fail_on_errors) ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "shien load generator: one measurement against a running server, "
      "printed as JSON lines (see README, Performance)");
  absl::ParseCommandLine(argc, argv);
  // The load generator shares the machine with the servers it measures, so
  // its own overhead lowers every figure, the more the larger the answers.
  // With glibc's default trim threshold (128 KiB), the answers in flight
  // (16 dashboards are 550 KiB) grow and shrink the heap on every round:
  // madvise, TLB shootdowns and page faults that, measured, halved the
  // dashboard's rate. Keeping up to 64 MiB of freed heap avoids them.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::map<std::string, std::string> tokens;
  if (!absl::GetFlag(FLAGS_tokens).empty()) {
    auto read = bench::ReadDevTokens(absl::GetFlag(FLAGS_tokens));
    if (!read.ok()) return Usage(std::string(read.status().message()));
    tokens = *std::move(read);
  }
  const std::string method = absl::GetFlag(FLAGS_method);
  std::string role = absl::GetFlag(FLAGS_role);
  if (role.empty())
    role = method == "RecordMeasurements" ? "reporter" : "viewer";
  const std::string token = tokens.count(role) ? tokens.at(role) : "";
  if (method == "RecordMeasurements") return RunIngest(token);
  if (method == "ApproveApplication") return RunApprovals(tokens);
  return RunUnary(method, token);
}
