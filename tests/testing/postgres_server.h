#ifndef SHIEN_TESTS_TESTING_POSTGRES_SERVER_H_
#define SHIEN_TESTS_TESTING_POSTGRES_SERVER_H_

#include <string>

namespace shien::testing {

// A throwaway PostgreSQL cluster: initdb into a temporary directory, then
// pg_ctl on a free loopback port (trust authentication, user "shien",
// fsync off: tests do not survive power loss). When the tests run as root
// the cluster runs as the "postgres" system user, as PostgreSQL requires.
// Stopped and removed on destruction.
class PostgresServer {
 public:
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // initdb (first time) and start; false with the log in `error`.
  bool Start(std::string* error);
  // Fast shutdown (connections are cut).
  void Stop();

  // Creates database `name` unless it exists; false on failure.
  bool CreateDatabase(const std::string& name);
  // A libpq connection string for database `name`.
  std::string Conninfo(const std::string& name) const;
  int port() const { return port_; }

 private:
  int Run(const std::string& command) const;

  std::string dir_;
  int port_ = 0;
  bool initialized_ = false;
};

// One cluster shared by the tests of this process, started on first use;
// nullptr (with a message on stderr) when PostgreSQL is not installed or
// does not start.
PostgresServer* SharedPostgres();

// A database of the shared cluster named after `key` (e.g. a test's
// temporary directory), created on first use: the same key gives the same
// database. Returns its connection string, or "" on failure.
std::string SharedPostgresDatabase(const std::string& key);

}  // namespace shien::testing

#endif  // SHIEN_TESTS_TESTING_POSTGRES_SERVER_H_
