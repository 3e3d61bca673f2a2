#include "common/server/unary.h"

#include <algorithm>
#include <memory>

#include "common/status/grpc_status.h"

namespace shien {

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   Executor& executor, std::string domain,
                                   absl::StatusOr<Call> call,
                                   std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!call.ok()) {
    reactor->Finish(ToGrpcStatus(call.status(), domain));
    return reactor;
  }
  const auto now = std::chrono::system_clock::now();
  const auto requested = context->deadline();
  const auto deadline = requested > now + std::chrono::hours(24 * 365)
                            ? now + kDefaultDeadline
                            : std::min<std::chrono::system_clock::time_point>(
                                  requested, now + kMaxDeadline);
  auto admitted = std::make_shared<const Call>(*std::move(call));
  bool queued = executor.TrySubmit([context, reactor, deadline, admitted,
                                    domain = std::move(domain),
                                    work = std::move(work)] {
    if (context->IsCancelled() || deadline < std::chrono::system_clock::now()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the call ended before it was served"));
      return;
    }
    CallScope scope(admitted.get());
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
