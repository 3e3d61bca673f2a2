#include "services/budget/domain/program.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shien::budget {
namespace {

using ::testing::ElementsAre;

Program ValidProgram() {
  Program p;
  p.fiscal_year = 2026;
  p.number = 3;
  p.title = "三重県事業承継ネットワーク運営事業";
  p.area = Area::kManagementFoundation;
  p.funding_sources = {FundingSource::kPrefecture};
  p.budget_yen = 3737000;
  p.continuity = Continuity::kContinuing;
  p.departments = {"よろず支援・事業承継課"};
  p.related_agencies = {"雇用経済部 中小企業・サービス産業振興課"};
  p.purpose = "purpose";
  p.overview = "overview";
  p.activities = {"one", "two"};
  p.revision = 4;
  return p;
}

// Expects `status` to be INVALID_ARGUMENT naming `field`.
void ExpectFieldError(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(ErrorField(status), field) << status;
}

TEST(ValidateProgramTest, ValidProgramPasses) {
  EXPECT_TRUE(ValidateProgram(ValidProgram(), false).ok());
  Program p = ValidProgram();
  p.funding_sources = {FundingSource::kNational, FundingSource::kPrefecture,
                       FundingSource::kMunicipal, FundingSource::kOwn};
  p.budget_yen = 0;
  p.continuity = Continuity::kNew;
  p.area = Area::kCorporateAccounting;
  p.purpose.clear();
  p.overview.clear();
  p.activities.clear();
  p.related_agencies.clear();
  EXPECT_TRUE(ValidateProgram(p, false).ok());
  p.budget_yen = kMaxBudgetYen;
  EXPECT_TRUE(ValidateProgram(p, false).ok());
}

TEST(ValidateProgramTest, Number) {
  for (int number : {0, -1, kMaxProgramNumber + 1}) {
    Program p = ValidProgram();
    p.number = number;
    ExpectFieldError(ValidateProgram(p, false), "number");
  }
  Program p = ValidProgram();
  p.number = kMaxProgramNumber;
  EXPECT_TRUE(ValidateProgram(p, false).ok());
}

TEST(ValidateProgramTest, Title) {
  Program p = ValidProgram();
  p.title = "";
  ExpectFieldError(ValidateProgram(p, false), "title");
  p.title = std::string(kMaxTitleBytes + 1, 'x');
  ExpectFieldError(ValidateProgram(p, false), "title");
  p.title = std::string(kMaxTitleBytes, 'x');
  EXPECT_TRUE(ValidateProgram(p, false).ok());
}

TEST(ValidateProgramTest, Area) {
  Program p = ValidProgram();
  p.area = Area::kUnspecified;
  ExpectFieldError(ValidateProgram(p, false), "area");
  p.area = static_cast<Area>(7);
  ExpectFieldError(ValidateProgram(p, false), "area");
}

TEST(ValidateProgramTest, Continuity) {
  Program p = ValidProgram();
  p.continuity = Continuity::kUnspecified;
  ExpectFieldError(ValidateProgram(p, false), "continuity");
  p.continuity = static_cast<Continuity>(3);
  ExpectFieldError(ValidateProgram(p, false), "continuity");
}

TEST(ValidateProgramTest, FundingSources) {
  const std::vector<std::vector<FundingSource>> kBad = {
      {},
      {FundingSource::kUnspecified},
      {static_cast<FundingSource>(5)},
      {FundingSource::kMunicipal, FundingSource::kPrefecture},   // order
      {FundingSource::kPrefecture, FundingSource::kPrefecture},  // repeat
      {FundingSource::kNational, FundingSource::kOwn, FundingSource::kOwn},
  };
  for (const auto& sources : kBad) {
    Program p = ValidProgram();
    p.funding_sources = sources;
    ExpectFieldError(ValidateProgram(p, false), "funding_sources");
  }
}

TEST(ValidateProgramTest, Budget) {
  Program p = ValidProgram();
  p.budget_yen = -1;
  ExpectFieldError(ValidateProgram(p, false), "budget_yen");
  p.budget_yen = kMaxBudgetYen + 1;
  ExpectFieldError(ValidateProgram(p, false), "budget_yen");
}

TEST(ValidateProgramTest, Departments) {
  Program p = ValidProgram();
  p.departments.clear();
  ExpectFieldError(ValidateProgram(p, false), "departments");
  EXPECT_TRUE(ValidateProgram(p, /*allow_no_department=*/true).ok());

  p.departments = {"経営支援課", ""};
  ExpectFieldError(ValidateProgram(p, true), "departments[1]");

  p.departments = {"経営支援課", "経営支援課"};
  ExpectFieldError(ValidateProgram(p, true), "departments");

  p.departments = {std::string(kMaxListEntryBytes + 1, 'd')};
  ExpectFieldError(ValidateProgram(p, true), "departments[0]");

  p.departments.clear();
  for (size_t i = 0; i <= kMaxListEntries; ++i) {
    p.departments.push_back("課" + std::to_string(i));
  }
  ExpectFieldError(ValidateProgram(p, true), "departments");
}

TEST(ValidateProgramTest, Lists) {
  Program p = ValidProgram();
  p.related_agencies = {"a", ""};
  ExpectFieldError(ValidateProgram(p, false), "related_agencies[1]");
  p = ValidProgram();
  p.activities = {"", "b"};
  ExpectFieldError(ValidateProgram(p, false), "activities[0]");
  p = ValidProgram();
  p.activities.assign(kMaxListEntries + 1, "x");
  ExpectFieldError(ValidateProgram(p, false), "activities");
  p.activities.assign(kMaxListEntries, "x");
  EXPECT_TRUE(ValidateProgram(p, false).ok());
}

TEST(ValidateProgramTest, Texts) {
  Program p = ValidProgram();
  p.purpose = std::string(kMaxTextBytes + 1, 'p');
  ExpectFieldError(ValidateProgram(p, false), "purpose");
  p = ValidProgram();
  p.overview = std::string(kMaxTextBytes + 1, 'o');
  ExpectFieldError(ValidateProgram(p, false), "overview");
  p.overview = std::string(kMaxTextBytes, 'o');
  EXPECT_TRUE(ValidateProgram(p, false).ok());
}

TEST(FundingLabelTest, PlanLabels) {
  EXPECT_EQ(FundingLabel({FundingSource::kNational}), "国");
  EXPECT_EQ(FundingLabel({FundingSource::kPrefecture}), "県");
  EXPECT_EQ(FundingLabel({FundingSource::kOwn}), "自");
  EXPECT_EQ(
      FundingLabel({FundingSource::kPrefecture, FundingSource::kMunicipal}),
      "県・市");
  EXPECT_EQ(FundingLabel({FundingSource::kNational, FundingSource::kPrefecture,
                          FundingSource::kMunicipal, FundingSource::kOwn}),
            "国・県・市・自");
  EXPECT_EQ(FundingLabel({}), "");
}

TEST(ProgramEtagTest, ChangesWithRevisionAndIdentity) {
  Program p = ValidProgram();
  std::string etag = ProgramEtag(p);
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(ProgramEtag(p), etag);
  Program other_revision = p;
  other_revision.revision++;
  EXPECT_NE(ProgramEtag(other_revision), etag);
  Program other_number = p;
  other_number.number++;
  EXPECT_NE(ProgramEtag(other_number), etag);
  Program other_year = p;
  other_year.fiscal_year++;
  EXPECT_NE(ProgramEtag(other_year), etag);
}

TEST(ParseProgramMaskTest, SinglePaths) {
  EXPECT_THAT(ParseProgramMask({"budget_yen"}).value(),
              ElementsAre(ProgramField::kBudgetYen));
  EXPECT_THAT(ParseProgramMask({"title", "departments"}).value(),
              ElementsAre(ProgramField::kTitle, ProgramField::kDepartments));
}

TEST(ParseProgramMaskTest, StarMeansEveryWritableField) {
  absl::StatusOr<std::vector<ProgramField>> fields = ParseProgramMask({"*"});
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(
      *fields,
      ElementsAre(ProgramField::kTitle, ProgramField::kArea,
                  ProgramField::kFundingSources, ProgramField::kBudgetYen,
                  ProgramField::kContinuity, ProgramField::kDepartments,
                  ProgramField::kRelatedAgencies, ProgramField::kPurpose,
                  ProgramField::kOverview, ProgramField::kActivities));
}

TEST(ParseProgramMaskTest, StarWithOthersIsRejected) {
  auto fields = ParseProgramMask({"*", "title"});
  ASSERT_FALSE(fields.ok());
  ExpectFieldError(fields.status(), "update_mask");
}

TEST(ParseProgramMaskTest, UnknownAndOutputOnlyPathsAreRejected) {
  for (const char* path :
       {"no_such_field", "name", "number", "revision", "etag", "update_time",
        "shared_sheet", "Title", "", "budget_yen.units"}) {
    auto fields = ParseProgramMask({"title", path});
    ASSERT_FALSE(fields.ok()) << path;
    ExpectFieldError(fields.status(), "update_mask");
  }
}

TEST(ParseProgramMaskTest, EmptyMaskIsRejected) {
  auto fields = ParseProgramMask({});
  ASSERT_FALSE(fields.ok());
  ExpectFieldError(fields.status(), "update_mask");
}

TEST(ApplyProgramUpdateTest, EtagMismatchIsAborted) {
  Program current = ValidProgram();
  Program patch = current;
  patch.budget_yen = 1;
  auto next = ApplyProgramUpdate(current, patch, {ProgramField::kBudgetYen},
                                 "not-the-etag");
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(next.status()), "ETAG_MISMATCH");

  // The etag of an older revision is stale too.
  Program older = current;
  older.revision--;
  next = ApplyProgramUpdate(current, patch, {ProgramField::kBudgetYen},
                            ProgramEtag(older));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kAborted);
}

TEST(ApplyProgramUpdateTest, MatchingOrEmptyEtagIsAccepted) {
  Program current = ValidProgram();
  Program patch;
  patch.budget_yen = 5000000;
  auto with_etag = ApplyProgramUpdate(
      current, patch, {ProgramField::kBudgetYen}, ProgramEtag(current));
  ASSERT_TRUE(with_etag.ok()) << with_etag.status();
  EXPECT_EQ(with_etag->budget_yen, 5000000);
  auto without =
      ApplyProgramUpdate(current, patch, {ProgramField::kBudgetYen}, "");
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(without->budget_yen, 5000000);
}

TEST(ApplyProgramUpdateTest, OnlyMaskedFieldsChange) {
  Program current = ValidProgram();
  Program patch;  // every field different from `current`
  patch.fiscal_year = 1999;
  patch.number = 99;
  patch.title = "新しい名前";
  patch.area = Area::kInformation;
  patch.funding_sources = {FundingSource::kNational};
  patch.budget_yen = 1;
  patch.continuity = Continuity::kNew;
  patch.departments = {"総務企画課"};
  patch.related_agencies = {"x"};
  patch.purpose = "p2";
  patch.overview = "o2";
  patch.activities = {"a2"};
  patch.shared_sheet = "9-10";
  patch.revision = 100;
  patch.update_time_micros = 123;

  auto next = ApplyProgramUpdate(
      current, patch, {ProgramField::kTitle, ProgramField::kBudgetYen}, "");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->title, "新しい名前");
  EXPECT_EQ(next->budget_yen, 1);
  // Everything else as it was.
  EXPECT_EQ(next->fiscal_year, current.fiscal_year);
  EXPECT_EQ(next->number, current.number);
  EXPECT_EQ(next->area, current.area);
  EXPECT_EQ(next->funding_sources, current.funding_sources);
  EXPECT_EQ(next->continuity, current.continuity);
  EXPECT_EQ(next->departments, current.departments);
  EXPECT_EQ(next->related_agencies, current.related_agencies);
  EXPECT_EQ(next->purpose, current.purpose);
  EXPECT_EQ(next->overview, current.overview);
  EXPECT_EQ(next->activities, current.activities);
  EXPECT_EQ(next->shared_sheet, current.shared_sheet);
}

TEST(ApplyProgramUpdateTest, EveryFieldCanBeSet) {
  Program current = ValidProgram();
  Program patch = current;
  patch.title = "t";
  patch.area = Area::kInformation;
  patch.funding_sources = {FundingSource::kNational, FundingSource::kOwn};
  patch.budget_yen = 7;
  patch.continuity = Continuity::kNew;
  patch.departments = {"総務企画課", "庶務経理課"};
  patch.related_agencies = {};
  patch.purpose = "p2";
  patch.overview = "o2";
  patch.activities = {"a2"};
  auto next = ApplyProgramUpdate(
      current, patch, ParseProgramMask({"*"}).value(), ProgramEtag(current));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->title, "t");
  EXPECT_EQ(next->area, Area::kInformation);
  EXPECT_EQ(next->funding_sources, patch.funding_sources);
  EXPECT_EQ(next->budget_yen, 7);
  EXPECT_EQ(next->continuity, Continuity::kNew);
  EXPECT_EQ(next->departments, patch.departments);
  EXPECT_TRUE(next->related_agencies.empty());
  EXPECT_EQ(next->purpose, "p2");
  EXPECT_EQ(next->overview, "o2");
  EXPECT_EQ(next->activities, patch.activities);
}

TEST(ApplyProgramUpdateTest, RevisionIncrementsAndEtagChanges) {
  Program current = ValidProgram();
  Program patch;
  patch.budget_yen = 42;
  auto next = ApplyProgramUpdate(current, patch, {ProgramField::kBudgetYen},
                                 ProgramEtag(current));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->revision, current.revision + 1);
  EXPECT_NE(ProgramEtag(*next), ProgramEtag(current));
  // The old etag no longer applies to the new state.
  auto again = ApplyProgramUpdate(*next, patch, {ProgramField::kBudgetYen},
                                  ProgramEtag(current));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAborted);
}

TEST(ApplyProgramUpdateTest, InvalidResultNamesPrefixedField) {
  Program current = ValidProgram();
  Program patch;
  patch.budget_yen = -5;
  auto next =
      ApplyProgramUpdate(current, patch, {ProgramField::kBudgetYen}, "");
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(next.status()), "program.budget_yen");

  patch.departments = {"a", ""};
  next = ApplyProgramUpdate(current, patch, {ProgramField::kDepartments}, "");
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(ErrorField(next.status()), "program.departments[1]");
}

TEST(ApplyProgramUpdateTest, UpdateMayNotRemoveAllDepartments) {
  Program current = ValidProgram();
  Program patch;
  auto next =
      ApplyProgramUpdate(current, patch, {ProgramField::kDepartments}, "");
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(next.status()), "program.departments");
}

}  // namespace
}  // namespace shien::budget
