// `shienctl import measurements|expenditures FILE.csv`.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "tools/shienctl/command.h"
#include "tools/shienctl/flags.h"
#include "tools/shienctl/importer.h"

namespace shien::ctl {
namespace {

int Import(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 2) {
    return UsageError(env, "import",
                      "needs measurements|expenditures FILE.csv");
  }
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  if (batch_size < 1 || batch_size > 1000) {
    return UsageError(env, "import", "--batch_size must be 1 to 1000");
  }
  if (args[0] == "expenditures") {
    return ImportExpenditures(env, args[1], batch_size);
  }
  if (args[0] == "measurements") {
    return ImportMeasurements(env, args[1], batch_size);
  }
  return UsageError(env, "import",
                    "the first argument is measurements or expenditures");
}

constexpr char kImportHelp[] =
    "Streams a CSV file to the budget service (expenditures) or the KPI\n"
    "service (measurements) in batches of --batch_size rows (default and\n"
    "maximum 1000). The first row names the columns, in any order.\n"
    "\n"
    "expenditures: voucher,program,month,amount_yen[,description]\n"
    "  voucher     the accounting system's voucher number; required\n"
    "  program     program number (11) or fiscalYears/2026/programs/11\n"
    "  month       YYYY-MM; the fiscal year is the month's (2027-03 is "
    "FY2026)\n"
    "  amount_yen  whole yen, 1 or more (\"1,500,000\" quoted is accepted)\n"
    "  e.g.  voucher,program,month,amount_yen,description\n"
    "        V-2026-000123,11,2026-05,1500000,展示会出展費\n"
    "\n"
    "measurements: indicator,period,kind,value[,unit]\n"
    "  indicator   PROGRAM/ID (17/consultations) or the full resource name\n"
    "  period      YYYY-MM (a month's value) or YYYY-MM-DD (cumulative to "
    "that date)\n"
    "  kind        actual or forecast\n"
    "  value       whole number, 0 or more (yen for money indicators)\n"
    "  e.g.  indicator,period,kind,value\n"
    "        17/consultations,2026-04,actual,231\n"
    "\n"
    "Safe to rerun: each row's request id comes from the row itself\n"
    "(exp:<voucher>; msr:<indicator>:<period>:<kind>:<value>), so running\n"
    "the same file again after Ctrl-C, a kill or a server restart, or after\n"
    "fixing rejected rows, stores nothing twice: stored rows come back as\n"
    "duplicates. A new value for a stored measurement is a correction (the\n"
    "history is kept); a changed amount under a stored voucher is rejected\n"
    "(REQUEST_ID_REUSED).\n"
    "\n"
    "The file must be UTF-8 (a BOM is accepted; Shift_JIS is refused: convert\n"
    "with iconv -f SHIFT_JIS -t UTF-8). LF or CRLF line ends; fields with\n"
    "commas, quotes or line breaks are quoted (\"\" for a quote); empty lines\n"
    "are skipped. Every rejected row is reported on stderr as\n"
    "FILE: line N: ...; the counts go to stdout. Progress goes to stderr: a\n"
    "bar on a terminal, a line every 10,000 rows or 5 s otherwise.\n"
    "\n"
    "Exit code: 0 all rows stored (or already there), 1 some rows rejected,\n"
    "2 the file cannot be imported (unreadable, not UTF-8, bad header),\n"
    "3 a call failed (rerun to finish).\n"
    "\n"
    "Example: shienctl import expenditures vouchers-2026-05.csv";

}  // namespace

void AddImportCommands(std::vector<Command>* commands) {
  commands->push_back({"import", "measurements|expenditures FILE.csv",
                       "stream KPI actuals or expenditure records from CSV",
                       kImportHelp, Import});
}

}  // namespace shien::ctl
