#include "services/kpi/data/kpi_loader.h"

#include "absl/strings/str_cat.h"
#include "common/api/text_proto.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace shien::kpi {

absl::StatusOr<YearData> ReadKpiFile(const std::string& path) {
  v1::KpiData data;
  SHIEN_RETURN_IF_ERROR(ReadTextProtoFile(path, &data));
  absl::StatusOr<YearData> year = FromProto(data);
  if (!year.ok()) return WithContext(year.status(), path);
  return year;
}

absl::StatusOr<KpiLoadReport> LoadKpiData(const std::string& data_dir,
                                          KpiStore& store) {
  SHIEN_ASSIGN_OR_RETURN(auto files,
                         FindFiscalYearFiles(data_dir, "indicators.textproto"));
  KpiLoadReport report;
  for (const auto& [year, path] : files) {
    SHIEN_ASSIGN_OR_RETURN(YearData data, ReadKpiFile(path));
    if (data.fiscal_year != year) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": fiscal_year is ", data.fiscal_year,
                       " but the directory says ", year));
    }
    absl::StatusOr<bool> loaded = store.LoadYear(
        year, data.source_note, data.indicators, data.measurements);
    if (!loaded.ok()) return WithContext(loaded.status(), path);
    (*loaded ? report.loaded : report.skipped)
        .push_back(absl::StrCat("fiscalYears/", year, " from ", path));
  }
  return report;
}

}  // namespace shien::kpi
