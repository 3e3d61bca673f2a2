#include "services/budget/api/convert.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/fiscal/fiscal.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace shien::budget {
namespace {

void SetFraction(int64_t num, int64_t den, google::type::Fraction* out) {
  if (den <= 0) {
    num = 0;
    den = 1;
  }
  int64_t g = Gcd(num, den);
  out->set_numerator(num / g);
  out->set_denominator(den / g);
}

void RowToProto(const SummaryRow& row, int fiscal_year,
                pb::BudgetSummaryRow* out) {
  out->set_key(row.key);
  out->set_area(static_cast<pb::Area>(row.area));
  out->set_budget_yen(row.budget_yen);
  if (row.prior_year_budget_yen.has_value()) {
    out->set_prior_year_budget_yen(*row.prior_year_budget_yen);
    out->set_change_yen(row.budget_yen - *row.prior_year_budget_yen);
  }
  for (const Attribution& a : row.attributions) {
    auto* pa = out->add_attributions();
    pa->set_program(absl::StrCat("fiscalYears/", fiscal_year, "/programs/",
                                 a.program_number));
    pa->set_amount_yen(a.amount_yen);
    SetFraction(a.share_numerator, a.share_denominator, pa->mutable_share());
  }
}

void ExecutionRowToProto(const ExecutionRow& row, pb::ExecutionRow* out) {
  out->set_key(row.key);
  out->set_area(static_cast<pb::Area>(row.area));
  out->set_budget_yen(row.budget_yen);
  out->set_executed_yen(row.executed_yen);
  out->set_remaining_yen(row.budget_yen - row.executed_yen);
  out->set_record_count(row.record_count);
  if (row.budget_yen > 0) {
    SetFraction(row.executed_yen, row.budget_yen,
                out->mutable_execution_rate());
    out->set_execution_rate_permille(
        PermilleHalfUp(row.executed_yen, row.budget_yen));
  } else {
    SetFraction(0, 1, out->mutable_execution_rate());
  }
}

}  // namespace

void ToProto(const Program& p, const Program* prior, pb::Program* out) {
  out->set_name(
      absl::StrCat("fiscalYears/", p.fiscal_year, "/programs/", p.number));
  out->set_number(p.number);
  out->set_title(p.title);
  out->set_area(static_cast<pb::Area>(p.area));
  for (FundingSource f : p.funding_sources) {
    out->add_funding_sources(static_cast<pb::FundingSource>(f));
  }
  out->set_funding_label(FundingLabel(p.funding_sources));
  out->set_budget_yen(p.budget_yen);
  if (prior != nullptr) {
    out->set_prior_year_budget_yen(prior->budget_yen);
    out->set_change_yen(p.budget_yen - prior->budget_yen);
  }
  out->set_continuity(static_cast<pb::Continuity>(p.continuity));
  for (const auto& d : p.departments) out->add_departments(d);
  for (const auto& a : p.related_agencies) out->add_related_agencies(a);
  out->set_purpose(p.purpose);
  out->set_overview(p.overview);
  for (const auto& a : p.activities) out->add_activities(a);
  out->set_shared_sheet(p.shared_sheet);
  out->set_etag(ProgramEtag(p));
  ToTimestamp(p.update_time_micros, out->mutable_update_time());
}

void ToProto(const FiscalYearRecord& y, pb::FiscalYear* out) {
  out->set_name(absl::StrCat("fiscalYears/", y.year));
  out->set_year(y.year);
  out->set_era_label(EraLabel(y.year));
  out->set_title(y.title);
  out->set_organization(y.organization);
  out->set_program_count(y.program_count);
  out->set_budget_total_yen(y.budget_total_yen);
  out->set_data_version(y.data_version);
  out->set_programs_version(y.programs_version);
  for (const PlanWarning& w : y.warnings) {
    auto* pw = out->add_warnings();
    pw->set_code(w.code);
    for (int n : w.program_numbers) pw->add_program_numbers(n);
    pw->set_message(w.message);
  }
}

void ToProto(const BudgetSummary& s, int64_t data_version,
             int64_t compute_micros, pb::BudgetSummary* out) {
  out->set_name(absl::StrCat("fiscalYears/", s.fiscal_year, "/budgetSummary"));
  out->set_total_yen(s.total_yen);
  if (s.prior_year_total_yen.has_value()) {
    out->set_prior_year_total_yen(*s.prior_year_total_yen);
    out->set_change_yen(s.total_yen - *s.prior_year_total_yen);
  }
  for (const auto& r : s.by_area)
    RowToProto(r, s.fiscal_year, out->add_by_area());
  for (const auto& r : s.by_funding) {
    RowToProto(r, s.fiscal_year, out->add_by_funding());
  }
  for (const auto& r : s.by_department) {
    RowToProto(r, s.fiscal_year, out->add_by_department());
  }
  out->set_data_version(data_version);
  ToTimestamp(compute_micros, out->mutable_compute_time());
}

void ToProto(const ExecutionSummary& s, int fiscal_year, int64_t data_version,
             int64_t compute_micros, pb::ExecutionSummary* out) {
  out->set_name(absl::StrCat("fiscalYears/", fiscal_year, "/executionSummary"));
  for (const auto& r : s.programs) ExecutionRowToProto(r, out->add_programs());
  for (const auto& r : s.areas) ExecutionRowToProto(r, out->add_areas());
  ExecutionRowToProto(s.total, out->mutable_total());
  out->set_data_version(data_version);
  ToTimestamp(compute_micros, out->mutable_compute_time());
}

void ToProto(const Expenditure& e, pb::Expenditure* out) {
  out->set_program(absl::StrCat("fiscalYears/", e.fiscal_year, "/programs/",
                                e.program_number));
  out->mutable_month()->set_year(e.year);
  out->mutable_month()->set_month(e.month);
  out->set_amount_yen(e.amount_yen);
  out->set_request_id(e.request_id);
  out->set_source_record_id(e.source_record_id);
  out->set_description(e.description);
  ToTimestamp(e.create_time_micros, out->mutable_create_time());
}

void ToProto(const Envelope& e, pb::Envelope* out) {
  out->set_name(
      absl::StrCat("fiscalYears/", e.fiscal_year, "/envelopes/", e.id));
  out->set_program(absl::StrCat("fiscalYears/", e.fiscal_year, "/programs/",
                                e.program_number));
  out->set_title(e.title);
  out->set_amount_yen(e.amount_yen);
  out->set_reserved_yen(e.reserved_yen);
  out->set_available_yen(e.amount_yen - e.reserved_yen);
  out->set_active_reservation_count(e.active_reservation_count);
}

void ToProto(const Reservation& r, pb::Reservation* out) {
  out->set_name(absl::StrCat("fiscalYears/", r.fiscal_year, "/envelopes/",
                             r.envelope_id, "/reservations/", r.id));
  out->set_holder(r.holder);
  out->set_amount_yen(r.amount_yen);
  out->set_reserved_yen(r.reserved_yen);
  out->set_released_yen(r.released_yen);
  ToTimestamp(r.create_time_micros, out->mutable_create_time());
  ToTimestamp(r.update_time_micros, out->mutable_update_time());
}

Program FromProto(const pb::Program& in) {
  Program p;
  p.number = in.number();
  p.title = in.title();
  p.area = static_cast<Area>(in.area());
  for (int f : in.funding_sources()) {
    p.funding_sources.push_back(static_cast<FundingSource>(f));
  }
  p.budget_yen = in.budget_yen();
  p.continuity = static_cast<Continuity>(in.continuity());
  p.departments.assign(in.departments().begin(), in.departments().end());
  p.related_agencies.assign(in.related_agencies().begin(),
                            in.related_agencies().end());
  p.purpose = in.purpose();
  p.overview = in.overview();
  p.activities.assign(in.activities().begin(), in.activities().end());
  p.shared_sheet = in.shared_sheet();
  return p;
}

absl::StatusOr<Plan> FromProto(const pb::PlanData& data) {
  Plan plan;
  plan.fiscal_year = data.fiscal_year();
  plan.title = data.title();
  plan.organization = data.organization();
  plan.printed_total_yen = data.printed_total_yen();
  for (const pb::Program& in : data.programs()) {
    Program p = FromProto(in);
    p.fiscal_year = plan.fiscal_year;
    PrintedPrior printed;
    if (in.has_prior_year_budget_yen()) {
      printed.prior_year_budget_yen = in.prior_year_budget_yen();
    }
    if (in.has_change_yen()) printed.change_yen = in.change_yen();
    if (printed.prior_year_budget_yen || printed.change_yen) {
      plan.printed_prior[p.number] = printed;
    }
    plan.programs.push_back(std::move(p));
  }
  for (const auto& row : data.department_overview()) {
    plan.department_overview.push_back(
        {row.department(),
         {row.program_numbers().begin(), row.program_numbers().end()}});
  }
  for (int i = 0; i < data.envelopes_size(); ++i) {
    const pb::Envelope& in = data.envelopes(i);
    std::string where = absl::StrCat("envelopes[", i, "]");
    Envelope e;
    e.fiscal_year = plan.fiscal_year;
    e.id = in.name();
    SHIEN_RETURN_IF_ERROR(ValidateResourceId(e.id, where + ".name"));
    SHIEN_ASSIGN_OR_RETURN(
        std::vector<std::string> parts,
        ParseResourceName(in.program(), "fiscalYears/{year}/programs/{number}",
                          where + ".program"));
    SHIEN_ASSIGN_OR_RETURN(e.program_number,
                           ParseIdNumber(parts[1], where + ".program"));
    if (parts[0] != absl::StrCat(plan.fiscal_year)) {
      return FieldError(where + ".program", "WRONG_FISCAL_YEAR",
                        "must be a program of the plan's own fiscal year");
    }
    e.title = in.title();
    e.amount_yen = in.amount_yen();
    plan.envelopes.push_back(std::move(e));
  }
  return plan;
}

}  // namespace shien::budget
