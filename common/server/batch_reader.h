#ifndef SHIEN_COMMON_SERVER_BATCH_READER_H_
#define SHIEN_COMMON_SERVER_BATCH_READER_H_

#include <algorithm>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/api/bounds.h"
#include "common/auth/call.h"
#include "common/server/executor.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/support/server_callback.h"

namespace shien {

// A client-streaming reactor for batch ingestion, admitted as `call` (see
// auth::Guard; when admission failed the call ends at once with its
// error): reads one message at a time and hands it to Handle() on `executor`
// (never on a gRPC thread), starting the next read only when Handle() has
// returned, so at most one message is in flight and everything Handle()
// committed before a cut stays committed. The call finishes OK when the client
// half-closes (the subclass has filled the response by then), with Handle()'s
// error when it fails, or RESOURCE_EXHAUSTED when the executor is full. Deletes
// itself when done. Each message is held to CheckBounds() and handled with
// `call` as the thread's CurrentCall().
template <typename Request>
class BatchReader : public grpc::ServerReadReactor<Request> {
 public:
  BatchReader(Executor* executor, std::string domain, absl::StatusOr<Call> call)
      : executor_(executor),
        domain_(std::move(domain)),
        admission_(call.status()),
        call_(call.ok() ? *std::move(call) : Call{}) {}

  // Call last in the subclass constructor.
  void Begin() {
    if (!admission_.ok()) {
      this->Finish(ToGrpcStatus(admission_, domain_));
      return;
    }
    this->StartRead(&request_);
  }

  // The admitted call.
  const Call& call() const { return call_; }

  void OnReadDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status::OK);
      return;
    }
    if (!executor_->TrySubmit([this] { Process(); })) {
      this->Finish(ToGrpcStatus(
          absl::ResourceExhaustedError("the server is busy; resend the "
                                       "stream later, nothing is counted "
                                       "twice"),
          domain_));
    }
  }

  void OnDone() override { delete this; }

 protected:
  // Handles one message; an error ends the call with it.
  virtual absl::Status Handle(const Request& request) = 0;

 private:
  void Process() {
    absl::Status status = CheckBounds(request_);
    if (status.ok()) {
      CallScope scope(&call_);
      status = Handle(request_);
    }
    if (!status.ok()) {
      this->Finish(ToGrpcStatus(status, domain_));
      return;
    }
    request_.Clear();
    this->StartRead(&request_);
  }

  Executor* executor_;
  std::string domain_;
  absl::Status admission_;
  Call call_;
  Request request_;
};

// Counts a rejected row in `response` (a message with rejected_count and
// rejections{index, request_id, field, reason, description}); reasons are
// kept for the first 10,000 rows so the response stays bounded.
template <typename Response>
void AddRejection(Response* response, int64_t index,
                  const std::string& request_id, const absl::Status& error) {
  response->set_rejected_count(response->rejected_count() + 1);
  if (response->rejections_size() >= 10'000) return;
  auto* r = response->add_rejections();
  r->set_index(index);
  r->set_request_id(
      request_id.substr(0, std::min<size_t>(request_id.size(), 128)));
  r->set_field(ErrorField(error));
  r->set_reason(ErrorReason(error));
  r->set_description(std::string(error.message()));
}

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_BATCH_READER_H_
