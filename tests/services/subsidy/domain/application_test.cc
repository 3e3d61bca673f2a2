#include "services/subsidy/domain/application.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::subsidy {
namespace {

using ::testing::HasSubstr;

const std::vector<State>& AllStates() {
  static const auto* states = new std::vector<State>{
      State::kUnspecified,     State::kDraft,
      State::kSubmitted,       State::kReturned,
      State::kApproved,        State::kRejected,
      State::kWithdrawn,       State::kCompletionReported,
      State::kAmountConfirmed, State::kPaid,
  };
  return *states;
}

const std::vector<std::pair<Action, std::string>>& AllActions() {
  static const auto* actions = new std::vector<std::pair<Action, std::string>>{
      {Action::kUpdate, "update"},
      {Action::kSubmit, "submit"},
      {Action::kReturn, "return"},
      {Action::kApprove, "approve"},
      {Action::kReject, "reject"},
      {Action::kWithdraw, "withdraw"},
      {Action::kApprovePriorStart, "approve-prior-start"},
      {Action::kReportCompletion, "report-completion"},
      {Action::kConfirmAmount, "confirm-amount"},
      {Action::kMarkPaid, "mark-paid"},
  };
  return *actions;
}

TEST(StateNameTest, NamesEveryState) {
  const std::map<State, std::string> names = {
      {State::kUnspecified, "APPLICATION_STATE_UNSPECIFIED"},
      {State::kDraft, "APPLICATION_STATE_DRAFT"},
      {State::kSubmitted, "APPLICATION_STATE_SUBMITTED"},
      {State::kReturned, "APPLICATION_STATE_RETURNED"},
      {State::kApproved, "APPLICATION_STATE_APPROVED"},
      {State::kRejected, "APPLICATION_STATE_REJECTED"},
      {State::kWithdrawn, "APPLICATION_STATE_WITHDRAWN"},
      {State::kCompletionReported, "APPLICATION_STATE_COMPLETION_REPORTED"},
      {State::kAmountConfirmed, "APPLICATION_STATE_AMOUNT_CONFIRMED"},
      {State::kPaid, "APPLICATION_STATE_PAID"},
  };
  ASSERT_EQ(names.size(), AllStates().size());
  for (const auto& [state, name] : names) EXPECT_EQ(StateName(state), name);
}

TEST(TransitionTest, EveryStateAndAction) {
  // The legal moves (as on jGrants); every other pair is refused.
  const std::map<std::pair<State, Action>, State> legal = {
      {{State::kDraft, Action::kUpdate}, State::kDraft},
      {{State::kDraft, Action::kSubmit}, State::kSubmitted},
      {{State::kDraft, Action::kWithdraw}, State::kWithdrawn},
      {{State::kDraft, Action::kApprovePriorStart}, State::kDraft},
      {{State::kSubmitted, Action::kReturn}, State::kReturned},
      {{State::kSubmitted, Action::kApprove}, State::kApproved},
      {{State::kSubmitted, Action::kReject}, State::kRejected},
      {{State::kSubmitted, Action::kWithdraw}, State::kWithdrawn},
      {{State::kSubmitted, Action::kApprovePriorStart}, State::kSubmitted},
      {{State::kReturned, Action::kUpdate}, State::kReturned},
      {{State::kReturned, Action::kSubmit}, State::kSubmitted},
      {{State::kReturned, Action::kWithdraw}, State::kWithdrawn},
      {{State::kReturned, Action::kApprovePriorStart}, State::kReturned},
      {{State::kApproved, Action::kWithdraw}, State::kWithdrawn},
      {{State::kApproved, Action::kReportCompletion},
       State::kCompletionReported},
      {{State::kCompletionReported, Action::kConfirmAmount},
       State::kAmountConfirmed},
      {{State::kAmountConfirmed, Action::kMarkPaid}, State::kPaid},
  };
  int checked = 0;
  for (State from : AllStates()) {
    for (const auto& [action, action_name] : AllActions()) {
      const std::string name = StateName(from) + " × " + action_name;
      absl::StatusOr<State> to = Transition(from, action);
      auto it = legal.find({from, action});
      if (it != legal.end()) {
        ASSERT_TRUE(to.ok()) << name << ": " << to.status();
        EXPECT_EQ(StateName(*to), StateName(it->second)) << name;
      } else {
        EXPECT_FALSE(to.ok()) << name << " gave " << StateName(*to);
        EXPECT_EQ(to.status().code(), absl::StatusCode::kFailedPrecondition)
            << name << ": " << to.status();
        EXPECT_EQ(ErrorReason(to.status()), "INVALID_STATE") << name;
        EXPECT_THAT(std::string(to.status().message()),
                    HasSubstr(StateName(from)))
            << name;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 100);
}

Application Draft() {
  Application a;
  a.fiscal_year = 2026;
  a.scheme_id = "productivity";
  a.id = 7;
  a.round_id = "2";
  a.course_id = "general";
  a.applicant.corporate_number = "7000012050002";
  a.state = State::kDraft;
  a.revision = 1;
  return a;
}

TEST(ApplyTest, RecordsStateChangesAndBumpsTheRevision) {
  Application a = Draft();
  ASSERT_TRUE(Apply(a, Action::kUpdate, "alice", "fix", 100).ok());
  EXPECT_EQ(a.state, State::kDraft);
  EXPECT_EQ(a.revision, 2);
  EXPECT_EQ(a.update_time_micros, 100);
  EXPECT_TRUE(a.history.empty());

  ASSERT_TRUE(Apply(a, Action::kSubmit, "alice", "", 200).ok());
  EXPECT_EQ(a.state, State::kSubmitted);
  EXPECT_EQ(a.revision, 3);
  EXPECT_EQ(a.update_time_micros, 200);
  ASSERT_EQ(a.history.size(), 1u);
  EXPECT_EQ(a.history[0].from, State::kDraft);
  EXPECT_EQ(a.history[0].to, State::kSubmitted);
  EXPECT_EQ(a.history[0].time_micros, 200);
  EXPECT_EQ(a.history[0].actor, "alice");
  EXPECT_EQ(a.history[0].reason, "");

  ASSERT_TRUE(Apply(a, Action::kApprovePriorStart, "bob", "early", 250).ok());
  EXPECT_EQ(a.state, State::kSubmitted);
  EXPECT_EQ(a.revision, 4);
  EXPECT_EQ(a.history.size(), 1u);

  ASSERT_TRUE(Apply(a, Action::kReturn, "bob", "missing quote", 300).ok());
  ASSERT_TRUE(Apply(a, Action::kSubmit, "alice", "", 400).ok());
  ASSERT_TRUE(Apply(a, Action::kApprove, "bob", "", 500).ok());
  EXPECT_EQ(a.state, State::kApproved);
  EXPECT_EQ(a.revision, 7);
  ASSERT_EQ(a.history.size(), 4u);
  EXPECT_EQ(a.history[1].from, State::kSubmitted);
  EXPECT_EQ(a.history[1].to, State::kReturned);
  EXPECT_EQ(a.history[1].actor, "bob");
  EXPECT_EQ(a.history[1].reason, "missing quote");
  EXPECT_EQ(a.history[2].from, State::kReturned);
  EXPECT_EQ(a.history[2].to, State::kSubmitted);
  EXPECT_EQ(a.history[3].to, State::kApproved);
  EXPECT_EQ(a.history[3].time_micros, 500);
}

TEST(ApplyTest, IllegalActionChangesNothing) {
  Application a = Draft();
  a.update_time_micros = 42;
  absl::Status status = Apply(a, Action::kApprove, "bob", "", 100);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(ErrorReason(status), "INVALID_STATE");
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("APPLICATION_STATE_DRAFT"));
  EXPECT_EQ(a.state, State::kDraft);
  EXPECT_EQ(a.revision, 1);
  EXPECT_EQ(a.update_time_micros, 42);
  EXPECT_TRUE(a.history.empty());
}

TEST(ApplyTest, WalksTheWholeLifecycle) {
  Application a = Draft();
  const std::vector<std::pair<Action, State>> steps = {
      {Action::kSubmit, State::kSubmitted},
      {Action::kApprove, State::kApproved},
      {Action::kReportCompletion, State::kCompletionReported},
      {Action::kConfirmAmount, State::kAmountConfirmed},
      {Action::kMarkPaid, State::kPaid},
  };
  int64_t now = 1000;
  for (const auto& [action, state] : steps) {
    ASSERT_TRUE(Apply(a, action, "x", "", ++now).ok()) << StateName(a.state);
    EXPECT_EQ(a.state, state);
  }
  EXPECT_EQ(a.history.size(), steps.size());
  EXPECT_EQ(a.revision, 1 + static_cast<int64_t>(steps.size()));
  for (const auto& [action, name] : AllActions()) {
    EXPECT_FALSE(Apply(a, action, "x", "", ++now).ok()) << name;
  }
  EXPECT_EQ(a.revision, 1 + static_cast<int64_t>(steps.size()));
}

TEST(ApplicationNameTest, Format) {
  EXPECT_EQ(ApplicationName(Draft()),
            "fiscalYears/2026/schemes/productivity/applications/7");
}

TEST(CheckEtagTest, MatchesTheCurrentRevisionOnly) {
  Application a = Draft();
  const std::string etag = ApplicationEtag(a);
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(ApplicationEtag(a), etag);  // stable
  EXPECT_TRUE(CheckEtag(a, "").ok());
  EXPECT_TRUE(CheckEtag(a, etag).ok());

  absl::Status wrong = CheckEtag(a, "not-the-etag");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kAborted) << wrong;
  EXPECT_EQ(ErrorReason(wrong), "ETAG_MISMATCH");

  ASSERT_TRUE(Apply(a, Action::kUpdate, "alice", "", 1).ok());
  const std::string next = ApplicationEtag(a);
  EXPECT_NE(next, etag);
  EXPECT_EQ(CheckEtag(a, etag).code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(CheckEtag(a, next).ok());

  // Another application at the same revision has another etag.
  Application other = a;
  other.id = 8;
  EXPECT_NE(ApplicationEtag(other), next);
  EXPECT_EQ(CheckEtag(other, next).code(), absl::StatusCode::kAborted);
}

TEST(CommittedYenTest, PerState) {
  const std::map<State, int64_t> committed = {
      {State::kUnspecified, 0},
      {State::kDraft, 0},
      {State::kSubmitted, 0},
      {State::kReturned, 0},
      {State::kApproved, 800'000},
      {State::kRejected, 0},
      {State::kWithdrawn, 0},
      {State::kCompletionReported, 800'000},
      {State::kAmountConfirmed, 700'000},
      {State::kPaid, 700'000},
  };
  ASSERT_EQ(committed.size(), AllStates().size());
  for (const auto& [state, yen] : committed) {
    Application a = Draft();
    a.approved_amount_yen = 800'000;
    a.confirmed_amount_yen = 700'000;
    a.state = state;
    EXPECT_EQ(a.CommittedYen(), yen) << StateName(state);
    EXPECT_EQ(a.IsDecided(), yen > 0) << StateName(state);
  }
  // Confirmed at zero: nothing held, no longer a decision.
  Application zero = Draft();
  zero.approved_amount_yen = 800'000;
  zero.confirmed_amount_yen = 0;
  zero.state = State::kAmountConfirmed;
  EXPECT_EQ(zero.CommittedYen(), 0);
  EXPECT_FALSE(zero.IsDecided());
}

TEST(StartDateTest, PrefersThePriorStartDate) {
  struct Case {
    std::string name;
    std::optional<CivilDate> prior_start;
    std::optional<CivilDate> approval;
    std::optional<CivilDate> start;
  };
  const CivilDate prior{2026, 4, 10};
  const CivilDate approval{2026, 5, 20};
  const std::vector<Case> cases = {
      {"neither", std::nullopt, std::nullopt, std::nullopt},
      {"approval only", std::nullopt, approval, approval},
      {"prior start only", prior, std::nullopt, prior},
      {"both", prior, approval, prior},
  };
  for (const Case& c : cases) {
    Application a = Draft();
    a.prior_start_date = c.prior_start;
    a.approval_date = c.approval;
    std::optional<CivilDate> start = StartDate(a);
    ASSERT_EQ(start.has_value(), c.start.has_value()) << c.name;
    if (start) {
      EXPECT_EQ(FormatDate(*start), FormatDate(*c.start)) << c.name;
    }
  }
}

}  // namespace
}  // namespace shien::subsidy
