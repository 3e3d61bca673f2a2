#include "common/auth/token_file.h"

#include "gtest/gtest.h"

namespace shien::auth {
namespace {

TEST(Sha256Hex, MatchesTheKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ParseTokenFile, ReadsTokensCertificatesRolesDepartmentsAndExpiry) {
  const std::string hash = Sha256Hex("secret");
  auto table = ParseTokenFile(
      "# comment\n"
      "\n"
      "sha256:" +
      hash +
      "  keiei  reporter,viewer  経営支援課,技術支援課  "
      "2027-03-31T23:59:59+09:00  # trailing\n"
      "x509:subsidy.shien subsidy service - -\r\n");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->by_token_hash.count(hash), 1u);
  const Grant& g = table->by_token_hash.at(hash);
  EXPECT_EQ(g.principal.name, "keiei");
  EXPECT_TRUE(g.principal.HasRole("reporter"));
  EXPECT_TRUE(g.principal.HasRole("viewer"));
  EXPECT_FALSE(g.principal.HasRole("admin"));
  EXPECT_TRUE(g.principal.ActsFor("技術支援課"));
  EXPECT_FALSE(g.principal.ActsFor("総務企画課"));
  EXPECT_EQ(g.expires_us, 1806505199000000);  // 2027-03-31T14:59:59Z
  ASSERT_EQ(table->by_certificate.count("subsidy.shien"), 1u);
  EXPECT_EQ(table->by_certificate.at("subsidy.shien").expires_us, 0);
}

TEST(ParseTokenFile, NamesTheLineAtFault) {
  const std::string h = "sha256:" + Sha256Hex("x");
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"\n" + h + " a viewer -\n", "line 2: expected 5 columns"},
      {h + " a superuser - -\n", "line 1: unknown role \"superuser\""},
      {h + " a - - -\n", "line 1: a principal needs at least one role"},
      {h + " a viewer - tomorrow\n", "line 1: expires \"tomorrow\""},
      {"sha256:abc a viewer - -\n", "line 1: sha256: needs 64 hex digits"},
      {"token:abc a viewer - -\n", "line 1: the credential must be"},
      {h + " a viewer - -\n" + h + " b viewer - -\n",
       "line 2: the credential is listed twice"},
  };
  for (const Case& c : cases) {
    auto table = ParseTokenFile(c.text);
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(table.status().message().find(c.expected), std::string::npos)
        << table.status().message();
  }
}

TEST(Principal, ServiceAndWildcardActForEveryDepartment) {
  Principal reporter{"r", {"reporter"}, {"経営支援課"}};
  EXPECT_TRUE(
      RequireDepartment(reporter, {"総務企画課", "経営支援課"}, "p").ok());
  absl::Status denied =
      RequireDepartment(reporter, {"技術支援課"}, "program 17");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("program 17"), std::string::npos);
  Principal service{"s", {"service"}, {}};
  EXPECT_TRUE(RequireDepartment(service, {"技術支援課"}, "p").ok());
  Principal all{"a", {"reporter"}, {"*"}};
  EXPECT_TRUE(RequireDepartment(all, {"技術支援課"}, "p").ok());
}

}  // namespace
}  // namespace shien::auth
