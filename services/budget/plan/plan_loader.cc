#include "services/budget/plan/plan_loader.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "services/budget/api/convert.h"

namespace shien::budget {
namespace {

class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(std::string path) : path_(std::move(path)) {}
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) {
      first_ =
          absl::StrCat(path_, ":", line + 1, ":", column + 1, ": ", message);
    }
  }
  void AddWarning(int line, int column, const std::string& message) override {}
  const std::string& first() const { return first_; }

 private:
  std::string path_;
  std::string first_;
};

absl::Status InFile(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

}  // namespace

absl::StatusOr<Plan> ReadPlanFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  v1::PlanData data;
  google::protobuf::TextFormat::Parser parser;
  Collector collector(path);
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(text.str(), &data)) {
    return absl::InvalidArgumentError(collector.first().empty()
                                          ? absl::StrCat(path, ": malformed")
                                          : collector.first());
  }
  absl::StatusOr<Plan> plan = FromProto(data);
  if (!plan.ok()) return InFile(path, plan.status());
  return plan;
}

absl::StatusOr<LoadReport> LoadPlans(const std::string& data_dir,
                                     BudgetStore& store) {
  std::map<int, std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec)) {
    std::string dir = entry.path().filename().string();
    int year = 0;
    if (dir.size() == 6 && dir.rfind("fy", 0) == 0 &&
        absl::SimpleAtoi(dir.substr(2), &year)) {
      std::filesystem::path file = entry.path() / "plan.textproto";
      if (std::filesystem::exists(file)) files[year] = file.string();
    }
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat(data_dir, ": cannot list: ", ec.message()));
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat(data_dir, ": no fy*/plan.textproto files"));
  }
  LoadReport report;
  std::map<int, Plan> plans;
  for (const auto& [year, path] : files) {
    SHIEN_ASSIGN_OR_RETURN(Plan plan, ReadPlanFile(path));
    if (plan.fiscal_year != year) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": fiscal_year is ", plan.fiscal_year,
                       " but the directory says ", year));
    }
    auto prior = plans.find(year - 1);
    absl::StatusOr<std::vector<PlanWarning>> warnings =
        CheckPlan(plan, prior == plans.end() ? nullptr : &prior->second);
    if (!warnings.ok()) return InFile(path, warnings.status());
    for (const PlanWarning& w : *warnings) {
      report.warnings.push_back(
          absl::StrCat("fiscalYears/", year, " ", w.code, ": ", w.message));
    }
    SHIEN_ASSIGN_OR_RETURN(bool loaded, store.LoadPlan(plan, *warnings));
    (loaded ? report.loaded : report.skipped)
        .push_back(absl::StrCat("fiscalYears/", year, " from ", path));
    plans.emplace(year, std::move(plan));
  }
  return report;
}

}  // namespace shien::budget
