// Runs the real budget server binary: start-up, health, SIGTERM drain,
// SIGKILL in the middle of a stream, and a malformed plan file.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien {
namespace {

namespace pb = ::shien::budget::v1;
using testing::ServerProcess;
using testing::TempDir;

std::string ServerBinary() {
  return testing::BinaryDir() + "/services/budget/shien_budget_server";
}

std::unique_ptr<ServerProcess> StartBudget(const TempDir& dir,
                                           const std::string& plan_dir) {
  auto server = std::make_unique<ServerProcess>(
      ServerBinary(),
      std::vector<std::string>{
          "--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
          "--db=" + dir.File("budget.db"), "--plan_dir=" + plan_dir,
          "--shutdown_grace_ms=2000"},
      dir.File("budget.log"));
  std::string error;
  EXPECT_TRUE(server->Start(20000, &error)) << error;
  return server;
}

std::unique_ptr<pb::BudgetService::Stub> Stub(const ServerProcess& server) {
  return pb::BudgetService::NewStub(grpc::CreateChannel(
      server.address(), grpc::InsecureChannelCredentials()));
}

pb::Expenditure Exp(const std::string& id, int program, int64_t yen) {
  pb::Expenditure e;
  e.set_program("fiscalYears/2026/programs/" + std::to_string(program));
  e.mutable_month()->set_year(2026);
  e.mutable_month()->set_month(6);
  e.set_amount_yen(yen);
  e.set_request_id(id);
  return e;
}

int64_t RecordCount(const ServerProcess& server) {
  auto stub = Stub(server);
  grpc::ClientContext ctx;
  pb::GetExecutionSummaryRequest req;
  req.set_name("fiscalYears/2026/executionSummary");
  pb::ExecutionSummary summary;
  if (!stub->GetExecutionSummary(&ctx, req, &summary).ok()) return 0;
  return summary.total().record_count();
}

// 40 batches of 100 records; record i charges program i % 24 + 1 with i + 1
// yen.
std::vector<pb::RecordExpendituresRequest> Batches() {
  std::vector<pb::RecordExpendituresRequest> batches(40);
  for (int i = 0; i < 4000; ++i) {
    *batches[i / 100].add_expenditures() =
        Exp("voucher-" + std::to_string(i), i % 24 + 1, i + 1);
  }
  return batches;
}

TEST(BudgetServerTest, ServesHealthAndDrainsOnSigterm) {
  TempDir dir;
  auto server = StartBudget(dir, testing::SourceDir() + "/data");
  auto channel = grpc::CreateChannel(server->address(),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const char* service : {"", "shien.budget.v1.BudgetService"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }

  // A stream open when SIGTERM arrives is allowed to finish.
  auto stub = pb::BudgetService::NewStub(channel);
  grpc::ClientContext ctx;
  pb::RecordExpendituresResponse resp;
  auto writer = stub->RecordExpenditures(&ctx, &resp);
  pb::RecordExpendituresRequest batch;
  *batch.add_expenditures() = Exp("drain-1", 1, 100);
  ASSERT_TRUE(writer->Write(batch));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server->Signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  batch.Clear();
  *batch.add_expenditures() = Exp("drain-2", 1, 200);
  ASSERT_TRUE(writer->Write(batch));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.accepted_count(), 2);

  int wait_status = server->Wait();
  ASSERT_TRUE(WIFEXITED(wait_status)) << server->Log();
  EXPECT_EQ(WEXITSTATUS(wait_status), 0) << server->Log();
  EXPECT_NE(server->Log().find("stopped"), std::string::npos);
  // One JSON line per RPC, with method, code and latency.
  EXPECT_NE(server->Log().find(
                "\"method\":\"/shien.budget.v1.BudgetService/"
                "RecordExpenditures\",\"code\":\"OK\",\"latency_ms\":"),
            std::string::npos)
      << server->Log();
  EXPECT_NE(server->Log().find("\"method\":\"/grpc.health.v1.Health/Check\""),
            std::string::npos);

  // Restarted on the same database: the records and the plan are there.
  auto again = StartBudget(dir, testing::SourceDir() + "/data");
  auto stub2 = Stub(*again);
  grpc::ClientContext ctx2;
  pb::GetExecutionSummaryRequest req;
  req.set_name("fiscalYears/2026/executionSummary");
  pb::ExecutionSummary summary;
  ASSERT_TRUE(stub2->GetExecutionSummary(&ctx2, req, &summary).ok());
  EXPECT_EQ(summary.total().executed_yen(), 300);
  EXPECT_NE(again->Log().find("already loaded"), std::string::npos);
}

TEST(BudgetServerTest, KilledMidStreamThenResentCountsEachRecordOnce) {
  TempDir dir;
  const auto batches = Batches();
  int64_t expected_total = 0;
  for (int i = 0; i < 4000; ++i) expected_total += i + 1;

  auto server = StartBudget(dir, testing::SourceDir() + "/data");
  {
    auto stub = Stub(*server);
    grpc::ClientContext ctx;
    pb::RecordExpendituresResponse resp;
    auto writer = stub->RecordExpenditures(&ctx, &resp);
    for (size_t i = 0; i < batches.size(); ++i) {
      if (i == 15) {
        // Kill once some batches are committed, mid-stream.
        for (int poll = 0; poll < 100 && RecordCount(*server) == 0; ++poll) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        server->Signal(SIGKILL);
      }
      if (!writer->Write(batches[i])) break;
    }
    writer->WritesDone();
    EXPECT_FALSE(writer->Finish().ok());
  }
  server->Wait();

  auto restarted = StartBudget(dir, testing::SourceDir() + "/data");
  auto stub = Stub(*restarted);
  grpc::ClientContext ctx;
  pb::RecordExpendituresResponse resp;
  auto writer = stub->RecordExpenditures(&ctx, &resp);
  for (const auto& batch : batches) ASSERT_TRUE(writer->Write(batch));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.rejected_count(), 0);
  EXPECT_EQ(resp.accepted_count() + resp.duplicate_count(), 4000);
  EXPECT_GT(resp.duplicate_count(), 0) << "nothing was stored before the kill";

  grpc::ClientContext ctx2;
  pb::GetExecutionSummaryRequest req;
  req.set_name("fiscalYears/2026/executionSummary");
  pb::ExecutionSummary summary;
  ASSERT_TRUE(stub->GetExecutionSummary(&ctx2, req, &summary).ok());
  EXPECT_EQ(summary.total().record_count(), 4000);
  EXPECT_EQ(summary.total().executed_yen(), expected_total);
}

TEST(BudgetServerTest, MalformedPlanStopsStartUpNamingFileAndLine) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("plans/fy2026"));
  const std::string plan = dir.File("plans/fy2026/plan.textproto");
  std::ofstream(plan) << "fiscal_year: 2026\n"
                         "title: \"x\"\n"
                         "programs { number: 1 titel: \"typo\" }\n";
  ServerProcess server(
      ServerBinary(),
      {"--listen=127.0.0.1:0", "--redis=off", "--insecure_no_auth",
       "--db=" + dir.File("b.db"), "--plan_dir=" + dir.File("plans")},
      dir.File("log"));
  std::string error;
  EXPECT_FALSE(server.Start(20000, &error));
  int status = server.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(server.Log().find(plan + ":3:"), std::string::npos) << server.Log();
  EXPECT_NE(server.Log().find("titel"), std::string::npos) << server.Log();
}

}  // namespace
}  // namespace shien
