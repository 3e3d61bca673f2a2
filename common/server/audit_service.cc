#include "common/server/audit_service.h"

#include "absl/strings/str_cat.h"
#include "common/api/filter.h"
#include "common/api/page_token.h"
#include "common/api/proto_request.h"
#include "common/api/timestamps.h"
#include "common/server/unary.h"
#include "common/status/macros.h"

namespace shien {
namespace {

constexpr char kDomain[] = "shien.audit.v1";

absl::Status ApplyFilter(absl::string_view filter, sql::AuditQuery* query) {
  SHIEN_ASSIGN_OR_RETURN(std::vector<FilterTerm> terms,
                         ParseFilterTerms(filter));
  for (const FilterTerm& term : terms) {
    std::string* into = term.field == "principal"    ? &query->principal
                        : term.field == "method"     ? &query->method
                        : term.field == "resource"   ? &query->resource
                        : term.field == "request_id" ? &query->request_id
                                                     : nullptr;
    if (into == nullptr) {
      return InvalidFilter(
          absl::StrCat("unknown field \"", term.field,
                       "\"; use principal, method, resource or request_id"));
    }
    if (!term.quoted) {
      return InvalidFilter(
          absl::StrCat(term.field, " must be a double-quoted string"));
    }
    *into = term.value;
  }
  return absl::OkStatus();
}

}  // namespace

AuditServiceImpl::AuditServiceImpl(AuditLister list, Executor* executor,
                                   const auth::Authenticator* authenticator)
    : list_(std::move(list)),
      executor_(executor),
      guard_(authenticator, "shien.audit.v1.AuditService",
             {{"ListAuditEvents", {kAdmin}}}) {}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAuditEvents(
    grpc::CallbackServerContext* context,
    const audit::v1::ListAuditEventsRequest* request,
    audit::v1::ListAuditEventsResponse* response) {
  return RunUnary(
      context, *executor_, kDomain,
      guard_.Admit(*context, "ListAuditEvents", request),
      [=, this]() -> absl::Status {
        SHIEN_ASSIGN_OR_RETURN(int size,
                               ResolvePageSize(request->page_size(), 50, 500));
        sql::AuditQuery query;
        SHIEN_RETURN_IF_ERROR(ApplyFilter(request->filter(), &query));
        if (request->has_start_time()) {
          query.start_micros = FromTimestamp(request->start_time());
        }
        if (request->has_end_time()) {
          query.end_micros = FromTimestamp(request->end_time());
        }
        const std::string scope =
            absl::StrCat("auditEvents|", request->filter(), "|",
                         query.start_micros, "|", query.end_micros);
        SHIEN_ASSIGN_OR_RETURN(
            query.before_sequence,
            DecodeIntPageToken(scope, request->page_token()));
        query.limit = size + 1;
        SHIEN_ASSIGN_OR_RETURN(std::vector<sql::AuditEvent> events,
                               list_(query));
        response->set_next_page_token(AddPage(
            events, size, scope,
            [&](const sql::AuditEvent& e) {
              audit::v1::AuditEvent* out = response->add_audit_events();
              out->set_name(absl::StrCat("auditEvents/", e.sequence));
              ToTimestamp(e.time_micros, out->mutable_time());
              out->set_principal(e.principal);
              out->set_method(e.method);
              out->set_request_id(e.request_id);
              out->set_resource(e.resource);
              out->set_change(e.change);
            },
            [](const sql::AuditEvent& e) { return e.sequence; }));
        return absl::OkStatus();
      });
}

}  // namespace shien
