#include "services/subsidy/api/subsidy_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/filter.h"
#include "common/api/page_token.h"
#include "common/api/proto_request.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/auth/call.h"
#include "common/server/raw_unary.h"
#include "common/server/unary.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "services/subsidy/codec/codec.h"
#include "shien/budget/v1/budget_service.pb.h"
#include "shien/kpi/v1/kpi_service.pb.h"

namespace shien::subsidy {
namespace {

constexpr char kDomain[] = "shien.subsidy.v1";

struct SchemeRef {
  int year = 0;
  std::string id;
};

absl::StatusOr<SchemeRef> ParseSchemeName(absl::string_view name,
                                          absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(name, "fiscalYears/{year}/schemes/{scheme}", field));
  SchemeRef ref;
  SHIEN_ASSIGN_OR_RETURN(ref.year, ParseFiscalYear(parts[0], field));
  SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[1], field));
  ref.id = parts[1];
  return ref;
}

struct ApplicationRef {
  int year = 0;
  std::string scheme;
  int64_t id = 0;
};

absl::StatusOr<ApplicationRef> ParseApplicationName(absl::string_view name,
                                                    absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(
          name,
          "fiscalYears/{year}/schemes/{scheme}/applications/{application}",
          field));
  ApplicationRef ref;
  SHIEN_ASSIGN_OR_RETURN(ref.year, ParseFiscalYear(parts[0], field));
  SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[1], field));
  ref.scheme = parts[1];
  SHIEN_ASSIGN_OR_RETURN(ref.id, ParseIdNumber(parts[2], field));
  return ref;
}

absl::Status CheckReason(const std::string& reason, bool required) {
  if (required && reason.empty()) {
    return FieldError("reason", "REQUIRED_FIELD", "give the reason");
  }
  if (reason.size() > 2000) {
    return FieldError("reason", "FIELD_TOO_LONG", "is longer than 2000 bytes");
  }
  return absl::OkStatus();
}

// Checks an application's editable fields against its scheme and fills in
// its quote. INVALID_ARGUMENT naming "application.<field>".
absl::Status CheckAndQuote(const Scheme& scheme, Application& a) {
  if (!scheme.terms_published) {
    return Error(absl::StatusCode::kFailedPrecondition, "TERMS_NOT_PUBLISHED",
                 absl::StrCat(scheme.title,
                              ": the scheme's terms are not published yet"));
  }
  if (scheme.FindRound(a.round_id) == nullptr) {
    return FieldError("application.round", "UNKNOWN_ROUND",
                      absl::StrCat("\"", a.round_id.substr(0, 40),
                                   "\" is not a round of the scheme"));
  }
  const Course* course = scheme.FindCourse(a.course_id);
  if (course == nullptr) {
    return FieldError("application.course", "UNKNOWN_COURSE",
                      absl::StrCat("\"", a.course_id.substr(0, 40),
                                   "\" is not a course of the scheme"));
  }
  SHIEN_RETURN_IF_ERROR(
      PrefixField(ValidateApplicant(a.applicant), "application"));
  SHIEN_RETURN_IF_ERROR(PrefixField(
      ValidateExpenses(a.expenses, "expenses", false), "application"));
  for (size_t i = 0; i < a.expenses.size(); ++i) {
    if (scheme.FindCategory(a.expenses[i].category) == nullptr) {
      return FieldError(
          absl::StrCat("application.expenses[", i, "].category"),
          "UNKNOWN_CATEGORY",
          absl::StrCat("\"", a.expenses[i].category.substr(0, 40),
                       "\" is not an expense category of the scheme"));
    }
  }
  a.quote = ComputeQuote(scheme, *course, a.applicant, a.expenses);
  return absl::OkStatus();
}

std::string ReasonsText(const Quote& q) {
  std::vector<std::string> parts;
  for (const Ineligibility& r : q.reasons) {
    parts.push_back(absl::StrCat(r.reason, " (", r.description, ")"));
  }
  return absl::StrJoin(parts, "; ");
}

// The KPI rows for a scheme's decision totals after a change, dated today
// (kept inside the fiscal year), identified by the application's revision.
std::vector<OutboxMessage> KpiMessages(const Scheme& scheme,
                                       const Application& a,
                                       const DecisionTotals& totals,
                                       CivilDate today) {
  if (scheme.decision_count_indicator.empty() &&
      scheme.decision_amount_indicator.empty()) {
    return {};
  }
  if (today < FiscalYearStart(a.fiscal_year)) {
    today = FiscalYearStart(a.fiscal_year);
  }
  if (today > FiscalYearEnd(a.fiscal_year))
    today = FiscalYearEnd(a.fiscal_year);
  kpi::v1::RecordMeasurementsRequest req;
  const std::string base =
      absl::StrCat(ApplicationName(a), "/kpi/r", a.revision);
  auto add = [&](const std::string& indicator, int64_t value,
                 const std::string& suffix) {
    if (indicator.empty()) return;
    kpi::v1::Measurement* m = req.add_measurements();
    m->set_indicator(indicator);
    ToProto(today, m->mutable_as_of_date());
    m->set_value(value);
    m->set_kind(kpi::v1::MEASUREMENT_KIND_ACTUAL);
    m->set_request_id(base + suffix);
  };
  add(scheme.decision_count_indicator, totals.count, "/count");
  add(scheme.decision_amount_indicator, totals.amount_yen, "/amount");
  return {OutboxMessage{0, "kpi.RecordMeasurements", base,
                        req.SerializeAsString(), 0, 0, ""}};
}

OutboxMessage ReleaseMessage(const Application& a, int64_t amount_yen,
                             const std::string& why) {
  budget::v1::ReleaseFundsRequest req;
  req.set_reservation(a.reservation);
  req.set_amount_yen(amount_yen);
  req.set_request_id(absl::StrCat(ApplicationName(a), "/release/", why));
  return OutboxMessage{0,
                       "budget.ReleaseFunds",
                       req.request_id(),
                       req.SerializeAsString(),
                       amount_yen,
                       0,
                       ""};
}

absl::StatusOr<ApplicationFilter> ParseFilter(absl::string_view text) {
  ApplicationFilter out;
  SHIEN_ASSIGN_OR_RETURN(std::vector<FilterTerm> terms, ParseFilterTerms(text));
  for (const FilterTerm& term : terms) {
    if (term.field == "state") {
      v1::ApplicationState s;
      if (!v1::ApplicationState_Parse(term.value, &s) ||
          s == v1::APPLICATION_STATE_UNSPECIFIED) {
        return InvalidFilter(
            absl::StrCat("unknown state \"", term.value, "\""));
      }
      out.state = static_cast<State>(s);
    } else if (term.field == "round" || term.field == "course") {
      if (!term.quoted) {
        return InvalidFilter(
            absl::StrCat(term.field, " must be a double-quoted string"));
      }
      (term.field == "round" ? out.round_id : out.course_id) = term.value;
    } else {
      return InvalidFilter(absl::StrCat("unknown field \"", term.field,
                                        "\"; use state, round or course"));
    }
  }
  return out;
}

void AddRow(std::vector<v1::StatsRow>& rows, std::map<std::string, size_t>& at,
            const std::string& key, const ApplicationFigures& f) {
  auto it = at.find(key);
  if (it == at.end()) {
    it = at.emplace(key, rows.size()).first;
    rows.emplace_back();
    rows.back().set_key(key);
  }
  v1::StatsRow& row = rows[it->second];
  row.set_count(row.count() + 1);
  row.set_requested_yen(row.requested_yen() + f.requested_yen);
  row.set_committed_yen(row.committed_yen() + f.committed_yen);
}

// A GetSchemeStats request's name, validated, and its view's name in the
// cache (which follows the fiscal year's data version).
struct StatsQuery {
  int year = 0;
  std::string scheme_id;
  std::string view_name;
};

absl::StatusOr<StatsQuery> ParseStatsQuery(const std::string& name) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(name, "fiscalYears/{year}/schemes/{scheme}/stats",
                        "name"));
  StatsQuery q;
  SHIEN_ASSIGN_OR_RETURN(q.year, ParseFiscalYear(parts[0], "name"));
  SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[1], "name"));
  q.scheme_id = parts[1];
  q.view_name = absl::StrCat("scheme-stats/", q.year, "/", q.scheme_id);
  return q;
}

}  // namespace

SubsidyServiceImpl::SubsidyServiceImpl(SubsidyStore* store, Peers* peers,
                                       Executor* executor,
                                       const auth::Authenticator* authenticator,
                                       std::function<void()> nudge,
                                       std::function<CivilDate()> today,
                                       cache::ViewCache* cache)
    : store_(store),
      peers_(peers),
      executor_(executor),
      guard_(authenticator, "shien.subsidy.v1.SubsidyService",
             SubsidyAccessRules(), {"applicant", "expenses"}),
      nudge_(std::move(nudge)),
      today_(std::move(today)),
      cache_(cache),
      front_(cache, executor, cache::DataVersionOf(store)) {
  MarkRawMethod("/shien.subsidy.v1.SubsidyService/GetSchemeStats");
}

absl::Status SubsidyServiceImpl::Change(
    const std::string& name, const std::string& etag, const RequestKey& key,
    Action action, const std::string& actor, const std::string& reason,
    const std::function<absl::Status(const Scheme&, Application&)>& prepare,
    v1::Application* response, const Scheme* read_scheme) {
  SHIEN_ASSIGN_OR_RETURN(ApplicationRef ref,
                         ParseApplicationName(name, "name"));
  SHIEN_RETURN_IF_ERROR(ValidateRequestId(key.request_id, "request_id", false));
  SHIEN_RETURN_IF_ERROR(CheckReason(reason, false));
  std::optional<Scheme> own_read;
  if (read_scheme == nullptr) {
    SHIEN_ASSIGN_OR_RETURN(own_read, store_->GetScheme(ref.year, ref.scheme));
  }
  const Scheme& scheme = read_scheme != nullptr ? *read_scheme : *own_read;
  const CivilDate today = today_();
  int64_t before_committed = 0;
  State before_state = State::kUnspecified;
  bool queued = false;
  SHIEN_ASSIGN_OR_RETURN(
      std::string bytes,
      store_->MutateApplication(
          ref.year, ref.scheme, ref.id,
          [&](Application& a) -> absl::Status {
            SHIEN_RETURN_IF_ERROR(CheckEtag(a, etag));
            SHIEN_RETURN_IF_ERROR(Transition(a.state, action).status());
            before_committed = a.CommittedYen();
            before_state = a.state;
            SHIEN_RETURN_IF_ERROR(prepare(scheme, a));
            return Apply(a, action, actor, reason, NowMicros());
          },
          [&](const Application& a, const DecisionTotals& totals) {
            std::vector<OutboxMessage> out;
            const int64_t released = before_committed - a.CommittedYen();
            if (released > 0 && !a.reservation.empty()) {
              out.push_back(ReleaseMessage(
                  a, a.CommittedYen() == 0 ? 0 : released,
                  a.state == State::kWithdrawn ? "withdraw" : "confirm"));
            }
            if (before_state == State::kSubmitted &&
                (a.state == State::kReturned || a.state == State::kRejected ||
                 a.state == State::kWithdrawn) &&
                !scheme.envelope_id.empty()) {
              // An approval whose answer was lost may have reserved funds:
              // give back whatever the application holds (nothing is fine).
              budget::v1::ReleaseFundsRequest req;
              req.set_envelope(absl::StrCat("fiscalYears/", a.fiscal_year,
                                            "/envelopes/", scheme.envelope_id));
              req.set_holder(ApplicationName(a));
              req.set_request_id(absl::StrCat(ApplicationName(a),
                                              "/release/leave-r", a.revision));
              out.push_back(OutboxMessage{0, "budget.ReleaseFunds",
                                          req.request_id(),
                                          req.SerializeAsString(), 0, 0, ""});
            }
            if (before_committed != a.CommittedYen()) {
              for (OutboxMessage& m : KpiMessages(scheme, a, totals, today)) {
                out.push_back(std::move(m));
              }
            }
            queued = !out.empty();
            return out;
          },
          key,
          [](const Application& a) {
            v1::Application out;
            ToProto(a, &out);
            return out.SerializeAsString();
          }));
  if (queued && nudge_) nudge_();
  return ParseResponse(bytes, response);
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::GetScheme(
    grpc::CallbackServerContext* context, const v1::GetSchemeRequest* request,
    v1::Scheme* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "GetScheme", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(SchemeRef ref,
                               ParseSchemeName(request->name(), "name"));
        absl::StatusOr<Scheme> s = store_->GetScheme(ref.year, ref.id);
        if (!s.ok()) return RenameField(s.status(), "scheme", "name");
        ToProto(*s, today_(), response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ListSchemes(
    grpc::CallbackServerContext* context, const v1::ListSchemesRequest* request,
    v1::ListSchemesResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListSchemes", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<std::string> parts,
            ParseResourceName(request->parent(), "fiscalYears/{year}",
                              "parent"));
        SHIEN_ASSIGN_OR_RETURN(int year, ParseFiscalYear(parts[0], "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 100));
        const std::string scope = absl::StrCat("schemes|", request->parent());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t offset, DecodeIntPageToken(scope, request->page_token()));
        absl::StatusOr<std::vector<Scheme>> listed = store_->ListSchemes(year);
        if (!listed.ok()) return RenameField(listed.status(), "name", "parent");
        std::vector<Scheme> schemes = *std::move(listed);
        const CivilDate today = today_();
        for (size_t n = offset; n < schemes.size(); ++n) {
          if (response->schemes_size() == size) {
            response->set_next_page_token(
                EncodePageToken(scope, {absl::StrCat(n)}));
            break;
          }
          ToProto(schemes[n], today, response->add_schemes());
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::UpdateRound(
    grpc::CallbackServerContext* context, const v1::UpdateRoundRequest* request,
    v1::Round* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "UpdateRound", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<std::string> parts,
            ParseResourceName(
                request->name(),
                "fiscalYears/{year}/schemes/{scheme}/rounds/{round}", "name"));
        SHIEN_ASSIGN_OR_RETURN(int year, ParseFiscalYear(parts[0], "name"));
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        if (request->update_mask().paths().empty()) {
          return FieldError("update_mask", "REQUIRED_FIELD",
                            "name the fields to change");
        }
        const Round patch = FromProto(request->round());
        if (patch.call_window_text.size() > 500 ||
            patch.decision_text.size() > 500) {
          return FieldError(
              "round", "FIELD_TOO_LONG",
              "call_window_text and decision_text take at most 500 "
              "bytes");
        }
        std::vector<std::string> paths(request->update_mask().paths().begin(),
                                       request->update_mask().paths().end());
        for (const std::string& p : paths) {
          if (p != "call_start_date" && p != "call_end_date" &&
              p != "call_window_text" && p != "decision_text") {
            return FieldError(
                "update_mask", "INVALID_FIELD_MASK",
                absl::StrCat("\"", p.substr(0, 60), "\" cannot be changed"));
          }
        }
        const std::string round_id = parts[2];
        const CivilDate today = today_();
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->UpdateScheme(
                year, parts[1],
                [&](Scheme& s) -> absl::Status {
                  Round* r = nullptr;
                  for (Round& candidate : s.rounds) {
                    if (candidate.id == round_id) r = &candidate;
                  }
                  if (r == nullptr) {
                    return FieldError(absl::StatusCode::kNotFound, "name",
                                      "ROUND_NOT_FOUND", "no such round");
                  }
                  for (const std::string& p : paths) {
                    if (p == "call_start_date")
                      r->call_start = patch.call_start;
                    if (p == "call_end_date") r->call_end = patch.call_end;
                    if (p == "call_window_text") {
                      r->call_window_text = patch.call_window_text;
                    }
                    if (p == "decision_text")
                      r->decision_text = patch.decision_text;
                  }
                  return PrefixField(ValidateScheme(s), "round");
                },
                KeyOf(*request, "UpdateRound"),
                [&](const Scheme& s) {
                  v1::Round out;
                  ToProto(*s.FindRound(round_id), today, &out);
                  return out.SerializeAsString();
                }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::QuoteSubsidy(
    grpc::CallbackServerContext* context,
    const v1::QuoteSubsidyRequest* request, v1::Quote* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "QuoteSubsidy", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(SchemeRef ref,
                               ParseSchemeName(request->scheme(), "scheme"));
        SHIEN_ASSIGN_OR_RETURN(Scheme scheme,
                               store_->GetScheme(ref.year, ref.id));
        if (!scheme.terms_published) {
          return Error(absl::StatusCode::kFailedPrecondition,
                       "TERMS_NOT_PUBLISHED",
                       "the scheme's terms are not published yet");
        }
        const Course* course = scheme.FindCourse(request->course());
        if (course == nullptr) {
          return FieldError("course", "UNKNOWN_COURSE",
                            "is not a course of the scheme");
        }
        Applicant applicant = FromProto(request->applicant());
        SHIEN_RETURN_IF_ERROR(ValidateApplicant(applicant));
        std::vector<Expense> expenses = FromProto(request->expenses());
        SHIEN_RETURN_IF_ERROR(ValidateExpenses(expenses, "expenses", false));
        ToProto(ComputeQuote(scheme, *course, applicant, expenses), response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::CreateApplication(
    grpc::CallbackServerContext* context,
    const v1::CreateApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "CreateApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        SHIEN_ASSIGN_OR_RETURN(SchemeRef ref,
                               ParseSchemeName(request->parent(), "parent"));
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        absl::StatusOr<Scheme> found = store_->GetScheme(ref.year, ref.id);
        if (!found.ok()) return RenameField(found.status(), "scheme", "parent");
        const Scheme scheme = *std::move(found);
        Application a = FromProto(request->application());
        a.fiscal_year = ref.year;
        a.scheme_id = ref.id;
        a.state = State::kDraft;
        a.approved_amount_yen = a.confirmed_amount_yen = 0;
        a.reservation.clear();
        a.prior_start_date.reset();
        a.approval_date.reset();
        a.actual_expenses.clear();
        a.history = {StateChange{State::kUnspecified, State::kDraft,
                                 NowMicros(), actor, ""}};
        SHIEN_RETURN_IF_ERROR(CheckAndQuote(scheme, a));
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->CreateApplication(a, KeyOf(*request, "CreateApplication"),
                                      [](const Application& created) {
                                        v1::Application out;
                                        ToProto(created, &out);
                                        return out.SerializeAsString();
                                      }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::GetApplication(
    grpc::CallbackServerContext* context,
    const v1::GetApplicationRequest* request, v1::Application* response) {
  return RunUnary(context, *executor_, kDomain,
                  guard_.Admit(*context, "GetApplication", request),
                  [=, this]() -> absl::Status {
                    SHIEN_ASSIGN_OR_RETURN(
                        ApplicationRef ref,
                        ParseApplicationName(request->name(), "name"));
                    SHIEN_ASSIGN_OR_RETURN(
                        Application a,
                        store_->GetApplication(ref.year, ref.scheme, ref.id));
                    ToProto(a, response);
                    return absl::OkStatus();
                  });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ListApplications(
    grpc::CallbackServerContext* context,
    const v1::ListApplicationsRequest* request,
    v1::ListApplicationsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListApplications", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(SchemeRef ref,
                               ParseSchemeName(request->parent(), "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 500));
        SHIEN_ASSIGN_OR_RETURN(ApplicationFilter filter,
                               ParseFilter(request->filter()));
        const std::string scope = absl::StrCat(
            "applications|", request->parent(), "|", request->filter());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after, DecodeIntPageToken(scope, request->page_token()));
        absl::StatusOr<std::vector<Application>> listed =
            store_->ListApplications(ref.year, ref.id, filter, after, size + 1);
        if (!listed.ok())
          return RenameField(listed.status(), "scheme", "parent");
        std::vector<Application> found = *std::move(listed);
        response->set_next_page_token(AddPage(
            found, size, scope,
            [&](const Application& a) {
              ToProto(a, response->add_applications());
            },
            [](const Application& a) { return a.id; }));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::UpdateApplication(
    grpc::CallbackServerContext* context,
    const v1::UpdateApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "UpdateApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        std::vector<std::string> paths(request->update_mask().paths().begin(),
                                       request->update_mask().paths().end());
        if (paths.empty()) {
          return FieldError("update_mask", "REQUIRED_FIELD",
                            "name the fields to change, or \"*\"");
        }
        const bool all = paths.size() == 1 && paths[0] == "*";
        for (const std::string& p : paths) {
          if (!all && p != "round" && p != "course" && p != "applicant" &&
              p != "expenses") {
            return FieldError(
                "update_mask", "INVALID_FIELD_MASK",
                absl::StrCat("\"", p.substr(0, 60), "\" cannot be changed"));
          }
        }
        auto has = [&](const char* p) {
          return all || std::find(paths.begin(), paths.end(), p) != paths.end();
        };
        const Application patch = FromProto(request->application());
        absl::Status status = Change(
            request->application().name(), request->application().etag(),
            KeyOf(*request, "UpdateApplication"), Action::kUpdate, actor, "",
            [&](const Scheme& scheme, Application& a) -> absl::Status {
              if (has("round")) a.round_id = patch.round_id;
              if (has("course")) a.course_id = patch.course_id;
              if (has("applicant")) a.applicant = patch.applicant;
              if (has("expenses")) a.expenses = patch.expenses;
              return CheckAndQuote(scheme, a);
            },
            response);
        // The name and etag are the application's own fields here.
        return RenameField(
            RenameField(std::move(status), "name", "application.name"), "etag",
            "application.etag");
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::SubmitApplication(
    grpc::CallbackServerContext* context,
    const v1::SubmitApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "SubmitApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        const CivilDate today = today_();
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "SubmitApplication"), Action::kSubmit, actor, "",
            [&](const Scheme& scheme, Application& a) -> absl::Status {
              const Round* round = scheme.FindRound(a.round_id);
              SchemeState state = round == nullptr ? SchemeState::kClosed
                                                   : round->StateOn(today);
              if (state != SchemeState::kOpen) {
                return Error(absl::StatusCode::kFailedPrecondition,
                             "ROUND_NOT_OPEN",
                             absl::StrCat("round ", a.round_id, " is ",
                                          state == SchemeState::kForecast
                                              ? "not open yet (forecast)"
                                              : "closed",
                                          " on ", FormatDate(today)));
              }
              SHIEN_RETURN_IF_ERROR(CheckAndQuote(scheme, a));
              if (!a.quote.eligible) {
                return Error(absl::StatusCode::kFailedPrecondition,
                             "NOT_ELIGIBLE", ReasonsText(a.quote));
              }
              return absl::OkStatus();
            },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ReturnApplication(
    grpc::CallbackServerContext* context,
    const v1::ReturnApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ReturnApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        SHIEN_RETURN_IF_ERROR(CheckReason(request->reason(), true));
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "ReturnApplication"), Action::kReturn, actor,
            request->reason(),
            [](const Scheme&, Application&) { return absl::OkStatus(); },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::RejectApplication(
    grpc::CallbackServerContext* context,
    const v1::RejectApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "RejectApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        SHIEN_RETURN_IF_ERROR(CheckReason(request->reason(), true));
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "RejectApplication"), Action::kReject, actor,
            request->reason(),
            [](const Scheme&, Application&) { return absl::OkStatus(); },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::WithdrawApplication(
    grpc::CallbackServerContext* context,
    const v1::WithdrawApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "WithdrawApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "WithdrawApplication"), Action::kWithdraw, actor,
            request->reason(),
            [](const Scheme&, Application&) { return absl::OkStatus(); },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ApprovePriorStart(
    grpc::CallbackServerContext* context,
    const v1::ApprovePriorStartRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ApprovePriorStart", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        CivilDate date = today_();
        if (request->has_date()) {
          date = FromProto(request->date());
          if (!IsValidDate(date)) {
            return FieldError("date", "INVALID_DATE", "is not a calendar date");
          }
        }
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "ApprovePriorStart"), Action::kApprovePriorStart,
            actor, "",
            [&](const Scheme& scheme, Application& a) -> absl::Status {
              if (!scheme.prior_start_allowed) {
                return Error(absl::StatusCode::kFailedPrecondition,
                             "PRIOR_START_NOT_ALLOWED",
                             "this scheme has no prior-start approval");
              }
              if (a.prior_start_date) {
                return Error(absl::StatusCode::kFailedPrecondition,
                             "PRIOR_START_ALREADY_APPROVED",
                             absl::StrCat("approved on ",
                                          FormatDate(*a.prior_start_date)));
              }
              a.prior_start_date = date;
              return absl::OkStatus();
            },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ApproveApplication(
    grpc::CallbackServerContext* context,
    const v1::ApproveApplicationRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ApproveApplication", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        SHIEN_ASSIGN_OR_RETURN(ApplicationRef ref,
                               ParseApplicationName(request->name(), "name"));
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        const RequestKey key = KeyOf(*request, "ApproveApplication");
        SHIEN_ASSIGN_OR_RETURN(std::optional<std::string> replay,
                               store_->FindResponse(key));
        if (replay) return ParseResponse(*replay, response);
        // Check before reserving: the state, the etag and the amount.
        SHIEN_ASSIGN_OR_RETURN(Scheme scheme,
                               store_->GetScheme(ref.year, ref.scheme));
        SHIEN_ASSIGN_OR_RETURN(
            Application current,
            store_->GetApplication(ref.year, ref.scheme, ref.id));
        SHIEN_RETURN_IF_ERROR(CheckEtag(current, request->etag()));
        SHIEN_RETURN_IF_ERROR(
            Transition(current.state, Action::kApprove).status());
        SHIEN_RETURN_IF_ERROR(CheckAndQuote(scheme, current));
        if (!current.quote.eligible) {
          return Error(absl::StatusCode::kFailedPrecondition, "NOT_ELIGIBLE",
                       ReasonsText(current.quote));
        }
        // A release queued for this application must reach the budget service
        // before a new reservation, or it could give back the new funds.
        SHIEN_ASSIGN_OR_RETURN(int64_t pending, store_->PendingBudgetMessages(
                                                    ApplicationName(current)));
        if (pending > 0) {
          if (nudge_) nudge_();
          return Error(
              absl::StatusCode::kUnavailable, "RELEASE_PENDING",
              "an earlier release of this application's funds is still "
              "being delivered to the budget service; retry shortly");
        }
        const int64_t amount = current.quote.amount_yen;
        // Reserve first: if this fails the application stays undecided. The
        // request id carries the application's revision: a retry of this
        // approval reuses the reservation; an approval after the application
        // changed makes a new one.
        const std::string envelope = absl::StrCat(
            "fiscalYears/", ref.year, "/envelopes/", scheme.envelope_id);
        SHIEN_ASSIGN_OR_RETURN(
            std::string reservation,
            peers_->ReserveFunds(envelope, ApplicationName(current), amount,
                                 absl::StrCat(ApplicationName(current),
                                              "/reserve/r", current.revision)));
        const CivilDate today = today_();
        absl::Status approved = Change(
            request->name(), request->etag(), key, Action::kApprove, actor, "",
            [&](const Scheme&, Application& a) -> absl::Status {
              if (a.revision != current.revision) {
                return Error(absl::StatusCode::kAborted, "APPLICATION_CHANGED",
                             "the application changed during the approval; "
                             "read it again and retry");
              }
              a.quote = current.quote;
              a.approved_amount_yen = amount;
              a.reservation = reservation;
              a.approval_date = today;
              return absl::OkStatus();
            },
            response, &scheme);
        if (!approved.ok()) {
          // The funds were reserved but the approval not recorded: give them
          // back, unless the application holds them after all (a concurrent
          // approval of the same revision shares the reservation).
          budget::v1::ReleaseFundsRequest release;
          release.set_reservation(reservation);
          release.set_request_id(absl::StrCat(ApplicationName(current),
                                              "/release/unrecorded/r",
                                              current.revision));
          absl::StatusOr<bool> queued = store_->ReleaseUnlessHeld(
              ref.year, ref.scheme, ref.id, reservation,
              OutboxMessage{0, "budget.ReleaseFunds", release.request_id(),
                            release.SerializeAsString(), amount, 0, ""});
          if (queued.ok() && *queued && nudge_) nudge_();
        }
        return approved;
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ReportCompletion(
    grpc::CallbackServerContext* context,
    const v1::ReportCompletionRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ReportCompletion", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        std::vector<Expense> actual = FromProto(request->actual_expenses());
        SHIEN_RETURN_IF_ERROR(
            ValidateExpenses(actual, "actual_expenses", true));
        return Change(
            request->name(), request->etag(),
            KeyOf(*request, "ReportCompletion"), Action::kReportCompletion,
            actor, "",
            [&](const Scheme& scheme, Application& a) -> absl::Status {
              for (size_t i = 0; i < actual.size(); ++i) {
                if (scheme.FindCategory(actual[i].category) == nullptr) {
                  return FieldError(
                      absl::StrCat("actual_expenses[", i, "].category"),
                      "UNKNOWN_CATEGORY",
                      "is not an expense category of the scheme");
                }
              }
              a.actual_expenses = actual;
              return absl::OkStatus();
            },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::ConfirmAmount(
    grpc::CallbackServerContext* context,
    const v1::ConfirmAmountRequest* request, v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ConfirmAmount", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        return Change(
            request->name(), request->etag(), KeyOf(*request, "ConfirmAmount"),
            Action::kConfirmAmount, actor, "",
            [&](const Scheme& scheme, Application& a) -> absl::Status {
              const Course* course = scheme.FindCourse(a.course_id);
              if (course == nullptr)
                return absl::InternalError("course vanished");
              Quote q = ComputeQuote(scheme, *course, a.applicant,
                                     a.actual_expenses, StartDate(a));
              a.confirmed_amount_yen =
                  q.eligible ? std::min(q.amount_yen, a.approved_amount_yen)
                             : 0;
              a.quote = q;
              return absl::OkStatus();
            },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::MarkPaid(
    grpc::CallbackServerContext* context, const v1::MarkPaidRequest* request,
    v1::Application* response) {
  return RunUnary(
      context, *executor_, kDomain, guard_.Admit(*context, "MarkPaid", request),
      [=, this]() -> absl::Status {
        const std::string actor = CurrentCall()->principal.name;
        return Change(
            request->name(), request->etag(), KeyOf(*request, "MarkPaid"),
            Action::kMarkPaid, actor, "",
            [](const Scheme&, Application&) { return absl::OkStatus(); },
            response);
      });
}

grpc::ServerUnaryReactor* SubsidyServiceImpl::GetSchemeStats(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response) {
  // The version the front read for this call, if it did (see ViewFront).
  auto seen = std::make_shared<std::string>();
  return RunRawUnaryAfter<v1::GetSchemeStatsRequest>(
      context, *executor_, kDomain, request_bytes, response,
      [&](const v1::GetSchemeStatsRequest* request) {
        return guard_.Admit(*context, "GetSchemeStats", request);
      },
      [this, seen](const v1::GetSchemeStatsRequest* request, RawAnswer answer) {
        absl::StatusOr<StatsQuery> q = ParseStatsQuery(request->name());
        if (!q.ok()) return answer(nullptr);  // the work reports it
        front_.Lookup(q->year, q->view_name, "", seen, std::move(answer));
      },
      [this, seen](const v1::GetSchemeStatsRequest* request)
          -> absl::StatusOr<std::shared_ptr<const std::string>> {
        SHIEN_ASSIGN_OR_RETURN(StatsQuery q, ParseStatsQuery(request->name()));
        const int year = q.year;
        const std::string name = request->name();
        const std::string scheme_id = q.scheme_id;
        SHIEN_ASSIGN_OR_RETURN(
            cache::View view,
            cache::CachedView(
                cache_, q.view_name,
                [&]() -> absl::StatusOr<std::string> {
                  if (!seen->empty()) return *seen;
                  SHIEN_ASSIGN_OR_RETURN(int64_t v, store_->DataVersion(year));
                  return absl::StrCat(v);
                },
                [&]() -> absl::StatusOr<cache::View> {
                  // Labelled with the version read first: never newer than
                  // what the reads below saw.
                  SHIEN_ASSIGN_OR_RETURN(int64_t version,
                                         store_->DataVersion(year));
                  v1::SchemeStats out;
                  SHIEN_ASSIGN_OR_RETURN(Scheme scheme,
                                         store_->GetScheme(year, scheme_id));
                  SHIEN_ASSIGN_OR_RETURN(SubsidyStore::StatsSnapshot snapshot,
                                         store_->Stats(year, scheme_id));
                  std::vector<v1::StatsRow> by_state, by_round, by_course;
                  std::map<std::string, size_t> at_state, at_round, at_course;
                  int64_t reserved = 0;
                  for (const ApplicationFigures& f : snapshot.applications) {
                    AddRow(by_state, at_state, StateName(f.state), f);
                    AddRow(by_round, at_round, f.round_id, f);
                    AddRow(by_course, at_course, f.course_id, f);
                    reserved += f.committed_yen;
                  }
                  out.set_name(name);
                  for (auto& r : by_state) *out.add_by_state() = std::move(r);
                  for (auto& r : by_round) *out.add_by_round() = std::move(r);
                  for (auto& r : by_course) *out.add_by_course() = std::move(r);
                  out.set_envelope_yen(scheme.envelope_yen);
                  out.set_reserved_yen(reserved);
                  out.set_available_yen(scheme.envelope_yen - reserved);
                  out.set_pending_release_yen(snapshot.pending_release_yen);
                  out.set_dead_release_yen(snapshot.dead_release_yen);
                  out.set_data_version(snapshot.data_version);
                  ToTimestamp(NowMicros(), out.mutable_compute_time());
                  return cache::View{out.SerializeAsString(),
                                     absl::StrCat(version)};
                }));
        return std::move(view.bytes);
      });
}

}  // namespace shien::subsidy
