#include "services/subsidy/clients/peers.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "common/sync/blocking_region.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"
#include "shien/kpi/v1/kpi_service.grpc.pb.h"

namespace shien::subsidy {
namespace {

// The peer's status with its ErrorInfo reason, or PEER_UNAVAILABLE.
absl::Status FromGrpc(const grpc::Status& status, absl::string_view peer) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
      return Error(absl::StatusCode::kUnavailable, "PEER_UNAVAILABLE",
                   absl::StrCat("the ", peer, " service did not answer: ",
                                status.error_message()));
    default:
      break;
  }
  std::string reason;
  google::rpc::Status details;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) reason = info.reason();
    }
  }
  return Error(
      static_cast<absl::StatusCode>(status.error_code()),
      reason.empty() ? "PEER_ERROR" : reason,
      absl::StrCat("the ", peer, " service: ", status.error_message()));
}

constexpr char kKpiTarget[] = "kpi.RecordMeasurements";
// RecordMeasurementsRequest's documented bound.
constexpr int kMaxRowsPerRequest = 1000;

class GrpcPeers final : public Peers {
 public:
  GrpcPeers(std::shared_ptr<grpc::Channel> budget,
            std::shared_ptr<grpc::Channel> kpi, int timeout_ms)
      : budget_(budget::v1::BudgetService::NewStub(std::move(budget))),
        kpi_(kpi::v1::KpiService::NewStub(std::move(kpi))),
        timeout_ms_(timeout_ms) {}

  absl::StatusOr<std::string> ReserveFunds(
      const std::string& envelope, const std::string& holder,
      int64_t amount_yen, const std::string& request_id) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    budget::v1::ReserveFundsRequest req;
    req.set_envelope(envelope);
    req.set_holder(holder);
    req.set_amount_yen(amount_yen);
    req.set_request_id(request_id);
    budget::v1::Reservation reservation;
    // The callback client: gRPC's own threads read the answer, and this
    // thread sleeps until it is in (a blocking stub polls the channel on
    // the calling worker).
    grpc::Status status;
    absl::Notification answered;
    budget_->async()->ReserveFunds(&ctx, &req, &reservation,
                                   [&](grpc::Status s) {
                                     status = std::move(s);
                                     answered.Notify();
                                   });
    {
      BlockingRegion waiting;
      answered.WaitForNotification();
    }
    if (!status.ok()) return FromGrpc(status, "budget");
    return reservation.name();
  }

  absl::Status Deliver(const std::string& target,
                       const std::string& payload) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    if (target == "budget.ReleaseFunds") {
      budget::v1::ReleaseFundsRequest req;
      if (!req.ParseFromString(payload)) {
        return absl::InvalidArgumentError("unreadable outbox payload");
      }
      budget::v1::Reservation out;
      grpc::Status status;
      {
        BlockingRegion waiting;
        status = budget_->ReleaseFunds(&ctx, req, &out);
      }
      return status.ok() ? absl::OkStatus() : FromGrpc(status, "budget");
    }
    if (target == kKpiTarget) {
      return DeliverAll(target, {payload}).failure;
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown target ", target));
  }

  size_t BatchLimit(const std::string& target) const override {
    return target == kKpiTarget ? 100 : 1;
  }

  Delivery DeliverAll(const std::string& target,
                      const std::vector<std::string>& payloads) override {
    if (target != kKpiTarget) return Peers::DeliverAll(target, payloads);
    // The rows of consecutive messages go in requests of at most 1,000
    // rows on one stream; `first_row[i]` is message i's first row in it.
    std::vector<kpi::v1::RecordMeasurementsRequest> requests(1);
    std::vector<int64_t> first_row;
    int64_t rows = 0;
    for (const std::string& payload : payloads) {
      kpi::v1::RecordMeasurementsRequest req;
      if (!req.ParseFromString(payload)) {
        if (first_row.empty()) {
          return {0, absl::InvalidArgumentError("unreadable outbox payload")};
        }
        break;  // delivered up to here; this one fails on its own next time
      }
      if (requests.back().measurements_size() + req.measurements_size() >
          kMaxRowsPerRequest) {
        requests.emplace_back();
      }
      first_row.push_back(rows);
      rows += req.measurements_size();
      for (auto& m : *req.mutable_measurements()) {
        *requests.back().add_measurements() = std::move(m);
      }
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    kpi::v1::RecordMeasurementsResponse resp;
    auto writer = kpi_->RecordMeasurements(&ctx, &resp);
    for (const auto& req : requests) {
      if (!writer->Write(req)) break;
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) {
      absl::Status failure = FromGrpc(status, "kpi");
      // Refused as a whole for good: which message is at fault is found
      // by sending them one at a time, so that no other is set aside.
      if (first_row.size() > 1 && !IsRetryable(failure)) {
        return Peers::DeliverAll(target, payloads);
      }
      return {0, failure};
    }
    if (resp.rejected_count() == 0) return {first_row.size(), absl::OkStatus()};
    // The first message with a rejected row fails; those before it arrived.
    const kpi::v1::MeasurementRejection* first = &resp.rejections(0);
    for (const auto& r : resp.rejections()) {
      if (r.index() < first->index()) first = &r;
    }
    const size_t failed = static_cast<size_t>(
        std::upper_bound(first_row.begin(), first_row.end(), first->index()) -
        first_row.begin() - 1);
    return {failed,
            Error(absl::StatusCode::kFailedPrecondition, first->reason(),
                  absl::StrCat("the kpi service rejected the row: ",
                               first->description()))};
  }

 private:
  std::chrono::system_clock::time_point Deadline() const {
    return std::chrono::system_clock::now() +
           std::chrono::milliseconds(timeout_ms_);
  }

  std::unique_ptr<budget::v1::BudgetService::Stub> budget_;
  std::unique_ptr<kpi::v1::KpiService::Stub> kpi_;
  int timeout_ms_;
};

}  // namespace

std::unique_ptr<Peers> NewGrpcPeers(std::shared_ptr<grpc::Channel> budget,
                                    std::shared_ptr<grpc::Channel> kpi,
                                    int timeout_ms) {
  return std::make_unique<GrpcPeers>(std::move(budget), std::move(kpi),
                                     timeout_ms);
}

std::unique_ptr<Peers> NewGrpcPeers(const std::string& budget_address,
                                    const std::string& kpi_address,
                                    int timeout_ms) {
  return NewGrpcPeers(
      grpc::CreateChannel(budget_address, grpc::InsecureChannelCredentials()),
      grpc::CreateChannel(kpi_address, grpc::InsecureChannelCredentials()),
      timeout_ms);
}

Peers::Delivery Peers::DeliverAll(const std::string& target,
                                  const std::vector<std::string>& payloads) {
  for (size_t i = 0; i < payloads.size(); ++i) {
    absl::Status status = Deliver(target, payloads[i]);
    if (!status.ok()) return {i, status};
  }
  return {payloads.size(), absl::OkStatus()};
}

bool IsRetryable(const absl::Status& status) {
  // Only definite refusals (the request itself is wrong) are final; a
  // receiver that failed inside (INTERNAL, UNKNOWN) may succeed later, and
  // so may one that refused this service's credentials (UNAUTHENTICATED,
  // PERMISSION_DENIED: a configuration to fix, not a wrong request).
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

}  // namespace shien::subsidy
