#ifndef SHIEN_TESTS_TESTING_REDIS_SERVER_H_
#define SHIEN_TESTS_TESTING_REDIS_SERVER_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace shien::testing {

// A real redis-server on a free loopback port, without persistence, for
// the duration of a test. Killed on destruction.
class RedisServer {
 public:
  // `extra` are added to the command line (e.g. {"--requirepass", "x"}).
  explicit RedisServer(std::vector<std::string> extra = {});
  ~RedisServer();

  // Starts it (again, on the same port after Kill); false if it does not
  // answer PING within a few seconds.
  bool Start();
  // SIGKILL, and wait for it to go.
  void Kill();
  // Runs redis-cli with `args` against it; returns its exit status.
  int Cli(const std::vector<std::string>& args);

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::vector<std::string> extra_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_REDIS_SERVER_H_
