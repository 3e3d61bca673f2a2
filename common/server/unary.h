#ifndef SHIEN_COMMON_SERVER_UNARY_H_
#define SHIEN_COMMON_SERVER_UNARY_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/server/executor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace shien {

// Runs `work` for a unary callback RPC on `executor` (never on the gRPC
// thread) and finishes the call with its status, converted with
// ToGrpcStatus(domain). When the executor's queue is full the call fails at
// once with RESOURCE_EXHAUSTED; when the call is already cancelled or past
// its deadline when its turn comes, `work` is skipped.
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                   Executor& executor, std::string domain,
                                   std::function<absl::Status()> work);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_UNARY_H_
