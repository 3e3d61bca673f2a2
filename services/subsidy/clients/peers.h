#ifndef SHIEN_SERVICES_SUBSIDY_CLIENTS_PEERS_H_
#define SHIEN_SERVICES_SUBSIDY_CLIENTS_PEERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace shien::subsidy {

// The calls the subsidy service makes to the budget and KPI services. All
// block (run them on an executor or the outbox thread) and are idempotent on
// the request id they carry. Errors: the peer's own code and reason when it
// answered (e.g. FAILED_PRECONDITION ENVELOPE_EXCEEDED), UNAVAILABLE with
// reason PEER_UNAVAILABLE when it could not be reached in time.
// Thread-safe.
class Peers {
 public:
  virtual ~Peers() = default;

  // budget ReserveFunds; returns the reservation's name.
  virtual absl::StatusOr<std::string> ReserveFunds(
      const std::string& envelope, const std::string& holder,
      int64_t amount_yen, const std::string& request_id) = 0;

  // Delivers a serialized request recorded in the outbox: target
  // "budget.ReleaseFunds" (a shien.budget.v1.ReleaseFundsRequest) or
  // "kpi.RecordMeasurements" (a shien.kpi.v1.RecordMeasurementsRequest).
  // A KPI row the receiver rejects is FAILED_PRECONDITION with its reason.
  virtual absl::Status Deliver(const std::string& target,
                               const std::string& payload) = 0;

  // What DeliverAll did: the first `delivered` payloads were accepted;
  // `failure` is why the next one was not (OK when all were). Payloads after
  // the failed one may or may not have arrived: deliver them again.
  struct Delivery {
    size_t delivered = 0;
    absl::Status failure;
  };
  // Delivers `payloads`, all to `target`, in order, as Deliver would one by
  // one. The gRPC peers send KPI rows of many messages in one stream (one
  // commit at the receiver); others go one at a time.
  virtual Delivery DeliverAll(const std::string& target,
                              const std::vector<std::string>& payloads);
  // How many messages to `target` DeliverAll takes in one call: 1 unless
  // they travel together.
  virtual size_t BatchLimit(const std::string& /*target*/) const { return 1; }
};

// Peers reached over gRPC on the given channels (see
// common/client/channel.h: they carry this service's own credentials), each
// call with `timeout_ms`.
std::unique_ptr<Peers> NewGrpcPeers(std::shared_ptr<grpc::Channel> budget,
                                    std::shared_ptr<grpc::Channel> kpi,
                                    int timeout_ms);

// Same, over plaintext channels without credentials to host:port addresses.
std::unique_ptr<Peers> NewGrpcPeers(const std::string& budget_address,
                                    const std::string& kpi_address,
                                    int timeout_ms);

// True for errors worth retrying later (the peer was unreachable, busy,
// failed inside, or refused this service's credentials); false for definite
// refusals that will not change (the request is wrong: INVALID_ARGUMENT,
// NOT_FOUND, FAILED_PRECONDITION, ...).
bool IsRetryable(const absl::Status& status);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_CLIENTS_PEERS_H_
