#include "services/budget/api/program_watch_stream.h"

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "common/status/grpc_status.h"

namespace shien::budget {
namespace {

using Request = v1::WatchProgramVersionsRequest;
using Response = v1::WatchProgramVersionsResponse;

// Owns itself through `self_` until OnDone, so that the watch's wake-ups
// (weak references, on any thread) never reach a deleted stream.
class Stream final : public grpc::ServerBidiReactor<Request, Response> {
 public:
  Stream(ProgramWatch* watch, const absl::Status& admission,
         const std::string& domain)
      : watch_(watch), domain_(domain) {
    self_.reset(this);
    if (!admission.ok()) {
      finished_ = true;
      Finish(ToGrpcStatus(admission, domain_));
      return;
    }
    std::weak_ptr<Stream> weak = self_;
    {
      // A wake-up may come before Add returns: Pump waits for id_.
      std::lock_guard<std::mutex> lock(mu_);
      id_ = watch_->Add([weak] {
        if (auto stream = weak.lock()) stream->Pump();
      });
    }
    StartRead(&request_);
    Pump();  // the watch may have closed already
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // half-closed by the client, or cancelled
      {
        std::lock_guard<std::mutex> lock(mu_);
        ending_ = grpc::Status::OK;
      }
      Pump();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;  // no more reads once the call is finishing
    }
    if (request_.renewal() != 0) watch_->Renew(id_, request_.renewal());
    if (request_.applied_sequence() > 0) {
      watch_->Applied(id_, request_.applied_sequence());
    }
    request_.Clear();
    StartRead(&request_);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok && !ending_) {
        ending_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream broken");
      }
    }
    Pump();
  }

  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    if (id_ != 0) watch_->Remove(id_);
    std::shared_ptr<Stream> last = std::move(self_);  // may delete this
  }

 private:
  // Starts the next write, or finishes the call, when one is due and no
  // write is in flight. gRPC is called outside mu_.
  void Pump() {
    std::unique_lock<std::mutex> lock(mu_);
    if (done_ || finished_ || writing_) return;
    if (!ending_ && watch_->closed()) {
      ending_ = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "the budget server is shutting down; reconnect");
    }
    if (ending_) {
      finished_ = true;
      const grpc::Status status = *ending_;
      lock.unlock();
      Finish(status);
      return;
    }
    std::optional<Response> next = watch_->Next(id_);
    if (!next) return;
    response_ = *std::move(next);
    writing_ = true;
    lock.unlock();
    StartWrite(&response_);
  }

  ProgramWatch* const watch_;
  const std::string domain_;
  std::shared_ptr<Stream> self_;
  int64_t id_ = 0;   // set under mu_ before any Pump reads it
  Request request_;  // read side only
  std::mutex mu_;
  Response response_;                   // written while writing_
  bool writing_ = false;                // mu_
  bool finished_ = false;               // mu_
  bool done_ = false;                   // mu_
  std::optional<grpc::Status> ending_;  // mu_
};

}  // namespace

grpc::ServerBidiReactor<Request, Response>* NewProgramWatchStream(
    ProgramWatch* watch, const absl::Status& admission,
    const std::string& domain) {
  return new Stream(watch, admission, domain);
}

}  // namespace shien::budget
