#include "services/budget/api/access_rules.h"

namespace shien::budget {

const auth::AccessRules& BudgetAccessRules() {
  // Plan figures are public to every role; the fund reservations name the
  // applications holding them, which is applicant data.
  static const auto* const kRules = new auth::AccessRules{
      {"GetFiscalYear", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ListFiscalYears", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"GetProgram", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ListPrograms", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"UpdateProgram", {kAdmin}},
      {"GetBudgetSummary", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      // Reporters record for their own departments' programs only.
      {"RecordExpenditures", {kReporter}},
      {"ListExpenditures", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"GetExecutionSummary",
       {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"GetEnvelope", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ListEnvelopes", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ReserveFunds", {kService}},
      {"ReleaseFunds", {kService}},
      {"ListReservations", {kReviewer, kAdmin, kService}},
      // For services that cache views built from the programs.
      {"WatchProgramVersions", {kService}},
  };
  return *kRules;
}

}  // namespace shien::budget
