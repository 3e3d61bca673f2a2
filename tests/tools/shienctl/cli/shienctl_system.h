#ifndef SHIEN_TESTS_TOOLS_SHIENCTL_CLI_SHIENCTL_SYSTEM_H_
#define SHIEN_TESTS_TOOLS_SHIENCTL_CLI_SHIENCTL_SYSTEM_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"
#include "tests/testing/auth.h"
#include "tests/testing/server_process.h"
#include "tests/testing/temp_dir.h"

namespace shien::testing {

// What a finished shienctl run left behind.
struct CtlResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

// The real budget, KPI and subsidy servers on fixed free loopback ports,
// each with its own database in a temporary directory, and shienctl run
// against them as a child process.
//
// This is the one place that builds the servers' command lines and
// shienctl's environment. By default the servers run in development mode
// (every caller admitted, no token); with UseTokens() they read the test
// token file (tests/testing/auth.h) and shienctl sends a token.
class ShienctlSystem {
 public:
  ShienctlSystem()
      : budget_port_(FreePort()),
        kpi_port_(FreePort()),
        subsidy_port_(FreePort()) {}

  // Before Start(): the servers require tokens from a fresh token file
  // (principals viewer, reporter for 経営支援課, reviewer, admin, service);
  // the KPI and subsidy services call their peers as "service". Returns
  // the tokens.
  const TestTokens& UseTokens() {
    tokens_ = WriteTestTokens(dir_.File("tokens"));
    std::ofstream(dir_.File("service.token"))
        << tokens_.Token("service") << "\n";
    return tokens_;
  }

  // The token shienctl sends as SHIEN_TOKEN (empty: none).
  void set_token(const std::string& token) { token_ = token; }

  // A file in the temporary directory.
  std::string File(const std::string& name) const { return dir_.File(name); }

  // Starts the three servers; false with the failing log in *error.
  bool Start(std::string* error) {
    return StartServer(kBudget, error) && StartServer(kKpi, error) &&
           StartServer(kSubsidy, error);
  }

  // SIGKILLs the budget server and starts it again on the same port and
  // database.
  bool RestartBudget(std::string* error) {
    servers_[kBudget]->Signal(SIGKILL);
    servers_[kBudget]->Wait();
    return StartServer(kBudget, error);
  }

  // shienctl's environment: the three addresses (and, later, the token).
  std::vector<std::string> CtlEnv() const {
    std::vector<std::string> env = {
        "SHIEN_BUDGET_ADDR=" + Address(budget_port_),
        "SHIEN_KPI_ADDR=" + Address(kpi_port_),
        "SHIEN_SUBSIDY_ADDR=" + Address(subsidy_port_), "PATH=/usr/bin:/bin",
        "LANG=C.UTF-8"};
    if (!token_.empty()) env.push_back("SHIEN_TOKEN=" + token_);
    return env;
  }

  // Starts shienctl with `args`; stdout and stderr go to files named after
  // `tag` in the temporary directory. Returns its pid.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& tag) {
    std::vector<std::string> argv_strings = {SHIENCTL_BINARY};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<std::string> env_strings = CtlEnv();
    const std::string out = dir_.File(tag + ".out");
    const std::string err = dir_.File(tag + ".err");
    pid_t pid = fork();
    if (pid == 0) {
      int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int in_fd = open("/dev/null", O_RDONLY);
      dup2(out_fd, 1);
      dup2(err_fd, 2);
      dup2(in_fd, 0);
      std::vector<char*> argv;
      for (auto& s : argv_strings) argv.push_back(s.data());
      argv.push_back(nullptr);
      std::vector<char*> envp;
      for (auto& s : env_strings) envp.push_back(s.data());
      envp.push_back(nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    return pid;
  }

  // Waits for a spawned shienctl and collects its output.
  CtlResult Collect(pid_t pid, const std::string& tag) {
    int status = 0;
    waitpid(pid, &status, 0);
    CtlResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = ReadFile(dir_.File(tag + ".out"));
    result.err = ReadFile(dir_.File(tag + ".err"));
    return result;
  }

  // Runs shienctl to completion.
  CtlResult Run(const std::vector<std::string>& args) {
    const std::string tag = "run" + std::to_string(++runs_);
    return Collect(Spawn(args, tag), tag);
  }

  // Writes `content` to a file in the temporary directory; returns its path.
  std::string WriteFile(const std::string& name, const std::string& content) {
    std::ofstream(dir_.File(name), std::ios::binary) << content;
    return dir_.File(name);
  }

  std::unique_ptr<budget::v1::BudgetService::Stub> Budget() const {
    return budget::v1::BudgetService::NewStub(Channel(budget_port_));
  }
  std::unique_ptr<kpi::v1::KpiService::Stub> Kpi() const {
    return kpi::v1::KpiService::NewStub(Channel(kpi_port_));
  }
  std::unique_ptr<subsidy::v1::SubsidyService::Stub> Subsidy() const {
    return subsidy::v1::SubsidyService::NewStub(Channel(subsidy_port_));
  }

 private:
  enum Server { kBudget = 0, kKpi = 1, kSubsidy = 2 };

  static std::string Address(int port) {
    return "127.0.0.1:" + std::to_string(port);
  }

  static std::shared_ptr<grpc::Channel> Channel(int port) {
    return grpc::CreateChannel(Address(port),
                               grpc::InsecureChannelCredentials());
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The server command lines.
  std::vector<std::string> ServerArgs(Server server) const {
    std::vector<std::string> args = BaseArgs(server);
    if (!tokens_.file.empty()) {
      args.push_back("--auth_tokens=" + tokens_.file);
      if (server != kBudget) {
        args.push_back("--service_token_file=" + dir_.File("service.token"));
      }
    }
    return args;
  }

  std::vector<std::string> BaseArgs(Server server) const {
    const std::string data = SourceDir() + "/data";
    switch (server) {
      case kBudget:
        return {"--listen=" + Address(budget_port_), "--redis=off",
                "--db=" + dir_.File("budget.db"), "--plan_dir=" + data,
                "--shutdown_grace_ms=1000"};
      case kKpi:
        return {"--listen=" + Address(kpi_port_),
                "--redis=off",
                "--db=" + dir_.File("kpi.db"),
                "--data_dir=" + data,
                "--budget_address=" + Address(budget_port_),
                "--shutdown_grace_ms=1000"};
      case kSubsidy:
        return {"--listen=" + Address(subsidy_port_),
                "--redis=off",
                "--db=" + dir_.File("subsidy.db"),
                "--data_dir=" + data,
                "--budget_address=" + Address(budget_port_),
                "--kpi_address=" + Address(kpi_port_),
                "--shutdown_grace_ms=1000"};
    }
    return {};
  }

  bool StartServer(Server server, std::string* error) {
    // Without a token file the servers run in development mode (every
    // caller admitted as an anonymous principal with every role).
    setenv("SHIEN_INSECURE_NO_AUTH", tokens_.file.empty() ? "1" : "0", 1);
    static const char* const kBinaries[] = {
        "/services/budget/shien_budget_server",
        "/services/kpi/shien_kpi_server",
        "/services/subsidy/shien_subsidy_server"};
    static const char* const kNames[] = {"budget", "kpi", "subsidy"};
    servers_[server] = std::make_unique<ServerProcess>(
        BinaryDir() + kBinaries[server], ServerArgs(server),
        dir_.File(std::string(kNames[server]) + std::to_string(++starts_) +
                  ".log"));
    return servers_[server]->Start(30000, error);
  }

  TempDir dir_;
  int budget_port_;
  int kpi_port_;
  int subsidy_port_;
  std::unique_ptr<ServerProcess> servers_[3];
  TestTokens tokens_;
  std::string token_;
  int runs_ = 0;
  int starts_ = 0;
};

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TOOLS_SHIENCTL_CLI_SHIENCTL_SYSTEM_H_
