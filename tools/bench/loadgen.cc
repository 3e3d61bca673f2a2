#include "tools/bench/loadgen.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "shien/bench/v1/bench.pb.h"
#include "shien/budget/v1/budget_service.pb.h"
#include "shien/budget/v1/summary.pb.h"
#include "shien/kpi/v1/kpi_service.pb.h"
#include "shien/kpi/v1/progress.pb.h"
#include "shien/subsidy/v1/subsidy_service.pb.h"

namespace shien::bench {
namespace {

// FY2026's total in the plan: 1,337,734千円.
constexpr int64_t kFy2026TotalYen = 1'337'734'000;

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat("CODE_", i);
}

// Whether `answer` holds exactly the bytes of `expected`.
bool SameBytes(const grpc::ByteBuffer& answer, const std::string& expected) {
  if (answer.Length() != expected.size()) return false;
  std::vector<grpc::Slice> slices;
  if (!answer.Dump(&slices).ok()) return false;
  size_t at = 0;
  for (const grpc::Slice& slice : slices) {
    if (expected.compare(at, slice.size(),
                         reinterpret_cast<const char*>(slice.begin()),
                         slice.size()) != 0) {
      return false;
    }
    at += slice.size();
  }
  return at == expected.size();
}

// A unary call of `method` ("/package.Service/Method") sent and answered as
// bytes over the generic stub, so that the load generator spends its share
// of the machine on calls, not on parsing answers (the server's cost of a
// view does not depend on whether its client parses it). Every answer is
// still checked: one whose bytes equal the last answer that parsed as a
// `Response` and passed `check` passes; any other answer is parsed and
// checked (with `parse_each`, every answer is).
template <typename Request, typename Response>
Issuer RawUnary(std::shared_ptr<grpc::GenericStub> stub, std::string method,
                const Request& request,
                std::function<bool(const Response&)> check, bool parse_each) {
  struct State {
    grpc::ByteBuffer request;
    grpc::ByteBuffer answer;
    std::string verified;  // bytes of the last answer that passed
    bool has_verified = false;
  };
  auto state = std::make_shared<State>();
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  state->request = grpc::ByteBuffer(&slice, 1);
  return [stub, method = std::move(method), state, check, parse_each](
             grpc::ClientContext* context,
             std::function<void(CallOutcome)> done) {
    state->answer.Clear();
    stub->UnaryCall(
        context, method, grpc::StubOptions(), &state->request, &state->answer,
        [state, check, parse_each, done](grpc::Status status) {
          CallOutcome outcome{status, false,
                              static_cast<int64_t>(state->answer.Length())};
          if (status.ok() && (parse_each || !state->has_verified ||
                              !SameBytes(state->answer, state->verified))) {
            std::vector<grpc::Slice> slices;
            std::string flat;
            if (state->answer.Dump(&slices).ok()) {
              for (const grpc::Slice& s : slices) {
                flat.append(reinterpret_cast<const char*>(s.begin()), s.size());
              }
            }
            Response response;
            if (!response.ParseFromString(flat) ||
                (check && !check(response))) {
              outcome.bad_response = true;
            } else if (!parse_each) {
              state->verified = std::move(flat);
              state->has_verified = true;
            }
          }
          done(outcome);
        });
  };
}

// Per-slot state of the closed loop. Touched only by the one call in flight
// of its slot, then by the collecting thread once every slot has stopped.
struct Slot {
  Issuer issue;
  std::unique_ptr<grpc::ClientContext> context;
  Clock::time_point start;
  bool counted = false;  // count mode: this call holds a ticket
  int64_t ok = 0;
  std::vector<int64_t> latencies_us;
  std::map<std::string, int64_t> errors;
  Clock::time_point last_end;
  int64_t answer_bytes = 0;
};

class ClosedLoop {
 public:
  ClosedLoop(const LoadOptions& options, std::vector<Slot>* slots)
      : options_(options), slots_(slots) {}

  Stats Run() {
    const Clock::time_point t0 = Clock::now();
    begin_ = t0 + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(options_.warmup_seconds));
    end_ = options_.count > 0
               ? Clock::time_point::max()
               : begin_ + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(options_.seconds));
    tickets_ = options_.count;
    active_ = static_cast<int>(slots_->size());
    for (Slot& slot : *slots_) Issue(slot);
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return active_ == 0; });
    }
    Stats stats;
    std::vector<int64_t> all;
    Clock::time_point last = begin_;
    for (Slot& slot : *slots_) {
      stats.ok += slot.ok;
      for (const auto& [code, n] : slot.errors) stats.errors[code] += n;
      all.insert(all.end(), slot.latencies_us.begin(), slot.latencies_us.end());
      last = std::max(last, slot.last_end);
      stats.answer_bytes = std::max(stats.answer_bytes, slot.answer_bytes);
    }
    stats.seconds = options_.count > 0
                        ? std::chrono::duration<double>(last - begin_).count()
                        : options_.seconds;
    ComputePercentiles(all, &stats);
    return stats;
  }

 private:
  void Issue(Slot& slot) {
    const Clock::time_point now = Clock::now();
    slot.counted = false;
    if (options_.count > 0 && now >= begin_) {
      if (tickets_.fetch_sub(1) <= 0) {
        Stop();
        return;
      }
      slot.counted = true;
    } else if (now >= end_) {
      Stop();
      return;
    }
    slot.context = std::make_unique<grpc::ClientContext>();
    PrepareCall(slot.context.get(), options_.token, options_.deadline);
    slot.start = now;
    slot.issue(slot.context.get(),
               [this, &slot](CallOutcome outcome) { Done(slot, outcome); });
  }

  void Done(Slot& slot, const CallOutcome& outcome) {
    const Clock::time_point now = Clock::now();
    const bool in_window =
        options_.count > 0 ? slot.counted : (now >= begin_ && now <= end_);
    if (in_window) {
      slot.last_end = now;
      if (!outcome.status.ok()) {
        ++slot.errors[CodeName(outcome.status.error_code())];
      } else if (outcome.bad_response) {
        ++slot.errors["BAD_RESPONSE"];
      } else {
        ++slot.ok;
        slot.answer_bytes = std::max(slot.answer_bytes, outcome.answer_bytes);
        slot.latencies_us.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(now -
                                                                  slot.start)
                .count());
      }
    }
    Issue(slot);
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--active_ == 0) cv_.notify_all();
  }

  const LoadOptions& options_;
  std::vector<Slot>* slots_;
  Clock::time_point begin_;
  Clock::time_point end_;
  std::atomic<int64_t> tickets_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;  // guarded by mu_
};

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ReadDevTokens(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::map<std::string, std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    if (absl::StartsWith(rest, "export ")) rest.remove_prefix(7);
    if (!absl::StartsWith(rest, "SHIEN_")) continue;
    const size_t eq = rest.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::string_view name = rest.substr(0, eq);
    if (!absl::EndsWith(name, "_TOKEN")) continue;
    name.remove_prefix(6);
    name.remove_suffix(6);
    tokens[absl::AsciiStrToLower(std::string(name))] =
        std::string(rest.substr(eq + 1));
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " holds no tokens"));
  }
  return tokens;
}

std::shared_ptr<grpc::Channel> OpenBenchChannel(const std::string& target,
                                                int index) {
  grpc::ChannelArguments args;
  // A subchannel (TCP connection) of its own per channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("shien.bench.channel", index);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

void PrepareCall(grpc::ClientContext* context, const std::string& token,
                 std::chrono::milliseconds deadline) {
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() + deadline);
}

int64_t Stats::error_count() const {
  int64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

void ComputePercentiles(std::vector<int64_t>& latencies_us, Stats* stats) {
  if (latencies_us.empty()) return;
  std::sort(latencies_us.begin(), latencies_us.end());
  const size_t n = latencies_us.size();
  auto at = [&](size_t per_mille_tenths) {
    // Nearest rank: the smallest value with at least q of the calls at or
    // below it.
    size_t rank = (n * per_mille_tenths + 9999) / 10000;
    return latencies_us[std::min(n - 1, rank == 0 ? 0 : rank - 1)];
  };
  stats->p50_us = at(5000);
  stats->p99_us = at(9900);
  stats->p999_us = at(9990);
  stats->max_us = latencies_us.back();
}

absl::StatusOr<Issuer> MakeUnaryIssuer(const std::string& method,
                                       std::shared_ptr<grpc::Channel> channel,
                                       bool parse_each) {
  auto stub = std::make_shared<grpc::GenericStub>(std::move(channel));
  if (method == "empty") {
    return RawUnary<v1::EmptyRequest, v1::EmptyResponse>(
        stub, "/shien.bench.v1.BenchService/Empty", v1::EmptyRequest(), nullptr,
        parse_each);
  }
  int size = 0;
  if (absl::StartsWith(method, "sized:") &&
      absl::SimpleAtoi(method.substr(6), &size) && size >= 0) {
    v1::SizedRequest request;
    request.set_size(size);
    return RawUnary<v1::SizedRequest, v1::SizedResponse>(
        stub, "/shien.bench.v1.BenchService/Sized", request,
        [size](const v1::SizedResponse& r) {
          return static_cast<int>(r.payload().size()) == size;
        },
        parse_each);
  }
  if (method == "GetBudgetSummary") {
    namespace pb = ::shien::budget::v1;
    pb::GetBudgetSummaryRequest request;
    request.set_name("fiscalYears/2026/budgetSummary");
    return RawUnary<pb::GetBudgetSummaryRequest, pb::BudgetSummary>(
        stub, "/shien.budget.v1.BudgetService/GetBudgetSummary", request,
        [](const pb::BudgetSummary& r) {
          return r.total_yen() == kFy2026TotalYen;
        },
        parse_each);
  }
  if (method == "GetKpiDashboard") {
    namespace pb = ::shien::kpi::v1;
    pb::GetKpiDashboardRequest request;
    request.set_name("fiscalYears/2026/kpiDashboard");
    request.set_grouping(pb::DASHBOARD_GROUPING_DEPARTMENT);
    return RawUnary<pb::GetKpiDashboardRequest, pb::KpiDashboard>(
        stub, "/shien.kpi.v1.KpiService/GetKpiDashboard", request,
        [](const pb::KpiDashboard& r) { return r.groups_size() > 0; },
        parse_each);
  }
  if (method == "GetIndicatorProgress") {
    namespace pb = ::shien::kpi::v1;
    pb::GetIndicatorProgressRequest request;
    request.set_name("fiscalYears/2026/programs/17/indicators/consultations");
    return RawUnary<pb::GetIndicatorProgressRequest, pb::IndicatorProgress>(
        stub, "/shien.kpi.v1.KpiService/GetIndicatorProgress", request,
        [name = request.name()](const pb::IndicatorProgress& r) {
          return r.indicator() == name;
        },
        parse_each);
  }
  if (method == "GetSchemeStats") {
    namespace pb = ::shien::subsidy::v1;
    pb::GetSchemeStatsRequest request;
    request.set_name("fiscalYears/2026/schemes/productivity/stats");
    return RawUnary<pb::GetSchemeStatsRequest, pb::SchemeStats>(
        stub, "/shien.subsidy.v1.SubsidyService/GetSchemeStats", request,
        [](const pb::SchemeStats& r) {
          return r.envelope_yen() == 300'000'000;
        },
        parse_each);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown method ", method));
}

absl::StatusOr<Stats> RunClosedLoop(
    const std::string& target, const LoadOptions& options,
    const std::function<absl::StatusOr<Issuer>(std::shared_ptr<grpc::Channel>)>&
        make_issuer) {
  if (options.in_flight < 1) {
    return absl::InvalidArgumentError("in_flight must be at least 1");
  }
  const int channel_count = options.channels > 0
                                ? options.channels
                                : std::max(1, (options.in_flight + 7) / 8);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < channel_count; ++i) {
    channels.push_back(OpenBenchChannel(target, i));
  }
  std::vector<Slot> slots(options.in_flight);
  for (int i = 0; i < options.in_flight; ++i) {
    absl::StatusOr<Issuer> issuer = make_issuer(channels[i % channel_count]);
    if (!issuer.ok()) return issuer.status();
    slots[i].issue = *std::move(issuer);
    slots[i].latencies_us.reserve(1 << 14);
  }
  ClosedLoop loop(options, &slots);
  return loop.Run();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string StatsJson(
    const std::vector<std::pair<std::string, std::string>>& fields,
    const Stats& stats) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : fields) {
    parts.push_back(absl::StrCat(JsonString(key), ":", value));
  }
  std::vector<std::string> errors;
  for (const auto& [code, n] : stats.errors) {
    errors.push_back(absl::StrCat(JsonString(code), ":", n));
  }
  parts.push_back(absl::StrCat("\"ok\":", stats.ok));
  parts.push_back(absl::StrFormat("\"seconds\":%.3f", stats.seconds));
  parts.push_back(absl::StrFormat("\"rate\":%.1f", stats.rate()));
  parts.push_back(absl::StrCat("\"p50_us\":", stats.p50_us));
  parts.push_back(absl::StrCat("\"p99_us\":", stats.p99_us));
  parts.push_back(absl::StrCat("\"p999_us\":", stats.p999_us));
  parts.push_back(absl::StrCat("\"max_us\":", stats.max_us));
  parts.push_back(absl::StrCat("\"answer_bytes\":", stats.answer_bytes));
  parts.push_back(absl::StrCat("\"error_count\":", stats.error_count()));
  parts.push_back(
      absl::StrCat("\"errors\":{", absl::StrJoin(errors, ","), "}"));
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

}  // namespace shien::bench
