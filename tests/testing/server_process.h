#ifndef SHIEN_TESTS_TESTING_SERVER_PROCESS_H_
#define SHIEN_TESTS_TESTING_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace shien::testing {

// A server binary run as a child process. Start() waits until it prints
// "LISTENING <port>" on stdout. Its stderr goes to `log_path`. Killed with
// SIGKILL on destruction if still running.
class ServerProcess {
 public:
  ServerProcess(std::string binary, std::vector<std::string> args,
                std::string log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the process; false (with the log's tail in `error`) when it exits
  // or does not report its port within `timeout_ms`.
  bool Start(int timeout_ms, std::string* error);
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void Signal(int sig);
  // Waits for the process to exit; returns its wait status.
  int Wait();
  // The stderr log so far.
  std::string Log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A loopback TCP port that was free a moment ago, for a server that must be
// told its peer's address before the peer starts. Chosen at random below
// the kernel's ephemeral range (so no outgoing connection takes it in the
// meantime) and checked by binding it; an ephemeral one when that range
// leaves no room.
int FreePort();

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_SERVER_PROCESS_H_
