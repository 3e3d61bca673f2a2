// The conformance suite every SubsidyStore implementation must pass. Each
// implementation registers a factory with INSTANTIATE_TEST_SUITE_P below.
#include "services/subsidy/storage/subsidy_store.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/sql/migrations.h"
#include "common/sql/sqlite.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/subsidy/codec/codec.h"
#include "services/subsidy/data/scheme_loader.h"
#include "services/subsidy/domain/application.h"
#include "services/subsidy/storage/postgres_subsidy_store.h"
#include "services/subsidy/storage/schema/migrations.h"
#include "services/subsidy/storage/sqlite_subsidy_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace shien::subsidy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using StoreFactory =
    std::function<std::unique_ptr<SubsidyStore>(const std::string& dir)>;

struct Impl {
  std::string name;
  StoreFactory open;
};

void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

using OutboxFunction = std::function<std::vector<OutboxMessage>(
    const Application&, const DecisionTotals&)>;

std::vector<OutboxMessage> NoMessages(const Application&,
                                      const DecisionTotals&) {
  return {};
}

ApplicationFilter Filter(std::optional<State> state,
                         std::optional<std::string> round = std::nullopt,
                         std::optional<std::string> course = std::nullopt) {
  ApplicationFilter f;
  f.state = state;
  f.round_id = std::move(round);
  f.course_id = std::move(course);
  return f;
}

constexpr char kCompany[] = "3180001031569";
constexpr char kOtherCompany[] = "7000012050002";
constexpr char kThirdCompany[] = "4000012090001";

class SubsidyStoreTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    Open();
    ASSERT_NE(store_, nullptr);
    auto log = LoadSchemes(testing::SourceDir() + "/data", *store_);
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_EQ(log->size(), 1u);
    EXPECT_THAT((*log)[0], HasSubstr("loaded fiscalYears/2026"));
    EXPECT_THAT((*log)[0], ::testing::Not(HasSubstr("already")));
  }

  void Open() {
    store_.reset();
    store_ = GetParam().open(dir_.path());
  }

  static RequestKey Key(const std::string& id, const std::string& body = "b") {
    return RequestKey{id, "Test", body};
  }

  // "id|revision|state|name".
  static std::string Encode(const Application& a) {
    return absl::StrCat(a.id, "|", a.revision, "|", StateName(a.state), "|",
                        ApplicationName(a));
  }

  static std::string EncodeScheme(const Scheme& s) {
    std::string out = absl::StrCat(SchemeName(s.fiscal_year, s.id));
    for (const Round& r : s.rounds) {
      absl::StrAppend(&out, "|", r.id, ":",
                      r.call_start ? FormatDate(*r.call_start) : "-", ":",
                      r.call_end ? FormatDate(*r.call_end) : "-");
    }
    return out;
  }

  static int64_t IdOf(const std::string& response) {
    int64_t id = 0;
    EXPECT_TRUE(absl::SimpleAtoi(response.substr(0, response.find('|')), &id))
        << response;
    return id;
  }

  static Application NewApplication(
      const std::string& corporate_number = kCompany,
      const std::string& round = "2", const std::string& course = "general",
      const std::string& scheme = "productivity") {
    Application a;
    a.fiscal_year = 2026;
    a.scheme_id = scheme;
    a.round_id = round;
    a.course_id = course;
    a.applicant.corporate_number = corporate_number;
    a.applicant.name = "株式会社テスト";
    a.applicant.head_office_prefecture = "三重県";
    a.applicant.office_prefectures = {"愛知県"};
    a.applicant.industry = Industry::kManufacturingAndOthers;
    a.applicant.capital_yen = 10'000'000;
    a.applicant.employees = 12;
    a.expenses = {
        Expense{"machinery", "NC旋盤", 1'000'000, CivilDate{2026, 6, 1}},
        Expense{"publicity", "チラシ", 200'000, std::nullopt}};
    a.state = State::kDraft;
    a.quote.eligible = true;
    a.quote.amount_yen = 600'000;
    a.quote.eligible_expenses_yen = 1'200'000;
    a.quote.sme = true;
    a.quote.small_enterprise = true;
    a.quote.steps = {{"eligible expenses", 1'200'000, 0, 0},
                     {"× rate 1/2", 600'000, 1'200'000, 2}};
    return a;
  }

  // Creates `a` and returns its id (0 on failure).
  int64_t Create(const Application& a, const std::string& request_id) {
    auto response =
        store_->CreateApplication(a, Key(request_id, request_id), Encode);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? IdOf(*response) : 0;
  }

  absl::StatusOr<std::string> Mutate(
      int64_t id, const std::string& request_id,
      const std::function<absl::Status(Application&)>& mutate,
      const OutboxFunction& outbox = NoMessages,
      const std::string& scheme = "productivity") {
    return store_->MutateApplication(2026, scheme, id, mutate, outbox,
                                     Key(request_id, request_id), Encode);
  }

  // Moves application `id` through `actions` in one mutation.
  absl::StatusOr<std::string> Act(int64_t id, const std::string& request_id,
                                  std::vector<Action> actions,
                                  const std::string& scheme = "productivity") {
    return Mutate(
        id, request_id,
        [actions](Application& a) -> absl::Status {
          for (Action action : actions) {
            absl::Status s = Apply(a, action, "tester", "", 1'000);
            if (!s.ok()) return s;
          }
          return absl::OkStatus();
        },
        NoMessages, scheme);
  }

  Application Get(int64_t id, const std::string& scheme = "productivity") {
    auto a = store_->GetApplication(2026, scheme, id);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *std::move(a) : Application{};
  }

  int64_t Version() {
    auto stats = store_->Stats(2026, "productivity");
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? stats->data_version : -1;
  }

  std::vector<OutboxMessage> Pending(int limit = 100) {
    auto pending = store_->PendingOutbox(0, limit);
    EXPECT_TRUE(pending.ok()) << pending.status();
    return pending.ok() ? *std::move(pending) : std::vector<OutboxMessage>{};
  }

  std::vector<int64_t> ListIds(const ApplicationFilter& filter,
                               int64_t after_id = 0, int limit = 100) {
    auto list =
        store_->ListApplications(2026, "productivity", filter, after_id, limit);
    EXPECT_TRUE(list.ok()) << list.status();
    std::vector<int64_t> ids;
    if (list.ok()) {
      for (const Application& a : *list) ids.push_back(a.id);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<SubsidyStore> store_;
};

TEST_P(SubsidyStoreTest, LoadsTheSchemesOnce) {
  auto schemes = store_->ListSchemes(2026);
  ASSERT_TRUE(schemes.ok()) << schemes.status();
  std::vector<std::string> ids;
  for (const Scheme& s : *schemes) ids.push_back(s.id);
  EXPECT_THAT(
      ids, ElementsAre("foreign-filing", "out-of-prefecture-talent",
                       "overseas-business", "productivity", "side-job-talent"));
  const int64_t version = Version();

  auto again = LoadSchemes(testing::SourceDir() + "/data", *store_);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_THAT((*again)[0], HasSubstr("already loaded"));
  EXPECT_THAT((*again)[0], HasSubstr("fiscalYears/2026"));
  EXPECT_EQ(Version(), version);

  Scheme extra = *store_->GetScheme(2026, "productivity");
  extra.id = "extra";
  auto load = store_->LoadYear(2026, "again", {extra});
  ASSERT_TRUE(load.ok()) << load.status();
  EXPECT_FALSE(*load);
  EXPECT_EQ(store_->GetScheme(2026, "extra").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListSchemes(2026)->size(), 5u);

  // Another year loads beside it.
  extra.fiscal_year = 2027;
  auto other = store_->LoadYear(2027, "next", {extra});
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(*other);
  auto next = store_->ListSchemes(2027);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ(next->front().id, "extra");
  EXPECT_EQ(next->front().fiscal_year, 2027);
  EXPECT_EQ(store_->ListSchemes(2026)->size(), 5u);
}

TEST_P(SubsidyStoreTest, RefusesFaultyYearFilesWithoutLoadingAnything) {
  auto scheme = [](const std::string& year, const std::string& id) {
    return absl::StrCat("schemes {\n  name: \"fiscalYears/", year, "/schemes/",
                        id, "\"\n  program: \"fiscalYears/", year,
                        "/programs/5\"\n  title: \"A\"\n}\n");
  };
  struct Case {
    std::string name;
    std::string text;  // of fy2030/schemes.textproto
  };
  const std::vector<Case> cases = {
      {"year differs from the directory",
       "fiscal_year: 2031\n" + scheme("2031", "a")},
      {"repeated scheme", "fiscal_year: 2030\n" + scheme("2030", "a") +
                              scheme("2030", "b") + scheme("2030", "a")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir data;
    ASSERT_TRUE(std::filesystem::create_directory(data.File("fy2030")));
    const std::string path = data.File("fy2030/schemes.textproto");
    {
      std::ofstream out(path, std::ios::binary);
      out << c.text;
    }
    auto log = LoadSchemes(data.path(), *store_);
    EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument)
        << log.status();
    EXPECT_THAT(std::string(log.status().message()), HasSubstr(path));
    EXPECT_EQ(store_->ListSchemes(2030).status().code(),
              absl::StatusCode::kNotFound);
    EXPECT_EQ(store_->ListSchemes(2031).status().code(),
              absl::StatusCode::kNotFound);
  }
}

TEST_P(SubsidyStoreTest, StoresEverySchemeAsRead) {
  auto file =
      ReadSchemeFile(testing::SourceDir() + "/data/fy2026/schemes.textproto");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->schemes.size(), 5u);
  const CivilDate today{2026, 6, 1};
  for (const Scheme& expected : file->schemes) {
    auto stored = store_->GetScheme(2026, expected.id);
    ASSERT_TRUE(stored.ok()) << expected.id << ": " << stored.status();
    pb::Scheme want;
    pb::Scheme got;
    ToProto(expected, today, &want);
    ToProto(*stored, today, &got);
    std::string diff;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(want, got)) << expected.id << ": " << diff;
  }
}

TEST_P(SubsidyStoreTest, GetsSchemes) {
  auto s = store_->GetScheme(2026, "productivity");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->fiscal_year, 2026);
  EXPECT_EQ(s->program_number, 11);
  ASSERT_EQ(s->courses.size(), 2u);
  EXPECT_EQ(s->courses[1].id, "general");
  EXPECT_EQ(s->courses[1].cap_yen, 1'000'000);
  EXPECT_EQ(s->courses[1].floor_yen, 300'000);
  EXPECT_EQ(s->courses[1].applicant_class, ApplicantClass::kSmallEnterprise);
  ASSERT_EQ(s->rounds.size(), 2u);
  ASSERT_TRUE(s->rounds[0].call_end.has_value());
  EXPECT_EQ(FormatDate(*s->rounds[0].call_end), "2026-02-27");
  EXPECT_FALSE(s->rounds[1].call_start.has_value());
  EXPECT_EQ(s->expense_categories.size(), 6u);
  EXPECT_EQ(s->envelope_yen, 300'000'000);

  auto unpublished = store_->GetScheme(2026, "side-job-talent");
  ASSERT_TRUE(unpublished.ok()) << unpublished.status();
  EXPECT_FALSE(unpublished->terms_published);
  EXPECT_TRUE(unpublished->courses.empty());

  auto missing = store_->GetScheme(2026, "nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReason(missing.status()), "SCHEME_NOT_FOUND");
  EXPECT_EQ(store_->GetScheme(2030, "productivity").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListSchemes(2030).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(SubsidyStoreTest, UpdatesASchemeRoundAndKeepsItAfterReopening) {
  const int64_t version = Version();
  int calls = 0;
  auto announce = [&calls](Scheme& s) -> absl::Status {
    ++calls;
    Round* r = nullptr;
    for (Round& round : s.rounds) {
      if (round.id == "2") r = &round;
    }
    if (r == nullptr) return absl::NotFoundError("no round 2");
    r->call_start = CivilDate{2026, 5, 15};
    r->call_end = CivilDate{2026, 6, 30};
    r->call_window_text = "令和8年5月15日～6月30日";
    return absl::OkStatus();
  };
  auto response = store_->UpdateScheme(
      2026, "productivity", announce, Key("announce", "round-2"), EncodeScheme);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(*response,
            "fiscalYears/2026/schemes/productivity|1:2026-01-13:2026-02-27|"
            "2:2026-05-15:2026-06-30");
  EXPECT_EQ(calls, 1);
  EXPECT_GT(Version(), version);

  // A replay returns the first response without running the mutation.
  auto replay = store_->UpdateScheme(2026, "productivity", announce,
                                     Key("announce", "round-2"), EncodeScheme);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *response);
  EXPECT_EQ(calls, 1);
  auto found = store_->FindResponse(Key("announce", "round-2"));
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, *response);
  auto reused = store_->UpdateScheme(2026, "productivity", announce,
                                     Key("announce", "other"), EncodeScheme);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(reused.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(calls, 1);

  // A failing mutation changes nothing.
  const int64_t after = Version();
  auto failed = store_->UpdateScheme(
      2026, "productivity",
      [](Scheme& s) -> absl::Status {
        s.rounds.clear();
        return absl::FailedPreconditionError("no");
      },
      Key("fails"), EncodeScheme);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Version(), after);
  auto not_recorded = store_->FindResponse(Key("fails"));
  ASSERT_TRUE(not_recorded.ok()) << not_recorded.status();
  EXPECT_FALSE(not_recorded->has_value());
  EXPECT_EQ(
      store_->UpdateScheme(2026, "nope", announce, Key("nope"), EncodeScheme)
          .status()
          .code(),
      absl::StatusCode::kNotFound);

  Open();
  ASSERT_NE(store_, nullptr);
  auto s = store_->GetScheme(2026, "productivity");
  ASSERT_TRUE(s.ok()) << s.status();
  const Round* round = s->FindRound("2");
  ASSERT_NE(round, nullptr);
  ASSERT_TRUE(round->call_start.has_value());
  ASSERT_TRUE(round->call_end.has_value());
  EXPECT_EQ(FormatDate(*round->call_start), "2026-05-15");
  EXPECT_EQ(FormatDate(*round->call_end), "2026-06-30");
  EXPECT_EQ(round->call_window_text, "令和8年5月15日～6月30日");
  EXPECT_EQ(round->StateOn(CivilDate{2026, 6, 30}), SchemeState::kOpen);
  EXPECT_EQ(s->FindRound("1")->call_start, (CivilDate{2026, 1, 13}));
  EXPECT_EQ(Version(), after);
  // The request log survives too.
  auto replay_after = store_->UpdateScheme(
      2026, "productivity", announce, Key("announce", "round-2"), EncodeScheme);
  ASSERT_TRUE(replay_after.ok()) << replay_after.status();
  EXPECT_EQ(*replay_after, *response);
  EXPECT_EQ(calls, 1);
}

TEST_P(SubsidyStoreTest, CreatesApplicationsWithIdsAndReplays) {
  const int64_t version = Version();
  auto first =
      store_->CreateApplication(NewApplication(), Key("c1", "one"), Encode);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first,
            "1|1|APPLICATION_STATE_DRAFT|"
            "fiscalYears/2026/schemes/productivity/applications/1");
  EXPECT_GT(Version(), version);
  const int64_t after_first = Version();

  auto second = store_->CreateApplication(NewApplication(kOtherCompany),
                                          Key("c2", "two"), Encode);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(IdOf(*second), 2);

  // A replay returns the first response and creates nothing.
  auto replay =
      store_->CreateApplication(NewApplication(), Key("c1", "one"), Encode);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *first);
  auto reused =
      store_->CreateApplication(NewApplication(), Key("c1", "x"), Encode);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorReason(reused.status()), "REQUEST_ID_REUSED");

  // Without a request id every call creates one.
  auto third =
      store_->CreateApplication(NewApplication(), Key("", "three"), Encode);
  auto fourth =
      store_->CreateApplication(NewApplication(), Key("", "three"), Encode);
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(IdOf(*third), 3);
  EXPECT_EQ(IdOf(*fourth), 4);
  EXPECT_THAT(ListIds({}), ElementsAre(1, 2, 3, 4));
  EXPECT_GT(Version(), after_first);

  // An unknown scheme is NOT_FOUND and takes no id.
  Application unknown = NewApplication();
  unknown.scheme_id = "nope";
  EXPECT_EQ(store_->CreateApplication(unknown, Key("c5", "five"), Encode)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto none = store_->FindResponse(Key("c5", "five"));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(Create(NewApplication(), "c6"), 5);
}

TEST_P(SubsidyStoreTest, StoresEveryApplicationField) {
  Application a = NewApplication();
  a.revision = 9;  // the store starts at 1
  a.prior_start_date = CivilDate{2026, 4, 20};
  a.applicant.deemed_large_enterprise = true;
  a.quote.reasons = {{"CATEGORY_NOT_ELIGIBLE", "expenses[2]", "x"}};
  const int64_t id = Create(a, "create");
  ASSERT_EQ(id, 1);
  Application got = Get(id);
  EXPECT_EQ(got.id, 1);
  EXPECT_EQ(got.fiscal_year, 2026);
  EXPECT_EQ(got.scheme_id, "productivity");
  EXPECT_EQ(got.round_id, "2");
  EXPECT_EQ(got.course_id, "general");
  EXPECT_EQ(got.state, State::kDraft);
  EXPECT_EQ(got.revision, 1);
  EXPECT_GT(got.create_time_micros, 0);
  EXPECT_EQ(got.update_time_micros, got.create_time_micros);
  EXPECT_EQ(got.applicant.corporate_number, kCompany);
  EXPECT_EQ(got.applicant.name, "株式会社テスト");
  EXPECT_EQ(got.applicant.head_office_prefecture, "三重県");
  EXPECT_THAT(got.applicant.office_prefectures, ElementsAre("愛知県"));
  EXPECT_EQ(got.applicant.industry, Industry::kManufacturingAndOthers);
  EXPECT_EQ(got.applicant.capital_yen, 10'000'000);
  EXPECT_EQ(got.applicant.employees, 12);
  EXPECT_TRUE(got.applicant.deemed_large_enterprise);
  ASSERT_EQ(got.expenses.size(), 2u);
  EXPECT_EQ(got.expenses[0].category, "machinery");
  EXPECT_EQ(got.expenses[0].description, "NC旋盤");
  EXPECT_EQ(got.expenses[0].amount_yen, 1'000'000);
  EXPECT_EQ(got.expenses[0].incurred, (CivilDate{2026, 6, 1}));
  EXPECT_FALSE(got.expenses[1].incurred.has_value());
  EXPECT_EQ(got.prior_start_date, (CivilDate{2026, 4, 20}));
  EXPECT_FALSE(got.approval_date.has_value());
  EXPECT_TRUE(got.quote.eligible);
  EXPECT_EQ(got.quote.amount_yen, 600'000);
  EXPECT_EQ(got.quote.eligible_expenses_yen, 1'200'000);
  ASSERT_EQ(got.quote.steps.size(), 2u);
  EXPECT_EQ(got.quote.steps[1].label, "× rate 1/2");
  EXPECT_EQ(got.quote.steps[1].numerator, 1'200'000);
  EXPECT_EQ(got.quote.steps[1].denominator, 2);
  ASSERT_EQ(got.quote.reasons.size(), 1u);
  EXPECT_EQ(got.quote.reasons[0].field, "expenses[2]");

  EXPECT_EQ(store_->GetApplication(2026, "productivity", 2).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      ErrorReason(store_->GetApplication(2026, "productivity", 2).status()),
      "APPLICATION_NOT_FOUND");
  EXPECT_EQ(
      store_->GetApplication(2026, "overseas-business", id).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetApplication(2027, "productivity", id).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(SubsidyStoreTest, MutatesApplications) {
  const int64_t id = Create(NewApplication(), "create");
  const int64_t version = Version();
  std::string etag_seen;
  auto response = Mutate(id, "submit", [&](Application& a) -> absl::Status {
    etag_seen = ApplicationEtag(a);
    absl::Status etag = CheckEtag(a, etag_seen);
    if (!etag.ok()) return etag;
    return Apply(a, Action::kSubmit, "applicant", "", 5'000);
  });
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(*response,
            "1|2|APPLICATION_STATE_SUBMITTED|"
            "fiscalYears/2026/schemes/productivity/applications/1");
  EXPECT_GT(Version(), version);
  Application got = Get(id);
  EXPECT_EQ(got.state, State::kSubmitted);
  EXPECT_EQ(got.revision, 2);
  EXPECT_EQ(got.update_time_micros, 5'000);
  ASSERT_EQ(got.history.size(), 1u);
  EXPECT_EQ(got.history[0].from, State::kDraft);
  EXPECT_EQ(got.history[0].to, State::kSubmitted);
  EXPECT_EQ(got.history[0].actor, "applicant");
  EXPECT_EQ(got.history[0].time_micros, 5'000);
  EXPECT_NE(ApplicationEtag(got), etag_seen);

  // The old etag is refused now.
  auto stale = Mutate(id, "stale", [&](Application& a) -> absl::Status {
    absl::Status etag = CheckEtag(a, etag_seen);
    if (!etag.ok()) return etag;
    return Apply(a, Action::kReturn, "reviewer", "", 6'000);
  });
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorReason(stale.status()), "ETAG_MISMATCH");

  // A replay does not run the mutation again.
  int calls = 0;
  auto replay = Mutate(id, "submit", [&](Application&) -> absl::Status {
    ++calls;
    return absl::OkStatus();
  });
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *response);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(Get(id).revision, 2);

  EXPECT_EQ(Act(99, "missing", {Action::kSubmit}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Act(id, "other-scheme", {Action::kSubmit}, "overseas-business")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(SubsidyStoreTest, FailingMutationChangesNothingAndQueuesNothing) {
  const int64_t id = Create(NewApplication(), "create");
  const Application before = Get(id);
  const int64_t version = Version();
  int outbox_calls = 0;
  auto queue = [&outbox_calls](const Application& a, const DecisionTotals&) {
    ++outbox_calls;
    return std::vector<OutboxMessage>{{0, "budget.ReleaseFunds",
                                       ApplicationName(a) + "/release", "p", 1,
                                       0, ""}};
  };
  struct Case {
    std::string name;
    std::function<absl::Status(Application&)> mutate;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"illegal transition",
       [](Application& a) {
         return Apply(a, Action::kApprove, "reviewer", "", 9'000);
       },
       absl::StatusCode::kFailedPrecondition},
      {"fails after changing",
       [](Application& a) -> absl::Status {
         absl::Status s = Apply(a, Action::kSubmit, "x", "", 9'000);
         if (!s.ok()) return s;
         a.approved_amount_yen = 1'000'000;
         a.course_id = "wage-increase";
         return absl::InvalidArgumentError("changed my mind");
       },
       absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = Mutate(id, c.name, c.mutate, queue);
    EXPECT_EQ(result.status().code(), c.code) << result.status();
    Application after = Get(id);
    EXPECT_EQ(after.state, before.state);
    EXPECT_EQ(after.revision, before.revision);
    EXPECT_EQ(after.course_id, "general");
    EXPECT_EQ(after.approved_amount_yen, 0);
    EXPECT_TRUE(after.history.empty());
    EXPECT_EQ(after.update_time_micros, before.update_time_micros);
    EXPECT_EQ(outbox_calls, 0);
    EXPECT_THAT(Pending(), IsEmpty());
    EXPECT_EQ(Version(), version);
    auto found = store_->FindResponse(Key(c.name, c.name));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_FALSE(found->has_value());
    EXPECT_THAT(ListIds(Filter(State::kDraft)), ElementsAre(id));
  }
  // The same request id can be used again once a failure was not recorded.
  auto retry = Act(id, "illegal transition", {Action::kSubmit});
  EXPECT_TRUE(retry.ok()) << retry.status();
}

TEST_P(SubsidyStoreTest, RefusesASecondSubmissionInTheSameRound) {
  // Two drafts of the same company in round 2 of productivity.
  const int64_t first = Create(NewApplication(), "a1");
  const int64_t second = Create(NewApplication(), "a2");
  ASSERT_TRUE(Act(first, "submit-1", {Action::kSubmit}).ok());

  auto refused = Act(second, "submit-2", {Action::kSubmit});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists)
      << refused.status();
  EXPECT_EQ(ErrorReason(refused.status()), "DUPLICATE_APPLICATION");
  EXPECT_EQ(Get(second).state, State::kDraft);
  EXPECT_EQ(Get(second).revision, 1);

  // Another company, another round or another scheme are not affected.
  const int64_t other_company = Create(NewApplication(kOtherCompany), "a3");
  EXPECT_TRUE(Act(other_company, "submit-3", {Action::kSubmit}).ok());
  const int64_t other_round =
      Create(NewApplication(kCompany, "1", "general"), "a4");
  EXPECT_TRUE(Act(other_round, "submit-4", {Action::kSubmit}).ok());
  const int64_t other_course =
      Create(NewApplication(kCompany, "2", "wage-increase"), "a5");
  EXPECT_EQ(Act(other_course, "submit-5", {Action::kSubmit}).status().code(),
            absl::StatusCode::kAlreadyExists);
  const int64_t other_scheme = Create(
      NewApplication(kCompany, "2", "standard", "overseas-business"), "a6");
  auto overseas =
      Act(other_scheme, "submit-6", {Action::kSubmit}, "overseas-business");
  EXPECT_TRUE(overseas.ok()) << overseas.status();

  // Returned for correction still counts; resubmitting it is no duplicate
  // of itself.
  ASSERT_TRUE(Act(first, "return-1", {Action::kReturn}).ok());
  EXPECT_EQ(Act(second, "submit-2b", {Action::kSubmit}).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto resubmit = Act(first, "resubmit-1", {Action::kSubmit});
  EXPECT_TRUE(resubmit.ok()) << resubmit.status();

  // Once the first is withdrawn the second may be submitted.
  ASSERT_TRUE(Act(first, "withdraw-1", {Action::kWithdraw}).ok());
  auto allowed = Act(second, "submit-2c", {Action::kSubmit});
  EXPECT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(Get(second).state, State::kSubmitted);

  // A draft of the same company does not block a submission; the draft
  // is then blocked in turn.
  const int64_t draft = Create(NewApplication(kThirdCompany), "b1");
  const int64_t submitted = Create(NewApplication(kThirdCompany), "b2");
  EXPECT_TRUE(Act(submitted, "submit-b2", {Action::kSubmit}).ok());
  EXPECT_EQ(Get(draft).state, State::kDraft);
  EXPECT_EQ(Act(draft, "submit-b1", {Action::kSubmit}).status().code(),
            absl::StatusCode::kAlreadyExists);

  // An approved or rejected one blocks as well.
  ASSERT_TRUE(Act(submitted, "reject-b2", {Action::kReject}).ok());
  EXPECT_EQ(Act(draft, "submit-b1b", {Action::kSubmit}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(SubsidyStoreTest, OutboxReceivesTheSchemeTotalsAndKeepsOrder) {
  const int64_t a = Create(NewApplication(), "a");
  const int64_t b = Create(NewApplication(kOtherCompany), "b");
  const int64_t c = Create(NewApplication(kThirdCompany), "c");
  // An approval in another scheme does not count for productivity.
  const int64_t overseas = Create(
      NewApplication(kCompany, "1", "standard", "overseas-business"), "o");

  std::vector<DecisionTotals> seen;
  auto approve = [](int64_t amount) {
    return [amount](Application& app) -> absl::Status {
      absl::Status s = Apply(app, Action::kSubmit, "applicant", "", 1);
      if (!s.ok()) return s;
      s = Apply(app, Action::kApprove, "reviewer", "", 2);
      if (!s.ok()) return s;
      app.approved_amount_yen = amount;
      return absl::OkStatus();
    };
  };
  auto messages = [&seen](const std::string& tag) {
    return [&seen, tag](const Application& app, const DecisionTotals& totals) {
      seen.push_back(totals);
      return std::vector<OutboxMessage>{
          {0, "budget.ReserveFunds", ApplicationName(app) + "/" + tag,
           "reserve-" + tag, 0, 0, ""},
          {0, "kpi.RecordMeasurements", ApplicationName(app) + "/kpi-" + tag,
           absl::StrCat(totals.count, "/", totals.amount_yen), 0, 0, ""}};
    };
  };

  ASSERT_TRUE(Mutate(overseas, "approve-o", approve(900'000), messages("o"),
                     "overseas-business")
                  .ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.back().count, 1);
  EXPECT_EQ(seen.back().amount_yen, 900'000);

  ASSERT_TRUE(Mutate(a, "approve-a", approve(500'000), messages("a")).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.back().count, 1);
  EXPECT_EQ(seen.back().amount_yen, 500'000);

  ASSERT_TRUE(Mutate(b, "approve-b", approve(300'000), messages("b")).ok());
  EXPECT_EQ(seen.back().count, 2);
  EXPECT_EQ(seen.back().amount_yen, 800'000);

  // Submitted but not approved: no decision.
  ASSERT_TRUE(Mutate(
                  c, "submit-c",
                  [](Application& app) {
                    return Apply(app, Action::kSubmit, "applicant", "", 3);
                  },
                  messages("c"))
                  .ok());
  EXPECT_EQ(seen.back().count, 2);
  EXPECT_EQ(seen.back().amount_yen, 800'000);

  // Confirmed below the approved amount; then withdrawn.
  ASSERT_TRUE(Mutate(
                  a, "confirm-a",
                  [](Application& app) -> absl::Status {
                    absl::Status s =
                        Apply(app, Action::kReportCompletion, "a", "", 4);
                    if (!s.ok()) return s;
                    s = Apply(app, Action::kConfirmAmount, "r", "", 5);
                    app.confirmed_amount_yen = 450'000;
                    return s;
                  },
                  messages("confirm-a"))
                  .ok());
  EXPECT_EQ(seen.back().count, 2);
  EXPECT_EQ(seen.back().amount_yen, 750'000);
  ASSERT_TRUE(Mutate(
                  b, "withdraw-b",
                  [](Application& app) {
                    return Apply(app, Action::kWithdraw, "a", "", 6);
                  },
                  messages("withdraw-b"))
                  .ok());
  EXPECT_EQ(seen.back().count, 1);
  EXPECT_EQ(seen.back().amount_yen, 450'000);
  EXPECT_EQ(seen.size(), 6u);

  std::vector<OutboxMessage> pending = Pending();
  std::vector<std::string> order;
  for (const OutboxMessage& m : pending) {
    order.push_back(m.payload);
    EXPECT_EQ(m.attempts, 0) << m.request_id;
    EXPECT_EQ(m.last_error, "") << m.request_id;
  }
  EXPECT_THAT(order, ElementsAre("reserve-o", "1/900000", "reserve-a",
                                 "1/500000", "reserve-b", "2/800000",
                                 "reserve-c", "2/800000", "reserve-confirm-a",
                                 "2/750000", "reserve-withdraw-b", "1/450000"));
  for (size_t i = 1; i < pending.size(); ++i) {
    EXPECT_LT(pending[i - 1].sequence, pending[i].sequence) << i;
  }
  ASSERT_GE(pending.size(), 4u);
  EXPECT_EQ(pending[2].target, "budget.ReserveFunds");
  EXPECT_EQ(pending[2].request_id,
            "fiscalYears/2026/schemes/productivity/applications/1/a");
  EXPECT_EQ(pending[3].target, "kpi.RecordMeasurements");
  EXPECT_EQ(Get(a).CommittedYen(), 450'000);
  EXPECT_EQ(Get(b).CommittedYen(), 0);
}

TEST_P(SubsidyStoreTest, DeliversRetriesAndBuriesOutboxMessages) {
  const int64_t id = Create(NewApplication(), "create");
  auto three = [](const Application& a, const DecisionTotals&) {
    std::vector<OutboxMessage> out;
    for (int i = 1; i <= 3; ++i) {
      out.push_back({0, "budget.ReleaseFunds",
                     absl::StrCat(ApplicationName(a), "/m", i),
                     absl::StrCat("payload-", i), 100 * i, 0, ""});
    }
    return out;
  };
  ASSERT_TRUE(
      Mutate(
          id, "update",
          [](Application& a) { return Apply(a, Action::kUpdate, "x", "", 1); },
          three)
          .ok());
  std::vector<OutboxMessage> pending = Pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].payload, "payload-1");
  EXPECT_EQ(pending[0].amount_yen, 100);
  EXPECT_EQ(pending[2].amount_yen, 300);
  const int64_t s1 = pending[0].sequence;
  const int64_t s2 = pending[1].sequence;
  const int64_t s3 = pending[2].sequence;

  auto limited = store_->PendingOutbox(0, 2);
  ASSERT_TRUE(limited.ok()) << limited.status();
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].sequence, s2);
  auto after = store_->PendingOutbox(s1, 100);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].sequence, s2);
  EXPECT_EQ((*after)[1].sequence, s3);
  auto past = store_->PendingOutbox(s3, 100);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_THAT(*past, IsEmpty());

  ASSERT_TRUE(store_->MarkFailed(s1, "deadline exceeded", false).ok());
  ASSERT_TRUE(store_->MarkFailed(s1, "unavailable", false).ok());
  pending = Pending();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].sequence, s1);
  EXPECT_EQ(pending[0].attempts, 2);
  EXPECT_EQ(pending[0].last_error, "unavailable");

  ASSERT_TRUE(store_->MarkFailed(s2, "invalid argument", true).ok());
  pending = Pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].sequence, s1);
  EXPECT_EQ(pending[1].sequence, s3);

  ASSERT_TRUE(store_->MarkDelivered({s1}).ok());
  pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].sequence, s3);
  EXPECT_EQ(pending[0].attempts, 0);

  ASSERT_TRUE(store_->MarkDelivered({s3}).ok());
  EXPECT_THAT(Pending(), IsEmpty());

  // Survives reopening.
  Open();
  ASSERT_NE(store_, nullptr);
  EXPECT_THAT(Pending(), IsEmpty());
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_P(SubsidyStoreTest, PendingBudgetMessagesAreTheApplicationsOwnLiveOnes) {
  const int64_t id = Create(NewApplication(), "create");
  const std::string base = "fiscalYears/2026/schemes/productivity/applications";
  const std::string name = absl::StrCat(base, "/", id);
  auto messages = [&](const Application&, const DecisionTotals&) {
    std::vector<OutboxMessage> out;
    for (const std::string& request_id :
         {name + "/release/live", name + "/release/delivered",
          name + "/release/dead", absl::StrCat(base, "/", id, "0/release/x")}) {
      out.push_back({0, "budget.ReleaseFunds", request_id, "", 100, 0, ""});
    }
    out.push_back({0, "kpi.RecordMeasurements", name + "/kpi", "", 0, 0, ""});
    return out;
  };
  ASSERT_TRUE(
      Mutate(
          id, "update",
          [](Application& a) { return Apply(a, Action::kUpdate, "x", "", 1); },
          messages)
          .ok());
  std::vector<OutboxMessage> pending = Pending();
  ASSERT_EQ(pending.size(), 5u);
  ASSERT_TRUE(store_->MarkDelivered({pending[1].sequence}).ok());
  ASSERT_TRUE(store_->MarkFailed(pending[2].sequence, "refused", true).ok());

  auto count = store_->PendingBudgetMessages(name);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 1);  // not the delivered, dead, KPI or ".../<id>0" ones
  // The name is compared exactly: not as a pattern, not ignoring case.
  for (const std::string& other :
       {absl::StrCat("fiscalYears/2026/schemes/pr_ductivity/applications/", id),
        absl::StrCat("fiscalYears/2026/schemes/productivity/applications/%"),
        absl::StrCat("fiscalYears/2026/schemes/PRODUCTIVITY/applications/",
                     id)}) {
    auto none = store_->PendingBudgetMessages(other);
    ASSERT_TRUE(none.ok()) << none.status();
    EXPECT_EQ(*none, 0) << other;
  }
}

TEST_P(SubsidyStoreTest, StatsSumsApplicationsAndPendingReleases) {
  const int64_t a = Create(NewApplication(), "a");
  const int64_t b =
      Create(NewApplication(kOtherCompany, "1", "wage-increase"), "b");
  Application big = NewApplication(kThirdCompany);
  big.quote.amount_yen = 1'000'000;
  const int64_t c = Create(big, "c");
  const int64_t overseas = Create(
      NewApplication(kCompany, "1", "standard", "overseas-business"), "o");
  const int64_t v0 = Version();

  // a approved at 600,000; b approved at 400,000 then withdrawn with its
  // release queued; c stays a draft.
  auto approve = [](int64_t amount) {
    return [amount](Application& app) -> absl::Status {
      absl::Status s = Apply(app, Action::kSubmit, "applicant", "", 1);
      if (s.ok()) s = Apply(app, Action::kApprove, "reviewer", "", 2);
      app.approved_amount_yen = amount;
      return s;
    };
  };
  ASSERT_TRUE(Mutate(a, "approve-a", approve(600'000)).ok());
  ASSERT_TRUE(Mutate(b, "approve-b", approve(400'000)).ok());
  auto release = [](const Application& app, const DecisionTotals&) {
    return std::vector<OutboxMessage>{
        {0, "budget.ReleaseFunds", ApplicationName(app) + "/release", "r",
         app.approved_amount_yen, 0, ""},
        // Not a release: not counted.
        {0, "budget.ReserveFunds", ApplicationName(app) + "/reserve", "x", 7, 0,
         ""},
        // A release of another scheme: not counted.
        {0, "budget.ReleaseFunds",
         "fiscalYears/2026/schemes/overseas-business/applications/9/release",
         "y", 11, 0, ""}};
  };
  ASSERT_TRUE(Mutate(
                  b, "withdraw-b",
                  [](Application& app) {
                    return Apply(app, Action::kWithdraw, "applicant", "", 3);
                  },
                  release)
                  .ok());
  ASSERT_TRUE(Mutate(
                  overseas, "update-o",
                  [](Application& app) {
                    return Apply(app, Action::kUpdate, "applicant", "", 4);
                  },
                  [](const Application& app, const DecisionTotals&) {
                    return std::vector<OutboxMessage>{
                        {0, "budget.ReleaseFunds",
                         ApplicationName(app) + "/release", "z", 13, 0, ""}};
                  },
                  "overseas-business")
                  .ok());

  auto stats = store_->Stats(2026, "productivity");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GT(stats->data_version, v0);
  ASSERT_EQ(stats->applications.size(), 3u);
  const ApplicationFigures& fa = stats->applications[0];
  EXPECT_EQ(fa.state, State::kApproved);
  EXPECT_EQ(fa.round_id, "2");
  EXPECT_EQ(fa.course_id, "general");
  EXPECT_EQ(fa.requested_yen, 600'000);
  EXPECT_EQ(fa.committed_yen, 600'000);
  const ApplicationFigures& fb = stats->applications[1];
  EXPECT_EQ(fb.state, State::kWithdrawn);
  EXPECT_EQ(fb.round_id, "1");
  EXPECT_EQ(fb.course_id, "wage-increase");
  EXPECT_EQ(fb.committed_yen, 0);
  const ApplicationFigures& fc = stats->applications[2];
  EXPECT_EQ(fc.state, State::kDraft);
  EXPECT_EQ(Get(c).quote.amount_yen, fc.requested_yen);
  EXPECT_EQ(fc.requested_yen, 1'000'000);
  EXPECT_EQ(fc.committed_yen, 0);
  EXPECT_EQ(stats->pending_release_yen, 400'000);

  auto other = store_->Stats(2026, "overseas-business");
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_EQ(other->applications.size(), 1u);
  EXPECT_EQ(other->pending_release_yen, 11 + 13);
  EXPECT_EQ(other->data_version, stats->data_version);

  // Delivered and dead releases are no longer pending.
  int64_t release_sequence = 0;
  int64_t foreign_sequence = 0;
  for (const OutboxMessage& m : Pending()) {
    if (m.request_id == ApplicationName(Get(b)) + "/release") {
      release_sequence = m.sequence;
    }
    if (m.payload == "z") foreign_sequence = m.sequence;
  }
  ASSERT_NE(release_sequence, 0);
  ASSERT_NE(foreign_sequence, 0);
  ASSERT_TRUE(store_->MarkFailed(release_sequence, "retry", false).ok());
  EXPECT_EQ(store_->Stats(2026, "productivity")->pending_release_yen, 400'000);
  ASSERT_TRUE(store_->MarkDelivered({release_sequence}).ok());
  EXPECT_EQ(store_->Stats(2026, "productivity")->pending_release_yen, 0);
  ASSERT_TRUE(store_->MarkFailed(foreign_sequence, "gone", true).ok());
  EXPECT_EQ(store_->Stats(2026, "overseas-business")->pending_release_yen, 11);

  EXPECT_EQ(store_->Stats(2026, "nope").status().code(),
            absl::StatusCode::kNotFound);
  auto empty = store_->Stats(2026, "foreign-filing");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->applications.empty());
  EXPECT_EQ(empty->pending_release_yen, 0);
}

TEST_P(SubsidyStoreTest, ListsApplicationsByFilterAndPage) {
  // id: state, round, course
  // 1: draft, 2, general; 2: submitted, 2, wage-increase;
  // 3: submitted, 1, general; 4: draft, 1, wage-increase;
  // 5: withdrawn, 2, general.
  ASSERT_EQ(Create(NewApplication(kCompany, "2", "general"), "1"), 1);
  ASSERT_EQ(Create(NewApplication(kOtherCompany, "2", "wage-increase"), "2"),
            2);
  ASSERT_EQ(Create(NewApplication(kCompany, "1", "general"), "3"), 3);
  ASSERT_EQ(Create(NewApplication(kThirdCompany, "1", "wage-increase"), "4"),
            4);
  ASSERT_EQ(Create(NewApplication(kThirdCompany, "2", "general"), "5"), 5);
  ASSERT_EQ(
      Create(NewApplication(kCompany, "1", "standard", "overseas-business"),
             "6"),
      6);
  ASSERT_TRUE(Act(2, "s2", {Action::kSubmit}).ok());
  ASSERT_TRUE(Act(3, "s3", {Action::kSubmit}).ok());
  ASSERT_TRUE(Act(5, "w5", {Action::kWithdraw}).ok());

  struct Case {
    std::string name;
    ApplicationFilter filter;
    int64_t after_id;
    int limit;
    std::vector<int64_t> ids;
  };
  const std::vector<Case> cases = {
      {"all", {}, 0, 100, {1, 2, 3, 4, 5}},
      {"drafts", Filter(State::kDraft), 0, 100, {1, 4}},
      {"submitted", Filter(State::kSubmitted), 0, 100, {2, 3}},
      {"withdrawn", Filter(State::kWithdrawn), 0, 100, {5}},
      {"approved", Filter(State::kApproved), 0, 100, {}},
      {"round 1", Filter(std::nullopt, "1", std::nullopt), 0, 100, {3, 4}},
      {"round 2", Filter(std::nullopt, "2", std::nullopt), 0, 100, {1, 2, 5}},
      {"round 3", Filter(std::nullopt, "3", std::nullopt), 0, 100, {}},
      {"general",
       Filter(std::nullopt, std::nullopt, "general"),
       0,
       100,
       {1, 3, 5}},
      {"wage-increase",
       Filter(std::nullopt, std::nullopt, "wage-increase"),
       0,
       100,
       {2, 4}},
      {"submitted in round 1",
       Filter(State::kSubmitted, "1", std::nullopt),
       0,
       100,
       {3}},
      {"round 2 general", Filter(std::nullopt, "2", "general"), 0, 100, {1, 5}},
      {"everything narrowed",
       Filter(State::kDraft, "1", "general"),
       0,
       100,
       {}},
      {"first page", {}, 0, 2, {1, 2}},
      {"second page", {}, 2, 2, {3, 4}},
      {"last page", {}, 4, 2, {5}},
      {"past the end", {}, 5, 2, {}},
      {"filtered pages",
       Filter(std::nullopt, std::nullopt, "general"),
       1,
       1,
       {3}},
      {"filtered next page",
       Filter(std::nullopt, std::nullopt, "general"),
       3,
       1,
       {5}},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ListIds(c.filter, c.after_id, c.limit),
                ::testing::ElementsAreArray(c.ids))
        << c.name;
  }

  auto overseas =
      store_->ListApplications(2026, "overseas-business", {}, 0, 100);
  ASSERT_TRUE(overseas.ok()) << overseas.status();
  ASSERT_EQ(overseas->size(), 1u);
  EXPECT_EQ(overseas->front().id, 6);
  EXPECT_EQ(overseas->front().scheme_id, "overseas-business");
  EXPECT_EQ(store_->ListApplications(2026, "nope", {}, 0, 100).status().code(),
            absl::StatusCode::kNotFound);

  auto listed = store_->ListApplications(2026, "productivity",
                                         Filter(State::kSubmitted), 0, 1);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().revision, 2);
  EXPECT_EQ(listed->front().applicant.corporate_number, kOtherCompany);
  EXPECT_EQ(listed->front().history.size(), 1u);
}

TEST_P(SubsidyStoreTest, ConcurrentWritersGetDistinctIdsAndOneSubmission) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::vector<int64_t>> ids(kThreads);
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, t, &ids] {
        for (int i = 0; i < kPerThread; ++i) {
          auto r = store_->CreateApplication(
              NewApplication(), Key(absl::StrCat("t", t, "-", i)), Encode);
          if (r.ok()) ids[t].push_back(IdOf(*r));
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  std::vector<int64_t> all;
  for (const auto& v : ids) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);

  // Every draft is the same company's in the same round: submitted at
  // once, exactly one gets through.
  std::atomic<int> submitted{0};
  std::atomic<int> duplicates{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, t, &submitted, &duplicates] {
        for (int i = 0; i < kPerThread; ++i) {
          const int64_t id = t * kPerThread + i + 1;
          auto r = Act(id, absl::StrCat("submit-", id), {Action::kSubmit});
          if (r.ok()) {
            ++submitted;
          } else if (r.status().code() == absl::StatusCode::kAlreadyExists) {
            ++duplicates;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  EXPECT_EQ(submitted.load(), 1);
  EXPECT_EQ(duplicates.load(), kThreads * kPerThread - 1);
  EXPECT_EQ(ListIds(Filter(State::kSubmitted)).size(), 1u);
}

TEST_P(SubsidyStoreTest, OneHolderHasTheOutboxLeaseUntilItExpires) {
  const int64_t t0 = 1'000'000'000;
  EXPECT_TRUE(*store_->HoldOutboxLease("a", t0, 100));
  EXPECT_FALSE(*store_->HoldOutboxLease("b", t0 + 50, 100));
  // The holder renews.
  EXPECT_TRUE(*store_->HoldOutboxLease("a", t0 + 90, 100));
  EXPECT_FALSE(*store_->HoldOutboxLease("b", t0 + 150, 100));
  // Unrenewed, it passes to another.
  EXPECT_TRUE(*store_->HoldOutboxLease("b", t0 + 191, 100));
  EXPECT_FALSE(*store_->HoldOutboxLease("a", t0 + 200, 100));
}

INSTANTIATE_TEST_SUITE_P(
    Sqlite, SubsidyStoreTest,
    ::testing::Values(Impl{"sqlite",
                           [](const std::string& dir) {
                             sql::SqliteOptions options;
                             options.path = dir + "/subsidy.db";
                             options.durable = false;
                             auto store = OpenSqliteSubsidyStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// The same suite against PostgreSQL: a throwaway cluster (initdb + pg_ctl
// on a free loopback port) shared by this test binary, one database per
// test directory.
INSTANTIATE_TEST_SUITE_P(
    Postgres, SubsidyStoreTest,
    ::testing::Values(Impl{"postgres",
                           [](const std::string& dir) {
                             sql::PostgresOptions options;
                             options.conninfo =
                                 testing::SharedPostgresDatabase(dir);
                             EXPECT_FALSE(options.conninfo.empty());
                             auto store = OpenPostgresSubsidyStore(options, 4);
                             EXPECT_TRUE(store.ok()) << store.status();
                             return store.ok() ? *std::move(store) : nullptr;
                           }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

// Migration 007 on a database that already holds decisions: the totals
// start from them, and follow every later change.
TEST(DecisionTotalsMigrationTest, StartsFromTheDecisionsAlreadyMade) {
  testing::TempDir dir;
  sql::SqliteOptions options;
  options.path = dir.File("subsidy.db");
  auto conn = sql::OpenSqliteConnection(options);
  ASSERT_TRUE(conn.ok()) << conn.status();
  const std::vector<sql::Migration>& all = SubsidyMigrations();
  ASSERT_GE(all.size(), 7u);
  ASSERT_EQ(all[6].version, 7);
  const std::vector<sql::Migration> before(all.begin(), all.begin() + 6);
  ASSERT_TRUE(sql::ApplyMigrations(**conn, before).ok());
  // Rows as the store writes them (the schemes they name are left out).
  ASSERT_TRUE((*conn)
                  ->Exec("PRAGMA foreign_keys=OFF;"
                         "INSERT INTO applications (fiscal_year, scheme_id, "
                         "round_id, course_id, corporate_number, state, "
                         "requested_yen, committed_yen, revision, data) VALUES "
                         "(2026, 'a', '1', 'c', '1', 3, 100, 100, 1, x''),"
                         "(2026, 'a', '1', 'c', '2', 3, 250, 250, 1, x''),"
                         "(2026, 'a', '1', 'c', '3', 2, 400, 0, 1, x''),"
                         "(2026, 'b', '1', 'c', '4', 3, 70, 70, 1, x'')")
                  .ok());
  ASSERT_TRUE(sql::ApplyMigrations(**conn, all).ok());
  auto totals = [&](const std::string& scheme) {
    auto stmt = (*conn)->Prepare(
        "SELECT decisions, committed_yen FROM decision_totals WHERE "
        "fiscal_year = 2026 AND scheme_id = ?");
    EXPECT_TRUE(stmt.ok());
    (*stmt)->Bind(1, scheme);
    auto row = (*stmt)->Step();
    EXPECT_TRUE(row.ok());
    return row.ok() && *row ? std::make_pair((*stmt)->Int(0), (*stmt)->Int(1))
                            : std::make_pair(int64_t{-1}, int64_t{-1});
  };
  EXPECT_EQ(totals("a"), std::make_pair(int64_t{2}, int64_t{350}));
  EXPECT_EQ(totals("b"), std::make_pair(int64_t{1}, int64_t{70}));
  // A decision, a confirmation below it, a withdrawal.
  ASSERT_TRUE(
      (*conn)
          ->Exec("UPDATE applications SET committed_yen = 400 WHERE "
                 "corporate_number = '3';"
                 "UPDATE applications SET committed_yen = 80 WHERE "
                 "corporate_number = '2';"
                 "UPDATE applications SET committed_yen = 0 WHERE "
                 "corporate_number = '4';"
                 "UPDATE applications SET state = 4 WHERE corporate_number = "
                 "'1'")
          .ok());
  EXPECT_EQ(totals("a"), std::make_pair(int64_t{3}, int64_t{580}));
  // No decision left: no row, as a copy rebuilt from the applications
  // would have.
  auto rows = (*conn)->Prepare(
      "SELECT COUNT(*) FROM decision_totals WHERE scheme_id = 'b'");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*(*rows)->Step());
  EXPECT_EQ((*rows)->Int(0), 0);
}

}  // namespace
}  // namespace shien::subsidy
