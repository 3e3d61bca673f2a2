#include "services/subsidy/domain/application.h"

#include "absl/strings/str_cat.h"
#include "common/api/fingerprint.h"
#include "common/status/errors.h"

namespace shien::subsidy {

std::string StateName(State state) {
  switch (state) {
    case State::kDraft:
      return "APPLICATION_STATE_DRAFT";
    case State::kSubmitted:
      return "APPLICATION_STATE_SUBMITTED";
    case State::kReturned:
      return "APPLICATION_STATE_RETURNED";
    case State::kApproved:
      return "APPLICATION_STATE_APPROVED";
    case State::kRejected:
      return "APPLICATION_STATE_REJECTED";
    case State::kWithdrawn:
      return "APPLICATION_STATE_WITHDRAWN";
    case State::kCompletionReported:
      return "APPLICATION_STATE_COMPLETION_REPORTED";
    case State::kAmountConfirmed:
      return "APPLICATION_STATE_AMOUNT_CONFIRMED";
    case State::kPaid:
      return "APPLICATION_STATE_PAID";
    case State::kUnspecified:
      break;
  }
  return "APPLICATION_STATE_UNSPECIFIED";
}

absl::StatusOr<State> Transition(State from, Action action) {
  std::optional<State> to;
  switch (action) {
    case Action::kUpdate:
      if (from == State::kDraft || from == State::kReturned) to = from;
      break;
    case Action::kSubmit:
      if (from == State::kDraft || from == State::kReturned) {
        to = State::kSubmitted;
      }
      break;
    case Action::kReturn:
      if (from == State::kSubmitted) to = State::kReturned;
      break;
    case Action::kApprove:
      if (from == State::kSubmitted) to = State::kApproved;
      break;
    case Action::kReject:
      if (from == State::kSubmitted) to = State::kRejected;
      break;
    case Action::kWithdraw:
      if (from == State::kDraft || from == State::kSubmitted ||
          from == State::kReturned || from == State::kApproved) {
        to = State::kWithdrawn;
      }
      break;
    case Action::kApprovePriorStart:
      if (from == State::kDraft || from == State::kSubmitted ||
          from == State::kReturned) {
        to = from;
      }
      break;
    case Action::kReportCompletion:
      if (from == State::kApproved) to = State::kCompletionReported;
      break;
    case Action::kConfirmAmount:
      if (from == State::kCompletionReported) to = State::kAmountConfirmed;
      break;
    case Action::kMarkPaid:
      if (from == State::kAmountConfirmed) to = State::kPaid;
      break;
  }
  if (!to.has_value()) {
    return Error(
        absl::StatusCode::kFailedPrecondition, "INVALID_STATE",
        absl::StrCat("not allowed while the application is ", StateName(from)));
  }
  return *to;
}

int64_t Application::CommittedYen() const {
  switch (state) {
    case State::kApproved:
    case State::kCompletionReported:
      return approved_amount_yen;
    case State::kAmountConfirmed:
    case State::kPaid:
      return confirmed_amount_yen;
    default:
      return 0;
  }
}

bool Application::IsDecided() const { return CommittedYen() > 0; }

std::string ApplicationName(const Application& a) {
  return absl::StrCat("fiscalYears/", a.fiscal_year, "/schemes/", a.scheme_id,
                      "/applications/", a.id);
}

std::string ApplicationEtag(const Application& a) {
  return Fingerprint(absl::StrCat(ApplicationName(a), "#", a.revision))
      .substr(0, 16);
}

absl::Status CheckEtag(const Application& a, const std::string& etag) {
  if (!etag.empty() && etag != ApplicationEtag(a)) {
    return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                 "the application has changed since it was read; read it "
                 "again and retry with the new etag");
  }
  return absl::OkStatus();
}

absl::Status Apply(Application& a, Action action, const std::string& actor,
                   const std::string& reason, int64_t now_micros) {
  absl::StatusOr<State> to = Transition(a.state, action);
  if (!to.ok()) return to.status();
  if (*to != a.state) {
    a.history.push_back({a.state, *to, now_micros, actor, reason});
  }
  a.state = *to;
  a.revision += 1;
  a.update_time_micros = now_micros;
  return absl::OkStatus();
}

std::optional<CivilDate> StartDate(const Application& a) {
  if (a.prior_start_date) return a.prior_start_date;
  return a.approval_date;
}

}  // namespace shien::subsidy
