#ifndef SHIEN_TOOLS_SHIENCTL_READ_FORMAT_H_
#define SHIEN_TOOLS_SHIENCTL_READ_FORMAT_H_

#include <cstdint>
#include <string>

#include "google/type/date.pb.h"
#include "google/type/fraction.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "shien/budget/v1/program.pb.h"
#include "shien/kpi/v1/indicator.pb.h"
#include "shien/subsidy/v1/application.pb.h"
#include "tools/shienctl/clients.h"
#include "tools/shienctl/command.h"

namespace shien::ctl {

// Display helpers shared by the read and subsidy commands.

// The area's title as the plan prints it: "経営基盤の強化", ...
std::string AreaTitle(budget::v1::Area area);
// "2026-05" for a month (day 0), "2026-12-31" for a date, "" when unset.
std::string DateText(const google::type::Date& date);
// A fraction as a percentage to one decimal ("166.3%"); "-" for 0/0.
std::string FractionPercent(const google::type::Fraction& fraction);
// A value in an indicator's measure: "1,234件", "5,000千円".
std::string IndicatorValue(const kpi::v1::Indicator& indicator, int64_t value);
// The target as words: "181件", "未定 (reason)", "なし".
std::string TargetText(const kpi::v1::Indicator& indicator,
                       const kpi::v1::Target& target);
// "APPLICATION_STATE_SUBMITTED" → "submitted".
std::string StateWord(subsidy::v1::ApplicationState state);
// The last path segment of a resource name.
std::string LastSegment(const std::string& name);

// Fetches every page of a List call: `call(context, request, page)` is
// called with a deadline per page; pages are merged into *all (repeated
// fields appended) and its next_page_token cleared.
template <typename Request, typename Response, typename Call>
grpc::Status ListAll(const Env& env, Request request, Response* all,
                     Call call) {
  while (true) {
    grpc::ClientContext context;
    SetDeadline(&context, env.timeout_s);
    Response page;
    grpc::Status status = call(&context, request, &page);
    if (!status.ok()) return status;
    const std::string next = page.next_page_token();
    all->MergeFrom(page);
    if (next.empty()) break;
    request.set_page_token(next);
  }
  all->clear_next_page_token();
  return grpc::Status::OK;
}

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_READ_FORMAT_H_
