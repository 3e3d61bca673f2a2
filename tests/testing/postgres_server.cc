#include "tests/testing/postgres_server.h"

#include <glob.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/sql/postgres.h"
#include "tests/testing/server_process.h"

namespace shien::testing {
namespace {

// The directory holding initdb and pg_ctl (the newest installed).
std::string PostgresBinDir() {
  glob_t found;
  std::string dir;
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found) == 0 &&
      found.gl_pathc > 0) {
    dir = found.gl_pathv[found.gl_pathc - 1];
    dir = dir.substr(0, dir.size() - std::string("/initdb").size());
  }
  globfree(&found);
  return dir;
}

}  // namespace

PostgresServer::PostgresServer() : port_(FreePort()) {
  char templ[] = "/tmp/shien-pg-XXXXXX";
  const char* made = mkdtemp(templ);
  dir_ = made ? made : "";
}

PostgresServer::~PostgresServer() {
  Stop();
  if (!dir_.empty()) {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
}

int PostgresServer::Run(const std::string& command) const {
  // PostgreSQL refuses to run as root: run as its system user then.
  const std::string full =
      geteuid() == 0
          ? absl::StrCat("runuser -u postgres -- sh -c \"", command, "\"")
          : command;
  return std::system(absl::StrCat(full, " >>'", dir_, "/pg.log' 2>&1").c_str());
}

bool PostgresServer::Start(std::string* error) {
  const std::string bin = PostgresBinDir();
  if (bin.empty() || dir_.empty()) {
    *error = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin)";
    return false;
  }
  if (geteuid() == 0) {
    std::system(absl::StrCat("chown postgres '", dir_, "'").c_str());
  }
  if (!initialized_) {
    if (Run(absl::StrCat(bin, "/initdb -D ", dir_,
                         "/data -U shien --auth=trust -E UTF8 "
                         "--locale=C.UTF-8")) != 0) {
      *error = "initdb failed; see " + dir_ + "/pg.log";
      return false;
    }
    initialized_ = true;
  }
  const int rc = Run(absl::StrCat(
      bin, "/pg_ctl -D ", dir_, "/data -w -t 30 -o '-p ", port_, " -k ", dir_,
      " -c listen_addresses=127.0.0.1 -c fsync=off -c "
      "synchronous_commit=off -c full_page_writes=off -c max_connections=300' "
      "start"));
  if (rc != 0) {
    std::ifstream log(dir_ + "/pg.log");
    std::stringstream text;
    text << log.rdbuf();
    *error = "pg_ctl start failed: " + text.str();
    return false;
  }
  return true;
}

void PostgresServer::Stop() {
  const std::string bin = PostgresBinDir();
  if (bin.empty() || !initialized_) return;
  Run(absl::StrCat(bin, "/pg_ctl -D ", dir_, "/data -m fast -w stop"));
}

bool PostgresServer::CreateDatabase(const std::string& name) {
  sql::PostgresOptions options;
  options.conninfo = Conninfo("postgres");
  auto conn = sql::OpenPostgresConnection(options);
  if (!conn.ok()) return false;
  absl::Status s = (*conn)->Exec(absl::StrCat("CREATE DATABASE ", name));
  return s.ok() || s.code() == absl::StatusCode::kAlreadyExists ||
         absl::StrContains(s.message(), "already exists");
}

std::string PostgresServer::Conninfo(const std::string& name) const {
  return absl::StrCat("host=127.0.0.1 port=", port_,
                      " user=shien dbname=", name);
}

PostgresServer* SharedPostgres() {
  static PostgresServer* server = [] {
    auto* s = new PostgresServer();
    std::string error;
    if (!s->Start(&error)) {
      std::fprintf(stderr, "PostgreSQL: %s\n", error.c_str());
      delete s;
      return static_cast<PostgresServer*>(nullptr);
    }
    std::atexit([] { delete SharedPostgres(); });
    return s;
  }();
  return server;
}

std::string SharedPostgresDatabase(const std::string& key) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  PostgresServer* server = SharedPostgres();
  if (server == nullptr) return "";
  const std::string name =
      absl::StrCat("t", std::hash<std::string>{}(key) % 1000000000000ULL);
  if (!server->CreateDatabase(name)) return "";
  return server->Conninfo(name);
}

}  // namespace shien::testing
