#include "services/budget/api/budget_service.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/api/fingerprint.h"
#include "common/api/page_token.h"
#include "common/api/proto_request.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/auth/call.h"
#include "common/auth/principal.h"
#include "common/fiscal/fiscal.h"
#include "common/server/batch_reader.h"
#include "common/server/raw_unary.h"
#include "common/server/unary.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "services/budget/api/convert.h"
#include "services/budget/api/program_filter.h"
#include "services/budget/api/program_watch_stream.h"
#include "services/budget/domain/budget_summary.h"

namespace shien::budget {
namespace {

constexpr char kDomain[] = "shien.budget.v1";

struct ProgramRef {
  int year = 0;
  int number = 0;
};

absl::StatusOr<ProgramRef> ParseProgramName(absl::string_view name,
                                            absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(name, "fiscalYears/{year}/programs/{number}", field));
  ProgramRef ref;
  SHIEN_ASSIGN_OR_RETURN(ref.year, ParseFiscalYear(parts[0], field));
  SHIEN_ASSIGN_OR_RETURN(ref.number, ParseIdNumber(parts[1], field));
  return ref;
}

absl::StatusOr<int> ParseFiscalYearName(absl::string_view name,
                                        absl::string_view pattern,
                                        absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                         ParseResourceName(name, pattern, field));
  return ParseFiscalYear(parts[0], field);
}

struct EnvelopeRef {
  int year = 0;
  std::string id;
};

absl::StatusOr<EnvelopeRef> ParseEnvelopeName(absl::string_view name,
                                              absl::string_view field) {
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(name, "fiscalYears/{year}/envelopes/{envelope}",
                        field));
  EnvelopeRef ref;
  SHIEN_ASSIGN_OR_RETURN(ref.year, ParseFiscalYear(parts[0], field));
  SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[1], field));
  ref.id = parts[1];
  return ref;
}

// The prior year's program, or nullopt when that year or program is absent.
absl::StatusOr<std::optional<Program>> PriorProgram(BudgetStore& store,
                                                    int year, int number) {
  absl::StatusOr<Program> prior = store.GetProgram(year - 1, number);
  if (prior.ok()) return std::optional<Program>(*std::move(prior));
  if (prior.status().code() == absl::StatusCode::kNotFound) return std::nullopt;
  return prior.status();
}

// A store answer whose "name" error is about the request field `field`.
template <typename T>
absl::StatusOr<T> ListOrNamed(absl::StatusOr<T> result,
                              absl::string_view field) {
  if (result.ok()) return result;
  return RenameField(result.status(), "name", field);
}

absl::StatusOr<Expenditure> ExpenditureFromProto(const v1::Expenditure& in) {
  Expenditure e;
  SHIEN_ASSIGN_OR_RETURN(ProgramRef ref,
                         ParseProgramName(in.program(), "program"));
  e.fiscal_year = ref.year;
  e.program_number = ref.number;
  if (!in.has_month() || in.month().day() != 0) {
    return FieldError("month", "INVALID_MONTH",
                      "give year and month with day 0, e.g. {year: 2026, "
                      "month: 4}");
  }
  e.year = in.month().year();
  e.month = in.month().month();
  e.amount_yen = in.amount_yen();
  e.request_id = in.request_id();
  e.source_record_id = in.source_record_id();
  e.description = in.description();
  SHIEN_RETURN_IF_ERROR(ValidateExpenditure(e));
  return e;
}

// The budget summary covers two fiscal years: its version is both of theirs.
std::string SummaryVersion(int64_t current, std::optional<int64_t> prior) {
  return absl::StrCat(current, "/",
                      prior ? absl::StrCat(*prior) : std::string("-"));
}

}  // namespace

BudgetServiceImpl::BudgetServiceImpl(BudgetStore* store, Executor* executor,
                                     const auth::Authenticator* authenticator,
                                     cache::ViewCache* cache,
                                     ProgramWatch* watch)
    : store_(store),
      executor_(executor),
      guard_(authenticator, "shien.budget.v1.BudgetService",
             BudgetAccessRules()),
      cache_(cache),
      summary_front_(cache, executor,
                     [store](int64_t year) -> absl::StatusOr<std::string> {
                       SHIEN_ASSIGN_OR_RETURN(
                           auto versions, store->DataVersionWithPrior(year));
                       return SummaryVersion(versions.first, versions.second);
                     }),
      execution_front_(cache, executor, cache::DataVersionOf(store)),
      watch_(watch) {
  MarkRawMethod("/shien.budget.v1.BudgetService/GetBudgetSummary");
  MarkRawMethod("/shien.budget.v1.BudgetService/GetExecutionSummary");
}

grpc::ServerUnaryReactor* BudgetServiceImpl::GetFiscalYear(
    grpc::CallbackServerContext* context,
    const v1::GetFiscalYearRequest* request, v1::FiscalYear* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "GetFiscalYear", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            int year,
            ParseFiscalYearName(request->name(), "fiscalYears/{year}", "name"));
        SHIEN_ASSIGN_OR_RETURN(FiscalYearRecord record,
                               store_->GetFiscalYear(year));
        ToProto(record, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ListFiscalYears(
    grpc::CallbackServerContext* context,
    const v1::ListFiscalYearsRequest* request,
    v1::ListFiscalYearsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListFiscalYears", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 100));
        // Newest first: the cursor is the last year returned.
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after,
            DecodeIntPageToken("fiscalYears", request->page_token()));
        SHIEN_ASSIGN_OR_RETURN(std::vector<FiscalYearRecord> years,
                               store_->ListFiscalYears());
        for (const FiscalYearRecord& y : years) {
          if (after != 0 && y.year >= after) continue;
          if (response->fiscal_years_size() == size) {
            response->set_next_page_token(EncodePageToken(
                "fiscalYears",
                {absl::StrCat(response->fiscal_years(size - 1).year())}));
            break;
          }
          ToProto(y, response->add_fiscal_years());
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::GetProgram(
    grpc::CallbackServerContext* context, const v1::GetProgramRequest* request,
    v1::Program* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "GetProgram", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(ProgramRef ref,
                               ParseProgramName(request->name(), "name"));
        SHIEN_ASSIGN_OR_RETURN(Program program,
                               store_->GetProgram(ref.year, ref.number));
        SHIEN_ASSIGN_OR_RETURN(std::optional<Program> prior,
                               PriorProgram(*store_, ref.year, ref.number));
        ToProto(program, prior ? &*prior : nullptr, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ListPrograms(
    grpc::CallbackServerContext* context,
    const v1::ListProgramsRequest* request,
    v1::ListProgramsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListPrograms", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            int year, ParseFiscalYearName(request->parent(),
                                          "fiscalYears/{year}", "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 100));
        SHIEN_ASSIGN_OR_RETURN(ProgramFilter filter,
                               ParseProgramFilter(request->filter()));
        const std::string scope = absl::StrCat("programs|", request->parent(),
                                               "|", request->filter());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after, DecodeIntPageToken(scope, request->page_token()));
        SHIEN_ASSIGN_OR_RETURN(
            ProgramSnapshot snapshot,
            ListOrNamed(store_->ListPrograms(year), "parent"));
        absl::StatusOr<ProgramSnapshot> prior = store_->ListPrograms(year - 1);
        if (!prior.ok() &&
            prior.status().code() != absl::StatusCode::kNotFound) {
          return prior.status();
        }
        std::map<int, const Program*> prior_by_number;
        if (prior.ok()) {
          for (const Program& p : prior->programs)
            prior_by_number[p.number] = &p;
        }
        int total = 0;
        for (const Program& p : snapshot.programs) {
          if (!filter.Matches(p)) continue;
          ++total;
          if (p.number <= after) continue;
          if (response->programs_size() == size) {
            if (response->next_page_token().empty()) {
              response->set_next_page_token(EncodePageToken(
                  scope,
                  {absl::StrCat(response->programs(size - 1).number())}));
            }
            continue;
          }
          auto it = prior_by_number.find(p.number);
          ToProto(p, it == prior_by_number.end() ? nullptr : it->second,
                  response->add_programs());
        }
        response->set_total_size(total);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::UpdateProgram(
    grpc::CallbackServerContext* context,
    const v1::UpdateProgramRequest* request, v1::Program* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "UpdateProgram", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            ProgramRef ref,
            ParseProgramName(request->program().name(), "program.name"));
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        std::vector<std::string> paths(request->update_mask().paths().begin(),
                                       request->update_mask().paths().end());
        SHIEN_ASSIGN_OR_RETURN(std::vector<ProgramField> fields,
                               ParseProgramMask(paths));
        const Program patch = FromProto(request->program());
        const std::string etag = request->program().etag();
        SHIEN_ASSIGN_OR_RETURN(std::optional<Program> prior,
                               PriorProgram(*store_, ref.year, ref.number));
        int64_t programs_version = -1;  // stays so for a replay
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->UpdateProgram(
                ref.year, ref.number,
                [&](const Program& current) {
                  return ApplyProgramUpdate(current, patch, fields, etag);
                },
                KeyOf(*request, "UpdateProgram"),
                [&](const Program& updated) {
                  v1::Program out;
                  ToProto(updated, prior ? &*prior : nullptr, &out);
                  return out.SerializeAsString();
                },
                &programs_version));
        if (watch_ != nullptr) {
          // A replay may overtake the first call's announcement: it
          // announces what is committed now.
          if (programs_version < 0) {
            absl::StatusOr<FiscalYearRecord> now =
                store_->GetFiscalYear(ref.year);
            if (!now.ok()) {
              return Error(absl::StatusCode::kUnavailable,
                           "CHANGE_NOT_CONFIRMED",
                           "the change is stored but could not be confirmed; "
                           "send the same request_id again");
            }
            programs_version = now->programs_version;
          }
          // Not acknowledged before every leased watcher has applied it.
          if (int lapsed = watch_->Publish(ref.year, programs_version)) {
            std::fprintf(stderr,
                         "budget: %d program watcher(s) did not apply the "
                         "change to %s within their lease; acknowledged "
                         "after it ran out\n",
                         lapsed, request->program().name().c_str());
          }
        }
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::GetBudgetSummary(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response) {
  // The version the front read for this call, if it did (see ViewFront).
  auto seen = std::make_shared<std::string>();
  return RunRawUnaryAfter<v1::GetBudgetSummaryRequest>(
      context, *executor_, kDomain, request_bytes, response,
      [&](const v1::GetBudgetSummaryRequest* request) {
        return guard_.Admit(*context, "GetBudgetSummary", request);
      },
      [this, seen](const v1::GetBudgetSummaryRequest* request,
                   RawAnswer answer) {
        absl::StatusOr<int> year = ParseFiscalYearName(
            request->name(), "fiscalYears/{year}/budgetSummary", "name");
        if (!year.ok()) return answer(nullptr);  // the work reports it
        summary_front_.Lookup(*year, absl::StrCat("budget-summary/", *year), "",
                              seen, std::move(answer));
      },
      [this, seen](const v1::GetBudgetSummaryRequest* request)
          -> absl::StatusOr<std::shared_ptr<const std::string>> {
        SHIEN_ASSIGN_OR_RETURN(
            int year,
            ParseFiscalYearName(request->name(),
                                "fiscalYears/{year}/budgetSummary", "name"));
        SHIEN_ASSIGN_OR_RETURN(
            cache::View view,
            cache::CachedView(
                cache_, absl::StrCat("budget-summary/", year),
                [&]() -> absl::StatusOr<std::string> {
                  if (!seen->empty()) return *seen;
                  SHIEN_ASSIGN_OR_RETURN(auto versions,
                                         store_->DataVersionWithPrior(year));
                  return SummaryVersion(versions.first, versions.second);
                },
                [&]() -> absl::StatusOr<cache::View> {
                  SHIEN_ASSIGN_OR_RETURN(ProgramSnapshot snapshot,
                                         store_->ListPrograms(year));
                  std::optional<std::vector<Program>> prior_programs;
                  std::optional<int64_t> prior_version;
                  absl::StatusOr<ProgramSnapshot> prior =
                      store_->ListPrograms(year - 1);
                  if (prior.ok()) {
                    prior_programs = std::move(prior->programs);
                    prior_version = prior->data_version;
                  } else if (prior.status().code() !=
                             absl::StatusCode::kNotFound) {
                    return prior.status();
                  }
                  v1::BudgetSummary out;
                  ToProto(ComputeBudgetSummary(year, snapshot.programs,
                                               prior_programs),
                          snapshot.data_version, NowMicros(), &out);
                  return cache::View{
                      out.SerializeAsString(),
                      SummaryVersion(snapshot.data_version, prior_version)};
                }));
        return std::move(view.bytes);
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ListExpenditures(
    grpc::CallbackServerContext* context,
    const v1::ListExpendituresRequest* request,
    v1::ListExpendituresResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListExpenditures", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(ProgramRef ref,
                               ParseProgramName(request->parent(), "parent"));
        SHIEN_ASSIGN_OR_RETURN(
            int size, ResolvePageSize(request->page_size(), 100, 1000));
        const std::string scope =
            absl::StrCat("expenditures|", request->parent());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after, DecodeIntPageToken(scope, request->page_token()));
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<Expenditure> records,
            store_->ListExpenditures(ref.year, ref.number, after, size + 1));
        response->set_next_page_token(AddPage(
            records, size, scope,
            [&](const Expenditure& e) {
              ToProto(e, response->add_expenditures());
            },
            [](const Expenditure& e) { return e.sequence; }));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::GetExecutionSummary(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response) {
  auto seen = std::make_shared<std::string>();  // as in GetBudgetSummary
  return RunRawUnaryAfter<v1::GetExecutionSummaryRequest>(
      context, *executor_, kDomain, request_bytes, response,
      [&](const v1::GetExecutionSummaryRequest* request) {
        return guard_.Admit(*context, "GetExecutionSummary", request);
      },
      [this, seen](const v1::GetExecutionSummaryRequest* request,
                   RawAnswer answer) {
        absl::StatusOr<int> year = ParseFiscalYearName(
            request->name(), "fiscalYears/{year}/executionSummary", "name");
        if (!year.ok()) return answer(nullptr);  // the work reports it
        execution_front_.Lookup(*year,
                                absl::StrCat("execution-summary/", *year), "",
                                seen, std::move(answer));
      },
      [this, seen](const v1::GetExecutionSummaryRequest* request)
          -> absl::StatusOr<std::shared_ptr<const std::string>> {
        SHIEN_ASSIGN_OR_RETURN(
            int year,
            ParseFiscalYearName(request->name(),
                                "fiscalYears/{year}/executionSummary", "name"));
        SHIEN_ASSIGN_OR_RETURN(
            cache::View view,
            cache::CachedView(
                cache_, absl::StrCat("execution-summary/", year),
                [&]() -> absl::StatusOr<std::string> {
                  if (!seen->empty()) return *seen;
                  SHIEN_ASSIGN_OR_RETURN(int64_t v, store_->DataVersion(year));
                  return absl::StrCat(v);
                },
                [&]() -> absl::StatusOr<cache::View> {
                  SHIEN_ASSIGN_OR_RETURN(ExecutionSnapshot snapshot,
                                         store_->GetExecution(year));
                  v1::ExecutionSummary out;
                  ToProto(ComputeExecutionSummary(snapshot.programs,
                                                  snapshot.totals),
                          year, snapshot.data_version, NowMicros(), &out);
                  return cache::View{out.SerializeAsString(),
                                     absl::StrCat(snapshot.data_version)};
                }));
        return std::move(view.bytes);
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::GetEnvelope(
    grpc::CallbackServerContext* context, const v1::GetEnvelopeRequest* request,
    v1::Envelope* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "GetEnvelope", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(EnvelopeRef ref,
                               ParseEnvelopeName(request->name(), "name"));
        SHIEN_ASSIGN_OR_RETURN(Envelope envelope,
                               store_->GetEnvelope(ref.year, ref.id));
        ToProto(envelope, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ListEnvelopes(
    grpc::CallbackServerContext* context,
    const v1::ListEnvelopesRequest* request,
    v1::ListEnvelopesResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListEnvelopes", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            int year, ParseFiscalYearName(request->parent(),
                                          "fiscalYears/{year}", "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 100));
        const std::string scope = absl::StrCat("envelopes|", request->parent());
        std::string after;
        if (!request->page_token().empty()) {
          SHIEN_ASSIGN_OR_RETURN(PageCursor cursor,
                                 DecodePageToken(scope, request->page_token()));
          after = cursor.last_key;
        }
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<Envelope> envelopes,
            ListOrNamed(store_->ListEnvelopes(year), "parent"));
        for (const Envelope& e : envelopes) {
          if (!after.empty() && e.id <= after) continue;
          if (response->envelopes_size() == size) {
            response->set_next_page_token(EncodePageToken(scope, {after}));
            break;
          }
          ToProto(e, response->add_envelopes());
          after = e.id;
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ReserveFunds(
    grpc::CallbackServerContext* context,
    const v1::ReserveFundsRequest* request, v1::Reservation* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ReserveFunds", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            EnvelopeRef ref,
            ParseEnvelopeName(request->envelope(), "envelope"));
        if (request->holder().empty() ||
            request->holder().size() > kMaxHolderBytes) {
          return FieldError(
              "holder", "INVALID_HOLDER",
              absl::StrCat("must be 1 to ", kMaxHolderBytes, " bytes"));
        }
        if (request->amount_yen() < 1 ||
            request->amount_yen() > kMaxReservationYen) {
          return FieldError("amount_yen", "OUT_OF_RANGE",
                            absl::StrCat("must be 1 to ", kMaxReservationYen));
        }
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", true));
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->ReserveFunds(
                ref.year, ref.id, request->holder(), request->amount_yen(),
                KeyOf(*request, "ReserveFunds"), [](const Reservation& r) {
                  v1::Reservation out;
                  ToProto(r, &out);
                  return out.SerializeAsString();
                }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ReleaseFunds(
    grpc::CallbackServerContext* context,
    const v1::ReleaseFundsRequest* request, v1::Reservation* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ReleaseFunds", request),
      [=, this]() -> absl::Status {
        auto encode = [](const Reservation& r) {
          v1::Reservation out;
          if (r.id != 0) ToProto(r, &out);
          return out.SerializeAsString();
        };
        if (request->reservation().empty()) {
          // By envelope and holder: everything the holder holds.
          SHIEN_ASSIGN_OR_RETURN(
              EnvelopeRef ref,
              ParseEnvelopeName(request->envelope(), "envelope"));
          if (request->holder().empty() ||
              request->holder().size() > kMaxHolderBytes) {
            return FieldError("holder", "INVALID_HOLDER",
                              "give reservation, or envelope and holder");
          }
          if (request->amount_yen() != 0) {
            return FieldError("amount_yen", "OUT_OF_RANGE",
                              "by holder, everything held is released: give 0");
          }
          SHIEN_RETURN_IF_ERROR(
              ValidateRequestId(request->request_id(), "request_id", true));
          SHIEN_ASSIGN_OR_RETURN(std::string bytes,
                                 store_->ReleaseFundsByHolder(
                                     ref.year, ref.id, request->holder(),
                                     KeyOf(*request, "ReleaseFunds"), encode));
          return ParseResponse(bytes, response);
        }
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<std::string> parts,
            ParseResourceName(request->reservation(),
                              "fiscalYears/{year}/envelopes/{envelope}/"
                              "reservations/{reservation}",
                              "reservation"));
        SHIEN_ASSIGN_OR_RETURN(int year,
                               ParseFiscalYear(parts[0], "reservation"));
        SHIEN_RETURN_IF_ERROR(ValidateResourceId(parts[1], "reservation"));
        SHIEN_ASSIGN_OR_RETURN(int id, ParseIdNumber(parts[2], "reservation"));
        if (request->amount_yen() < 0 ||
            request->amount_yen() > kMaxReservationYen) {
          return FieldError("amount_yen", "OUT_OF_RANGE",
                            "must be 0 (everything) or a positive amount");
        }
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", true));
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->ReleaseFunds(year, parts[1], id, request->amount_yen(),
                                 KeyOf(*request, "ReleaseFunds"),
                                 [](const Reservation& r) {
                                   v1::Reservation out;
                                   ToProto(r, &out);
                                   return out.SerializeAsString();
                                 }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* BudgetServiceImpl::ListReservations(
    grpc::CallbackServerContext* context,
    const v1::ListReservationsRequest* request,
    v1::ListReservationsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListReservations", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(EnvelopeRef ref,
                               ParseEnvelopeName(request->parent(), "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 1000));
        const std::string scope =
            absl::StrCat("reservations|", request->parent());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after, DecodeIntPageToken(scope, request->page_token()));
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<Reservation> found,
            store_->ListReservations(ref.year, ref.id, after, size + 1));
        response->set_next_page_token(AddPage(
            found, size, scope,
            [&](const Reservation& r) {
              ToProto(r, response->add_reservations());
            },
            [](const Reservation& r) { return r.id; }));
        return absl::OkStatus();
      });
}

// Validates and commits each batch of expenditures before reading the next.
class BudgetServiceImpl::ExpenditureReader final
    : public BatchReader<v1::RecordExpendituresRequest> {
 public:
  ExpenditureReader(BudgetStore* store, Executor* executor,
                    absl::StatusOr<Call> call,
                    v1::RecordExpendituresResponse* response)
      : BatchReader(executor, kDomain, std::move(call)),
        store_(store),
        response_(response) {
    Begin();
  }

 private:
  absl::Status Handle(const v1::RecordExpendituresRequest& request) override {
    if (request.expenditures_size() >
        static_cast<int>(kMaxExpendituresPerBatch)) {
      return FieldError("expenditures", "BATCH_TOO_LARGE",
                        absl::StrCat("at most ", kMaxExpendituresPerBatch,
                                     " records per message"));
    }
    std::vector<Expenditure> valid;
    std::vector<int64_t> valid_index;
    for (const v1::Expenditure& in : request.expenditures()) {
      const int64_t index = next_index_++;
      absl::StatusOr<Expenditure> e = ExpenditureFromProto(in);
      if (!e.ok()) {
        AddRejection(response_, index, in.request_id(), e.status());
        continue;
      }
      valid.push_back(*std::move(e));
      valid_index.push_back(index);
    }
    if (valid.empty()) return absl::OkStatus();
    SHIEN_RETURN_IF_ERROR(CheckDepartments(valid));
    SHIEN_ASSIGN_OR_RETURN(std::vector<RecordResult> results,
                           store_->RecordExpenditures(valid));
    for (size_t i = 0; i < results.size(); ++i) {
      switch (results[i].outcome) {
        case RecordOutcome::kAccepted:
          response_->set_accepted_count(response_->accepted_count() + 1);
          break;
        case RecordOutcome::kDuplicate:
          response_->set_duplicate_count(response_->duplicate_count() + 1);
          break;
        case RecordOutcome::kRejected:
          AddRejection(response_, valid_index[i], valid[i].request_id,
                       results[i].error);
          break;
      }
    }
    return absl::OkStatus();
  }

  // A reporter records only for its own departments' programs: the whole
  // message is refused (PERMISSION_DENIED, nothing of it stored) when one
  // record is not. Records of unknown programs are left to the store to
  // reject.
  absl::Status CheckDepartments(const std::vector<Expenditure>& records) {
    for (const Expenditure& e : records) {
      const auto key = std::make_pair(e.fiscal_year, e.program_number);
      if (checked_.count(key) != 0) continue;
      absl::StatusOr<Program> program =
          store_->GetProgram(e.fiscal_year, e.program_number);
      if (program.ok()) {
        SHIEN_RETURN_IF_ERROR(
            RequireDepartment(call().principal, program->departments,
                              absl::StrCat("program ", e.program_number,
                                           " of FY", e.fiscal_year)));
        checked_.insert(key);
      } else if (program.status().code() != absl::StatusCode::kNotFound) {
        return program.status();
      }
      // An unknown program is not remembered: the store rejects its
      // records (PROGRAM_NOT_FOUND) in the same transaction that would
      // store them, and once it exists its departments apply.
    }
    return absl::OkStatus();
  }

  BudgetStore* store_;
  std::set<std::pair<int, int>> checked_;
  v1::RecordExpendituresResponse* response_;
  int64_t next_index_ = 0;
};

grpc::ServerReadReactor<v1::RecordExpendituresRequest>*
BudgetServiceImpl::RecordExpenditures(
    grpc::CallbackServerContext* context,
    v1::RecordExpendituresResponse* response) {
  return new ExpenditureReader(
      store_, executor_, guard_.Admit(*context, "RecordExpenditures", nullptr),
      response);
}

grpc::ServerBidiReactor<v1::WatchProgramVersionsRequest,
                        v1::WatchProgramVersionsResponse>*
BudgetServiceImpl::WatchProgramVersions(grpc::CallbackServerContext* context) {
  absl::Status admission =
      guard_.Admit(*context, "WatchProgramVersions", nullptr).status();
  if (admission.ok() && watch_ == nullptr) {
    admission =
        Error(absl::StatusCode::kFailedPrecondition, "WATCH_UNAVAILABLE",
              "this budget server does not see every write to its "
              "database (start it with --sole_writer if it does); "
              "read FiscalYear.programs_version instead");
  }
  return NewProgramWatchStream(watch_, admission, kDomain);
}

}  // namespace shien::budget
