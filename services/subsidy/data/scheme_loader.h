#ifndef SHIEN_SERVICES_SUBSIDY_DATA_SCHEME_LOADER_H_
#define SHIEN_SERVICES_SUBSIDY_DATA_SCHEME_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/subsidy/domain/scheme.h"
#include "services/subsidy/storage/subsidy_store.h"

namespace shien::subsidy {

struct YearSchemes {
  int fiscal_year = 0;
  std::string source_note;
  std::vector<Scheme> schemes;
};

// Reads and checks one scheme file (textproto of
// shien.subsidy.v1.SubsidyData). INVALID_ARGUMENT naming the file and the
// line or element at fault; NOT_FOUND when it is missing.
absl::StatusOr<YearSchemes> ReadSchemeFile(const std::string& path);

// Loads every `fy{YEAR}/schemes.textproto` under `data_dir` that is not in
// the store yet; returns "fiscalYears/Y from path" lines for the log.
absl::StatusOr<std::vector<std::string>> LoadSchemes(
    const std::string& data_dir, SubsidyStore& store);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_DATA_SCHEME_LOADER_H_
