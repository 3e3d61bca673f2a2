#ifndef SHIEN_COMMON_API_PROTO_REQUEST_H_
#define SHIEN_COMMON_API_PROTO_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/api/fingerprint.h"
#include "common/api/page_token.h"
#include "common/api/request_id.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

// Helpers for handlers of proto requests: idempotency keys, recorded
// responses and pages.
namespace shien {

// The AIP-155 key of `request` (a message with a request_id field): its
// request_id, `method`, and a fingerprint of the deterministic encoding of
// the rest of the request.
template <typename Request>
RequestKey KeyOf(const Request& request, std::string method) {
  Request copy = request;
  copy.clear_request_id();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return RequestKey{request.request_id(), std::move(method),
                    Fingerprint(bytes)};
}

// Parses a recorded response into `out`; INTERNAL when unreadable.
template <typename Message>
absl::Status ParseResponse(const std::string& bytes, Message* out) {
  if (!out->ParseFromString(bytes)) {
    return absl::InternalError("stored response is unreadable");
  }
  return absl::OkStatus();
}

// Adds the first `size` of `items` (read with one extra, to tell whether
// more follow) through `add`, and returns the next page token: empty on the
// last page, else a cursor at the last item added (`key(item)`).
template <typename T, typename Add, typename Key>
std::string AddPage(const std::vector<T>& items, int size,
                    const std::string& scope, Add add, Key key) {
  for (size_t i = 0; i < items.size() && static_cast<int>(i) < size; ++i) {
    add(items[i]);
  }
  if (static_cast<int>(items.size()) <= size) return "";
  return EncodePageToken(scope, {absl::StrCat(key(items[size - 1]))});
}

}  // namespace shien

#endif  // SHIEN_COMMON_API_PROTO_REQUEST_H_
