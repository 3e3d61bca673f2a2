#ifndef SHIEN_TOOLS_SHIENCTL_IMPORTER_H_
#define SHIEN_TOOLS_SHIENCTL_IMPORTER_H_

#include <string>

#include "tools/shienctl/command.h"

namespace shien::ctl {

// Streams a CSV file (formats in import_rows.h) through RecordExpenditures
// or RecordMeasurements:
// - the whole file is first checked to be UTF-8 (nothing is sent
//   otherwise), then read row by row and sent in batches of `batch_size`
//   (≤ 1,000, the servers' limit), several batches per stream;
// - a row that cannot be read or converted is reported with its line and
//   not sent; a row the server rejects is reported with its line, field,
//   reason and description;
// - progress goes to stderr (a bar on a terminal, lines otherwise); the
//   counts at the end to stdout.
// Returns kExitOk when every row was stored or already there,
// kExitRejected when any row was rejected, kExitUsage for a file that
// cannot be imported at all (unreadable, not UTF-8, bad header), kExitRpc
// when a stream failed (rerunning the same command completes the import:
// stored rows come back as duplicates).
int ImportExpenditures(const Env& env, const std::string& path, int batch_size);
int ImportMeasurements(const Env& env, const std::string& path, int batch_size);

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_IMPORTER_H_
