#include "common/server/raw_unary.h"

#include <mutex>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "grpcpp/support/slice.h"

namespace shien {
namespace {

std::mutex& RawMethodsMutex() {
  static std::mutex mu;
  return mu;
}

std::set<std::string, std::less<>>& RawMethods() {
  static auto* methods = new std::set<std::string, std::less<>>();
  return *methods;
}

}  // namespace

absl::Status ParseRawRequest(const grpc::ByteBuffer& bytes,
                             google::protobuf::Message* request) {
  std::vector<grpc::Slice> slices;
  bool ok = bytes.Dump(&slices).ok();
  if (ok && slices.size() == 1) {
    ok = request->ParseFromArray(slices[0].begin(),
                                 static_cast<int>(slices[0].size()));
  } else if (ok) {
    std::string joined;
    for (const grpc::Slice& s : slices) {
      joined.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    ok = request->ParseFromString(joined);
  }
  if (ok) return absl::OkStatus();
  return Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
               absl::StrCat("the request is not a ",
                            request->GetDescriptor()->full_name()));
}

grpc::ByteBuffer RawResponse(std::shared_ptr<const std::string> bytes) {
  if (bytes == nullptr || bytes->empty()) {
    grpc::Slice empty;
    return grpc::ByteBuffer(&empty, 1);
  }
  // The slice keeps a reference to the string until gRPC frees it.
  auto* holder = new std::shared_ptr<const std::string>(std::move(bytes));
  grpc::Slice slice(
      const_cast<char*>((*holder)->data()), (*holder)->size(),
      [](void* held) {
        delete static_cast<std::shared_ptr<const std::string>*>(held);
      },
      holder);
  return grpc::ByteBuffer(&slice, 1);
}

void MarkRawMethod(std::string full_method) {
  std::lock_guard<std::mutex> lock(RawMethodsMutex());
  RawMethods().insert(std::move(full_method));
}

bool IsRawMethod(absl::string_view full_method) {
  std::lock_guard<std::mutex> lock(RawMethodsMutex());
  return RawMethods().count(full_method) > 0;
}

}  // namespace shien
