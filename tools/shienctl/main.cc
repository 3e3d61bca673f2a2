// shienctl: the command line of shien. Parses flags (absl; flags may come
// before or after the command), opens the channels, runs one command.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/string_view.h"
#include "tools/shienctl/clients.h"
#include "tools/shienctl/command.h"
#include "tools/shienctl/flags.h"
#include "tools/shienctl/help.h"

namespace {

bool IsHelpFlag(absl::string_view arg) {
  return arg == "--help" || arg == "-help" || arg == "-h" ||
         arg == "--helpshort" || arg == "--helpfull";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shien::ctl;  // NOLINT: the tool's own namespace
  // Help is ours, not absl's flag dump: find the command, if any.
  bool help = false;
  std::string first;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (IsHelpFlag(arg)) {
      help = true;
    } else if (first.empty() && !arg.empty() && arg[0] != '-') {
      first = std::string(arg);
    }
  }
  if (help || first.empty() || first == "help") {
    std::string topic = first;
    if (first == "help") {
      topic.clear();
      bool seen = false;
      for (int i = 1; i < argc; ++i) {
        if (argv[i][0] == '-') continue;
        if (seen) {
          topic = argv[i];
          break;
        }
        seen = true;
      }
    }
    const std::string text = topic.empty() ? GeneralHelp() : CommandHelp(topic);
    if (text.empty()) {
      std::cerr << "shienctl: unknown command \"" << topic
                << "\" (see shienctl --help)\n";
      return kExitUsage;
    }
    std::cout << text;
    return first.empty() && !help ? kExitUsage : kExitOk;
  }

  absl::SetProgramUsageMessage("see shienctl --help");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> args(positional.begin() + 1, positional.end());
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) {
    std::cerr << "shienctl: unknown command \"" << args[0]
              << "\" (see shienctl --help)\n";
    return kExitUsage;
  }
  args.erase(args.begin());

  absl::StatusOr<Clients> clients = OpenClients();
  if (!clients.ok()) {
    std::cerr << "shienctl: " << clients.status().message() << "\n";
    return kExitUsage;
  }
  Env env;
  env.clients = &*clients;
  env.year = absl::GetFlag(FLAGS_year);
  env.json = absl::GetFlag(FLAGS_json);
  env.era = absl::GetFlag(FLAGS_era);
  env.timeout_s = absl::GetFlag(FLAGS_timeout_s);
  env.out = &std::cout;
  env.err = &std::cerr;
  const int code = command->run(env, args);
  std::cout.flush();
  return code;
}
