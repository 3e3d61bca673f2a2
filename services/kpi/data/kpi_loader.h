#ifndef SHIEN_SERVICES_KPI_DATA_KPI_LOADER_H_
#define SHIEN_SERVICES_KPI_DATA_KPI_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/kpi/api/convert.h"
#include "services/kpi/storage/kpi_store.h"

namespace shien::kpi {

// Reads and checks one indicator file (textproto of shien.kpi.v1.KpiData).
// INVALID_ARGUMENT naming the file and the line or element at fault;
// NOT_FOUND when it is missing.
absl::StatusOr<YearData> ReadKpiFile(const std::string& path);

struct KpiLoadReport {
  std::vector<std::string> loaded;
  std::vector<std::string> skipped;  // already in the database
};

// Loads every `fy{YEAR}/indicators.textproto` under `data_dir` that is not
// in the store yet. Any error stops loading and names the file.
absl::StatusOr<KpiLoadReport> LoadKpiData(const std::string& data_dir,
                                          KpiStore& store);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_DATA_KPI_LOADER_H_
