#include "common/api/text_proto.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace shien {
namespace {

class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(std::string path) : path_(std::move(path)) {}
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

}  // namespace

absl::Status ReadTextProtoFile(const std::string& path,
                               google::protobuf::Message* message) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::TextFormat::Parser parser;
  FirstError errors(path);
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text.str(), message)) {
    return absl::InvalidArgumentError(errors.first().empty()
                                          ? absl::StrCat(path, ": malformed")
                                          : errors.first());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<int, std::string>> FindFiscalYearFiles(
    const std::string& data_dir, const std::string& file_name) {
  std::map<int, std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec)) {
    std::string dir = entry.path().filename().string();
    int year = 0;
    if (dir.size() == 6 && dir.rfind("fy", 0) == 0 &&
        absl::SimpleAtoi(dir.substr(2), &year)) {
      std::filesystem::path file = entry.path() / file_name;
      if (std::filesystem::exists(file)) files[year] = file.string();
    }
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat(data_dir, ": cannot list: ", ec.message()));
  }
  if (files.empty()) {
    return absl::NotFoundError(
        absl::StrCat(data_dir, ": no fy*/", file_name, " files"));
  }
  return files;
}

}  // namespace shien
