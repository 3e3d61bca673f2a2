#include "services/kpi/api/access_rules.h"

namespace shien::kpi {

const auth::AccessRules& KpiAccessRules() {
  static const auto* const kRules = new auth::AccessRules{
      {"GetIndicator", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"ListIndicators", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"CreateIndicator", {kAdmin}},
      {"UpdateIndicator", {kAdmin}},
      // Reporters record for their own departments' programs only; the
      // subsidy service records the schemes' decision counts.
      {"RecordMeasurements", {kReporter, kService}},
      {"ListMeasurements", {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"GetIndicatorProgress",
       {kViewer, kReporter, kReviewer, kAdmin, kService}},
      {"GetKpiDashboard", {kViewer, kReporter, kReviewer, kAdmin, kService}},
  };
  return *kRules;
}

}  // namespace shien::kpi
