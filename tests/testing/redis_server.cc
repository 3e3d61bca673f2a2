#include "tests/testing/redis_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/testing/server_process.h"

namespace shien::testing {
namespace {

pid_t Spawn(std::vector<std::string> argv, bool quiet) {
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (quiet) {
      FILE* null = std::fopen("/dev/null", "w");
      if (null) {
        dup2(fileno(null), STDOUT_FILENO);
        dup2(fileno(null), STDERR_FILENO);
      }
    }
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra)
    : extra_(std::move(extra)), port_(FreePort()) {}

RedisServer::~RedisServer() { Kill(); }

bool RedisServer::Start() {
  std::vector<std::string> argv = {
      "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
      "--save",       "",       "--appendonly",        "no"};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  pid_ = Spawn(argv, /*quiet=*/true);
  for (int i = 0; i < 100; ++i) {
    std::vector<std::string> ping = {"PING"};
    for (size_t k = 0; k + 1 < extra_.size(); ++k) {
      if (extra_[k] == "--requirepass") {
        ping = {"-a", extra_[k + 1], "--no-auth-warning", "PING"};
      }
    }
    if (Cli(ping) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void RedisServer::Kill() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

int RedisServer::Cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"redis-cli", "-p", std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = Spawn(argv, /*quiet=*/true);
  int status = 0;
  waitpid(pid, &status, 0);
  // redis-cli exits 0 even on connection errors when given a command; a
  // refused connection prints to stderr and exits 1 in recent versions.
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace shien::testing
