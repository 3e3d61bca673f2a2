#include "common/api/page_token.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

void ExpectBadToken(const absl::StatusOr<PageCursor>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(result.status()), "page_token");
  EXPECT_EQ(ErrorReason(result.status()), "INVALID_PAGE_TOKEN");
}

TEST(PageTokenTest, RoundTrip) {
  const std::string scope = "fiscalYears/2026|area=1";
  for (const std::string& key :
       {std::string("0001"), std::string("programs/23"), std::string(""),
        std::string("key:with:colons\nand newline"),
        std::string("\xe4\xba\x8b\xe6\xa5\xad"), std::string(256, 'k')}) {
    std::string token = EncodePageToken(scope, PageCursor{key});
    absl::StatusOr<PageCursor> cursor = DecodePageToken(scope, token);
    ASSERT_TRUE(cursor.ok()) << key << ": " << cursor.status();
    EXPECT_EQ(cursor->last_key, key);
  }
}

TEST(PageTokenTest, TokenIsUrlSafe) {
  // A key whose bytes give '+' and '/' in standard base64.
  std::string token =
      EncodePageToken("scope", PageCursor{std::string("\xfb\xff\xbf\xfe", 4)});
  EXPECT_EQ(token.find_first_of("+/"), std::string::npos) << token;
  ASSERT_TRUE(DecodePageToken("scope", token).ok());
}

TEST(PageTokenTest, TokenOfAnotherScopeIsRejected) {
  std::string token =
      EncodePageToken("fiscalYears/2026", PageCursor{"programs/5"});
  ExpectBadToken(DecodePageToken("fiscalYears/2025", token));
  ExpectBadToken(DecodePageToken("", token));
}

TEST(PageTokenTest, GarbageIsRejected) {
  ExpectBadToken(DecodePageToken("scope", "not a token!"));
  ExpectBadToken(DecodePageToken("scope", "%%%%"));
  ExpectBadToken(
      DecodePageToken("scope", absl::WebSafeBase64Escape("hello world, "
                                                         "this is long")));
  ExpectBadToken(DecodePageToken("scope", std::string(2000, 'A')));
}

TEST(PageTokenTest, EmptyAfterDecodeIsRejected) {
  ExpectBadToken(DecodePageToken("scope", ""));
  // Base64 of a too-short payload.
  ExpectBadToken(DecodePageToken("scope", absl::WebSafeBase64Escape("p1:")));
}

TEST(PageTokenTest, FlippedCharacterIsRejected) {
  const std::string token = EncodePageToken("scope", PageCursor{"programs/12"});
  // Flip every position except the last one (whose low bits may be unused
  // padding bits) to another base64 character.
  for (size_t i = 0; i + 1 < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    ExpectBadToken(DecodePageToken("scope", tampered));
  }
}

TEST(PageTokenTest, ReencodedTamperedKeyIsRejected) {
  const std::string token = EncodePageToken("scope", PageCursor{"programs/12"});
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  ASSERT_EQ(raw.substr(raw.size() - 2), "12");
  // Keep the checksum, change the key.
  std::string forged = raw.substr(0, raw.size() - 2) + "99";
  ExpectBadToken(DecodePageToken("scope", absl::WebSafeBase64Escape(forged)));
  // Keep the key, change one checksum digit.
  std::string bad_mac = raw;
  bad_mac[3] = bad_mac[3] == '0' ? '1' : '0';
  ExpectBadToken(DecodePageToken("scope", absl::WebSafeBase64Escape(bad_mac)));
}

TEST(ResolvePageSizeTest, ZeroGivesDefault) {
  absl::StatusOr<int> size = ResolvePageSize(0, 50, 1000);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 50);
}

TEST(ResolvePageSizeTest, WithinRangeIsKept) {
  EXPECT_EQ(ResolvePageSize(1, 50, 1000).value(), 1);
  EXPECT_EQ(ResolvePageSize(1000, 50, 1000).value(), 1000);
}

TEST(ResolvePageSizeTest, AboveMaxIsClamped) {
  EXPECT_EQ(ResolvePageSize(1001, 50, 1000).value(), 1000);
  EXPECT_EQ(ResolvePageSize(2147483647, 50, 1000).value(), 1000);
}

TEST(ResolvePageSizeTest, NegativeIsInvalid) {
  for (int requested : {-1, -2147483647 - 1}) {
    absl::StatusOr<int> size = ResolvePageSize(requested, 50, 1000);
    ASSERT_FALSE(size.ok());
    EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ErrorField(size.status()), "page_size");
  }
}

}  // namespace
}  // namespace shien
