#include "tools/shienctl/command.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"

namespace shien::ctl {
namespace {

std::string YearPrefix(const Env& env) {
  return absl::StrCat("fiscalYears/", env.year);
}

}  // namespace

const std::vector<Command>& Commands() {
  static const auto* commands = [] {
    auto* list = new std::vector<Command>;
    AddReadCommands(list);
    AddSubsidyCommands(list);
    AddImportCommands(list);
    return list;
  }();
  return *commands;
}

const Command* FindCommand(absl::string_view name) {
  for (const Command& command : Commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

std::string ProgramName(const Env& env, absl::string_view arg) {
  if (absl::StartsWith(arg, "fiscalYears/")) return std::string(arg);
  return absl::StrCat(YearPrefix(env), "/programs/", arg);
}

std::string IndicatorName(const Env& env, absl::string_view arg) {
  if (absl::StartsWith(arg, "fiscalYears/")) return std::string(arg);
  std::vector<absl::string_view> parts =
      absl::StrSplit(arg, absl::MaxSplits('/', 1));
  if (parts.size() != 2) return std::string(arg);
  return absl::StrCat(YearPrefix(env), "/programs/", parts[0], "/indicators/",
                      parts[1]);
}

std::string SchemeName(const Env& env, absl::string_view arg) {
  if (absl::StartsWith(arg, "fiscalYears/")) return std::string(arg);
  return absl::StrCat(YearPrefix(env), "/schemes/", arg);
}

std::string ApplicationName(const Env& env, absl::string_view arg) {
  if (absl::StartsWith(arg, "fiscalYears/")) return std::string(arg);
  std::vector<absl::string_view> parts =
      absl::StrSplit(arg, absl::MaxSplits('/', 1));
  if (parts.size() != 2) return std::string(arg);
  return absl::StrCat(YearPrefix(env), "/schemes/", parts[0], "/applications/",
                      parts[1]);
}

void PrintJson(const Env& env, const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    *env.err << "shienctl: cannot print JSON: " << status.ToString() << "\n";
    return;
  }
  *env.out << json;
  if (json.empty() || json.back() != '\n') *env.out << "\n";
}

int RpcFailed(const Env& env, absl::string_view method,
              const grpc::Status& status) {
  *env.err << "shienctl: " << method << ": " << DescribeStatus(status) << "\n";
  return kExitRpc;
}

int UsageError(const Env& env, absl::string_view command,
               absl::string_view message) {
  *env.err << "shienctl " << command << ": " << message << "\n";
  if (const Command* c = FindCommand(command)) {
    *env.err << "usage: shienctl " << c->name << " " << c->usage
             << "\n(see shienctl " << c->name << " --help)\n";
  }
  return kExitUsage;
}

}  // namespace shien::ctl
