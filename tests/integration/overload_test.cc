// A service offered far more load than it can serve answers the excess
// quickly with RESOURCE_EXHAUSTED instead of queueing it, keeps serving
// what it admits, and its memory stays bounded.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/client/channel.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace pb = ::shien::budget::v1;

// Peak resident memory (VmHWM) of `pid` in KiB.
int64_t PeakResidentKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kib = 0;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits += c;
      }
      if (absl::SimpleAtoi(digits, &kib)) return kib;
    }
  }
  return -1;
}

struct Outcome {
  grpc::StatusCode code;
  double ms;
};

// Keeps `in_flight` GetExecutionSummary calls outstanding until `total`
// have finished; returns each call's code and latency.
std::vector<Outcome> Offer(pb::BudgetService::Stub& stub, int in_flight,
                           int total) {
  struct Call {
    grpc::ClientContext ctx;
    pb::ExecutionSummary response;
    grpc::Status status;
    std::chrono::steady_clock::time_point start;
    std::unique_ptr<grpc::ClientAsyncResponseReader<pb::ExecutionSummary>>
        reader;
  };
  grpc::CompletionQueue cq;
  pb::GetExecutionSummaryRequest req;
  req.set_name("fiscalYears/2026/executionSummary");
  int started = 0;
  auto start_one = [&] {
    auto* call = new Call;
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(60));
    call->start = std::chrono::steady_clock::now();
    call->reader = stub.AsyncGetExecutionSummary(&call->ctx, req, &cq);
    call->reader->Finish(&call->response, &call->status, call);
    ++started;
  };
  for (int i = 0; i < in_flight && started < total; ++i) start_one();
  std::vector<Outcome> out;
  void* tag = nullptr;
  bool ok = false;
  while (static_cast<int>(out.size()) < total && cq.Next(&tag, &ok)) {
    auto* call = static_cast<Call*>(tag);
    out.push_back({call->status.error_code(),
                   std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - call->start)
                       .count()});
    delete call;
    if (started < total) start_one();
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(Overload, ExcessIsRefusedFastAndMemoryStaysBounded) {
  testing::TempDir dir;
  testing::ServerProcess server(
      testing::BinaryDir() + "/services/budget/shien_budget_server",
      {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
       "--db=" + dir.File("budget.db"), "--workers=1", "--max_queued=4",
       "--plan_dir=" + testing::SourceDir() + "/data"},
      dir.File("budget.log"));
  std::string error;
  ASSERT_TRUE(server.Start(20000, &error)) << error;
  auto stub = pb::BudgetService::NewStub(
      client::OpenChannel(server.address(), {}).value());
  // Its capacity: one worker, four waiting. Offered: 256 calls at once.
  Offer(*stub, 1, 50);  // warm-up
  const int64_t idle_kib = PeakResidentKib(server.pid());
  std::vector<Outcome> outcomes = Offer(*stub, 256, 20'000);
  const int64_t peak_kib = PeakResidentKib(server.pid());

  std::vector<double> served;
  std::vector<double> refused;
  for (const Outcome& o : outcomes) {
    if (o.code == grpc::StatusCode::OK) {
      served.push_back(o.ms);
    } else {
      ASSERT_TRUE(o.code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                  o.code == grpc::StatusCode::UNAVAILABLE)
          << "code " << o.code;
      refused.push_back(o.ms);
    }
  }
  std::printf(
      "offered 20000 calls, 256 in flight: %zu served (median %.2f ms), "
      "%zu refused (median %.2f ms); peak RSS idle %lld KiB, loaded %lld "
      "KiB\n",
      served.size(), Median(served), refused.size(), Median(refused),
      static_cast<long long>(idle_kib), static_cast<long long>(peak_kib));
  EXPECT_EQ(outcomes.size(), 20'000u);
  EXPECT_GT(served.size(), 0u);
  EXPECT_GT(refused.size(), served.size());
  // A refusal does not wait behind the work it refuses: on the server's own
  // clock (its RPC log) a refused call ends sooner than a served one.
  std::vector<double> served_server;
  std::vector<double> refused_server;
  std::istringstream log(server.Log());
  std::string line;
  while (std::getline(log, line)) {
    if (line.find("GetExecutionSummary") == std::string::npos) continue;
    const size_t at = line.find("\"latency_ms\":");
    double ms = 0;
    if (at == std::string::npos ||
        !absl::SimpleAtod(line.substr(at + 13, line.find(',', at) - at - 13),
                          &ms)) {
      continue;
    }
    (line.find("\"code\":\"OK\"") != std::string::npos ? served_server
                                                       : refused_server)
        .push_back(ms);
  }
  std::printf("server side: served median %.3f ms, refused median %.3f ms\n",
              Median(served_server), Median(refused_server));
  EXPECT_EQ(served_server.size() + refused_server.size(), 20'000u + 50u);
  EXPECT_LT(Median(refused_server) * 10, Median(served_server));
  // Memory: bounded, not growing with the calls offered.
  ASSERT_GT(idle_kib, 0);
  EXPECT_LT(peak_kib, idle_kib + 64 * 1024);
  // And it still serves once the load is gone.
  std::vector<Outcome> after = Offer(*stub, 1, 5);
  for (const Outcome& o : after) EXPECT_EQ(o.code, grpc::StatusCode::OK);
}

}  // namespace
}  // namespace shien
