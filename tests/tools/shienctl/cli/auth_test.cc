// shienctl against servers that require tokens: the token comes from
// SHIEN_TOKEN, --token or --token_file; the server's refusals are shown.
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/tools/shienctl/cli/shienctl_system.h"

namespace shien {
namespace {

using testing::CtlResult;
using testing::ShienctlSystem;
using testing::TestTokens;

class ShienctlAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_ = system_.UseTokens();
    std::string error;
    ASSERT_TRUE(system_.Start(&error)) << error;
  }

  ShienctlSystem system_;
  TestTokens tokens_;
};

TEST_F(ShienctlAuthTest, SendsTheTokenFromEnvironmentFlagOrFile) {
  CtlResult r = system_.Run({"summary", "--year=2026"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("UNAUTHENTICATED"), std::string::npos) << r.err;

  system_.set_token(tokens_.Token("viewer"));
  r = system_.Run({"summary", "--year=2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("事業費計  1,337,734"), std::string::npos) << r.out;

  system_.set_token("");
  r = system_.Run(
      {"programs", "--year=2026", "--token=" + tokens_.Token("viewer")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string file = system_.File("viewer.token");
  std::ofstream(file) << "  " << tokens_.Token("viewer") << "  \n";
  r = system_.Run({"programs", "--year=2026", "--token_file=" + file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = system_.Run({"programs", "--token_file=" + system_.File("missing")});
  EXPECT_EQ(r.exit_code, 2);

  r = system_.Run({"summary", "--year=2026", "--token=wrong"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("TOKEN_INVALID"), std::string::npos) << r.err;
}

TEST_F(ShienctlAuthTest, ReporterImportsForItsOwnDepartment) {
  // Program 11 is 経営支援課's, the reporter's department.
  const std::string own = system_.WriteFile(
      "own.csv",
      "voucher,program,month,amount_yen\nA-1,11,2026-05,1000\n"
      "A-2,11,2026-06,2000\n");
  system_.set_token(tokens_.Token("viewer"));
  CtlResult r = system_.Run({"import", "expenditures", own});
  EXPECT_EQ(r.exit_code, 3) << "a viewer records nothing";
  EXPECT_NE(r.err.find("PERMISSION_DENIED"), std::string::npos) << r.err;

  system_.set_token(tokens_.Token("reporter"));
  r = system_.Run({"import", "expenditures", own});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accepted 2"), std::string::npos) << r.out;

  // Program 3 belongs to another department: refused, and said so.
  const std::string other = system_.WriteFile(
      "other.csv", "voucher,program,month,amount_yen\nA-3,3,2026-05,1000\n");
  r = system_.Run({"import", "expenditures", other});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("DEPARTMENT_NOT_PERMITTED"), std::string::npos) << r.err;

  system_.set_token(tokens_.Token("viewer"));
  r = system_.Run({"execution", "--year=2026", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Only the reporter's two records were stored.
  EXPECT_NE(r.out.find("\"executedYen\": \"3000\""), std::string::npos);
  EXPECT_NE(r.out.find("\"recordCount\": \"2\""), std::string::npos);
  EXPECT_EQ(r.out.find("\"recordCount\": \"3\""), std::string::npos);
}

}  // namespace
}  // namespace shien
