#include "common/server/unary.h"

#include "common/status/grpc_status.h"

namespace shien {

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   Executor& executor, std::string domain,
                                   std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  bool queued = executor.TrySubmit(
      [context, reactor, domain = std::move(domain), work = std::move(work)] {
        if (context->IsCancelled() ||
            context->deadline() < std::chrono::system_clock::now()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                       "the call ended before it was served"));
          return;
        }
        reactor->Finish(ToGrpcStatus(work(), domain));
      });
  if (!queued) {
    reactor->Finish(ToGrpcStatus(
        absl::ResourceExhaustedError("the server is busy; retry with backoff"),
        domain));
  }
  return reactor;
}

}  // namespace shien
