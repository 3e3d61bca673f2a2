#include "services/budget/domain/expenditure.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/api/request_id.h"
#include "common/fiscal/fiscal.h"
#include "common/status/errors.h"
#include "services/budget/domain/budget_summary.h"

namespace shien::budget {

absl::Status ValidateExpenditure(const Expenditure& e) {
  absl::Status s = ValidateRequestId(e.request_id, "request_id", true);
  if (!s.ok()) return s;
  if (e.amount_yen < 1 || e.amount_yen > kMaxExpenditureYen) {
    return FieldError("amount_yen", "OUT_OF_RANGE",
                      absl::StrCat("must be 1 to ", kMaxExpenditureYen,
                                   " yen, got ", e.amount_yen));
  }
  if (!MonthInFiscalYear(e.fiscal_year, e.year, e.month)) {
    return FieldError(
        "month", "MONTH_OUT_OF_FISCAL_YEAR",
        absl::StrCat(e.year, "-", e.month, " is not a month of fiscal year ",
                     e.fiscal_year, " (", e.fiscal_year, "-04 to ",
                     e.fiscal_year + 1, "-03)"));
  }
  if (e.source_record_id.size() > kMaxSourceRecordIdBytes) {
    return FieldError(
        "source_record_id", "FIELD_TOO_LONG",
        absl::StrCat("is longer than ", kMaxSourceRecordIdBytes, " bytes"));
  }
  if (e.description.size() > kMaxDescriptionBytes) {
    return FieldError(
        "description", "FIELD_TOO_LONG",
        absl::StrCat("is longer than ", kMaxDescriptionBytes, " bytes"));
  }
  return absl::OkStatus();
}

bool SameExpenditure(const Expenditure& a, const Expenditure& b) {
  return a.fiscal_year == b.fiscal_year &&
         a.program_number == b.program_number && a.year == b.year &&
         a.month == b.month && a.amount_yen == b.amount_yen &&
         a.source_record_id == b.source_record_id &&
         a.description == b.description;
}

ExecutionSummary ComputeExecutionSummary(
    const std::vector<Program>& programs,
    const std::vector<ExecutionTotal>& totals) {
  std::map<int, const ExecutionTotal*> by_number;
  for (const ExecutionTotal& t : totals) by_number[t.program_number] = &t;
  std::vector<const Program*> sorted;
  for (const Program& p : programs) sorted.push_back(&p);
  std::sort(
      sorted.begin(), sorted.end(),
      [](const Program* a, const Program* b) { return a->number < b->number; });
  ExecutionSummary summary;
  summary.total.key = "total";
  std::map<Area, ExecutionRow> areas;
  for (const Program* p : sorted) {
    ExecutionRow row;
    row.key =
        absl::StrCat("fiscalYears/", p->fiscal_year, "/programs/", p->number);
    row.area = p->area;
    row.program_number = p->number;
    row.budget_yen = p->budget_yen;
    auto it = by_number.find(p->number);
    if (it != by_number.end()) {
      row.executed_yen = it->second->executed_yen;
      row.record_count = it->second->record_count;
    }
    ExecutionRow& area = areas[p->area];
    area.key = AreaTitle(p->area);
    area.area = p->area;
    for (ExecutionRow* sum : {&area, &summary.total}) {
      sum->budget_yen += row.budget_yen;
      sum->executed_yen += row.executed_yen;
      sum->record_count += row.record_count;
    }
    summary.programs.push_back(std::move(row));
  }
  for (auto& [area, row] : areas) summary.areas.push_back(std::move(row));
  return summary;
}

}  // namespace shien::budget
