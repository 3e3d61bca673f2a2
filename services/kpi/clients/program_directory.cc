#include "services/kpi/clients/program_directory.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/client/coalesced_read.h"
#include "common/status/errors.h"
#include "common/sync/blocking_region.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/kpi/clients/program_version_watch.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"

namespace shien::kpi {
namespace {

namespace budget = ::shien::budget::v1;

std::string AreaTitle(int area) {
  static constexpr const char* kTitles[] = {"(未設定)",
                                            "経営基盤の強化",
                                            "販路拡大・販路開拓",
                                            "新事業・新技術の創出",
                                            "人材確保・育成",
                                            "情報収集・発信",
                                            "法人会計"};
  return area >= 0 && area <= 6 ? kTitles[area] : kTitles[0];
}

ProgramInfo FromProto(int year, const budget::Program& p) {
  ProgramInfo info;
  info.fiscal_year = year;
  info.number = p.number();
  info.title = p.title();
  info.area_name = budget::Area_Name(p.area());
  info.area_title = AreaTitle(p.area());
  info.departments.assign(p.departments().begin(), p.departments().end());
  return info;
}

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return Error(absl::StatusCode::kNotFound, "PROGRAM_NOT_FOUND",
                   absl::StrCat(what, " does not exist in the budget service"));
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Error(absl::StatusCode::kInvalidArgument, "INVALID_PROGRAM",
                   absl::StrCat(what, ": ", status.error_message()));
    default:
      return Error(absl::StatusCode::kUnavailable, "BUDGET_UNAVAILABLE",
                   absl::StrCat("the budget service did not answer for ", what,
                                ": ", status.error_message()));
  }
}

class BudgetProgramDirectory final : public ProgramDirectory {
 public:
  BudgetProgramDirectory(std::shared_ptr<grpc::Channel> channel, int timeout_ms,
                         bool watch_versions)
      : stub_(budget::BudgetService::NewStub(channel)),
        timeout_ms_(timeout_ms),
        watch_(watch_versions
                   ? std::make_unique<ProgramVersionWatch>(std::move(channel))
                   : nullptr) {}

  absl::StatusOr<ProgramInfo> GetProgram(int fiscal_year, int number) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    budget::GetProgramRequest req;
    req.set_name(
        absl::StrCat("fiscalYears/", fiscal_year, "/programs/", number));
    budget::Program program;
    grpc::Status status;
    {
      BlockingRegion waiting;
      status = stub_->GetProgram(&ctx, req, &program);
    }
    if (!status.ok()) return FromGrpc(status, req.name());
    return FromProto(fiscal_year, program);
  }

  absl::StatusOr<std::vector<ProgramInfo>> ListPrograms(
      int fiscal_year) override {
    std::vector<ProgramInfo> out;
    budget::ListProgramsRequest req;
    req.set_parent(absl::StrCat("fiscalYears/", fiscal_year));
    req.set_page_size(100);
    do {
      grpc::ClientContext ctx;
      ctx.set_deadline(Deadline());
      budget::ListProgramsResponse resp;
      grpc::Status status;
      {
        BlockingRegion waiting;
        status = stub_->ListPrograms(&ctx, req, &resp);
      }
      if (!status.ok()) return FromGrpc(status, req.parent());
      for (const auto& p : resp.programs()) {
        out.push_back(FromProto(fiscal_year, p));
      }
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  // Under a lease the watch knows. Otherwise concurrent callers share one
  // call to the budget service, one that started after they asked (so no
  // caller sees a version older than its own request).
  void ProgramsVersion(
      int fiscal_year,
      std::function<void(absl::StatusOr<int64_t>)> done) override {
    if (watch_ != nullptr) {
      if (std::optional<int64_t> v = watch_->Version(fiscal_year)) {
        return done(*v);
      }
    }
    client::CoalescedRead* read;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = versions_[fiscal_year];
      if (slot == nullptr) {
        slot = std::make_unique<client::CoalescedRead>(
            [this, fiscal_year](client::CoalescedRead::Done answer) {
              ReadProgramsVersion(fiscal_year, std::move(answer));
            });
      }
      read = slot.get();
    }
    read->Get(std::move(done));
  }

 private:
  // One GetFiscalYear on the callback API; `done` runs on gRPC's thread.
  void ReadProgramsVersion(int fiscal_year, client::CoalescedRead::Done done) {
    struct Read {
      grpc::ClientContext context;
      budget::GetFiscalYearRequest request;
      budget::FiscalYear year;
    };
    // Owned by the call until its callback, which ends it.
    auto* read = new Read;
    read->context.set_deadline(Deadline());
    read->request.set_name(absl::StrCat("fiscalYears/", fiscal_year));
    stub_->async()->GetFiscalYear(
        &read->context, &read->request, &read->year,
        [read, done = std::move(done)](grpc::Status status) {
          absl::StatusOr<int64_t> answer =
              status.ok()
                  ? absl::StatusOr<int64_t>(read->year.programs_version())
                  : FromGrpc(status, read->request.name());
          delete read;
          done(std::move(answer));
        });
  }

  std::chrono::system_clock::time_point Deadline() const {
    return std::chrono::system_clock::now() +
           std::chrono::milliseconds(timeout_ms_);
  }

  std::unique_ptr<budget::BudgetService::Stub> stub_;
  int timeout_ms_;
  std::mutex mu_;
  std::map<int, std::unique_ptr<client::CoalescedRead>> versions_;  // mu_
  // Null without watch_versions. Declared last, so destroyed first: its
  // stream and thread end before the rest of the directory goes.
  std::unique_ptr<ProgramVersionWatch> watch_;
};

}  // namespace

std::unique_ptr<ProgramDirectory> NewBudgetProgramDirectory(
    std::shared_ptr<grpc::Channel> channel, int timeout_ms,
    bool watch_versions) {
  return std::make_unique<BudgetProgramDirectory>(std::move(channel),
                                                  timeout_ms, watch_versions);
}

std::unique_ptr<ProgramDirectory> NewBudgetProgramDirectory(
    const std::string& address, int timeout_ms) {
  return NewBudgetProgramDirectory(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
      timeout_ms, /*watch_versions=*/false);
}

}  // namespace shien::kpi
