#ifndef SHIEN_COMMON_SERVER_UNARY_H_
#define SHIEN_COMMON_SERVER_UNARY_H_

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth/call.h"
#include "common/server/executor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace shien {

// How long a unary call may wait and run: a call without a deadline gets
// kDefaultDeadline, a longer one is cut to kMaxDeadline.
inline constexpr std::chrono::seconds kDefaultDeadline{30};
inline constexpr std::chrono::seconds kMaxDeadline{300};

// Serves a unary callback RPC admitted as `call` (see auth::Guard): when
// admission failed the call finishes at once with its error; otherwise
// `work` runs on `executor` (never on the gRPC thread) with `call` as the
// thread's CurrentCall(), and the call finishes with its status, converted
// with ToGrpcStatus(domain). When the executor's queue is full the call
// fails at once with RESOURCE_EXHAUSTED; when the call is cancelled or past
// its deadline (as bounded above) when its turn comes, `work` is skipped
// and the call ends DEADLINE_EXCEEDED.
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   Executor& executor, std::string domain,
                                   absl::StatusOr<Call> call,
                                   std::function<absl::Status()> work);

// How the `before` step of RunUnaryAfter goes on: kWork queues `work`;
// kAnswered ends the call OK at once without `work`, the step having
// filled the response itself (e.g. from an in-process cache).
enum class NextStep { kWork, kAnswered };

// RunUnary whose work waits for an asynchronous step (a call to another
// service, a shared read) without holding a worker: once the call is
// admitted, `before(next)` runs on the calling thread; it must not block,
// and calls `next` exactly once, on any thread: with kWork when `work` may
// run, which is then queued on `executor` as by RunUnary (queue full,
// cancelled or past its deadline by then: as RunUnary); or with kAnswered
// when it has answered the call itself. A null `before` is RunUnary.
grpc::ServerUnaryReactor* RunUnaryAfter(
    grpc::CallbackServerContext* context, Executor& executor,
    std::string domain, absl::StatusOr<Call> call,
    std::function<void(std::function<void(NextStep)> next)> before,
    std::function<absl::Status()> work);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_UNARY_H_
