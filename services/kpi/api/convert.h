#ifndef SHIEN_SERVICES_KPI_API_CONVERT_H_
#define SHIEN_SERVICES_KPI_API_CONVERT_H_

#include "absl/status/statusor.h"
#include "services/kpi/domain/indicator.h"
#include "services/kpi/domain/measurement.h"
#include "services/kpi/domain/progress.h"
#include "shien/kpi/v1/kpi_data.pb.h"
#include "shien/kpi/v1/kpi_service.pb.h"

// Conversions between the shien.kpi.v1 protos and the domain types.
namespace shien::kpi {

namespace pb = ::shien::kpi::v1;

struct IndicatorRef {
  int year = 0;
  int program = 0;
  std::string id;
};

// Parses `fiscalYears/{year}/programs/{number}/indicators/{id}`;
// INVALID_ARGUMENT naming `field`.
absl::StatusOr<IndicatorRef> ParseIndicatorName(absl::string_view name,
                                                absl::string_view field);

void ToProto(const Indicator& indicator, pb::Indicator* out);
void ToProto(const Measurement& m, pb::Measurement* out);
void ToProto(const Indicator& indicator, const Progress& progress,
             pb::IndicatorProgress* out);

// The writable fields of an indicator (name and parent resolved by the
// caller).
Indicator FromProto(const pb::Indicator& in);

// A measurement row: resolves the indicator name and the period.
// INVALID_ARGUMENT naming the field.
absl::StatusOr<Measurement> FromProto(const pb::Measurement& in);

// google.type.Date ↔ CivilDate.
CivilDate FromProto(const google::type::Date& date);
void ToProto(const CivilDate& date, google::type::Date* out);

// A KPI data file's content. INVALID_ARGUMENT naming the element.
struct YearData {
  int fiscal_year = 0;
  std::string source_note;
  std::vector<Indicator> indicators;
  std::vector<Measurement> measurements;
};
absl::StatusOr<YearData> FromProto(const pb::KpiData& data);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_API_CONVERT_H_
