#ifndef SHIEN_COMMON_STATUS_GRPC_STATUS_H_
#define SHIEN_COMMON_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace shien {

// Converts `status` to a grpc::Status whose binary details are a
// google.rpc.Status with an ErrorInfo (reason, `domain`) and, when the error
// names a field, a BadRequest field violation. Codes map one to one.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain);

}  // namespace shien

#endif  // SHIEN_COMMON_STATUS_GRPC_STATUS_H_
