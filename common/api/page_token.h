#ifndef SHIEN_COMMON_API_PAGE_TOKEN_H_
#define SHIEN_COMMON_API_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shien {

// An opaque page token (AIP-158): where the next page starts, bound to the
// query it came from. `scope` is any string identifying the query (parent
// and filter); a token presented with another scope is rejected.
struct PageCursor {
  // The last key returned (the next page starts strictly after it).
  std::string last_key;
};

// Encodes `cursor` for `scope` as URL-safe base64 with a checksum.
std::string EncodePageToken(absl::string_view scope, const PageCursor& cursor);

// Decodes a token made by EncodePageToken for the same `scope`. Garbage, a
// token for another query, or a tampered token is INVALID_ARGUMENT on
// field "page_token" (reason INVALID_PAGE_TOKEN).
absl::StatusOr<PageCursor> DecodePageToken(absl::string_view scope,
                                           absl::string_view token);

// Decodes a token whose cursor is a non-negative integer (made with
// EncodePageToken(scope, {StrCat(n)})); 0 for an empty token.
// INVALID_ARGUMENT on "page_token" otherwise.
absl::StatusOr<int64_t> DecodeIntPageToken(absl::string_view scope,
                                           absl::string_view token);

// Resolves a requested page size: 0 → `default_size`; above `max_size` →
// `max_size`; negative → INVALID_ARGUMENT on field "page_size".
absl::StatusOr<int> ResolvePageSize(int requested, int default_size,
                                    int max_size);

}  // namespace shien

#endif  // SHIEN_COMMON_API_PAGE_TOKEN_H_
