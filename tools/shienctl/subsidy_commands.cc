// The subsidy work: quote, create, show, and every lifecycle step (submit,
// return, approve, reject, withdraw, report, confirm, pay). Inputs that are
// documents (an application, a completion report) are JSON files in the
// proto JSON mapping; each command prints the application afterwards (or
// with --json the response).
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "tools/shienctl/command.h"
#include "tools/shienctl/flags.h"
#include "tools/shienctl/format.h"
#include "tools/shienctl/import_rows.h"
#include "tools/shienctl/read_format.h"
#include "tools/shienctl/table.h"

namespace shien::ctl {
namespace {

namespace spb = ::shien::subsidy::v1;

// Reads `path` ("-" for stdin) as JSON into *message. false with a message
// on env.err when the file cannot be read or parsed.
bool ReadJson(const Env& env, const std::string& path,
              google::protobuf::Message* message) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream file(path);
    if (!file) {
      *env.err << "shienctl: cannot read " << path << "\n";
      return false;
    }
    text << file.rdbuf();
  }
  auto status =
      google::protobuf::util::JsonStringToMessage(text.str(), message);
  if (!status.ok()) {
    *env.err << "shienctl: " << path << " is not a "
             << message->GetDescriptor()->full_name()
             << " in JSON: " << status.message() << "\n";
    return false;
  }
  return true;
}

void PrintQuote(const Env& env, const spb::Quote& q) {
  std::ostream& out = *env.out;
  out << "判定      " << (q.eligible() ? "対象" : "対象外") << "\n";
  out << "補助額    " << Yen(q.amount_yen()) << "円\n";
  out << "対象経費  " << Yen(q.eligible_expenses_yen()) << "円\n";
  out << "中小企業  " << (q.sme() ? "yes" : "no") << "  小規模企業者  "
      << (q.small_enterprise() ? "yes" : "no") << "\n";
  if (q.steps_size() > 0) {
    Table table({"計算", ">金額(円)"});
    for (const spb::QuoteStep& step : q.steps()) {
      table.AddRow({step.label(), Yen(step.amount_yen())});
    }
    out << table.Render();
  }
  for (const spb::Ineligibility& reason : q.reasons()) {
    out << "  ! " << reason.reason() << " " << reason.field() << ": "
        << reason.description() << "\n";
  }
}

void PrintApplication(const Env& env, const spb::Application& a) {
  if (env.json) {
    PrintJson(env, a);
    return;
  }
  std::ostream& out = *env.out;
  out << a.name() << "\n";
  out << "状態      " << StateWord(a.state()) << "\n";
  out << "申請者    " << a.applicant().name() << " ("
      << a.applicant().corporate_number() << ")\n";
  out << "期/コース " << a.round() << " / " << a.course() << "\n";
  out << "申請額    " << Yen(a.quote().amount_yen()) << "円"
      << (a.quote().eligible() ? "" : " (対象外)") << "\n";
  if (a.approved_amount_yen() > 0) {
    out << "交付決定額 " << Yen(a.approved_amount_yen()) << "円 ("
        << DateText(a.approval_date()) << ")\n";
  }
  if (a.confirmed_amount_yen() > 0) {
    out << "確定額    " << Yen(a.confirmed_amount_yen()) << "円\n";
  }
  if (a.expenses_size() > 0) {
    Table table({"経費区分", "内容", ">金額(円)"});
    for (const spb::Expense& e : a.expenses()) {
      table.AddRow({e.category(), e.description(), Yen(e.amount_yen())});
    }
    out << table.Render();
  }
  for (const spb::Ineligibility& reason : a.quote().reasons()) {
    out << "  ! " << reason.reason() << " " << reason.field() << ": "
        << reason.description() << "\n";
  }
}

int Quote(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) return UsageError(env, "quote", "needs FILE.json");
  spb::QuoteSubsidyRequest request;
  if (!ReadJson(env, args[0], &request)) return kExitUsage;
  request.set_scheme(SchemeName(env, request.scheme()));
  spb::Quote quote;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->subsidy->QuoteSubsidy(&context, request, &quote);
  if (!status.ok()) return RpcFailed(env, "QuoteSubsidy", status);
  if (env.json) {
    PrintJson(env, quote);
  } else {
    PrintQuote(env, quote);
  }
  return kExitOk;
}

int Create(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 2) {
    return UsageError(env, "create", "needs SCHEME FILE.json");
  }
  spb::CreateApplicationRequest request;
  request.set_parent(SchemeName(env, args[0]));
  if (!ReadJson(env, args[1], request.mutable_application())) {
    return kExitUsage;
  }
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  if (request.request_id().empty()) {
    // The same application content under the same scheme is one creation:
    // running the command again returns the application made the first time.
    std::string body;
    request.application().SerializePartialToString(&body);
    request.set_request_id(
        absl::StrCat("shienctl-create-",
                     Fnv64Hex(absl::StrCat(request.parent(), "\n", body))));
  }
  spb::Application application;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->subsidy->CreateApplication(&context, request, &application);
  if (!status.ok()) return RpcFailed(env, "CreateApplication", status);
  PrintApplication(env, application);
  return kExitOk;
}

int Show(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return UsageError(env, "application", "needs APPLICATION");
  }
  spb::GetApplicationRequest request;
  request.set_name(ApplicationName(env, args[0]));
  spb::Application application;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  grpc::Status status =
      env.clients->subsidy->GetApplication(&context, request, &application);
  if (!status.ok()) return RpcFailed(env, "GetApplication", status);
  PrintApplication(env, application);
  return kExitOk;
}

// One lifecycle step: `call` gets the name, current etag and request_id.
using Step = std::function<grpc::Status(
    grpc::ClientContext*, const std::string& name, const std::string& etag,
    const std::string& request_id, spb::Application* out)>;

// Fetches the application for its etag, then runs `step` with a request_id
// from --request_id or derived from the command, the name and the etag: a
// retry of a step whose answer was lost (the application unchanged) reuses
// the id, and the server answers it once.
int RunStep(const Env& env, const std::vector<std::string>& args,
            const char* command, const char* method, size_t arg_count,
            const Step& step) {
  if (args.size() != arg_count) {
    return UsageError(env, command, "wrong number of arguments");
  }
  const std::string name = ApplicationName(env, args[0]);
  spb::GetApplicationRequest get;
  get.set_name(name);
  spb::Application current;
  grpc::ClientContext get_context;
  SetDeadline(&get_context, env.timeout_s);
  grpc::Status status =
      env.clients->subsidy->GetApplication(&get_context, get, &current);
  if (!status.ok()) return RpcFailed(env, "GetApplication", status);
  std::string request_id = absl::GetFlag(FLAGS_request_id);
  if (request_id.empty()) {
    request_id =
        absl::StrCat("shienctl-", command, "-",
                     Fnv64Hex(absl::StrCat(name, "\n", current.etag())));
  }
  spb::Application application;
  grpc::ClientContext context;
  SetDeadline(&context, env.timeout_s);
  status = step(&context, name, current.etag(), request_id, &application);
  if (!status.ok()) return RpcFailed(env, method, status);
  PrintApplication(env, application);
  return kExitOk;
}

template <typename Request>
void Fill(Request* request, const std::string& name, const std::string& etag,
          const std::string& request_id) {
  request->set_name(name);
  request->set_etag(etag);
  request->set_request_id(request_id);
}

int Submit(const Env& env, const std::vector<std::string>& args) {
  return RunStep(
      env, args, "submit", "SubmitApplication", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::SubmitApplicationRequest request;
        Fill(&request, name, etag, id);
        return env.clients->subsidy->SubmitApplication(context, request, out);
      });
}

int Return(const Env& env, const std::vector<std::string>& args) {
  if (absl::GetFlag(FLAGS_reason).empty()) {
    return UsageError(env, "return", "--reason is required");
  }
  return RunStep(
      env, args, "return", "ReturnApplication", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::ReturnApplicationRequest request;
        Fill(&request, name, etag, id);
        request.set_reason(absl::GetFlag(FLAGS_reason));
        return env.clients->subsidy->ReturnApplication(context, request, out);
      });
}

int Approve(const Env& env, const std::vector<std::string>& args) {
  return RunStep(
      env, args, "approve", "ApproveApplication", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::ApproveApplicationRequest request;
        Fill(&request, name, etag, id);
        return env.clients->subsidy->ApproveApplication(context, request, out);
      });
}

int Reject(const Env& env, const std::vector<std::string>& args) {
  if (absl::GetFlag(FLAGS_reason).empty()) {
    return UsageError(env, "reject", "--reason is required");
  }
  return RunStep(
      env, args, "reject", "RejectApplication", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::RejectApplicationRequest request;
        Fill(&request, name, etag, id);
        request.set_reason(absl::GetFlag(FLAGS_reason));
        return env.clients->subsidy->RejectApplication(context, request, out);
      });
}

int Withdraw(const Env& env, const std::vector<std::string>& args) {
  return RunStep(
      env, args, "withdraw", "WithdrawApplication", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::WithdrawApplicationRequest request;
        Fill(&request, name, etag, id);
        request.set_reason(absl::GetFlag(FLAGS_reason));
        return env.clients->subsidy->WithdrawApplication(context, request, out);
      });
}

int Report(const Env& env, const std::vector<std::string>& args) {
  if (args.size() != 2) {
    return UsageError(env, "report", "needs APPLICATION FILE.json");
  }
  spb::ReportCompletionRequest report;
  if (!ReadJson(env, args[1], &report)) return kExitUsage;
  return RunStep(
      env, {args[0]}, "report", "ReportCompletion", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::ReportCompletionRequest request = report;
        Fill(&request, name, etag, id);
        return env.clients->subsidy->ReportCompletion(context, request, out);
      });
}

int Confirm(const Env& env, const std::vector<std::string>& args) {
  return RunStep(
      env, args, "confirm", "ConfirmAmount", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::ConfirmAmountRequest request;
        Fill(&request, name, etag, id);
        return env.clients->subsidy->ConfirmAmount(context, request, out);
      });
}

int Pay(const Env& env, const std::vector<std::string>& args) {
  return RunStep(
      env, args, "pay", "MarkPaid", 1,
      [&](auto* context, auto& name, auto& etag, auto& id, auto* out) {
        spb::MarkPaidRequest request;
        Fill(&request, name, etag, id);
        return env.clients->subsidy->MarkPaid(context, request, out);
      });
}

constexpr char kStepHelp[] =
    "APPLICATION is SCHEME/ID (e.g. productivity/1) or a resource name.\n"
    "The application is read first; its etag is sent, so a change made by\n"
    "someone else in between is refused (ABORTED). The request_id is\n"
    "derived from the command, the application and its etag (or\n"
    "--request_id), so running the same command again after a lost answer\n"
    "does not apply it twice.";

}  // namespace

void AddSubsidyCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"quote", "FILE.json", "quote a subsidy: eligibility and arithmetic",
       "FILE.json is a shien.subsidy.v1.QuoteSubsidyRequest in JSON (\"-\" "
       "reads stdin);\n"
       "\"scheme\" may be short (\"productivity\"). Changes nothing.\n"
       "Example FILE.json:\n"
       "  {\"scheme\":\"productivity\",\"course\":\"general\",\n"
       "   \"applicant\":{\"corporateNumber\":\"3180001031569\",\"name\":"
       "\"株式会社三重精工\",\n"
       "     \"headOfficePrefecture\":\"三重県\",\"industry\":"
       "\"INDUSTRY_MANUFACTURING_AND_OTHERS\",\n"
       "     \"capitalYen\":\"10000000\",\"employees\":12},\n"
       "   \"expenses\":[{\"category\":\"machinery\",\"amountYen\":"
       "\"1234567\"}]}",
       Quote});
  commands->push_back(
      {"create", "SCHEME FILE.json [--request_id=ID]",
       "create a draft application",
       "FILE.json is a shien.subsidy.v1.Application in JSON (round, course,\n"
       "applicant, expenses). The default request_id is derived from the\n"
       "scheme and the content: creating the same content again returns the\n"
       "first application. Prints the new application's name.",
       Create});
  commands->push_back({"application", "APPLICATION",
                       "one application (SCHEME/ID, e.g. productivity/1)",
                       kStepHelp, Show});
  commands->push_back(
      {"submit", "APPLICATION", "submit (申請) a draft", kStepHelp, Submit});
  commands->push_back({"return", "APPLICATION --reason=TEXT",
                       "return (差戻し) for correction", kStepHelp, Return});
  commands->push_back({"approve", "APPLICATION",
                       "approve (交付決定): reserves the funds", kStepHelp,
                       Approve});
  commands->push_back(
      {"reject", "APPLICATION --reason=TEXT", "reject", kStepHelp, Reject});
  commands->push_back({"withdraw", "APPLICATION [--reason=TEXT]",
                       "withdraw (取下げ); reserved funds are released",
                       kStepHelp, Withdraw});
  commands->push_back(
      {"report", "APPLICATION FILE.json", "completion report (実績報告)",
       "FILE.json is {\"actualExpenses\":[{\"category\":\"machinery\",\n"
       "  "
       "\"amountYen\":\"1000000\",\"incurredDate\":{\"year\":2027,\"month\":3,"
       "\"day\":15}}]}\n"
       "(a shien.subsidy.v1.ReportCompletionRequest in JSON).",
       Report});
  commands->push_back({"confirm", "APPLICATION",
                       "confirm the amount (額の確定) from the report",
                       kStepHelp, Confirm});
  commands->push_back(
      {"pay", "APPLICATION", "mark the application paid", kStepHelp, Pay});
}

}  // namespace shien::ctl
