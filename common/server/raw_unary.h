#ifndef SHIEN_COMMON_SERVER_RAW_UNARY_H_
#define SHIEN_COMMON_SERVER_RAW_UNARY_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth/call.h"
#include "common/server/executor.h"
#include "common/server/unary.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace shien {

// Unary methods served as bytes. A method registered raw (the generated
// WithRawCallbackMethod_X) receives and answers serialized messages: a
// cached view, kept serialized, is answered as it is instead of being
// parsed into a message for gRPC to serialize again. Callers see no
// difference on the wire.

// Parses `bytes` into `request`; INVALID_ARGUMENT when they are not one.
absl::Status ParseRawRequest(const grpc::ByteBuffer& bytes,
                             google::protobuf::Message* request);

// A response buffer over `bytes`, sharing them (no copy) until gRPC has
// sent them.
grpc::ByteBuffer RawResponse(std::shared_ptr<const std::string> bytes);

// Records that "/package.Service/Method" is registered raw, so that what
// inspects requests (the RPC log) does not take its bytes for a message.
// Call before the server starts; thread-safe.
void MarkRawMethod(std::string full_method);
bool IsRawMethod(absl::string_view full_method);

// The `before` step of RunRawUnaryAfter answers with bytes, or with null to
// have `work` run.
using RawAnswer = std::function<void(std::shared_ptr<const std::string>)>;

// RunUnaryAfter for a raw method: as RunRawUnary below, with an
// asynchronous step `before(request, answer)` that runs once the request
// parsed and was admitted (never for a malformed one). It must not block,
// and calls `answer` exactly once, on any thread: with the answer's bytes
// to end the call OK with them at once, or with null to have `work` run.
template <typename Request>
grpc::ServerUnaryReactor* RunRawUnaryAfter(
    grpc::CallbackServerContext* context, Executor& executor,
    std::string domain, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response,
    const std::function<absl::StatusOr<Call>(const Request*)>& admit,
    std::function<void(const Request*, RawAnswer answer)> before,
    std::function<
        absl::StatusOr<std::shared_ptr<const std::string>>(const Request*)>
        work) {
  auto request = std::make_shared<Request>();
  const absl::Status parsed = ParseRawRequest(*request_bytes, request.get());
  absl::StatusOr<Call> call = admit(request.get());
  if (call.ok() && !parsed.ok()) call = parsed;
  std::function<void(std::function<void(NextStep)>)> step;
  if (before != nullptr) {
    step = [request, response,
            before = std::move(before)](std::function<void(NextStep)> next) {
      before(request.get(), [request, response, next = std::move(next)](
                                std::shared_ptr<const std::string> bytes) {
        if (bytes == nullptr) {
          next(NextStep::kWork);
          return;
        }
        *response = RawResponse(std::move(bytes));
        next(NextStep::kAnswered);
      });
    };
  }
  return RunUnaryAfter(
      context, executor, std::move(domain), std::move(call), std::move(step),
      [request, response, work = std::move(work)]() -> absl::Status {
        absl::StatusOr<std::shared_ptr<const std::string>> bytes =
            work(request.get());
        if (!bytes.ok()) return bytes.status();
        *response = RawResponse(*std::move(bytes));
        return absl::OkStatus();
      });
}

// RunUnary for a raw method: parses the request, admits it with `admit`
// (which authenticates before a malformed request is reported), runs
// `work` on `executor` and answers with the bytes it returns. Errors as
// RunUnary; a request that does not parse is INVALID_ARGUMENT.
template <typename Request>
grpc::ServerUnaryReactor* RunRawUnary(
    grpc::CallbackServerContext* context, Executor& executor,
    std::string domain, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response,
    const std::function<absl::StatusOr<Call>(const Request*)>& admit,
    std::function<
        absl::StatusOr<std::shared_ptr<const std::string>>(const Request*)>
        work) {
  return RunRawUnaryAfter<Request>(context, executor, std::move(domain),
                                   request_bytes, response, admit, nullptr,
                                   std::move(work));
}

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_RAW_UNARY_H_
