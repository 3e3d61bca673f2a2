#include "common/server/health.h"

namespace shien {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class HealthService::Watcher final
    : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService* owner, std::string service)
      : owner_(owner), service_(std::move(service)) {}

  // Called with owner_->mu_ held.
  void Push(ServingStatus status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    pending_ = status;
    has_pending_ = true;
    if (!writing_) WriteLocked();
  }

  // Called with owner_->mu_ held.
  void End() {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked();
      return;
    }
    if (has_pending_ && !finished_) WriteLocked();
    if (finish_after_write_) FinishLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked();
  }

  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock(owner_->mu_);
      owner_->watchers_.erase(this);
    }
    delete this;
  }

 private:
  void WriteLocked() {
    response_.set_status(pending_);
    has_pending_ = false;
    writing_ = true;
    StartWrite(&response_);
  }
  void FinishLocked() {
    if (finished_) return;
    if (writing_) {  // Finish must wait for the outstanding write.
      finish_after_write_ = true;
      return;
    }
    finished_ = true;
    Finish(grpc::Status::OK);
  }

  HealthService* owner_;
  const std::string service_;
  std::mutex mu_;
  HealthCheckResponse response_;
  ServingStatus pending_ = HealthCheckResponse::UNKNOWN;
  bool has_pending_ = false;
  bool writing_ = false;
  bool finished_ = false;
  bool finish_after_write_ = false;
};

HealthService::HealthService() { statuses_[""] = HealthCheckResponse::SERVING; }

HealthService::~HealthService() = default;

HealthService::ServingStatus HealthService::StatusLocked(
    const std::string& service) const {
  auto it = statuses_.find(service);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN
                               : it->second;
}

void HealthService::SetStatus(const std::string& service,
                              ServingStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  statuses_[service] = status;
  for (auto& [watcher, name] : watchers_) {
    if (name == service) watcher->Push(status);
  }
}

void HealthService::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shut_down_ = true;
  for (auto& [service, status] : statuses_) {
    status = HealthCheckResponse::NOT_SERVING;
  }
  for (auto& [watcher, name] : watchers_) {
    watcher->Push(HealthCheckResponse::NOT_SERVING);
    watcher->End();
  }
}

grpc::ServerUnaryReactor* HealthService::Check(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request,
    HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::lock_guard<std::mutex> lock(mu_);
  ServingStatus status = StatusLocked(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 "unknown service " + request->service()));
  } else {
    response->set_status(status);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  auto* watcher = new Watcher(this, request->service());
  std::lock_guard<std::mutex> lock(mu_);
  watchers_[watcher] = request->service();
  watcher->Push(StatusLocked(request->service()));
  if (shut_down_) watcher->End();
  return watcher;
}

}  // namespace shien
