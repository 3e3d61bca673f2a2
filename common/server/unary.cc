#include "common/server/unary.h"

#include <algorithm>
#include <memory>

#include "common/status/grpc_status.h"

namespace shien {

namespace {

// Queues `work` on `executor`, then finishes `reactor` with its status.
void Submit(grpc::CallbackServerContext* context,
            grpc::ServerUnaryReactor* reactor, Executor& executor,
            std::chrono::system_clock::time_point deadline,
            std::shared_ptr<const Call> admitted, std::string domain,
            std::function<absl::Status()> work) {
  const std::string fallback_domain = domain;
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
        fallback_domain));
  }
}

}  // namespace

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   Executor& executor, std::string domain,
                                   absl::StatusOr<Call> call,
                                   std::function<absl::Status()> work) {
  return RunUnaryAfter(context, executor, std::move(domain), std::move(call),
                       nullptr, std::move(work));
}

grpc::ServerUnaryReactor* RunUnaryAfter(
    grpc::CallbackServerContext* context, Executor& executor,
    std::string domain, absl::StatusOr<Call> call,
    std::function<void(std::function<void(NextStep)> next)> before,
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
  if (before == nullptr) {
    Submit(context, reactor, executor, deadline, std::move(admitted),
           std::move(domain), std::move(work));
    return reactor;
  }
  before([context, reactor, &executor, deadline, admitted,
          domain = std::move(domain),
          work = std::move(work)](NextStep next) mutable {
    if (next == NextStep::kAnswered) {
      reactor->Finish(grpc::Status::OK);
      return;
    }
    Submit(context, reactor, executor, deadline, std::move(admitted),
           std::move(domain), std::move(work));
  });
  return reactor;
}

}  // namespace shien
