#include "tools/shienctl/help.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "tools/shienctl/command.h"
#include "tools/shienctl/format.h"

namespace shien::ctl {
namespace {

constexpr char kFlags[] =
    "Connection (flag, or environment variable):\n"
    "  --budget=HOST:PORT   SHIEN_BUDGET_ADDR   default 127.0.0.1:50051\n"
    "  --kpi=HOST:PORT      SHIEN_KPI_ADDR      default 127.0.0.1:50052\n"
    "  --subsidy=HOST:PORT  SHIEN_SUBSIDY_ADDR  default 127.0.0.1:50053\n"
    "                       (a comma-separated list is balanced round robin)\n"
    "  --token=TOKEN        SHIEN_TOKEN         bearer token for every call\n"
    "  --token_file=FILE    the token from a file's first line\n"
    "  --ca=PEM  --cert=PEM --key=PEM  --server_name=NAME   TLS / mTLS\n"
    "  --timeout_s=N        deadline of each call (default 10)\n"
    "Output:\n"
    "  --year=YYYY          fiscal year (default: the current one, Japan "
    "time)\n"
    "  --era                label years 令和8年度 instead of FY2026\n"
    "  --json               print the response as JSON (proto JSON mapping)\n"
    "Money is printed in 千円 with thousands separators as the plan does\n"
    "(▲ = negative); subsidy amounts in 円.\n";

}  // namespace

std::string GeneralHelp() {
  std::string out =
      "shienctl — the command line of shien: read the plan, budget "
      "execution,\n"
      "KPIs and subsidies, run the subsidy process, import CSV batches.\n\n"
      "usage: shienctl [flags] COMMAND [args] [flags]\n\nCommands:\n";
  int width = 0;
  for (const Command& c : Commands()) {
    width = std::max(width, DisplayWidth(c.name));
  }
  for (const Command& c : Commands()) {
    absl::StrAppend(&out, "  ", c.name,
                    std::string(width + 2 - DisplayWidth(c.name), ' '),
                    c.summary, "\n");
  }
  absl::StrAppend(
      &out, "\n", kFlags,
      "\nshienctl COMMAND --help (or shienctl help COMMAND) shows a command's "
      "arguments.\n"
      "Exit codes: 0 ok, 1 import rows rejected, 2 usage or input file, 3 a "
      "call failed.\n\n"
      "Examples:\n"
      "  shienctl programs --year=2026\n"
      "  shienctl summary --era\n"
      "  shienctl progress 9/consultations --year=2025\n"
      "  shienctl import expenditures vouchers.csv\n"
      "  SHIEN_BUDGET_ADDR=10.0.0.5:50051 shienctl execution --json\n");
  return out;
}

std::string CommandHelp(absl::string_view name) {
  const Command* c = FindCommand(name);
  if (c == nullptr) return "";
  return absl::StrCat(
      "usage: shienctl ", c->name, " ", c->usage, "\n\n", c->summary, ".\n\n",
      c->help, "\n\n",
      "Common flags: --year, --era, --json, --budget, --kpi, "
      "--subsidy, --token, --timeout_s (see shienctl --help).\n");
}

}  // namespace shien::ctl
