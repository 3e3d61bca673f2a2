#ifndef SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICATION_H_
#define SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/fiscal/fiscal.h"
#include "services/subsidy/domain/applicant.h"
#include "services/subsidy/domain/quote.h"

namespace shien::subsidy {

// Values match shien.subsidy.v1.ApplicationState.
enum class State {
  kUnspecified = 0,
  kDraft = 1,
  kSubmitted = 2,
  kReturned = 3,
  kApproved = 4,
  kRejected = 5,
  kWithdrawn = 6,
  kCompletionReported = 7,
  kAmountConfirmed = 8,
  kPaid = 9,
};

// What can be done to an application.
enum class Action {
  kUpdate,
  kSubmit,
  kReturn,
  kApprove,
  kReject,
  kWithdraw,
  kApprovePriorStart,
  kReportCompletion,
  kConfirmAmount,
  kMarkPaid,
};

// "APPLICATION_STATE_SUBMITTED", for messages.
std::string StateName(State state);

// The state `action` leads to from `from`, or FAILED_PRECONDITION (reason
// INVALID_STATE) naming the current state when it is not allowed there.
// ApprovePriorStart and Update keep the state.
absl::StatusOr<State> Transition(State from, Action action);

struct StateChange {
  State from = State::kUnspecified;
  State to = State::kUnspecified;
  int64_t time_micros = 0;
  std::string actor;
  std::string reason;
};

struct Application {
  int fiscal_year = 0;
  std::string scheme_id;
  int64_t id = 0;
  std::string round_id;
  std::string course_id;
  Applicant applicant;
  std::vector<Expense> expenses;
  State state = State::kDraft;
  Quote quote;
  int64_t approved_amount_yen = 0;
  std::string reservation;  // the budget service's reservation name
  std::optional<CivilDate> prior_start_date;
  std::optional<CivilDate> approval_date;
  std::vector<Expense> actual_expenses;
  int64_t confirmed_amount_yen = 0;
  std::vector<StateChange> history;
  int64_t revision = 0;
  int64_t create_time_micros = 0;
  int64_t update_time_micros = 0;

  // The yen this application holds against the scheme's envelope.
  int64_t CommittedYen() const;
  // Whether it counts as a grant decision (交付決定) for the KPIs.
  bool IsDecided() const;
};

std::string ApplicationName(const Application& application);
std::string ApplicationEtag(const Application& application);

// ABORTED (ETAG_MISMATCH) when `etag` is set and not the current one.
absl::Status CheckEtag(const Application& application, const std::string& etag);

// Moves `application` through `action`: checks the transition, records it
// in the history, bumps the revision. FAILED_PRECONDITION when illegal.
absl::Status Apply(Application& application, Action action,
                   const std::string& actor, const std::string& reason,
                   int64_t now_micros);

// The date expenses count from: the prior-start approval when given, else
// the approval date.
std::optional<CivilDate> StartDate(const Application& application);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_DOMAIN_APPLICATION_H_
