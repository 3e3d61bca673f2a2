// The view cache with the real budget binary and a real redis-server: two
// instances sharing one database and one Redis never serve a stale view;
// Redis killed under load costs no failed call, shows in health, and
// caching resumes when it returns.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace pb = ::shien::budget::v1;
using grpc::health::v1::HealthCheckResponse;
using testing::ServerProcess;

// `count` threads calling `read` until Stop (or destruction, so that a
// failed assertion does not leave them running), counting failed calls.
class BackgroundReaders {
 public:
  BackgroundReaders(int count, std::function<grpc::Status()> read)
      : read_(std::move(read)) {
    for (int t = 0; t < count; ++t) {
      threads_.emplace_back([this] {
        while (!done_) {
          if (!read_().ok()) ++failures_;
        }
      });
    }
  }
  ~BackgroundReaders() { Stop(); }

  // Stops and joins the threads; returns how many calls failed.
  int Stop() {
    done_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    return failures_.load();
  }

 private:
  const std::function<grpc::Status()> read_;
  std::atomic<bool> done_{false};
  std::atomic<int> failures_{0};
  std::vector<std::thread> threads_;
};

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start()); }

  std::unique_ptr<ServerProcess> StartBudget(
      const std::string& log, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args{
        "--listen=127.0.0.1:0",
        "--db=" + dir_.File("budget.db"),
        "--plan_dir=" + testing::SourceDir() + "/data",
        "--redis=" + redis_.address(),
        "--insecure_no_auth",
        "--durable=false",
        "--cache_prefix=" + dir_.path(),
        "--health_probe_ms=100",
        "--cache_log_interval_s=1",
        "--shutdown_grace_ms=500",
        "--rpc_log"};
    args.insert(args.end(), more.begin(), more.end());
    auto server = std::make_unique<ServerProcess>(
        testing::BinaryDir() + "/services/budget/shien_budget_server",
        std::move(args), dir_.File(log));
    std::string error;
    EXPECT_TRUE(server->Start(20000, &error)) << error;
    return server;
  }

  std::unique_ptr<ServerProcess> StartKpi(const ServerProcess& budget) {
    auto server = std::make_unique<ServerProcess>(
        testing::BinaryDir() + "/services/kpi/shien_kpi_server",
        std::vector<std::string>{
            "--listen=127.0.0.1:0", "--db=" + dir_.File("kpi.db"),
            "--data_dir=" + testing::SourceDir() + "/data",
            "--budget_address=" + budget.address(),
            "--redis=" + redis_.address(), "--insecure_no_auth",
            "--durable=false", "--cache_prefix=" + dir_.path(),
            "--cache_log_interval_s=1", "--shutdown_grace_ms=500"},
        dir_.File("kpi.log"));
    std::string error;
    EXPECT_TRUE(server->Start(20000, &error)) << error;
    return server;
  }

  static std::unique_ptr<pb::BudgetService::Stub> Stub(const ServerProcess& s) {
    return pb::BudgetService::NewStub(
        grpc::CreateChannel(s.address(), grpc::InsecureChannelCredentials()));
  }

  static HealthCheckResponse::ServingStatus CacheHealth(
      const ServerProcess& s) {
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(s.address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("shien.budget.v1.BudgetService/cache");
    HealthCheckResponse resp;
    if (!health->Check(&ctx, req, &resp).ok())
      return HealthCheckResponse::UNKNOWN;
    return resp.status();
  }

  // The latest value of counter `name` ("hits", "degraded_ms") the server
  // logged; -1 before the first log line.
  static int64_t Logged(const ServerProcess& s, const std::string& name) {
    const std::string log = s.Log();
    const size_t at = log.rfind(" " + name + "=");
    if (at == std::string::npos) return -1;
    const size_t from = at + name.size() + 2;
    int64_t value = 0;
    absl::SimpleAtoi(log.substr(from, log.find_first_of(" \n", from) - from),
                     &value);
    return value;
  }
  // A request renaming program 9 of FY2026 to `title`.
  static pb::UpdateProgramRequest RenameProgram9(const std::string& title) {
    pb::UpdateProgramRequest req;
    req.mutable_program()->set_name("fiscalYears/2026/programs/9");
    req.mutable_program()->set_title(title);
    req.mutable_update_mask()->add_paths("title");
    return req;
  }

  // Sends `req` to `budget`; returns how long it took to be acknowledged.
  static std::chrono::steady_clock::duration TimedUpdate(
      const ServerProcess& budget, const pb::UpdateProgramRequest& req,
      pb::Program* out, grpc::Status* status) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    const auto start = std::chrono::steady_clock::now();
    *status = Stub(budget)->UpdateProgram(&ctx, req, out);
    return std::chrono::steady_clock::now() - start;
  }

  // How many times `text` occurs in the server's log.
  static int Occurrences(const ServerProcess& s, const std::string& text) {
    const std::string log = s.Log();
    int n = 0;
    for (size_t at = log.find(text); at != std::string::npos;
         at = log.find(text, at + text.size())) {
      ++n;
    }
    return n;
  }

  // Waits up to 10 s for `text` in the server's log.
  static bool AwaitLog(const ServerProcess& s, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (s.Log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  static int64_t LoggedHits(const ServerProcess& s) {
    return Logged(s, "hits");
  }

  static int64_t Total(pb::BudgetService::Stub& stub, grpc::Status* status) {
    grpc::ClientContext ctx;
    pb::GetBudgetSummaryRequest req;
    req.set_name("fiscalYears/2026/budgetSummary");
    pb::BudgetSummary s;
    *status = stub.GetBudgetSummary(&ctx, req, &s);
    return s.total_yen();
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
};

TEST_F(CacheTest, TwoInstancesNeverServeAStaleSummary) {
  auto a = StartBudget("a.log");
  auto b = StartBudget("b.log");
  auto stub_a = Stub(*a);
  auto stub_b = Stub(*b);
  int64_t budget = 3'737'000;  // program 3
  int64_t expected = 1'337'734'000;
  int stale = 0;
  for (int i = 0; i < 2000; ++i) {
    auto& writer = i % 2 ? *stub_a : *stub_b;
    auto& reader = i % 2 ? *stub_b : *stub_a;
    pb::UpdateProgramRequest req;
    req.mutable_program()->set_name("fiscalYears/2026/programs/3");
    const int64_t next = budget + 1000;
    req.mutable_program()->set_budget_yen(next);
    req.mutable_update_mask()->add_paths("budget_yen");
    pb::Program out;
    grpc::ClientContext ctx;
    grpc::Status s = writer.UpdateProgram(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    expected += next - budget;
    budget = next;
    // Read twice: the second read is normally a cache hit.
    for (int r = 0; r < 2; ++r) {
      grpc::Status read;
      if (Total(reader, &read) != expected) ++stale;
      ASSERT_TRUE(read.ok()) << read.error_message();
    }
  }
  EXPECT_EQ(stale, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_GT(LoggedHits(*a) + LoggedHits(*b), 1000)
      << "the cache was not used; logs:\n"
      << a->Log();
}

// Views are answered ahead of the workers from one version read shared by
// the calls that come while it runs (cache::ViewFront). Through the real
// binary, with readers asking all the time: every summary read after a
// write is acknowledged shows it, and views were answered from the
// in-process tier. (That a call is never answered by a read that began
// before it is shown deterministically by ViewFrontTest.)
TEST_F(CacheTest, SharedVersionReadsNeverServeAStaleSummary) {
  auto budget = StartBudget("budget.log");
  auto stub = Stub(*budget);
  BackgroundReaders readers(4, [&] {
    grpc::Status s;
    Total(*stub, &s);
    return s;
  });
  int64_t budget_yen = 3'737'000;  // program 3
  int64_t expected = 1'337'734'000;
  int stale = 0;
  for (int i = 0; i < 300; ++i) {
    pb::UpdateProgramRequest req;
    req.mutable_program()->set_name("fiscalYears/2026/programs/3");
    const int64_t next = budget_yen + 1000;
    req.mutable_program()->set_budget_yen(next);
    req.mutable_update_mask()->add_paths("budget_yen");
    pb::Program out;
    grpc::ClientContext ctx;
    grpc::Status s = stub->UpdateProgram(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    expected += next - budget_yen;
    budget_yen = next;
    for (int r = 0; r < 3; ++r) {
      grpc::Status read;
      if (Total(*stub, &read) != expected) ++stale;
      ASSERT_TRUE(read.ok()) << read.error_message();
    }
  }
  EXPECT_EQ(readers.Stop(), 0);  // background calls that failed
  EXPECT_EQ(stale, 0);
  for (int i = 0; i < 50 && Logged(*budget, "front_hits") <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(Logged(*budget, "front_hits"), 0)
      << "no summary was answered by the front; log:\n"
      << budget->Log();
}

// The KPI dashboard shows the budget service's program titles and keys its
// cache on their version, which the budget service announces on the program
// watch before it acknowledges a change: a title changed in the budget
// service shows on the next dashboard, also while other dashboards are read
// all the time, and the dashboards ask the budget service nothing.
TEST_F(CacheTest, DashboardShowsABudgetChangeOnceItIsAcknowledged) {
  namespace kpb = ::shien::kpi::v1;
  auto budget = StartBudget("budget.log");
  auto kpi = StartKpi(*budget);
  ASSERT_TRUE(AwaitLog(*kpi, "program watch on")) << kpi->Log();
  const int pulls_before = Occurrences(*budget, "BudgetService/GetFiscalYear");
  std::atomic<int> dashboards{0};
  auto budget_stub = Stub(*budget);
  auto kpi_stub = kpb::KpiService::NewStub(
      grpc::CreateChannel(kpi->address(), grpc::InsecureChannelCredentials()));
  auto title_of_9 = [&](grpc::Status* status) -> std::string {
    grpc::ClientContext ctx;
    kpb::GetKpiDashboardRequest req;
    req.set_name("fiscalYears/2026/kpiDashboard");
    req.set_grouping(kpb::DASHBOARD_GROUPING_PROGRAM);
    kpb::KpiDashboard d;
    *status = kpi_stub->GetKpiDashboard(&ctx, req, &d);
    for (const auto& g : d.groups()) {
      if (g.key() == "fiscalYears/2026/programs/9") return g.title();
    }
    return "";
  };
  BackgroundReaders readers(4, [&] {
    grpc::Status s;
    title_of_9(&s);
    ++dashboards;
    return s;
  });
  int stale = 0;
  for (int i = 0; i < 100; ++i) {
    pb::UpdateProgramRequest req;
    const std::string title =
        "事業承継・引継ぎ支援センター事業 (" + std::to_string(i) + ")";
    req.mutable_program()->set_name("fiscalYears/2026/programs/9");
    req.mutable_program()->set_title(title);
    req.mutable_update_mask()->add_paths("title");
    pb::Program out;
    grpc::ClientContext ctx;
    grpc::Status s = budget_stub->UpdateProgram(&ctx, req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (int r = 0; r < 2; ++r) {
      grpc::Status read;
      if (title_of_9(&read) != title) ++stale;
      ++dashboards;
      ASSERT_TRUE(read.ok()) << read.error_message();
    }
  }
  EXPECT_EQ(readers.Stop(), 0);  // background calls that failed
  EXPECT_EQ(stale, 0);
  // Under the lease the dashboards read no version from the budget service
  // (a lease lost for a moment on a loaded machine costs a few reads).
  const int pulls =
      Occurrences(*budget, "BudgetService/GetFiscalYear") - pulls_before;
  EXPECT_GE(dashboards.load(), 200);
  EXPECT_LT(pulls * 20, dashboards.load()) << pulls << " version reads";
  // The counters are logged every second.
  for (int i = 0; i < 50 && Logged(*kpi, "front_hits") <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(Logged(*kpi, "hits"), 0) << "the cache was not used; log:\n"
                                     << kpi->Log();
  // Dashboards were answered by the front (with the budget version as the
  // key's suffix), not only by the work.
  EXPECT_GT(Logged(*kpi, "front_hits"), 0) << kpi->Log();
}

// A KPI server that stops answering (SIGSTOP) delays a program update by
// no more than its lease, and never shows the old title after the update
// is acknowledged: its lease ran out first, so it asks the budget service.
TEST_F(CacheTest, AStoppedWatcherDelaysAnUpdateByItsLeaseAtMost) {
  namespace kpb = ::shien::kpi::v1;
  auto budget = StartBudget("budget.log", {"--watch_lease_ms=1500"});
  auto kpi = StartKpi(*budget);
  ASSERT_TRUE(AwaitLog(*kpi, "program watch on")) << kpi->Log();
  auto kpi_stub = kpb::KpiService::NewStub(
      grpc::CreateChannel(kpi->address(), grpc::InsecureChannelCredentials()));
  auto title_of_9 = [&]() -> std::string {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    kpb::GetKpiDashboardRequest req;
    req.set_name("fiscalYears/2026/kpiDashboard");
    req.set_grouping(kpb::DASHBOARD_GROUPING_PROGRAM);
    kpb::KpiDashboard d;
    grpc::Status s = kpi_stub->GetKpiDashboard(&ctx, req, &d);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& g : d.groups()) {
      if (g.key() == "fiscalYears/2026/programs/9") return g.title();
    }
    return "";
  };
  const std::string before = title_of_9();  // cached under the lease
  ASSERT_FALSE(before.empty());

  ASSERT_EQ(kill(kpi->pid(), SIGSTOP), 0);
  pb::UpdateProgramRequest req =
      RenameProgram9("事業承継・引継ぎ支援センター事業（停止中に変更）");
  req.set_request_id("3f9a6c1e-5b7d-4e2a-9c4f-1a2b3c4d5e6f");
  pb::Program out;
  grpc::Status s;
  const auto took = TimedUpdate(*budget, req, &out, &s);
  kill(kpi->pid(), SIGCONT);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Renewed every quarter lease, so about 3/4 of it (1.1 s) was left to
  // wait out; without the wait the update takes milliseconds.
  EXPECT_GE(took, std::chrono::milliseconds(400));
  EXPECT_TRUE(AwaitLog(*budget, "did not apply the change")) << budget->Log();

  EXPECT_EQ(title_of_9(), req.program().title());
  // The watch recovers (the stream was kept; its next renewal is answered):
  // later changes show, none waits out a lease, and the dashboards read no
  // version from the budget service.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const int pulls_before = Occurrences(*budget, "BudgetService/GetFiscalYear");
  for (int i = 0; i < 20; ++i) {
    pb::UpdateProgramRequest again = req;
    again.clear_request_id();
    again.mutable_program()->set_title(absl::StrCat("再開後 ", i));
    grpc::ClientContext c;
    ASSERT_TRUE(Stub(*budget)->UpdateProgram(&c, again, &out).ok());
    EXPECT_EQ(title_of_9(), again.program().title());
  }
  EXPECT_EQ(Occurrences(*budget, "did not apply the change"), 1);
  EXPECT_LT(Occurrences(*budget, "BudgetService/GetFiscalYear") - pulls_before,
            5);

  // A replay of the first update acknowledges it again, so it is announced
  // again: with the watcher stopped it too waits out the lease.
  ASSERT_EQ(kill(kpi->pid(), SIGSTOP), 0);
  const auto replay_took = TimedUpdate(*budget, req, &out, &s);
  kill(kpi->pid(), SIGCONT);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.title(), req.program().title());  // the first response
  EXPECT_GE(replay_took, std::chrono::milliseconds(400));
  EXPECT_EQ(Occurrences(*budget, "did not apply the change"), 2);
}

// A budget server cannot know the leases the server before it granted: a
// KPI server may not yet have noticed that server die. Its first program
// update waits one lease from its start; the KPI server's watch comes back
// by itself, and the change shows. (Without that wait the dashboard below
// showed the old title: the KPI server still trusted the dead server's
// lease.)
TEST_F(CacheTest, ARestartedBudgetServerWaitsOutTheLeasesOfTheOneBefore) {
  namespace kpb = ::shien::kpi::v1;
  const std::vector<std::string> args{
      "--listen=127.0.0.1:" + std::to_string(testing::FreePort()),
      "--watch_lease_ms=1500"};
  auto budget = StartBudget("budget.log", args);
  auto kpi = StartKpi(*budget);
  ASSERT_TRUE(AwaitLog(*kpi, "program watch on")) << kpi->Log();
  budget->Signal(SIGKILL);
  budget->Wait();
  budget = StartBudget("budget-again.log", args);

  const pb::UpdateProgramRequest req =
      RenameProgram9("事業承継・引継ぎ支援センター事業（再起動後）");
  pb::Program out;
  grpc::Status s;
  const auto took = TimedUpdate(*budget, req, &out, &s);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // 1.5 s from the server's start, less its start-up; milliseconds without.
  EXPECT_GE(took, std::chrono::milliseconds(700));

  auto kpi_stub = kpb::KpiService::NewStub(
      grpc::CreateChannel(kpi->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext dctx;
  kpb::GetKpiDashboardRequest dreq;
  dreq.set_name("fiscalYears/2026/kpiDashboard");
  dreq.set_grouping(kpb::DASHBOARD_GROUPING_PROGRAM);
  kpb::KpiDashboard d;
  ASSERT_TRUE(kpi_stub->GetKpiDashboard(&dctx, dreq, &d).ok());
  std::string title;
  for (const auto& g : d.groups()) {
    if (g.key() == "fiscalYears/2026/programs/9") title = g.title();
  }
  EXPECT_EQ(title, req.program().title());
  // The KPI server watches the new budget server.
  for (int i = 0; i < 100 && Occurrences(*kpi, "program watch on") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Occurrences(*kpi, "program watch on"), 2) << kpi->Log();
}

// The watch stream never ends by itself: a budget server that drains ends
// it at once (UNAVAILABLE), instead of waiting out its grace period for it.
TEST_F(CacheTest, ADrainingBudgetServerEndsTheWatchAtOnce) {
  auto budget = StartBudget("budget.log", {"--shutdown_grace_ms=30000"});
  auto kpi = StartKpi(*budget);
  ASSERT_TRUE(AwaitLog(*kpi, "program watch on")) << kpi->Log();
  const auto start = std::chrono::steady_clock::now();
  budget->Signal(SIGTERM);
  const int status = budget->Wait();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_LT(took, std::chrono::seconds(15)) << "it waited for the stream";
  EXPECT_TRUE(AwaitLog(*kpi, "program watch lost")) << kpi->Log();
}

TEST_F(CacheTest, RedisKilledUnderLoadFailsNoCallAndRecovers) {
  auto server = StartBudget("budget.log");
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      auto stub = Stub(*server);
      while (!stop) {
        grpc::Status s;
        if (Total(*stub, &s) != 1'337'734'000 || !s.ok()) ++failures;
        ++calls;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(CacheHealth(*server), HealthCheckResponse::SERVING);
  redis_.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(CacheHealth(*server), HealthCheckResponse::NOT_SERVING);
  const int during = calls.load();
  ASSERT_TRUE(redis_.Start());
  // Health and caching come back without a restart.
  bool serving = false;
  for (int i = 0; i < 50 && !serving; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    serving = CacheHealth(*server) == HealthCheckResponse::SERVING;
  }
  EXPECT_TRUE(serving);
  const int64_t hits_before = LoggedHits(*server);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(calls.load(), during);
  EXPECT_GT(LoggedHits(*server), hits_before) << server->Log();
  EXPECT_GT(Logged(*server, "degraded_ms"), 0) << server->Log();
}

}  // namespace
}  // namespace shien
