#include "services/budget/domain/budget_summary.h"

#include <algorithm>
#include <map>

namespace shien::budget {
namespace {

constexpr char kNoDepartment[] = "(担当課なし)";

// Rows keyed by string in first-appearance order.
class RowSet {
 public:
  SummaryRow& Row(const std::string& key) {
    auto it = index_.find(key);
    if (it != index_.end()) return rows_[it->second];
    index_[key] = rows_.size();
    SummaryRow row;
    row.key = key;
    rows_.push_back(std::move(row));
    return rows_.back();
  }
  SummaryRow* Find(const std::string& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &rows_[it->second];
  }
  std::vector<SummaryRow> Take() { return std::move(rows_); }

 private:
  std::map<std::string, size_t> index_;
  std::vector<SummaryRow> rows_;
};

std::vector<Program> ByNumber(std::vector<Program> programs) {
  std::sort(
      programs.begin(), programs.end(),
      [](const Program& a, const Program& b) { return a.number < b.number; });
  return programs;
}

struct Breakdowns {
  int64_t total = 0;
  RowSet area, funding, department;
};

void Accumulate(const std::vector<Program>& programs, Breakdowns& out) {
  for (const Program& p : ByNumber(programs)) {
    out.total += p.budget_yen;
    SummaryRow& area = out.area.Row(AreaTitle(p.area));
    area.area = p.area;
    area.budget_yen += p.budget_yen;
    area.attributions.push_back({p.number, p.budget_yen, 1, 1});
    SummaryRow& funding = out.funding.Row(FundingLabel(p.funding_sources));
    funding.budget_yen += p.budget_yen;
    funding.attributions.push_back({p.number, p.budget_yen, 1, 1});
    std::vector<std::string> depts = p.departments;
    if (depts.empty()) depts.push_back(kNoDepartment);
    const int64_t n = static_cast<int64_t>(depts.size());
    const int64_t share = p.budget_yen / n;
    const int64_t remainder = p.budget_yen - share * n;
    for (size_t i = 0; i < depts.size(); ++i) {
      int64_t amount = share + (i == 0 ? remainder : 0);
      SummaryRow& row = out.department.Row(depts[i]);
      row.budget_yen += amount;
      row.attributions.push_back({p.number, amount, 1, n});
    }
  }
}

// Sets prior_year_budget_yen on every row of `current` from `prior`, adding
// rows that only the prior year has.
std::vector<SummaryRow> Merge(RowSet& current, RowSet& prior) {
  std::vector<SummaryRow> prior_rows = prior.Take();
  for (const SummaryRow& p : prior_rows) {
    SummaryRow& row = current.Row(p.key);
    if (row.area == Area::kUnspecified) row.area = p.area;
    row.prior_year_budget_yen = p.budget_yen;
  }
  std::vector<SummaryRow> rows = current.Take();
  for (SummaryRow& row : rows) {
    if (!row.prior_year_budget_yen.has_value()) row.prior_year_budget_yen = 0;
  }
  return rows;
}

}  // namespace

std::string AreaTitle(Area area) {
  switch (area) {
    case Area::kManagementFoundation:
      return "経営基盤の強化";
    case Area::kMarketExpansion:
      return "販路拡大・販路開拓";
    case Area::kNewBusinessTechnology:
      return "新事業・新技術の創出";
    case Area::kHumanResources:
      return "人材確保・育成";
    case Area::kInformation:
      return "情報収集・発信";
    case Area::kCorporateAccounting:
      return "法人会計";
    case Area::kUnspecified:
      break;
  }
  return "(未設定)";
}

BudgetSummary ComputeBudgetSummary(
    int fiscal_year, const std::vector<Program>& programs,
    const std::optional<std::vector<Program>>& prior) {
  BudgetSummary summary;
  summary.fiscal_year = fiscal_year;
  Breakdowns now;
  Accumulate(programs, now);
  summary.total_yen = now.total;
  if (prior.has_value()) {
    Breakdowns before;
    Accumulate(*prior, before);
    summary.prior_year_total_yen = before.total;
    summary.by_area = Merge(now.area, before.area);
    summary.by_funding = Merge(now.funding, before.funding);
    summary.by_department = Merge(now.department, before.department);
  } else {
    summary.by_area = now.area.Take();
    summary.by_funding = now.funding.Take();
    summary.by_department = now.department.Take();
  }
  std::stable_sort(
      summary.by_area.begin(), summary.by_area.end(),
      [](const SummaryRow& a, const SummaryRow& b) { return a.area < b.area; });
  return summary;
}

}  // namespace shien::budget
