// The reading commands: budget (programs, summary, execution,
// expenditures), KPI (indicators, progress, dashboard, measurements) and
// subsidy (schemes, applications, stats). Tables print money in 千円 as the
// plan does; --json prints the response in the proto JSON mapping.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fiscal/fiscal.h"
#include "tools/shienctl/command.h"
#include "tools/shienctl/flags.h"
#include "tools/shienctl/format.h"
#include "tools/shienctl/read_format.h"
#include "tools/shienctl/table.h"

namespace shien::ctl {
namespace {

namespace bpb = ::shien::budget::v1;
namespace kpb = ::shien::kpi::v1;
namespace spb = ::shien::subsidy::v1;

std::string Year(const Env& env) { return YearLabel(env.year, env.era); }

std::string OptionalSen(bool has, int64_t yen) { return has ? Sen(yen) : "-"; }

int Programs(const Env& env, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(env, "programs", "takes no arguments");
  bpb::ListProgramsRequest request;
  request.set_parent(absl::StrCat("fiscalYears/", env.year));
  request.set_page_size(100);
  request.set_filter(absl::GetFlag(FLAGS_filter));
  bpb::ListProgramsResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->budget->ListPrograms(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListPrograms", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  *env.out << Year(env) << " 事業 (千円)\n";
  Table table({">No", "事業名", "施策の柱", "財源", ">事業費", ">前年度",
               ">増減", "担当課"});
  int64_t total = 0;
  for (const bpb::Program& p : all.programs()) {
    total += p.budget_yen();
    table.AddRow(
        {absl::StrCat(p.number()), p.title(), AreaTitle(p.area()),
         p.funding_label(), Sen(p.budget_yen()),
         OptionalSen(p.has_prior_year_budget_yen(), p.prior_year_budget_yen()),
         OptionalSen(p.has_change_yen(), p.change_yen()),
         absl::StrJoin(p.departments(), "・")});
  }
  table.AddRule();
  table.AddRow({"", absl::StrCat("計 ", all.programs_size(), "事業"), "", "",
                Sen(total)});
  *env.out << table.Render();
  return kExitOk;
}

int ProgramCommand(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) return UsageError(env, "program", "needs PROGRAM");
  bpb::GetProgramRequest request;
  request.set_name(ProgramName(env, args[0]));
  bpb::Program p;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status = env.clients->budget->GetProgram(&context, request, &p);
  if (!status.ok()) return RpcFailed(env, "GetProgram", status);
  if (env.json) {
    PrintJson(env, p);
    return kExitOk;
  }
  std::ostream& out = *env.out;
  out << "【" << p.number() << "】" << p.title() << "  (" << p.name() << ")\n";
  out << "施策の柱  " << AreaTitle(p.area()) << "\n";
  out << "財源      " << p.funding_label() << "\n";
  out << "事業費    " << Sen(p.budget_yen()) << "千円\n";
  if (p.has_prior_year_budget_yen()) {
    out << "前年度    " << Sen(p.prior_year_budget_yen()) << "千円\n";
    out << "増減      " << Sen(p.change_yen()) << "千円\n";
  }
  out << "継続/新規 "
      << (p.continuity() == bpb::CONTINUITY_NEW ? "新規" : "継続") << "\n";
  out << "担当課    " << absl::StrJoin(p.departments(), "・") << "\n";
  if (p.related_agencies_size() > 0) {
    out << "関係機関  " << absl::StrJoin(p.related_agencies(), "、") << "\n";
  }
  if (!p.purpose().empty()) out << "目的      " << p.purpose() << "\n";
  if (!p.overview().empty()) out << "概要      " << p.overview() << "\n";
  for (const std::string& activity : p.activities()) {
    out << "  ・" << activity << "\n";
  }
  return kExitOk;
}

void SummaryRows(
    const Env& env, const char* title,
    const google::protobuf::RepeatedPtrField<bpb::BudgetSummaryRow>& rows,
    bool areas) {
  *env.out << "\n" << title << "\n";
  Table table({title, ">事業費", ">前年度", ">増減", ">事業数"});
  for (const bpb::BudgetSummaryRow& row : rows) {
    table.AddRow({areas ? AreaTitle(row.area()) : row.key(),
                  Sen(row.budget_yen()),
                  OptionalSen(row.has_prior_year_budget_yen(),
                              row.prior_year_budget_yen()),
                  OptionalSen(row.has_change_yen(), row.change_yen()),
                  absl::StrCat(row.attributions_size())});
  }
  *env.out << table.Render();
}

int Summary(const Env& env, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(env, "summary", "takes no arguments");
  bpb::GetBudgetSummaryRequest request;
  request.set_name(absl::StrCat("fiscalYears/", env.year, "/budgetSummary"));
  bpb::BudgetSummary s;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->budget->GetBudgetSummary(&context, request, &s);
  if (!status.ok()) return RpcFailed(env, "GetBudgetSummary", status);
  if (env.json) {
    PrintJson(env, s);
    return kExitOk;
  }
  *env.out << Year(env) << " 予算 (千円)\n";
  *env.out << "事業費計  " << Sen(s.total_yen()) << "\n";
  if (s.has_prior_year_total_yen()) {
    *env.out << "前年度    " << Sen(s.prior_year_total_yen()) << "\n";
    *env.out << "増減      " << Sen(s.change_yen()) << "\n";
  }
  SummaryRows(env, "施策の柱", s.by_area(), true);
  SummaryRows(env, "財源", s.by_funding(), false);
  SummaryRows(env, "担当課", s.by_department(), false);
  return kExitOk;
}

void AddExecutionRow(Table* table, const std::string& label,
                     const bpb::ExecutionRow& row) {
  table->AddRow({label, Sen(row.budget_yen()), Sen(row.executed_yen()),
                 Sen(row.remaining_yen()),
                 Permille(row.execution_rate_permille()),
                 WithSeparators(row.record_count())});
}

int Execution(const Env& env, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(env, "execution", "takes no arguments");
  bpb::GetExecutionSummaryRequest request;
  request.set_name(absl::StrCat("fiscalYears/", env.year, "/executionSummary"));
  bpb::ExecutionSummary s;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->budget->GetExecutionSummary(&context, request, &s);
  if (!status.ok()) return RpcFailed(env, "GetExecutionSummary", status);
  if (env.json) {
    PrintJson(env, s);
    return kExitOk;
  }
  *env.out << Year(env) << " 執行状況 (千円)\n";
  Table table({"事業", ">予算", ">執行額", ">残額", ">執行率", ">件数"});
  for (const bpb::ExecutionRow& row : s.programs()) {
    AddExecutionRow(&table, LastSegment(row.key()), row);
  }
  table.AddRule();
  for (const bpb::ExecutionRow& row : s.areas()) {
    AddExecutionRow(&table, AreaTitle(row.area()), row);
  }
  table.AddRule();
  AddExecutionRow(&table, "計", s.total());
  *env.out << table.Render();
  return kExitOk;
}

int Expenditures(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(env, "expenditures", "needs PROGRAM");
  }
  bpb::ListExpendituresRequest request;
  request.set_parent(ProgramName(env, args[0]));
  request.set_page_size(1000);
  bpb::ListExpendituresResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->budget->ListExpenditures(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListExpenditures", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  Table table({"伝票番号", "月", ">金額(円)", "摘要"});
  int64_t total = 0;
  for (const bpb::Expenditure& e : all.expenditures()) {
    total += e.amount_yen();
    table.AddRow({e.source_record_id(), DateText(e.month()),
                  Yen(e.amount_yen()), e.description()});
  }
  table.AddRule();
  table.AddRow(
      {absl::StrCat("計 ", all.expenditures_size(), "件"), "", Yen(total)});
  *env.out << table.Render();
  return kExitOk;
}

std::string KindWord(kpb::IndicatorKind kind) {
  return kind == kpb::INDICATOR_KIND_OUTCOME ? "成果" : "活動";
}

int Indicators(const Env& env, const std::vector<std::string>& args) {
  if (args.size() > 1) {
    return UsageError(env, "indicators", "takes at most one PROGRAM");
  }
  kpb::ListIndicatorsRequest request;
  request.set_parent(args.empty() ? absl::StrCat("fiscalYears/", env.year)
                                  : ProgramName(env, args[0]));
  request.set_page_size(200);
  request.set_filter(absl::GetFlag(FLAGS_filter));
  kpb::ListIndicatorsResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->kpi->ListIndicators(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListIndicators", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  *env.out << Year(env) << " 成果目標値\n";
  Table table({"指標", "名称", "種別", ">目標"});
  for (const kpb::Indicator& i : all.indicators()) {
    const std::string program = LastSegment(i.program());
    table.AddRow({absl::StrCat(program, "/", LastSegment(i.name())), i.title(),
                  KindWord(i.kind()), TargetText(i, i.target())});
  }
  *env.out << table.Render();
  return kExitOk;
}

std::string StatusWord(kpb::ProgressStatus status) {
  switch (status) {
    case kpb::PROGRESS_STATUS_ACHIEVED:
      return "達成";
    case kpb::PROGRESS_STATUS_ON_TRACK:
      return "順調";
    case kpb::PROGRESS_STATUS_BEHIND:
      return "遅れ";
    case kpb::PROGRESS_STATUS_NO_TARGET:
      return "目標なし";
    default:
      return "-";
  }
}

std::string ProgressRate(const kpb::IndicatorProgress& p) {
  return p.has_progress_permille() ? Permille(p.progress_permille()) : "-";
}

// Sets *date from --as_of when given (left unset otherwise). false with
// *exit_code set on a malformed date.
template <typename Request>
bool ParseAsOf(const Env& env, const char* command, Request* request,
               int* exit_code) {
  const std::string text = absl::GetFlag(FLAGS_as_of);
  if (text.empty()) return true;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      !IsValidDate(CivilDate{y, m, d})) {
    *exit_code = UsageError(env, command, "--as_of must be YYYY-MM-DD");
    return false;
  }
  google::type::Date* date = request->mutable_as_of_date();
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return true;
}

int Progress(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(env, "progress", "needs INDICATOR");
  }
  kpb::GetIndicatorProgressRequest request;
  request.set_name(IndicatorName(env, args[0]));
  int code = kExitOk;
  if (!ParseAsOf(env, "progress", &request, &code)) {
    return code;
  }
  kpb::IndicatorProgress p;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->kpi->GetIndicatorProgress(&context, request, &p);
  if (!status.ok()) return RpcFailed(env, "GetIndicatorProgress", status);
  if (env.json) {
    PrintJson(env, p);
    return kExitOk;
  }
  const kpb::Indicator& i = p.indicator_detail();
  std::ostream& out = *env.out;
  out << i.title() << "  (" << p.indicator() << ")\n";
  out << "時点      " << DateText(p.as_of_date()) << "\n";
  out << "目標      " << TargetText(i, p.target()) << "\n";
  out << "実績      "
      << (p.has_actual() ? IndicatorValue(i, p.actual()) : std::string("-"));
  if (p.has_actual_as_of_date()) {
    out << " (" << DateText(p.actual_as_of_date()) << "時点)";
  }
  out << "\n進捗率    " << ProgressRate(p) << "\n";
  out << "経過      " << FractionPercent(p.expected_share()) << "\n";
  out << "状況      " << StatusWord(p.status()) << "\n";
  out << "年度末見込 " << IndicatorValue(i, p.projected_year_end()) << " ("
      << p.projection_basis() << ")\n";
  return kExitOk;
}

int Dashboard(const Env& env, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(env, "dashboard", "takes no arguments");
  kpb::GetKpiDashboardRequest request;
  request.set_name(absl::StrCat("fiscalYears/", env.year, "/kpiDashboard"));
  const std::string grouping =
      absl::AsciiStrToLower(absl::GetFlag(FLAGS_grouping));
  if (grouping == "program") {
    request.set_grouping(kpb::DASHBOARD_GROUPING_PROGRAM);
  } else if (grouping == "department") {
    request.set_grouping(kpb::DASHBOARD_GROUPING_DEPARTMENT);
  } else if (grouping == "area") {
    request.set_grouping(kpb::DASHBOARD_GROUPING_AREA);
  } else {
    return UsageError(env, "dashboard",
                      "--grouping must be program, department or area");
  }
  int code = kExitOk;
  if (!ParseAsOf(env, "dashboard", &request, &code)) {
    return code;
  }
  kpb::KpiDashboard d;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->kpi->GetKpiDashboard(&context, request, &d);
  if (!status.ok()) return RpcFailed(env, "GetKpiDashboard", status);
  if (env.json) {
    PrintJson(env, d);
    return kExitOk;
  }
  auto counts = [](const kpb::StatusCounts& c) {
    return absl::StrCat("達成 ", c.achieved(), " / 順調 ", c.on_track(),
                        " / 遅れ ", c.behind(), " / 目標なし ", c.no_target());
  };
  *env.out << Year(env) << " KPI (" << DateText(d.as_of_date()) << "時点)  "
           << counts(d.counts()) << "\n";
  for (const kpb::DashboardGroup& group : d.groups()) {
    *env.out << "\n" << group.title() << "  " << counts(group.counts()) << "\n";
    Table table({"指標", "名称", ">目標", ">実績", ">進捗率", "状況"});
    for (const kpb::IndicatorProgress& p : group.indicators()) {
      const kpb::Indicator& i = p.indicator_detail();
      table.AddRow({absl::StrCat(LastSegment(i.program()), "/",
                                 LastSegment(p.indicator())),
                    i.title(), TargetText(i, p.target()),
                    p.has_actual() ? IndicatorValue(i, p.actual()) : "-",
                    ProgressRate(p), StatusWord(p.status())});
    }
    *env.out << table.Render();
  }
  return kExitOk;
}

int Measurements(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(env, "measurements", "needs INDICATOR");
  }
  kpb::ListMeasurementsRequest request;
  request.set_parent(IndicatorName(env, args[0]));
  request.set_page_size(1000);
  kpb::ListMeasurementsResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->kpi->ListMeasurements(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListMeasurements", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  Table table({"期間", "種別", ">値", "状態", "request_id"});
  for (const kpb::Measurement& m : all.measurements()) {
    table.AddRow(
        {m.has_month() ? DateText(m.month()) : DateText(m.as_of_date()),
         m.kind() == kpb::MEASUREMENT_KIND_FORECAST ? "見込み" : "実績",
         WithSeparators(m.value()), m.has_supersede_time() ? "訂正済" : "現行",
         m.request_id()});
  }
  *env.out << table.Render();
  return kExitOk;
}

int Schemes(const Env& env, const std::vector<std::string>& args) {
  if (!args.empty()) return UsageError(env, "schemes", "takes no arguments");
  spb::ListSchemesRequest request;
  request.set_parent(absl::StrCat("fiscalYears/", env.year));
  request.set_page_size(100);
  spb::ListSchemesResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->subsidy->ListSchemes(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListSchemes", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  *env.out << Year(env) << " 補助金制度 (千円)\n";
  Table table({"制度", "名称", ">事業", ">補助率", ">予算枠", "コース"});
  for (const spb::Scheme& s : all.schemes()) {
    std::vector<std::string> courses;
    for (const spb::Course& c : s.courses()) {
      courses.push_back(absl::StrCat(c.title(), " 上限", Sen(c.cap_yen())));
    }
    table.AddRow({LastSegment(s.name()), s.title(), LastSegment(s.program()),
                  s.terms_published() ? absl::StrCat(s.rate().numerator(), "/",
                                                     s.rate().denominator())
                                      : "未公表",
                  s.envelope_yen() > 0 ? Sen(s.envelope_yen()) : "-",
                  absl::StrJoin(courses, "、")});
  }
  *env.out << table.Render();
  return kExitOk;
}

int Applications(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(env, "applications", "needs SCHEME");
  }
  spb::ListApplicationsRequest request;
  request.set_parent(SchemeName(env, args[0]));
  request.set_page_size(100);
  request.set_filter(absl::GetFlag(FLAGS_filter));
  spb::ListApplicationsResponse all;
  grpc::Status status = ListAll(
      env, request, &all, [&](auto* context, const auto& req, auto* resp) {
        return env.clients->subsidy->ListApplications(context, req, resp);
      });
  if (!status.ok()) return RpcFailed(env, "ListApplications", status);
  if (env.json) {
    PrintJson(env, all);
    return kExitOk;
  }
  Table table({"申請", "申請者", "期", "コース", "状態", ">申請額(円)",
               ">交付決定額(円)"});
  for (const spb::Application& a : all.applications()) {
    table.AddRow({LastSegment(a.name()), a.applicant().name(), a.round(),
                  a.course(), StateWord(a.state()), Yen(a.quote().amount_yen()),
                  Yen(a.approved_amount_yen())});
  }
  *env.out << table.Render();
  return kExitOk;
}

int Stats(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) return UsageError(env, "stats", "needs SCHEME");
  spb::GetSchemeStatsRequest request;
  request.set_name(SchemeName(env, args[0]) + "/stats");
  spb::SchemeStats s;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->subsidy->GetSchemeStats(&context, request, &s);
  if (!status.ok()) return RpcFailed(env, "GetSchemeStats", status);
  if (env.json) {
    PrintJson(env, s);
    return kExitOk;
  }
  std::ostream& out = *env.out;
  out << s.name() << " (千円)\n";
  out << "予算枠    " << Sen(s.envelope_yen()) << "\n";
  out << "確保済    " << Sen(s.reserved_yen()) << "\n";
  out << "残額      " << Sen(s.available_yen()) << "\n";
  if (s.pending_release_yen() != 0) {
    out << "解除待ち  " << Sen(s.pending_release_yen()) << "\n";
  }
  if (s.dead_release_yen() != 0) {
    out << "要確認    " << Sen(s.dead_release_yen()) << "\n";
  }
  auto rows = [&](const char* title, const auto& list) {
    out << "\n";
    Table table({title, ">件数", ">申請額", ">交付決定額"});
    for (const spb::StatsRow& row : list) {
      table.AddRow({row.key(), absl::StrCat(row.count()),
                    Sen(row.requested_yen()), Sen(row.committed_yen())});
    }
    out << table.Render();
  };
  rows("状態", s.by_state());
  rows("期", s.by_round());
  rows("コース", s.by_course());
  return kExitOk;
}

}  // namespace

void AddReadCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"programs", "[--filter=EXPR]", "the year's programs (事業) and budgets",
       "Lists the fiscal year's programs with budget, prior year and change "
       "in\n"
       "千円 (▲ = negative), and the total.\n"
       "  --filter  e.g. 'department = \"経営支援課\" AND area = "
       "AREA_MARKET_EXPANSION'\n"
       "            (also funding_source = FUNDING_SOURCE_PREFECTURE, "
       "continuity = ...)\n"
       "Example: shienctl programs --year=2026 --era",
       Programs});
  commands->push_back({"program", "PROGRAM",
                       "one program's sheet (PROGRAM: 11 or a resource name)",
                       "Example: shienctl program 3", ProgramCommand});
  commands->push_back(
      {"summary", "", "budget summary: total and by area, funding, department",
       "Each breakdown sums exactly to the total; a program with two\n"
       "departments is split equally between them.\n"
       "Example: shienctl summary --year=2026",
       Summary});
  commands->push_back(
      {"execution", "", "budget against recorded expenditures (執行状況)",
       "Per program, per area and in total: budget, executed, remaining "
       "(千円),\n"
       "execution rate to one decimal and the number of records.",
       Execution});
  commands->push_back({"expenditures", "PROGRAM",
                       "a program's expenditure records, in yen",
                       "Example: shienctl expenditures 11", Expenditures});
  commands->push_back(
      {"indicators", "[PROGRAM] [--filter=EXPR]",
       "target indicators (成果目標値) of the year or of one program",
       "  --filter  e.g. 'kind = INDICATOR_KIND_OUTCOME', "
       "'department = \"経営支援課\"'\n"
       "The first column is the INDICATOR short name progress and import "
       "use.",
       Indicators});
  commands->push_back(
      {"progress", "INDICATOR [--as_of=YYYY-MM-DD]",
       "an indicator's progress against its target",
       "INDICATOR is PROGRAM/ID (e.g. 9/consultations) or a resource name.\n"
       "Example: shienctl progress 9/consultations --year=2025",
       Progress});
  commands->push_back(
      {"dashboard", "[--grouping=program|department|area] [--as_of=DATE]",
       "every indicator with progress, grouped, with counts by status",
       "Example: shienctl dashboard --grouping=department", Dashboard});
  commands->push_back({"measurements", "INDICATOR",
                       "an indicator's recorded values, every version",
                       "Example: shienctl measurements 17/consultations",
                       Measurements});
  commands->push_back({"schemes", "", "the year's subsidy schemes",
                       "Example: shienctl schemes", Schemes});
  commands->push_back({"applications", "SCHEME [--filter=EXPR]",
                       "a scheme's applications (SCHEME: e.g. productivity)",
                       "  --filter  e.g. 'state = "
                       "APPLICATION_STATE_SUBMITTED', 'round = \"1\"'",
                       Applications});
  commands->push_back({"stats", "SCHEME",
                       "a scheme's counts and amounts; envelope use",
                       "Example: shienctl stats productivity", Stats});
}

}  // namespace shien::ctl
