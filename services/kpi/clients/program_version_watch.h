#ifndef SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_VERSION_WATCH_H_
#define SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_VERSION_WATCH_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "grpcpp/channel.h"
#include "shien/budget/v1/budget_service.grpc.pb.h"

namespace shien::kpi {

// The client side of BudgetService.WatchProgramVersions (see
// budget_service.proto): holds the stream open over `channel`, reopening it
// after a failure (after 30 s when the budget server refuses to serve it),
// and knows each fiscal year's programs version while it holds a lease, so
// that a view keyed on it needs no call to the budget service. Thread-safe;
// the destructor ends the stream and waits for it.
class ProgramVersionWatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ProgramVersionWatch(std::shared_ptr<grpc::Channel> channel);
  ~ProgramVersionWatch();
  ProgramVersionWatch(const ProgramVersionWatch&) = delete;
  ProgramVersionWatch& operator=(const ProgramVersionWatch&) = delete;

  // `year`'s programs version, as current as the budget service's last
  // acknowledged program change, while a lease is held and the budget
  // service has the year; nullopt otherwise (then ask the budget service).
  // Never blocks on the network.
  std::optional<int64_t> Version(int year) const;

 private:
  class Stream;

  void Run();
  // Applies a response of the current stream; returns the sequence to
  // acknowledge, or 0 for none.
  int64_t Apply(const budget::v1::WatchProgramVersionsResponse& response);
  void StreamDone(const grpc::Status& status);

  std::unique_ptr<budget::v1::BudgetService::Stub> stub_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, int64_t> versions_;  // mu_
  int64_t sequence_ = -1;            // mu_: of versions_; -1: none yet
  int64_t acknowledged_ = 0;         // mu_
  Clock::time_point valid_until_;    // mu_: end of the lease held
  Clock::duration lease_ = std::chrono::seconds(2);  // mu_: as announced
  Clock::time_point last_answer_;                    // mu_
  bool answered_ = false;       // mu_: the current stream answered a renewal
  bool stream_done_ = false;    // mu_
  grpc::Status stream_status_;  // mu_
  bool stopping_ = false;       // mu_
  std::thread thread_;
};

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_VERSION_WATCH_H_
