#include "services/subsidy/codec/codec.h"

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace shien::subsidy {
namespace {

std::optional<CivilDate> OptionalDate(bool has, const google::type::Date& d) {
  if (!has) return std::nullopt;
  return FromProto(d);
}

}  // namespace

CivilDate FromProto(const google::type::Date& date) {
  return CivilDate{date.year(), date.month(), date.day()};
}

void ToProto(const CivilDate& date, google::type::Date* out) {
  out->set_year(date.year);
  out->set_month(date.month);
  out->set_day(date.day);
}

void ToProto(const Round& r, const CivilDate& today, pb::Round* out) {
  out->set_id(r.id);
  out->set_title(r.title);
  if (r.call_start) ToProto(*r.call_start, out->mutable_call_start_date());
  if (r.call_end) ToProto(*r.call_end, out->mutable_call_end_date());
  out->set_call_window_text(r.call_window_text);
  out->set_decision_text(r.decision_text);
  out->set_state(static_cast<pb::SchemeState>(r.StateOn(today)));
}

Round FromProto(const pb::Round& in) {
  Round r;
  r.id = in.id();
  r.title = in.title();
  r.call_start = OptionalDate(in.has_call_start_date(), in.call_start_date());
  r.call_end = OptionalDate(in.has_call_end_date(), in.call_end_date());
  r.call_window_text = in.call_window_text();
  r.decision_text = in.decision_text();
  return r;
}

void ToProto(const Scheme& s, const CivilDate& today, pb::Scheme* out) {
  out->set_name(SchemeName(s.fiscal_year, s.id));
  out->set_program(absl::StrCat("fiscalYears/", s.fiscal_year, "/programs/",
                                s.program_number));
  out->set_title(s.title);
  out->set_terms_published(s.terms_published);
  if (s.terms_published) {
    out->mutable_rate()->set_numerator(s.rate_numerator);
    out->mutable_rate()->set_denominator(s.rate_denominator);
  }
  out->set_rounding_unit_yen(s.terms_published ? s.rounding_unit_yen : 0);
  for (const Course& c : s.courses) {
    pb::Course* pc = out->add_courses();
    pc->set_id(c.id);
    pc->set_title(c.title);
    pc->set_cap_yen(c.cap_yen);
    pc->set_floor_yen(c.floor_yen);
    pc->set_applicant_class(static_cast<pb::ApplicantClass>(c.applicant_class));
  }
  for (const ExpenseCategory& c : s.expense_categories) {
    pb::ExpenseCategory* pc = out->add_expense_categories();
    pc->set_id(c.id);
    pc->set_title(c.title);
    pc->set_note(c.note);
  }
  for (const Round& r : s.rounds) ToProto(r, today, out->add_rounds());
  if (!s.envelope_id.empty()) {
    out->set_envelope(absl::StrCat("fiscalYears/", s.fiscal_year, "/envelopes/",
                                   s.envelope_id));
  }
  out->set_envelope_yen(s.envelope_yen);
  out->set_prior_start_allowed(s.prior_start_allowed);
  out->set_location_rule(static_cast<pb::LocationRule>(s.location_rule));
  out->set_prefecture(s.prefecture);
  out->set_excludes_deemed_large_enterprises(
      s.excludes_deemed_large_enterprises);
  out->set_state(static_cast<pb::SchemeState>(s.StateOn(today)));
  out->set_note(s.note);
  out->set_decision_count_indicator(s.decision_count_indicator);
  out->set_decision_amount_indicator(s.decision_amount_indicator);
}

absl::StatusOr<Scheme> FromProto(const pb::Scheme& in) {
  Scheme s;
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(in.name(), "fiscalYears/{year}/schemes/{scheme}",
                        "name"));
  SHIEN_ASSIGN_OR_RETURN(s.fiscal_year, ParseIdNumber(parts[0], "name"));
  s.id = parts[1];
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> program,
      ParseResourceName(in.program(), "fiscalYears/{year}/programs/{number}",
                        "program"));
  SHIEN_ASSIGN_OR_RETURN(s.program_number,
                         ParseIdNumber(program[1], "program"));
  s.title = in.title();
  s.terms_published = in.terms_published();
  s.rate_numerator = in.rate().numerator();
  s.rate_denominator =
      in.rate().denominator() == 0 ? 1 : in.rate().denominator();
  s.rounding_unit_yen = in.rounding_unit_yen();
  for (const pb::Course& c : in.courses()) {
    s.courses.push_back({c.id(), c.title(), c.cap_yen(), c.floor_yen(),
                         static_cast<ApplicantClass>(c.applicant_class())});
  }
  for (const pb::ExpenseCategory& c : in.expense_categories()) {
    s.expense_categories.push_back({c.id(), c.title(), c.note()});
  }
  for (const pb::Round& r : in.rounds()) s.rounds.push_back(FromProto(r));
  if (!in.envelope().empty()) {
    SHIEN_ASSIGN_OR_RETURN(
        std::vector<std::string> envelope,
        ParseResourceName(in.envelope(), "fiscalYears/{year}/envelopes/{id}",
                          "envelope"));
    s.envelope_id = envelope[1];
  }
  s.envelope_yen = in.envelope_yen();
  s.prior_start_allowed = in.prior_start_allowed();
  s.location_rule = static_cast<LocationRule>(in.location_rule());
  s.prefecture = in.prefecture();
  s.excludes_deemed_large_enterprises = in.excludes_deemed_large_enterprises();
  s.note = in.note();
  s.decision_count_indicator = in.decision_count_indicator();
  s.decision_amount_indicator = in.decision_amount_indicator();
  return s;
}

void ToProto(const Applicant& a, pb::Applicant* out) {
  out->set_corporate_number(a.corporate_number);
  out->set_name(a.name);
  out->set_head_office_prefecture(a.head_office_prefecture);
  for (const auto& p : a.office_prefectures) out->add_office_prefectures(p);
  out->set_industry(static_cast<pb::Industry>(a.industry));
  out->set_capital_yen(a.capital_yen);
  out->set_employees(static_cast<int32_t>(a.employees));
  out->set_deemed_large_enterprise(a.deemed_large_enterprise);
}

Applicant FromProto(const pb::Applicant& in) {
  Applicant a;
  a.corporate_number = in.corporate_number();
  a.name = in.name();
  a.head_office_prefecture = in.head_office_prefecture();
  a.office_prefectures.assign(in.office_prefectures().begin(),
                              in.office_prefectures().end());
  a.industry = static_cast<Industry>(in.industry());
  a.capital_yen = in.capital_yen();
  a.employees = in.employees();
  a.deemed_large_enterprise = in.deemed_large_enterprise();
  return a;
}

void ToProto(const Expense& e, pb::Expense* out) {
  out->set_category(e.category);
  out->set_description(e.description);
  out->set_amount_yen(e.amount_yen);
  if (e.incurred) ToProto(*e.incurred, out->mutable_incurred_date());
}

Expense FromProto(const pb::Expense& in) {
  return Expense{in.category(), in.description(), in.amount_yen(),
                 OptionalDate(in.has_incurred_date(), in.incurred_date())};
}

std::vector<Expense> FromProto(
    const google::protobuf::RepeatedPtrField<pb::Expense>& expenses) {
  std::vector<Expense> out;
  for (const pb::Expense& e : expenses) out.push_back(FromProto(e));
  return out;
}

void ToProto(const Quote& q, pb::Quote* out) {
  out->set_eligible(q.eligible);
  for (const Ineligibility& r : q.reasons) {
    pb::Ineligibility* pr = out->add_reasons();
    pr->set_reason(r.reason);
    pr->set_field(r.field);
    pr->set_description(r.description);
  }
  for (const QuoteStep& s : q.steps) {
    pb::QuoteStep* ps = out->add_steps();
    ps->set_label(s.label);
    ps->set_amount_yen(s.amount_yen);
    ps->set_numerator(s.numerator);
    ps->set_denominator(s.denominator);
  }
  out->set_amount_yen(q.amount_yen);
  out->set_eligible_expenses_yen(q.eligible_expenses_yen);
  out->set_sme(q.sme);
  out->set_small_enterprise(q.small_enterprise);
}

namespace {

Quote QuoteFromProto(const pb::Quote& in) {
  Quote q;
  q.eligible = in.eligible();
  for (const auto& r : in.reasons()) {
    q.reasons.push_back({r.reason(), r.field(), r.description()});
  }
  for (const auto& s : in.steps()) {
    q.steps.push_back(
        {s.label(), s.amount_yen(), s.numerator(), s.denominator()});
  }
  q.amount_yen = in.amount_yen();
  q.eligible_expenses_yen = in.eligible_expenses_yen();
  q.sme = in.sme();
  q.small_enterprise = in.small_enterprise();
  return q;
}

}  // namespace

void ToProto(const Application& a, pb::Application* out) {
  out->set_name(ApplicationName(a));
  out->set_round(a.round_id);
  out->set_course(a.course_id);
  ToProto(a.applicant, out->mutable_applicant());
  for (const Expense& e : a.expenses) ToProto(e, out->add_expenses());
  out->set_state(static_cast<pb::ApplicationState>(a.state));
  ToProto(a.quote, out->mutable_quote());
  out->set_approved_amount_yen(a.approved_amount_yen);
  out->set_reservation(a.reservation);
  if (a.prior_start_date)
    ToProto(*a.prior_start_date, out->mutable_prior_start_date());
  if (a.approval_date) ToProto(*a.approval_date, out->mutable_approval_date());
  for (const Expense& e : a.actual_expenses)
    ToProto(e, out->add_actual_expenses());
  out->set_confirmed_amount_yen(a.confirmed_amount_yen);
  for (const StateChange& c : a.history) {
    pb::StateChange* pc = out->add_history();
    pc->set_from(static_cast<pb::ApplicationState>(c.from));
    pc->set_to(static_cast<pb::ApplicationState>(c.to));
    ToTimestamp(c.time_micros, pc->mutable_time());
    pc->set_actor(c.actor);
    pc->set_reason(c.reason);
  }
  out->set_etag(ApplicationEtag(a));
  ToTimestamp(a.create_time_micros, out->mutable_create_time());
  ToTimestamp(a.update_time_micros, out->mutable_update_time());
}

Application FromProto(const pb::Application& in) {
  Application a;
  a.round_id = in.round();
  a.course_id = in.course();
  a.applicant = FromProto(in.applicant());
  a.expenses = FromProto(in.expenses());
  a.state = static_cast<State>(in.state());
  a.quote = QuoteFromProto(in.quote());
  a.approved_amount_yen = in.approved_amount_yen();
  a.reservation = in.reservation();
  a.prior_start_date =
      OptionalDate(in.has_prior_start_date(), in.prior_start_date());
  a.approval_date = OptionalDate(in.has_approval_date(), in.approval_date());
  a.actual_expenses = FromProto(in.actual_expenses());
  a.confirmed_amount_yen = in.confirmed_amount_yen();
  for (const auto& c : in.history()) {
    a.history.push_back({static_cast<State>(c.from()),
                         static_cast<State>(c.to()), FromTimestamp(c.time()),
                         c.actor(), c.reason()});
  }
  a.create_time_micros = FromTimestamp(in.create_time());
  a.update_time_micros = FromTimestamp(in.update_time());
  return a;
}

}  // namespace shien::subsidy
