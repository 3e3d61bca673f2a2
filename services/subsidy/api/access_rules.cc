#include "services/subsidy/api/access_rules.h"

namespace shien::subsidy {

const auth::AccessRules& SubsidyAccessRules() {
  // Schemes, quotes and statistics are public to every role; applications
  // are applicant data, for reviewers only.
  static const auto* const kRules = new auth::AccessRules{
      {"GetScheme", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ListSchemes", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"UpdateRound", {kAdmin}},
      {"QuoteSubsidy", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"CreateApplication", {kReviewer}},
      {"GetApplication", {kReviewer}},
      {"ListApplications", {kReviewer}},
      {"UpdateApplication", {kReviewer}},
      {"SubmitApplication", {kReviewer}},
      {"ReturnApplication", {kReviewer}},
      {"ApproveApplication", {kReviewer}},
      {"RejectApplication", {kReviewer}},
      {"WithdrawApplication", {kReviewer}},
      {"ApprovePriorStart", {kReviewer}},
      {"ReportCompletion", {kReviewer}},
      {"ConfirmAmount", {kReviewer}},
      {"MarkPaid", {kReviewer}},
      {"GetSchemeStats", {kViewer, kReporter, kReviewer, kAdmin, kService}},
  };
  return *kRules;
}

}  // namespace shien::subsidy
