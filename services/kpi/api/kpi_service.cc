#include "services/kpi/api/kpi_service.h"

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/filter.h"
#include "common/api/page_token.h"
#include "common/api/proto_request.h"
#include "common/api/resource_name.h"
#include "common/api/timestamps.h"
#include "common/auth/call.h"
#include "common/auth/principal.h"
#include "common/server/batch_reader.h"
#include "common/server/raw_unary.h"
#include "common/server/unary.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/status/macros.h"
#include "services/kpi/api/convert.h"

namespace shien::kpi {
namespace {

constexpr char kDomain[] = "shien.kpi.v1";

// `fiscalYears/{year}` (program 0) or `fiscalYears/{year}/programs/{n}`.
absl::StatusOr<std::pair<int, int>> ParseParent(absl::string_view parent,
                                                absl::string_view field) {
  if (std::count(parent.begin(), parent.end(), '/') == 1) {
    SHIEN_ASSIGN_OR_RETURN(
        std::vector<std::string> parts,
        ParseResourceName(parent, "fiscalYears/{year}", field));
    SHIEN_ASSIGN_OR_RETURN(int year, ParseFiscalYear(parts[0], field));
    return std::make_pair(year, 0);
  }
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(parent, "fiscalYears/{year}/programs/{number}", field));
  SHIEN_ASSIGN_OR_RETURN(int year, ParseFiscalYear(parts[0], field));
  SHIEN_ASSIGN_OR_RETURN(int number, ParseIdNumber(parts[1], field));
  return std::make_pair(year, number);
}

struct IndicatorFilter {
  std::optional<IndicatorKind> kind;
  std::optional<std::string> department;
  std::optional<int> program;
};

absl::StatusOr<IndicatorFilter> ParseFilter(absl::string_view filter) {
  IndicatorFilter out;
  SHIEN_ASSIGN_OR_RETURN(std::vector<FilterTerm> terms,
                         ParseFilterTerms(filter));
  for (const FilterTerm& term : terms) {
    if (term.field == "kind") {
      v1::IndicatorKind k;
      if (!v1::IndicatorKind_Parse(term.value, &k) ||
          k == v1::INDICATOR_KIND_UNSPECIFIED) {
        return InvalidFilter(absl::StrCat("unknown kind \"", term.value, "\""));
      }
      out.kind = static_cast<IndicatorKind>(k);
    } else if (term.field == "department") {
      if (!term.quoted) {
        return InvalidFilter("department must be a double-quoted string");
      }
      out.department = term.value;
    } else if (term.field == "program") {
      int n = 0;
      if (!absl::SimpleAtoi(term.value, &n) || n <= 0) {
        return InvalidFilter("program must be a program number");
      }
      out.program = n;
    } else {
      return InvalidFilter(absl::StrCat("unknown field \"", term.field,
                                        "\"; use kind, department or program"));
    }
  }
  return out;
}

void Count(ProgressStatus status, v1::StatusCounts* counts) {
  switch (status) {
    case ProgressStatus::kAchieved:
      counts->set_achieved(counts->achieved() + 1);
      break;
    case ProgressStatus::kOnTrack:
      counts->set_on_track(counts->on_track() + 1);
      break;
    case ProgressStatus::kBehind:
      counts->set_behind(counts->behind() + 1);
      break;
    default:
      counts->set_no_target(counts->no_target() + 1);
  }
}

}  // namespace

KpiServiceImpl::KpiServiceImpl(KpiStore* store, ProgramDirectory* programs,
                               Executor* executor,
                               const auth::Authenticator* authenticator,
                               std::function<CivilDate()> today,
                               cache::ViewCache* cache)
    : store_(store),
      programs_(programs),
      executor_(executor),
      guard_(authenticator, "shien.kpi.v1.KpiService", KpiAccessRules()),
      today_(std::move(today)),
      cache_(cache),
      front_(cache, executor, cache::DataVersionOf(store)) {
  MarkRawMethod("/shien.kpi.v1.KpiService/GetIndicatorProgress");
  MarkRawMethod("/shien.kpi.v1.KpiService/GetKpiDashboard");
}

absl::StatusOr<KpiServiceImpl::ProgressQuery> KpiServiceImpl::ParseProgress(
    const v1::GetIndicatorProgressRequest& request) const {
  ProgressQuery q;
  SHIEN_ASSIGN_OR_RETURN(q.ref, ParseIndicatorName(request.name(), "name"));
  SHIEN_ASSIGN_OR_RETURN(
      q.as_of, AsOf(q.ref.year, request.has_as_of_date() ? &request.as_of_date()
                                                         : nullptr));
  q.view_name =
      absl::StrCat("kpi-progress/", request.name(), "/", FormatDate(q.as_of));
  return q;
}

absl::StatusOr<KpiServiceImpl::DashboardQuery> KpiServiceImpl::ParseDashboard(
    const v1::GetKpiDashboardRequest& request) const {
  DashboardQuery q;
  SHIEN_ASSIGN_OR_RETURN(
      std::vector<std::string> parts,
      ParseResourceName(request.name(), "fiscalYears/{year}/kpiDashboard",
                        "name"));
  SHIEN_ASSIGN_OR_RETURN(q.year, ParseFiscalYear(parts[0], "name"));
  if (request.grouping() != v1::DASHBOARD_GROUPING_UNSPECIFIED) {
    q.grouping = request.grouping();
  }
  if (!v1::DashboardGrouping_IsValid(q.grouping)) {
    return FieldError("grouping", "INVALID_ENUM_VALUE",
                      "must be PROGRAM, DEPARTMENT or AREA");
  }
  SHIEN_ASSIGN_OR_RETURN(
      q.as_of,
      AsOf(q.year, request.has_as_of_date() ? &request.as_of_date() : nullptr));
  q.view_name = absl::StrCat("kpi-dashboard/", q.year, "/", q.grouping, "/",
                             FormatDate(q.as_of));
  return q;
}

absl::StatusOr<CivilDate> KpiServiceImpl::AsOf(
    int fiscal_year, const google::type::Date* requested) const {
  if (requested == nullptr) return DefaultAsOf(fiscal_year, today_());
  CivilDate d = FromProto(*requested);
  if (!IsValidDate(d)) {
    return FieldError("as_of_date", "INVALID_DATE", "is not a calendar date");
  }
  return d;
}

grpc::ServerUnaryReactor* KpiServiceImpl::GetIndicator(
    grpc::CallbackServerContext* context,
    const v1::GetIndicatorRequest* request, v1::Indicator* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "GetIndicator", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(IndicatorRef ref,
                               ParseIndicatorName(request->name(), "name"));
        SHIEN_ASSIGN_OR_RETURN(
            Indicator i, store_->GetIndicator(ref.year, ref.program, ref.id));
        ToProto(i, response);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KpiServiceImpl::ListIndicators(
    grpc::CallbackServerContext* context,
    const v1::ListIndicatorsRequest* request,
    v1::ListIndicatorsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListIndicators", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(auto parent,
                               ParseParent(request->parent(), "parent"));
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 200));
        SHIEN_ASSIGN_OR_RETURN(IndicatorFilter filter,
                               ParseFilter(request->filter()));
        const std::string scope = absl::StrCat("indicators|", request->parent(),
                                               "|", request->filter());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t offset, DecodeIntPageToken(scope, request->page_token()));
        std::set<int> department_programs;
        if (filter.department) {
          SHIEN_ASSIGN_OR_RETURN(std::vector<ProgramInfo> programs,
                                 programs_->ListPrograms(parent.first));
          for (const ProgramInfo& p : programs) {
            for (const std::string& d : p.departments) {
              if (d == *filter.department) department_programs.insert(p.number);
            }
          }
        }
        absl::StatusOr<IndicatorSnapshot> listed =
            store_->ListIndicators(parent.first, parent.second);
        if (!listed.ok()) return RenameField(listed.status(), "name", "parent");
        IndicatorSnapshot snapshot = *std::move(listed);
        std::vector<const Indicator*> matching;
        for (const Indicator& i : snapshot.indicators) {
          if (filter.kind && i.kind != *filter.kind) continue;
          if (filter.program && i.program_number != *filter.program) continue;
          if (filter.department &&
              !department_programs.count(i.program_number)) {
            continue;
          }
          matching.push_back(&i);
        }
        // The cursor is the position in the filtered, ordered list.
        for (size_t n = offset; n < matching.size(); ++n) {
          if (response->indicators_size() == size) {
            response->set_next_page_token(
                EncodePageToken(scope, {absl::StrCat(n)}));
            break;
          }
          ToProto(*matching[n], response->add_indicators());
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KpiServiceImpl::CreateIndicator(
    grpc::CallbackServerContext* context,
    const v1::CreateIndicatorRequest* request, v1::Indicator* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "CreateIndicator", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<std::string> parts,
            ParseResourceName(request->parent(),
                              "fiscalYears/{year}/programs/{number}",
                              "parent"));
        Indicator i = FromProto(request->indicator());
        SHIEN_ASSIGN_OR_RETURN(i.fiscal_year,
                               ParseFiscalYear(parts[0], "parent"));
        SHIEN_ASSIGN_OR_RETURN(i.program_number,
                               ParseIdNumber(parts[1], "parent"));
        i.id = request->indicator_id();
        if (!request->indicator().parent().empty()) {
          SHIEN_ASSIGN_OR_RETURN(
              IndicatorRef whole,
              ParseIndicatorName(request->indicator().parent(),
                                 "indicator.parent"));
          if (whole.year != i.fiscal_year ||
              whole.program != i.program_number) {
            return FieldError("indicator.parent", "PARENT_NOT_FOUND",
                              "must be an indicator of the same program");
          }
          i.parent_id = whole.id;
        }
        absl::Status valid = ValidateIndicator(i);
        if (!valid.ok()) {
          return ErrorField(valid) == "indicator_id"
                     ? valid
                     : PrefixField(valid, "indicator");
        }
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        absl::StatusOr<ProgramInfo> program =
            programs_->GetProgram(i.fiscal_year, i.program_number);
        if (!program.ok()) {
          if (program.status().code() == absl::StatusCode::kNotFound) {
            return FieldError(absl::StatusCode::kNotFound, "parent",
                              "PROGRAM_NOT_FOUND",
                              std::string(program.status().message()));
          }
          return program.status();
        }
        SHIEN_ASSIGN_OR_RETURN(
            std::string bytes,
            store_->CreateIndicator(i, KeyOf(*request, "CreateIndicator"),
                                    [](const Indicator& created) {
                                      v1::Indicator out;
                                      ToProto(created, &out);
                                      return out.SerializeAsString();
                                    }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* KpiServiceImpl::UpdateIndicator(
    grpc::CallbackServerContext* context,
    const v1::UpdateIndicatorRequest* request, v1::Indicator* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "UpdateIndicator", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(
            IndicatorRef ref,
            ParseIndicatorName(request->indicator().name(), "indicator.name"));
        SHIEN_RETURN_IF_ERROR(
            ValidateRequestId(request->request_id(), "request_id", false));
        std::vector<std::string> paths(request->update_mask().paths().begin(),
                                       request->update_mask().paths().end());
        SHIEN_ASSIGN_OR_RETURN(std::vector<IndicatorField> fields,
                               ParseIndicatorMask(paths));
        const Indicator patch = FromProto(request->indicator());
        const std::string etag = request->indicator().etag();
        SHIEN_ASSIGN_OR_RETURN(std::string bytes,
                               store_->UpdateIndicator(
                                   ref.year, ref.program, ref.id,
                                   [&](const Indicator& current) {
                                     return ApplyIndicatorUpdate(current, patch,
                                                                 fields, etag);
                                   },
                                   KeyOf(*request, "UpdateIndicator"),
                                   [](const Indicator& updated) {
                                     v1::Indicator out;
                                     ToProto(updated, &out);
                                     return out.SerializeAsString();
                                   }));
        return ParseResponse(bytes, response);
      });
}

grpc::ServerUnaryReactor* KpiServiceImpl::ListMeasurements(
    grpc::CallbackServerContext* context,
    const v1::ListMeasurementsRequest* request,
    v1::ListMeasurementsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListMeasurements", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(IndicatorRef ref,
                               ParseIndicatorName(request->parent(), "parent"));
        SHIEN_ASSIGN_OR_RETURN(
            int size, ResolvePageSize(request->page_size(), 100, 1000));
        std::optional<int64_t> as_of;
        if (request->has_as_of_time()) {
          const auto& t = request->as_of_time();
          // google.protobuf.Timestamp's own range: years 1 to 9999.
          if (t.seconds() < -62135596800LL || t.seconds() > 253402300799LL ||
              t.nanos() < 0 || t.nanos() > 999999999) {
            return FieldError("as_of_time", "OUT_OF_RANGE",
                              "is not a valid timestamp");
          }
          as_of = FromTimestamp(t);
        }
        const std::string scope =
            absl::StrCat("measurements|", request->parent(), "|",
                         as_of.value_or(0), "|", request->current_only());
        SHIEN_ASSIGN_OR_RETURN(
            int64_t after, DecodeIntPageToken(scope, request->page_token()));
        SHIEN_ASSIGN_OR_RETURN(
            std::vector<Measurement> found,
            store_->ListMeasurements(ref.year, ref.program, ref.id, after,
                                     size + 1, as_of, request->current_only()));
        response->set_next_page_token(AddPage(
            found, size, scope,
            [&](const Measurement& m) {
              ToProto(m, response->add_measurements());
            },
            [](const Measurement& m) { return m.sequence; }));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* KpiServiceImpl::GetIndicatorProgress(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response) {
  // The version the front read for this call, if it did (see ViewFront).
  auto seen = std::make_shared<std::string>();
  return RunRawUnaryAfter<v1::GetIndicatorProgressRequest>(
      context, *executor_, kDomain, request_bytes, response,
      [&](const v1::GetIndicatorProgressRequest* request) {
        return guard_.Admit(*context, "GetIndicatorProgress", request);
      },
      [this, seen](const v1::GetIndicatorProgressRequest* request,
                   RawAnswer answer) {
        absl::StatusOr<ProgressQuery> q = ParseProgress(*request);
        if (!q.ok()) return answer(nullptr);  // the work reports it
        front_.Lookup(q->ref.year, q->view_name, "", seen, std::move(answer));
      },
      [this, seen](const v1::GetIndicatorProgressRequest* request)
          -> absl::StatusOr<std::shared_ptr<const std::string>> {
        SHIEN_ASSIGN_OR_RETURN(ProgressQuery q, ParseProgress(*request));
        const IndicatorRef& ref = q.ref;
        const CivilDate& as_of = q.as_of;
        SHIEN_ASSIGN_OR_RETURN(
            cache::View view,
            cache::CachedView(
                cache_, q.view_name,
                [&]() -> absl::StatusOr<std::string> {
                  if (!seen->empty()) return *seen;
                  SHIEN_ASSIGN_OR_RETURN(int64_t v,
                                         store_->DataVersion(ref.year));
                  return absl::StrCat(v);
                },
                [&]() -> absl::StatusOr<cache::View> {
                  // Labelled with the version read first: never newer than
                  // what the two reads below saw.
                  SHIEN_ASSIGN_OR_RETURN(int64_t version,
                                         store_->DataVersion(ref.year));
                  SHIEN_ASSIGN_OR_RETURN(
                      Indicator i,
                      store_->GetIndicator(ref.year, ref.program, ref.id));
                  SHIEN_ASSIGN_OR_RETURN(MeasurementSnapshot snapshot,
                                         store_->CurrentMeasurements(
                                             ref.year, ref.program, ref.id));
                  v1::IndicatorProgress out;
                  ToProto(i, ComputeProgress(i, snapshot.measurements, as_of),
                          &out);
                  out.set_data_version(version);
                  ToTimestamp(NowMicros(), out.mutable_compute_time());
                  return cache::View{out.SerializeAsString(),
                                     absl::StrCat(version)};
                }));
        return std::move(view.bytes);
      });
}

absl::StatusOr<cache::View> KpiServiceImpl::BuildDashboard(
    int year, v1::DashboardGrouping grouping, const CivilDate& as_of,
    const std::string& name, const std::string& budget_version) {
  v1::KpiDashboard out;
  SHIEN_ASSIGN_OR_RETURN(IndicatorSnapshot indicators,
                         store_->ListIndicators(year, 0));
  SHIEN_ASSIGN_OR_RETURN(MeasurementSnapshot measurements,
                         store_->CurrentMeasurements(year, 0, ""));
  // Program titles, departments and areas come from the budget service.
  std::map<int, ProgramInfo> programs;
  absl::StatusOr<std::vector<ProgramInfo>> listed =
      programs_->ListPrograms(year);
  if (listed.ok()) {
    for (ProgramInfo& p : *listed) programs[p.number] = std::move(p);
  } else if (grouping != v1::DASHBOARD_GROUPING_PROGRAM) {
    return listed.status();  // cannot group without the budget service
  }
  std::map<std::tuple<int, int, std::string>, std::vector<Measurement>> by_id;
  for (Measurement& m : measurements.measurements) {
    by_id[{m.fiscal_year, m.program_number, m.indicator_id}].push_back(
        std::move(m));
  }
  // Groups in order of first appearance by program number.
  std::vector<std::string> order;
  std::map<std::string, v1::DashboardGroup> groups;
  auto group = [&](const std::string& key,
                   const std::string& title) -> v1::DashboardGroup& {
    auto it = groups.find(key);
    if (it == groups.end()) {
      order.push_back(key);
      it = groups.emplace(key, v1::DashboardGroup()).first;
      it->second.set_key(key);
      it->second.set_title(title);
    }
    return it->second;
  };
  for (const Indicator& i : indicators.indicators) {
    Progress p = ComputeProgress(
        i, by_id[{i.fiscal_year, i.program_number, i.id}], as_of);
    v1::IndicatorProgress progress;
    ToProto(i, p, &progress);
    Count(p.status, out.mutable_counts());
    auto info = programs.find(i.program_number);
    std::vector<std::pair<std::string, std::string>> keys;
    if (grouping == v1::DASHBOARD_GROUPING_PROGRAM) {
      keys.emplace_back(
          absl::StrCat("fiscalYears/", year, "/programs/", i.program_number),
          info != programs.end() ? info->second.title
                                 : absl::StrCat("program ", i.program_number));
    } else if (info == programs.end()) {
      keys.emplace_back("(unknown program)", "(unknown program)");
    } else if (grouping == v1::DASHBOARD_GROUPING_AREA) {
      keys.emplace_back(info->second.area_name, info->second.area_title);
    } else {
      for (const std::string& d : info->second.departments) {
        keys.emplace_back(d, d);
      }
      if (keys.empty()) keys.emplace_back("(担当課なし)", "(担当課なし)");
    }
    for (const auto& [key, title] : keys) {
      v1::DashboardGroup& g = group(key, title);
      *g.add_indicators() = progress;
      Count(p.status, g.mutable_counts());
    }
  }
  out.set_name(name);
  out.set_grouping(grouping);
  ToProto(as_of, out.mutable_as_of_date());
  for (const std::string& key : order) {
    *out.add_groups() = std::move(groups[key]);
  }
  out.set_data_version(measurements.data_version);
  ToTimestamp(NowMicros(), out.mutable_compute_time());
  // Labelled with the older of the two snapshots, so that a reader of a
  // newer version never takes it for current.
  cache::View view{
      out.SerializeAsString(),
      absl::StrCat(std::min(indicators.data_version, measurements.data_version),
                   "/", budget_version)};
  // Without the budget service's programs the titles are placeholders:
  // answer, but do not cache.
  view.cacheable = listed.ok();
  return view;
}

grpc::ServerUnaryReactor* KpiServiceImpl::GetKpiDashboard(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response) {
  // The dashboard also shows the budget service's programs: their version
  // is part of the cache key. It is known here while the program watch holds
  // a lease, and asked for otherwise, before the call takes a worker, so
  // that no worker waits on the budget service; then the front answers from
  // the in-process tier when it can, and the work otherwise.
  auto budget_version =
      std::make_shared<absl::StatusOr<int64_t>>(absl::UnknownError(""));
  auto seen = std::make_shared<std::string>();  // as in GetIndicatorProgress
  return RunRawUnaryAfter<v1::GetKpiDashboardRequest>(
      context, *executor_, kDomain, request_bytes, response,
      [&](const v1::GetKpiDashboardRequest* request) {
        return guard_.Admit(*context, "GetKpiDashboard", request);
      },
      [this, budget_version, seen](const v1::GetKpiDashboardRequest* request,
                                   RawAnswer answer) {
        auto q = std::make_shared<absl::StatusOr<DashboardQuery>>(
            ParseDashboard(*request));
        if (!q->ok()) return answer(nullptr);  // the work reports it
        programs_->ProgramsVersion(
            (*q)->year,
            [this, q, budget_version, seen,
             answer = std::move(answer)](absl::StatusOr<int64_t> version) {
              *budget_version = std::move(version);
              // Without the budget service, no caching: the work builds it.
              if (!budget_version->ok()) return answer(nullptr);
              front_.Lookup((*q)->year, (*q)->view_name,
                            absl::StrCat("/", **budget_version), seen,
                            std::move(answer));
            });
      },
      [this, budget_version, seen](const v1::GetKpiDashboardRequest* request)
          -> absl::StatusOr<std::shared_ptr<const std::string>> {
        SHIEN_ASSIGN_OR_RETURN(DashboardQuery q, ParseDashboard(*request));
        const int year = q.year;
        const std::string name = request->name();
        // Without the budget service, no caching.
        auto compute = [&]() {
          return BuildDashboard(
              year, q.grouping, q.as_of, name,
              budget_version->ok() ? absl::StrCat(**budget_version) : "?");
        };
        SHIEN_ASSIGN_OR_RETURN(
            cache::View view,
            budget_version->ok()
                ? cache::CachedView(
                      cache_, q.view_name,
                      [&]() -> absl::StatusOr<std::string> {
                        if (!seen->empty()) return *seen;
                        SHIEN_ASSIGN_OR_RETURN(int64_t v,
                                               store_->DataVersion(year));
                        return absl::StrCat(v, "/", **budget_version);
                      },
                      compute)
                : compute());
        return std::move(view.bytes);
      });
}

// Validates and commits each batch of measurements before reading the next.
class KpiServiceImpl::MeasurementReader final
    : public BatchReader<v1::RecordMeasurementsRequest> {
 public:
  MeasurementReader(KpiStore* store, ProgramDirectory* programs,
                    Executor* executor, absl::StatusOr<Call> call,
                    v1::RecordMeasurementsResponse* response)
      : BatchReader(executor, kDomain, std::move(call)),
        store_(store),
        programs_(programs),
        response_(response) {
    Begin();
  }

 private:
  absl::Status Handle(const v1::RecordMeasurementsRequest& request) override {
    if (request.measurements_size() >
        static_cast<int>(kMaxMeasurementsPerBatch)) {
      return FieldError("measurements", "BATCH_TOO_LARGE",
                        absl::StrCat("at most ", kMaxMeasurementsPerBatch,
                                     " rows per message"));
    }
    std::vector<Measurement> rows;
    std::vector<int64_t> row_index;
    for (const v1::Measurement& in : request.measurements()) {
      const int64_t index = next_index_++;
      absl::StatusOr<Measurement> m = FromProto(in);
      if (!m.ok()) {
        AddRejection(response_, index, in.request_id(), m.status());
        continue;
      }
      m->recorded_by = call().principal.name;
      rows.push_back(*std::move(m));
      row_index.push_back(index);
    }
    if (rows.empty()) return absl::OkStatus();
    SHIEN_RETURN_IF_ERROR(CheckDepartments(rows));
    SHIEN_ASSIGN_OR_RETURN(
        std::vector<RowResult> results,
        store_->RecordMeasurements(
            rows, [](const Indicator&) { return absl::OkStatus(); }));
    for (size_t i = 0; i < results.size(); ++i) {
      switch (results[i].outcome) {
        case RowOutcome::kCorrected:
          response_->set_corrected_count(response_->corrected_count() + 1);
          [[fallthrough]];
        case RowOutcome::kAccepted:
          response_->set_accepted_count(response_->accepted_count() + 1);
          break;
        case RowOutcome::kDuplicate:
          response_->set_duplicate_count(response_->duplicate_count() + 1);
          break;
        case RowOutcome::kRejected:
          AddRejection(response_, row_index[i], rows[i].request_id,
                       results[i].error);
          break;
      }
    }
    return absl::OkStatus();
  }

  // A reporter records only for its own departments' programs: the whole
  // message is refused (PERMISSION_DENIED, nothing of it stored) when one
  // row is not, or names a program the budget service does not know. Asked
  // of the budget service before the write transaction.
  absl::Status CheckDepartments(const std::vector<Measurement>& rows) {
    if (call().principal.HasRole(kService)) return absl::OkStatus();
    for (const Measurement& row : rows) {
      const auto key = std::make_pair(row.fiscal_year, row.program_number);
      if (checked_.count(key) != 0) continue;
      absl::StatusOr<ProgramInfo> info =
          programs_->GetProgram(row.fiscal_year, row.program_number);
      if (!info.ok() && info.status().code() == absl::StatusCode::kNotFound) {
        // No departments, so no reporter's scope admits it.
        return Error(absl::StatusCode::kPermissionDenied,
                     "DEPARTMENT_NOT_PERMITTED",
                     absl::StrCat("program ", row.program_number, " of FY",
                                  row.fiscal_year,
                                  " is unknown to the budget service, so no "
                                  "department scope admits it"));
      }
      if (!info.ok()) return info.status();
      SHIEN_RETURN_IF_ERROR(
          RequireDepartment(call().principal, info->departments,
                            absl::StrCat("program ", row.program_number,
                                         " of FY", row.fiscal_year)));
      checked_.insert(key);
    }
    return absl::OkStatus();
  }

  KpiStore* store_;
  ProgramDirectory* programs_;
  std::set<std::pair<int, int>> checked_;
  v1::RecordMeasurementsResponse* response_;
  int64_t next_index_ = 0;
};

grpc::ServerReadReactor<v1::RecordMeasurementsRequest>*
KpiServiceImpl::RecordMeasurements(grpc::CallbackServerContext* context,
                                   v1::RecordMeasurementsResponse* response) {
  return new MeasurementReader(
      store_, programs_, executor_,
      guard_.Admit(*context, "RecordMeasurements", nullptr), response);
}

}  // namespace shien::kpi
