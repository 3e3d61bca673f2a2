#ifndef SHIEN_TOOLS_SHIENCTL_COMMAND_H_
#define SHIEN_TOOLS_SHIENCTL_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "tools/shienctl/clients.h"

namespace shien::ctl {

// Exit codes of shienctl.
inline constexpr int kExitOk = 0;
// An import finished but rejected rows (each reported with its line).
inline constexpr int kExitRejected = 1;
// Bad usage, a bad input file or an unreadable credential file.
inline constexpr int kExitUsage = 2;
// A call failed (the server's code and reason are printed).
inline constexpr int kExitRpc = 3;

// What a command runs with.
struct Env {
  Clients* clients = nullptr;
  // Fiscal year for short names (--year).
  int year = 0;
  bool json = false;
  bool era = false;
  int timeout_s = 10;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

// A subcommand: `shienctl <name> <args>`. `run` returns the exit code.
struct Command {
  const char* name;
  // Arguments, e.g. "SCHEME FILE.json".
  const char* usage;
  // One line for the command list.
  const char* summary;
  // The rest of `shienctl <name> --help`: what it does, flags, examples.
  const char* help;
  int (*run)(const Env& env, const std::vector<std::string>& args);
};

// Every command, in the order `shienctl --help` lists them.
const std::vector<Command>& Commands();
// The command called `name`, or nullptr.
const Command* FindCommand(absl::string_view name);

// Each file of commands adds its own.
void AddReadCommands(std::vector<Command>* commands);
void AddSubsidyCommands(std::vector<Command>* commands);
void AddImportCommands(std::vector<Command>* commands);

// Resource names from short forms; a full name ("fiscalYears/...") is
// returned unchanged.
//   ProgramName(env, "11")                → fiscalYears/Y/programs/11
//   IndicatorName(env, "17/consultations") → fiscalYears/Y/programs/17/
//                                            indicators/consultations
//   SchemeName(env, "productivity")       → fiscalYears/Y/schemes/productivity
//   ApplicationName(env, "productivity/1") → .../schemes/productivity/
//                                            applications/1
std::string ProgramName(const Env& env, absl::string_view arg);
std::string IndicatorName(const Env& env, absl::string_view arg);
std::string SchemeName(const Env& env, absl::string_view arg);
std::string ApplicationName(const Env& env, absl::string_view arg);

// Prints `message` as JSON (proto JSON mapping, indented) to env.out.
void PrintJson(const Env& env, const google::protobuf::Message& message);

// Reports a failed call "<method>: <status>" on env.err; returns kExitRpc.
int RpcFailed(const Env& env, absl::string_view method,
              const grpc::Status& status);

// Reports a usage error and the command's usage line; returns kExitUsage.
int UsageError(const Env& env, absl::string_view command,
               absl::string_view message);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_COMMAND_H_
