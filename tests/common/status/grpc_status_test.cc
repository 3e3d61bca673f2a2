#include "common/status/grpc_status.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace shien {
namespace {

constexpr char kDomain[] = "budget.shien.example";

// Parses the binary details of `status` or fails the test.
google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  return details;
}

TEST(ToGrpcStatusTest, OkIsOk) {
  grpc::Status status = ToGrpcStatus(absl::OkStatus(), kDomain);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(status.error_details().empty());
}

TEST(ToGrpcStatusTest, CodesMapOneToOne) {
  const std::pair<absl::StatusCode, grpc::StatusCode> kCodes[] = {
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded,
       grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied,
       grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted,
       grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition,
       grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& [absl_code, grpc_code] : kCodes) {
    grpc::Status status =
        ToGrpcStatus(absl::Status(absl_code, "went wrong"), kDomain);
    EXPECT_EQ(status.error_code(), grpc_code) << absl_code;
    EXPECT_EQ(status.error_message(), "went wrong");
    google::rpc::Status details = Details(status);
    EXPECT_EQ(details.code(), static_cast<int>(grpc_code));
  }
}

TEST(ToGrpcStatusTest, ErrorCarriesErrorInfoWithoutBadRequest) {
  grpc::Status status = ToGrpcStatus(
      Error(absl::StatusCode::kAborted, "ETAG_MISMATCH", "stale etag"),
      kDomain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(status.error_message(), "stale etag");
  google::rpc::Status details = Details(status);
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::ABORTED));
  EXPECT_EQ(details.message(), "stale etag");
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "ETAG_MISMATCH");
  EXPECT_EQ(info.domain(), kDomain);
  google::rpc::BadRequest bad_request;
  EXPECT_FALSE(details.details(0).UnpackTo(&bad_request));
}

TEST(ToGrpcStatusTest, FieldErrorCarriesBadRequestViolation) {
  absl::Status error =
      FieldError("program.budget_yen", "OUT_OF_RANGE", "must be 0 to 1e15");
  grpc::Status status = ToGrpcStatus(error, kDomain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details = Details(status);
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::ErrorInfo info;
  google::rpc::BadRequest bad_request;
  bool have_info = false, have_bad_request = false;
  for (const auto& any : details.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      have_info = any.UnpackTo(&info);
    } else if (any.Is<google::rpc::BadRequest>()) {
      have_bad_request = any.UnpackTo(&bad_request);
    }
  }
  ASSERT_TRUE(have_info);
  ASSERT_TRUE(have_bad_request);
  EXPECT_EQ(info.reason(), "OUT_OF_RANGE");
  EXPECT_EQ(info.domain(), kDomain);
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "program.budget_yen");
  EXPECT_NE(
      bad_request.field_violations(0).description().find("must be 0 to 1e15"),
      std::string::npos);
}

TEST(ToGrpcStatusTest, FieldErrorWithOtherCode) {
  grpc::Status status =
      ToGrpcStatus(FieldError(absl::StatusCode::kNotFound, "name",
                              "PROGRAM_NOT_FOUND", "no such program"),
                   kDomain);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  google::rpc::Status details = Details(status);
  bool have_violation = false;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      ASSERT_EQ(bad_request.field_violations_size(), 1);
      EXPECT_EQ(bad_request.field_violations(0).field(), "name");
      have_violation = true;
    }
  }
  EXPECT_TRUE(have_violation);
}

TEST(ToGrpcStatusTest, PlainStatusGetsReasonFromCode) {
  grpc::Status status =
      ToGrpcStatus(absl::UnavailableError("database locked"), kDomain);
  google::rpc::Status details = Details(status);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "UNAVAILABLE");
  EXPECT_EQ(info.domain(), kDomain);
}

TEST(ErrorsTest, ReasonAndFieldAccessors) {
  absl::Status error = FieldError("page_size", "INVALID_PAGE_SIZE", "negative");
  EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(error), "INVALID_PAGE_SIZE");
  EXPECT_EQ(ErrorField(error), "page_size");
  EXPECT_NE(error.message().find("negative"), absl::string_view::npos);

  absl::Status plain = absl::InternalError("boom");
  EXPECT_EQ(ErrorReason(plain), "");
  EXPECT_EQ(ErrorField(plain), "");

  absl::Status reason_only =
      Error(absl::StatusCode::kFailedPrecondition, "NOT_READY", "wait");
  EXPECT_EQ(reason_only.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(reason_only), "NOT_READY");
  EXPECT_EQ(ErrorField(reason_only), "");
}

TEST(PrefixFieldTest, PrefixesTheField) {
  absl::Status prefixed = PrefixField(
      FieldError("budget_yen", "OUT_OF_RANGE", "too big"), "program");
  EXPECT_EQ(prefixed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(prefixed), "program.budget_yen");
  EXPECT_EQ(ErrorReason(prefixed), "OUT_OF_RANGE");
  EXPECT_NE(prefixed.message().find("too big"), absl::string_view::npos);
}

TEST(PrefixFieldTest, NestsAndKeepsCode) {
  absl::Status error = FieldError(absl::StatusCode::kNotFound, "program",
                                  "PROGRAM_NOT_FOUND", "missing");
  absl::Status twice = PrefixField(PrefixField(error, "envelopes[2]"), "plan");
  EXPECT_EQ(twice.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorField(twice), "plan.envelopes[2].program");
  EXPECT_EQ(ErrorReason(twice), "PROGRAM_NOT_FOUND");
}

TEST(PrefixFieldTest, OkAndFieldlessPassThrough) {
  EXPECT_TRUE(PrefixField(absl::OkStatus(), "program").ok());
  absl::Status plain =
      Error(absl::StatusCode::kAborted, "ETAG_MISMATCH", "stale");
  absl::Status out = PrefixField(plain, "program");
  EXPECT_EQ(out, plain);
  EXPECT_EQ(ErrorField(out), "");
}

}  // namespace
}  // namespace shien
