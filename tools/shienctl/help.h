#ifndef SHIEN_TOOLS_SHIENCTL_HELP_H_
#define SHIEN_TOOLS_SHIENCTL_HELP_H_

#include <string>

#include "absl/strings/string_view.h"

namespace shien::ctl {

// `shienctl --help`: what it is, the commands, the connection flags.
std::string GeneralHelp();

// `shienctl <command> --help`; empty when there is no such command.
std::string CommandHelp(absl::string_view command);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_HELP_H_
