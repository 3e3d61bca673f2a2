#include "common/api/bounds.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "shien/budget/v1/budget_service.pb.h"

namespace shien {
namespace {

namespace pb = ::shien::budget::v1;

TEST(CheckBounds, AcceptsRequestsWithinTheBounds) {
  pb::RecordExpendituresRequest req;
  for (int i = 0; i < 1000; ++i) {
    req.add_expenditures()->set_description(std::string(kMaxStringBytes, 'x'));
  }
  EXPECT_TRUE(CheckBounds(req).ok());
}

TEST(CheckBounds, NamesTheStringBeyondTheBound) {
  pb::RecordExpendituresRequest req;
  req.add_expenditures();
  req.add_expenditures()->set_description(
      std::string(kMaxStringBytes + 1, 'x'));
  absl::Status s = CheckBounds(req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(s), "expenditures[1].description");
  EXPECT_EQ(ErrorReason(s), "FIELD_TOO_LONG");
}

TEST(CheckBounds, NamesTheRepeatedFieldBeyondTheBound) {
  pb::RecordExpendituresRequest req;
  for (int i = 0; i <= kMaxRepeatedItems; ++i) req.add_expenditures();
  absl::Status s = CheckBounds(req);
  EXPECT_EQ(ErrorField(s), "expenditures");
  EXPECT_EQ(ErrorReason(s), "TOO_MANY_ITEMS");
}

TEST(CheckBounds, ChecksNestedMessagesAndTopLevelStrings) {
  pb::UpdateProgramRequest req;
  req.mutable_program()->add_departments(std::string(kMaxStringBytes + 1, 'x'));
  EXPECT_EQ(ErrorField(CheckBounds(req)), "program.departments[0]");
  pb::UpdateProgramRequest req2;
  req2.set_request_id(std::string(kMaxStringBytes + 1, 'r'));
  EXPECT_EQ(ErrorField(CheckBounds(req2)), "request_id");
}

}  // namespace
}  // namespace shien
