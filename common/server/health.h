#ifndef SHIEN_COMMON_SERVER_HEALTH_H_
#define SHIEN_COMMON_SERVER_HEALTH_H_

#include <map>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace shien {

// grpc.health.v1.Health on the callback API, compiled from the standard
// proto so it is visible to server reflection. Statuses are kept per service
// name; "" is the whole server. Thread-safe.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  HealthService();
  ~HealthService() override;

  // Sets the status of `service` and pushes it to its watchers.
  void SetStatus(const std::string& service, ServingStatus status);

  // Sets every service NOT_SERVING and ends every Watch stream; later
  // SetStatus calls are ignored. Call before grpc::Server::Shutdown.
  void Shutdown();

  // Check: the service's status; NOT_FOUND for an unknown service.
  grpc::ServerUnaryReactor* Check(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request,
      grpc::health::v1::HealthCheckResponse* response) override;

  // Watch: the current status (SERVICE_UNKNOWN for an unknown service), then
  // every change, until the client cancels or the server shuts down.
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class Watcher;
  ServingStatus StatusLocked(const std::string& service) const;

  std::mutex mu_;
  bool shut_down_ = false;
  std::map<std::string, ServingStatus> statuses_;
  std::map<Watcher*, std::string> watchers_;  // watcher → service
};

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_HEALTH_H_
