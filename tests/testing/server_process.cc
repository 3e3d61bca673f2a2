#include "tests/testing/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace shien::testing {

ServerProcess::ServerProcess(std::string binary, std::vector<std::string> args,
                             std::string log_path)
    : binary_(std::move(binary)),
      args_(std::move(args)),
      log_path_(std::move(log_path)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ServerProcess::Start(int timeout_ms, std::string* error) {
  int out[2];
  if (pipe(out) != 0) {
    *error = "pipe failed";
    return false;
  }
  pid_ = fork();
  if (pid_ == 0) {
    // Child: a fresh signal mask (the test runner may block signals).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    argv.push_back(binary_.data());
    for (std::string& a : args_) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary_.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string buffer;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{out[0], POLLIN, 0};
    if (poll(&fd, 1, 100) > 0) {
      char chunk[256];
      ssize_t n = read(out[0], chunk, sizeof(chunk));
      if (n <= 0) break;  // the child closed stdout: it exited
      buffer.append(chunk, n);
      size_t at = buffer.find("LISTENING ");
      size_t eol = buffer.find('\n', at);
      if (at != std::string::npos && eol != std::string::npos) {
        port_ = std::stoi(buffer.substr(at + 10, eol - at - 10));
        // Keep draining stdout in the background is unnecessary: the server
        // prints nothing else there. Closing is safe (writes would EPIPE).
        close(out[0]);
        return true;
      }
    }
  }
  close(out[0]);
  *error = "server did not report its port; log:\n" + Log();
  return false;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ServerProcess::Wait() {
  int status = 0;
  if (pid_ > 0) {
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  return status;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// Whether a listening socket could bind 127.0.0.1:`port` now (0: any free
// port); the port bound, or 0.
int TryBind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof(addr);
  int bound = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

// The first port the kernel hands out to outgoing connections (Linux's
// ip_local_port_range), 32768 when it cannot be read.
int FirstEphemeralPort() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (!(range >> low) || low <= 0) return 32768;
  return low;
}

}  // namespace

int FreePort() {
  // Below the ephemeral range: a port found free there stays free until
  // the server binds it, whereas an ephemeral one may meanwhile become the
  // local end of some test's outgoing connection (the server then fails
  // with "cannot listen").
  constexpr int kLowest = 20000;
  const int end = FirstEphemeralPort();
  if (end - kLowest >= 1000) {
    static std::mutex mu;
    static std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(kLowest, end - 1);
    for (int attempt = 0; attempt < 100; ++attempt) {
      int candidate;
      {
        std::lock_guard<std::mutex> lock(mu);
        candidate = pick(random);
      }
      if (TryBind(candidate) == candidate) return candidate;
    }
  }
  return TryBind(0);
}

}  // namespace shien::testing
