#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace shien {

grpc::Status ToGrpcStatus(const absl::Status& status,
                          absl::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  std::string reason = ErrorReason(status);
  if (reason.empty()) {
    reason = absl::StatusCodeToString(status.code());
    for (char& c : reason) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(std::string(domain));
  details.add_details()->PackFrom(info);
  std::string field = ErrorField(status);
  if (!field.empty()) {
    google::rpc::BadRequest bad_request;
    auto* violation = bad_request.add_field_violations();
    violation->set_field(field);
    violation->set_description(std::string(status.message()));
    details.add_details()->PackFrom(bad_request);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      details.SerializeAsString());
}

}  // namespace shien
