#include "services/kpi/api/convert.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace shien::kpi {
namespace {

void SetFraction(int64_t num, int64_t den, google::type::Fraction* out) {
  int64_t g = Gcd(num, den);
  out->set_numerator(num / g);
  out->set_denominator(den / g);
}

}  // namespace

absl::StatusOr<IndicatorRef> ParseIndicatorName(absl::string_view name,
                                                absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(
          name, "fiscalYears/{year}/programs/{number}/indicators/{indicator}",
          field));
  IndicatorRef ref;
  SHIEN_ASSIGN_OR_RETURN(ref.year, ParseIdNumber(parts[0], field));
  if (ref.year < kMinFiscalYear || ref.year > kMaxFiscalYear) {
    return FieldError(field, "INVALID_RESOURCE_NAME",
                      absl::StrCat("fiscal year must be ", kMinFiscalYear,
                                   " to ", kMaxFiscalYear));
  }
  SHIEN_ASSIGN_OR_RETURN(ref.program, ParseIdNumber(parts[1], field));
  SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[2], field));
  ref.id = parts[2];
  return ref;
}

CivilDate FromProto(const google::type::Date& date) {
  return CivilDate{date.year(), date.month(), date.day()};
}

void ToProto(const CivilDate& date, google::type::Date* out) {
  out->set_year(date.year);
  out->set_month(date.month);
  out->set_day(date.day);
}

void ToProto(const Indicator& i, pb::Indicator* out) {
  out->set_name(IndicatorName(i));
  out->set_program(absl::StrCat("fiscalYears/", i.fiscal_year, "/programs/",
                                i.program_number));
  out->set_title(i.title);
  out->set_unit(i.unit);
  out->set_measure(static_cast<pb::Measure>(i.measure));
  out->set_kind(static_cast<pb::IndicatorKind>(i.kind));
  out->set_aggregation(static_cast<pb::Aggregation>(i.aggregation));
  out->mutable_target()->set_state(
      static_cast<pb::TargetState>(i.target.state));
  out->mutable_target()->set_value(i.target.value);
  out->mutable_target()->set_note(i.target.note);
  if (i.multi_year_target) {
    auto* m = out->mutable_multi_year_target();
    m->set_first_fiscal_year(i.multi_year_target->first_fiscal_year);
    m->set_last_fiscal_year(i.multi_year_target->last_fiscal_year);
    m->set_value(i.multi_year_target->value);
  }
  if (!i.parent_id.empty()) {
    out->set_parent(
        IndicatorName(i.fiscal_year, i.program_number, i.parent_id));
  }
  out->set_parts_bounded_by_whole(i.parts_bounded_by_whole);
  out->set_position(i.position);
  out->set_note(i.note);
  out->set_etag(IndicatorEtag(i));
  ToTimestamp(i.update_time_micros, out->mutable_update_time());
}

void ToProto(const Measurement& m, pb::Measurement* out) {
  out->set_indicator(
      IndicatorName(m.fiscal_year, m.program_number, m.indicator_id));
  if (m.period.is_month) {
    out->mutable_month()->set_year(m.period.date.year);
    out->mutable_month()->set_month(m.period.date.month);
  } else {
    ToProto(m.period.date, out->mutable_as_of_date());
  }
  out->set_value(m.value);
  out->set_kind(static_cast<pb::MeasurementKind>(m.kind));
  out->set_request_id(m.request_id);
  out->set_unit(m.unit);
  if (m.previous_value) out->set_previous_value(*m.previous_value);
  out->set_recorded_by(m.recorded_by);
  ToTimestamp(m.record_time_micros, out->mutable_record_time());
  if (m.supersede_time_micros) {
    ToTimestamp(*m.supersede_time_micros, out->mutable_supersede_time());
  }
}

void ToProto(const Indicator& indicator, const Progress& p,
             pb::IndicatorProgress* out) {
  out->set_indicator(IndicatorName(indicator));
  ToProto(indicator, out->mutable_indicator_detail());
  ToProto(p.as_of, out->mutable_as_of_date());
  *out->mutable_target() = out->indicator_detail().target();
  out->set_actual(p.actual);
  out->set_has_actual(p.has_actual);
  if (p.actual_as_of)
    ToProto(*p.actual_as_of, out->mutable_actual_as_of_date());
  if (indicator.target.state == TargetState::kSet &&
      indicator.target.value > 0) {
    SetFraction(p.actual, indicator.target.value, out->mutable_progress_rate());
  }
  if (p.progress_permille) out->set_progress_permille(*p.progress_permille);
  SetFraction(p.elapsed_days, p.total_days, out->mutable_expected_share());
  out->set_status(static_cast<pb::ProgressStatus>(p.status));
  out->set_projected_year_end(p.projected_year_end);
  out->set_projection_basis(p.projection_basis);
}

Indicator FromProto(const pb::Indicator& in) {
  Indicator i;
  i.title = in.title();
  i.unit = in.unit();
  i.measure = static_cast<Measure>(in.measure());
  i.kind = static_cast<IndicatorKind>(in.kind());
  i.aggregation = static_cast<Aggregation>(in.aggregation());
  i.target.state = static_cast<TargetState>(in.target().state());
  i.target.value = in.target().value();
  i.target.note = in.target().note();
  if (in.has_multi_year_target()) {
    i.multi_year_target =
        MultiYearTarget{in.multi_year_target().first_fiscal_year(),
                        in.multi_year_target().last_fiscal_year(),
                        in.multi_year_target().value()};
  }
  i.parts_bounded_by_whole = in.parts_bounded_by_whole();
  i.position = in.position();
  i.note = in.note();
  return i;
}

absl::StatusOr<Measurement> FromProto(const pb::Measurement& in) {
  Measurement m;
  SHIEN_ASSIGN_OR_RETURN(IndicatorRef ref,
                         ParseIndicatorName(in.indicator(), "indicator"));
  m.fiscal_year = ref.year;
  m.program_number = ref.program;
  m.indicator_id = ref.id;
  switch (in.period_case()) {
    case pb::Measurement::kMonth:
      if (in.month().day() != 0) {
        return FieldError("month", "INVALID_MONTH",
                          "give year and month with day 0");
      }
      m.period.is_month = true;
      m.period.date = FromProto(in.month());
      break;
    case pb::Measurement::kAsOfDate:
      m.period.is_month = false;
      m.period.date = FromProto(in.as_of_date());
      break;
    default:
      return FieldError("period", "REQUIRED_FIELD", "give month or as_of_date");
  }
  m.value = in.value();
  m.kind = static_cast<MeasurementKind>(in.kind());
  m.request_id = in.request_id();
  m.unit = in.unit();
  return m;
}

absl::StatusOr<YearData> FromProto(const pb::KpiData& data) {
  YearData out;
  out.fiscal_year = data.fiscal_year();
  out.source_note = data.source_note();
  for (int n = 0; n < data.indicators_size(); ++n) {
    const pb::Indicator& in = data.indicators(n);
    std::string where = absl::StrCat("indicators[", n, "]");
    SHIEN_ASSIGN_OR_RETURN(IndicatorRef ref,
                           ParseIndicatorName(in.name(), where + ".name"));
    if (ref.year != out.fiscal_year) {
      return FieldError(where + ".name", "WRONG_FISCAL_YEAR",
                        "must be an indicator of the file's fiscal year");
    }
    Indicator i = FromProto(in);
    i.fiscal_year = ref.year;
    i.program_number = ref.program;
    i.id = ref.id;
    if (!in.parent().empty()) {
      SHIEN_ASSIGN_OR_RETURN(
          IndicatorRef parent,
          ParseIndicatorName(in.parent(), where + ".parent"));
      if (parent.year != ref.year || parent.program != ref.program) {
        return FieldError(where + ".parent", "PARENT_NOT_FOUND",
                          "must be an indicator of the same program");
      }
      i.parent_id = parent.id;
    }
    out.indicators.push_back(std::move(i));
  }
  SHIEN_RETURN_IF_ERROR(ValidateIndicatorSet(out.indicators));
  for (int n = 0; n < data.measurements_size(); ++n) {
    std::string where = absl::StrCat("measurements[", n, "]");
    absl::StatusOr<Measurement> m = FromProto(data.measurements(n));
    if (!m.ok()) return PrefixField(m.status(), where);
    if (m->fiscal_year != out.fiscal_year) {
      return FieldError(where + ".indicator", "WRONG_FISCAL_YEAR",
                        "must be an indicator of the file's fiscal year");
    }
    if (m->request_id.empty()) m->request_id = PlanRequestId(*m);
    m->recorded_by = "plan";
    out.measurements.push_back(*std::move(m));
  }
  return out;
}

}  // namespace shien::kpi
