#include "tools/bench/approvals.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/subsidy/v1/subsidy_service.grpc.pb.h"

namespace shien::bench {
namespace {

namespace bpb = ::shien::budget::v1;
namespace spb = ::shien::subsidy::v1;

absl::Status CallError(const char* what, const grpc::Status& status) {
  return absl::UnavailableError(absl::StrCat(what, ": ", status.error_code(),
                                             " ", status.error_message()));
}

// Runs `work(index, channel)` for index 0..n-1 on `clients` threads, each
// thread on one of ceil(clients / 8) connections.
void Parallel(
    const std::string& target, int clients, int64_t n,
    const std::function<void(int64_t, const std::shared_ptr<grpc::Channel>&)>&
        work) {
  const int channel_count = std::max(1, (clients + 7) / 8);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < channel_count; ++i) {
    channels.push_back(OpenBenchChannel(target, i));
  }
  std::atomic<int64_t> next{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t i = next++; i < n; i = next++) {
        work(i, channels[c % channel_count]);
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

absl::StatusOr<bpb::Envelope> GetEnvelope(const std::string& target,
                                          const std::string& token,
                                          const std::string& name) {
  auto stub = bpb::BudgetService::NewStub(OpenBenchChannel(target, 0));
  grpc::ClientContext context;
  PrepareCall(&context, token, std::chrono::seconds(10));
  bpb::GetEnvelopeRequest request;
  request.set_name(name);
  bpb::Envelope envelope;
  grpc::Status status = stub->GetEnvelope(&context, request, &envelope);
  if (!status.ok()) return CallError("GetEnvelope", status);
  return envelope;
}

// A valid 13-digit 法人番号 whose 12-digit base is `n` (zero padded), with
// its check digit in front.
std::string CorporateNumber(int64_t n) {
  const std::string base = absl::StrFormat("%012d", n % 1'000'000'000'000);
  int sum = 0;
  for (int k = 1; k <= 12; ++k) sum += (base[12 - k] - '0') * (k % 2 ? 1 : 2);
  return absl::StrCat(9 - sum % 9, base);
}

}  // namespace

absl::StatusOr<ApprovalStats> RunApprovals(const ApprovalOptions& options) {
  const auto token = [&](const std::string& role) -> std::string {
    auto it = options.tokens.find(role);
    return it == options.tokens.end() ? std::string() : it->second;
  };
  const std::string reviewer = token("reviewer");
  const std::string viewer = token("viewer");
  const std::string admin = token("admin");
  // A tag keeps request ids of different runs apart.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string tag = absl::StrCat("bench-", now_ms);
  // One application per applicant and round: each its own 法人番号, apart
  // from other runs' too.
  const int64_t applicant_base = (now_ms / 1000 % 1'000'000) * 1'000'000;
  auto subsidy =
      spb::SubsidyService::NewStub(OpenBenchChannel(options.subsidy_target, 0));

  // The scheme: its envelope, rate, course cap and first round.
  spb::Scheme scheme;
  {
    grpc::ClientContext context;
    PrepareCall(&context, viewer, std::chrono::seconds(10));
    spb::GetSchemeRequest request;
    request.set_name(options.scheme);
    grpc::Status status = subsidy->GetScheme(&context, request, &scheme);
    if (!status.ok()) return CallError("GetScheme", status);
  }
  if (scheme.envelope().empty() || scheme.rounds_size() == 0 ||
      scheme.rate().numerator() <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(options.scheme, " has no envelope, round or rate"));
  }
  int64_t cap_yen = 0;
  for (const spb::Course& course : scheme.courses()) {
    if (course.id() == options.course) cap_yen = course.cap_yen();
  }
  if (cap_yen <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(options.scheme, " has no course ", options.course));
  }

  // Open round 1 for the whole fiscal year, so today is inside it.
  const std::string round_name =
      absl::StrCat(options.scheme, "/rounds/", scheme.rounds(0).id());
  {
    grpc::ClientContext context;
    PrepareCall(&context, admin, std::chrono::seconds(10));
    spb::UpdateRoundRequest request;
    request.set_name(round_name);
    int year = 0;
    if (std::sscanf(options.scheme.c_str(), "fiscalYears/%d/", &year) != 1) {
      return absl::InvalidArgumentError("scheme name without a fiscal year");
    }
    auto* start = request.mutable_round()->mutable_call_start_date();
    start->set_year(year);
    start->set_month(4);
    start->set_day(1);
    auto* end = request.mutable_round()->mutable_call_end_date();
    end->set_year(year + 1);
    end->set_month(3);
    end->set_day(31);
    request.mutable_update_mask()->add_paths("call_start_date");
    request.mutable_update_mask()->add_paths("call_end_date");
    request.set_request_id(absl::StrCat(tag, "-open-round"));
    spb::Round round;
    grpc::Status status = subsidy->UpdateRound(&context, request, &round);
    if (!status.ok()) return CallError("UpdateRound", status);
  }

  ApprovalStats stats;
  stats.applications = options.applications;
  absl::StatusOr<bpb::Envelope> before =
      GetEnvelope(options.budget_target, viewer, scheme.envelope());
  if (!before.ok()) return before.status();
  stats.envelope_yen = before->amount_yen();
  stats.reserved_before_yen = before->reserved_yen();
  // About 90% of the applications fit what is left; the rest contend for
  // the remainder and must be refused.
  const int64_t unit = std::max<int64_t>(1, scheme.rounding_unit_yen());
  const int64_t fit = std::max<int64_t>(1, options.applications * 9 / 10);
  int64_t amount = (before->available_yen() + fit - 1) / fit;
  amount = (amount + unit - 1) / unit * unit;
  amount = std::clamp<int64_t>(amount, unit, cap_yen / unit * unit);
  stats.amount_yen = amount;
  // Expenses whose subsidy (× rate, truncated to the unit) is `amount`.
  const int64_t num = scheme.rate().numerator();
  const int64_t den = scheme.rate().denominator();
  const int64_t expense_yen = (amount * den + num - 1) / num;

  // Prepare: create and submit every application.
  std::vector<std::string> names(options.applications);
  std::mutex error_mu;
  std::string first_error;
  const auto note_error = [&](const std::string& e) {
    std::lock_guard<std::mutex> lock(error_mu);
    if (first_error.empty()) first_error = e;
  };
  const Clock::time_point prepare_start = Clock::now();
  Parallel(
      options.subsidy_target, options.clients, options.applications,
      [&](int64_t i, const std::shared_ptr<grpc::Channel>& channel) {
        auto stub = spb::SubsidyService::NewStub(channel);
        spb::Application created;
        {
          grpc::ClientContext context;
          PrepareCall(&context, reviewer, options.deadline);
          spb::CreateApplicationRequest request;
          request.set_parent(options.scheme);
          request.set_request_id(absl::StrCat(tag, "-create-", i));
          spb::Application* a = request.mutable_application();
          a->set_round(scheme.rounds(0).id());
          a->set_course(options.course);
          spb::Applicant* applicant = a->mutable_applicant();
          applicant->set_corporate_number(CorporateNumber(applicant_base + i));
          applicant->set_name(absl::StrCat("株式会社ベンチ", i));
          applicant->set_head_office_prefecture("三重県");
          applicant->set_industry(spb::INDUSTRY_MANUFACTURING_AND_OTHERS);
          applicant->set_capital_yen(10'000'000);
          applicant->set_employees(12);
          spb::Expense* expense = a->add_expenses();
          expense->set_category(options.expense_category);
          expense->set_amount_yen(expense_yen);
          grpc::Status status =
              stub->CreateApplication(&context, request, &created);
          if (!status.ok()) {
            note_error(
                absl::StrCat("CreateApplication: ", status.error_message()));
            return;
          }
        }
        grpc::ClientContext context;
        PrepareCall(&context, reviewer, options.deadline);
        spb::SubmitApplicationRequest request;
        request.set_name(created.name());
        request.set_request_id(absl::StrCat(tag, "-submit-", i));
        spb::Application submitted;
        grpc::Status status =
            stub->SubmitApplication(&context, request, &submitted);
        if (!status.ok()) {
          note_error(
              absl::StrCat("SubmitApplication: ", status.error_message()));
          return;
        }
        names[i] = created.name();
      });
  stats.prepare_seconds =
      std::chrono::duration<double>(Clock::now() - prepare_start).count();
  if (!first_error.empty()) {
    stats.error = first_error;
    return stats;
  }

  // Approve them all at once.
  std::mutex stats_mu;
  std::vector<int64_t> latencies;
  std::atomic<int64_t> refused{0};
  const Clock::time_point approve_start = Clock::now();
  Parallel(options.subsidy_target, options.clients, options.applications,
           [&](int64_t i, const std::shared_ptr<grpc::Channel>& channel) {
             auto stub = spb::SubsidyService::NewStub(channel);
             grpc::ClientContext context;
             PrepareCall(&context, reviewer, options.deadline);
             spb::ApproveApplicationRequest request;
             request.set_name(names[i]);
             request.set_request_id(absl::StrCat(tag, "-approve-", i));
             spb::Application approved;
             const Clock::time_point start = Clock::now();
             grpc::Status status =
                 stub->ApproveApplication(&context, request, &approved);
             const int64_t us =
                 std::chrono::duration_cast<std::chrono::microseconds>(
                     Clock::now() - start)
                     .count();
             std::lock_guard<std::mutex> lock(stats_mu);
             if (status.ok()) {
               ++stats.approve.ok;
               latencies.push_back(us);
             } else if (status.error_code() ==
                        grpc::StatusCode::FAILED_PRECONDITION) {
               ++refused;
             } else {
               ++stats.approve.errors[absl::StrCat(
                   "code_", static_cast<int>(status.error_code()))];
               if (first_error.empty()) {
                 first_error = absl::StrCat("ApproveApplication: ",
                                            status.error_message());
               }
             }
           });
  stats.approve.seconds =
      std::chrono::duration<double>(Clock::now() - approve_start).count();
  ComputePercentiles(latencies, &stats.approve);
  stats.refused = refused.load();
  stats.error = first_error;

  // The envelope and the scheme's statistics afterwards.
  absl::StatusOr<bpb::Envelope> after =
      GetEnvelope(options.budget_target, viewer, scheme.envelope());
  if (!after.ok()) return after.status();
  stats.reserved_after_yen = after->reserved_yen();
  spb::SchemeStats scheme_stats;
  {
    grpc::ClientContext context;
    PrepareCall(&context, viewer, std::chrono::seconds(10));
    spb::GetSchemeStatsRequest request;
    request.set_name(absl::StrCat(options.scheme, "/stats"));
    grpc::Status status =
        subsidy->GetSchemeStats(&context, request, &scheme_stats);
    if (!status.ok()) return CallError("GetSchemeStats", status);
  }
  stats.stats_reserved_yen = scheme_stats.reserved_yen();
  stats.stats_envelope_yen = scheme_stats.envelope_yen();

  std::vector<std::string> wrong;
  if (stats.reserved_after_yen > stats.envelope_yen) {
    wrong.push_back(absl::StrCat("reserved ", stats.reserved_after_yen,
                                 " > envelope ", stats.envelope_yen));
  }
  if (stats.reserved_after_yen - stats.reserved_before_yen !=
      stats.approve.ok * amount) {
    wrong.push_back(
        absl::StrCat("reservations grew by ",
                     stats.reserved_after_yen - stats.reserved_before_yen,
                     " for ", stats.approve.ok, " approvals of ", amount));
  }
  if (stats.stats_reserved_yen != stats.reserved_after_yen ||
      stats.stats_envelope_yen != stats.envelope_yen) {
    wrong.push_back(
        absl::StrCat("subsidy says reserved ", stats.stats_reserved_yen, " of ",
                     stats.stats_envelope_yen, ", budget says ",
                     stats.reserved_after_yen, " of ", stats.envelope_yen));
  }
  stats.overcommit = wrong.empty() ? "none" : absl::StrJoin(wrong, "; ");
  // Refusals while funds were left would be a bug of another kind.
  if (stats.refused > 0 &&
      stats.envelope_yen - stats.reserved_after_yen >= amount &&
      stats.error.empty()) {
    stats.error = absl::StrCat(stats.refused, " approvals refused with ",
                               stats.envelope_yen - stats.reserved_after_yen,
                               " yen left");
  }
  return stats;
}

std::string ApprovalJson(const ApprovalStats& stats,
                         const ApprovalOptions& options) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", JsonString("ApproveApplication")},
      {"clients", absl::StrCat(options.clients)},
      {"applications", absl::StrCat(stats.applications)},
      {"amount_yen", absl::StrCat(stats.amount_yen)},
      {"prepare_seconds", absl::StrFormat("%.3f", stats.prepare_seconds)},
      {"refused", absl::StrCat(stats.refused)},
      {"envelope_yen", absl::StrCat(stats.envelope_yen)},
      {"reserved_before_yen", absl::StrCat(stats.reserved_before_yen)},
      {"reserved_after_yen", absl::StrCat(stats.reserved_after_yen)},
      {"stats_reserved_yen", absl::StrCat(stats.stats_reserved_yen)},
      {"overcommit", JsonString(stats.overcommit)},
      {"error", JsonString(stats.error)},
  };
  return StatsJson(fields, stats.approve);
}

}  // namespace shien::bench
