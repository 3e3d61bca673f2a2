#include "common/api/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/api/fingerprint.h"
#include "common/status/errors.h"

namespace shien {
namespace {

constexpr char kVersion[] = "p1";

std::string Mac(absl::string_view scope, absl::string_view key) {
  return Fingerprint(absl::StrCat(kVersion, "\n", scope, "\n", key))
      .substr(0, 16);
}

absl::Status BadToken() {
  return FieldError("page_token", "INVALID_PAGE_TOKEN",
                    "not a page token of this query; start again without "
                    "page_token");
}

}  // namespace

std::string EncodePageToken(absl::string_view scope, const PageCursor& cursor) {
  std::string raw = absl::StrCat(kVersion, ":", Mac(scope, cursor.last_key),
                                 ":", cursor.last_key);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view scope,
                                           absl::string_view token) {
  std::string raw;
  if (token.size() > 1024 || !absl::WebSafeBase64Unescape(token, &raw)) {
    return BadToken();
  }
  // "p1:" + 16 hex + ":" + key
  if (raw.size() < 20 || raw.compare(0, 3, "p1:") != 0 || raw[19] != ':') {
    return BadToken();
  }
  PageCursor cursor{raw.substr(20)};
  if (raw.substr(3, 16) != Mac(scope, cursor.last_key)) return BadToken();
  return cursor;
}

absl::StatusOr<int64_t> DecodeIntPageToken(absl::string_view scope,
                                           absl::string_view token) {
  if (token.empty()) return 0;
  absl::StatusOr<PageCursor> cursor = DecodePageToken(scope, token);
  if (!cursor.ok()) return cursor.status();
  int64_t value = 0;
  if (!absl::SimpleAtoi(cursor->last_key, &value) || value < 0) {
    return BadToken();
  }
  return value;
}

absl::StatusOr<int> ResolvePageSize(int requested, int default_size,
                                    int max_size) {
  if (requested < 0) {
    return FieldError("page_size", "INVALID_PAGE_SIZE", "must not be negative");
  }
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

}  // namespace shien
