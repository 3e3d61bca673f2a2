#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/api/fingerprint.h"
#include "common/api/request_id.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

bool IsLowerHex32(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The fingerprint is stable across processes and machines by contract:
// these values were computed once and must never change (stored etags and
// request-log entries depend on them).
TEST(FingerprintTest, KnownValues) {
  EXPECT_EQ(Fingerprint(""), "f52a15e9a9b5e89bfe5361af3ba51714");
  EXPECT_EQ(Fingerprint("abc"), "0dd490490804b5085febb006aa82662f");
}

TEST(FingerprintTest, Is32LowercaseHexDigits) {
  for (const std::string& data :
       {std::string(""), std::string("a"), std::string("abc"),
        std::string(10000, 'x'), std::string("\0\xff", 2)}) {
    std::string fp = Fingerprint(data);
    EXPECT_TRUE(IsLowerHex32(fp)) << fp;
  }
}

TEST(FingerprintTest, SameInputSameOutput) {
  std::string data = "fiscalYears/2026/programs/7";
  EXPECT_EQ(Fingerprint(data), Fingerprint(std::string(data)));
}

TEST(FingerprintTest, DifferentInputsDiffer) {
  std::set<std::string> seen;
  const std::string inputs[] = {"",
                                std::string("\0", 1),
                                "a",
                                "b",
                                "ab",
                                "ba",
                                "abc",
                                "abd",
                                "programs/1",
                                "programs/2",
                                "programs/10",
                                std::string(1000, 'a')};
  for (const std::string& in : inputs) seen.insert(Fingerprint(in));
  EXPECT_EQ(seen.size(), std::size(inputs));
}

TEST(FingerprintTest, BothHalvesDependOnInput) {
  std::string a = Fingerprint("a");
  std::string b = Fingerprint("b");
  EXPECT_NE(a.substr(0, 16), b.substr(0, 16));
  EXPECT_NE(a.substr(16), b.substr(16));
}

TEST(ValidateRequestIdTest, EmptyAllowedOnlyWhenOptional) {
  EXPECT_TRUE(ValidateRequestId("", "request_id", false).ok());
  absl::Status status = ValidateRequestId("", "request_id", true);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(status), "request_id");
}

TEST(ValidateRequestIdTest, AcceptsPrintableAscii) {
  for (const std::string& id :
       {std::string("a"), std::string("8f14e45f-ceea-4672-a4b1-2a3c1d5e6f70"),
        std::string("!~"), std::string(128, 'r')}) {
    EXPECT_TRUE(ValidateRequestId(id, "request_id", true).ok()) << id;
    EXPECT_TRUE(ValidateRequestId(id, "request_id", false).ok()) << id;
  }
}

TEST(ValidateRequestIdTest, RejectsTooLong) {
  absl::Status status =
      ValidateRequestId(std::string(129, 'r'), "requests[3].request_id", false);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(status), "requests[3].request_id");
}

TEST(ValidateRequestIdTest, RejectsNonPrintable) {
  for (const std::string& id :
       {std::string("has space"), std::string("tab\t"), std::string("nl\n"),
        std::string("nul\0", 4), std::string("del\x7f"),
        std::string("\xe3\x81\x82")}) {
    absl::Status status = ValidateRequestId(id, "request_id", false);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(ErrorField(status), "request_id") << id;
  }
}

}  // namespace
}  // namespace shien
