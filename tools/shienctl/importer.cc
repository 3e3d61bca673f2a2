#include "tools/shienctl/importer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/fiscal/fiscal.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "tools/shienctl/csv.h"
#include "tools/shienctl/import_rows.h"
#include "tools/shienctl/progress.h"

namespace shien::ctl {
namespace {

namespace bpb = ::shien::budget::v1;
namespace kpb = ::shien::kpi::v1;

// Batches per stream: a stream's answer (counts and rejections) comes when
// it is closed, so long files are sent as several streams.
constexpr int kBatchesPerStream = 20;

struct ExpenditureTraits {
  using Row = bpb::Expenditure;
  using Request = bpb::RecordExpendituresRequest;
  using Response = bpb::RecordExpendituresResponse;
  static constexpr char kMethod[] = "RecordExpenditures";
  static std::unique_ptr<grpc::ClientWriter<Request>> Open(
      const Env& env, grpc::ClientContext* context, Response* response) {
    return env.clients->budget->RecordExpenditures(context, response);
  }
  static Row* Add(Request* request) { return request->add_expenditures(); }
  static int Size(const Request& request) {
    return request.expenditures_size();
  }
  static absl::Status Parse(const ColumnMap& columns, const CsvRecord& record,
                            Row* row) {
    return ParseExpenditureRow(columns, record, row);
  }
  static const std::vector<std::string>& Required() {
    return ExpenditureColumns();
  }
  static const std::vector<std::string>& Optional() {
    return ExpenditureOptionalColumns();
  }
  static int64_t Corrected(const Response&) { return 0; }
};

struct MeasurementTraits {
  using Row = kpb::Measurement;
  using Request = kpb::RecordMeasurementsRequest;
  using Response = kpb::RecordMeasurementsResponse;
  static constexpr char kMethod[] = "RecordMeasurements";
  static std::unique_ptr<grpc::ClientWriter<Request>> Open(
      const Env& env, grpc::ClientContext* context, Response* response) {
    return env.clients->kpi->RecordMeasurements(context, response);
  }
  static Row* Add(Request* request) { return request->add_measurements(); }
  static int Size(const Request& request) {
    return request.measurements_size();
  }
  static absl::Status Parse(const ColumnMap& columns, const CsvRecord& record,
                            Row* row) {
    return ParseMeasurementRow(columns, record, row);
  }
  static const std::vector<std::string>& Required() {
    return MeasurementColumns();
  }
  static const std::vector<std::string>& Optional() {
    return MeasurementOptionalColumns();
  }
  static int64_t Corrected(const Response& response) {
    return response.corrected_count();
  }
};

struct Rejection {
  int64_t line;
  std::string text;
};

template <typename Traits>
class Importer {
 public:
  Importer(const Env& env, int batch_size)
      : env_(env), batch_size_(batch_size) {}

  int Run(const std::string& path) {
    std::ifstream check(path, std::ios::binary);
    if (!check) {
      *env_.err << "shienctl import: cannot read " << path << "\n";
      return kExitUsage;
    }
    absl::Status encoding = CheckUtf8Stream(check);
    if (!encoding.ok()) {
      *env_.err << "shienctl import: " << path << ": " << encoding.message()
                << "\n";
      return kExitUsage;
    }
    std::ifstream in(path, std::ios::binary);
    in.seekg(0, std::ios::end);
    const int64_t size = in.tellg();
    in.seekg(0);
    CsvReader reader(&in);
    CsvRecord record;
    absl::StatusOr<bool> next = reader.Next(&record);
    if (!next.ok() || !*next) {
      *env_.err << "shienctl import: " << path << ": "
                << (next.ok() ? "line 1: the file is empty; it needs a "
                                "header row"
                              : std::string(next.status().message()))
                << "\n";
      return kExitUsage;
    }
    absl::StatusOr<ColumnMap> columns =
        ColumnMap::FromHeader(record, Traits::Required(), Traits::Optional());
    if (!columns.ok()) {
      *env_.err << "shienctl import: " << path << ": "
                << columns.status().message() << "\n";
      return kExitUsage;
    }
    ProgressReporter progress(stderr, isatty(STDERR_FILENO) == 1, size);
    typename Traits::Request batch;
    std::vector<int64_t> batch_lines;
    typename Traits::Row row;
    while (true) {
      next = reader.Next(&record);
      if (next.ok() && !*next) break;
      ++rows_;
      if (!next.ok()) {
        rejections_.push_back(Local(next.status()));
        continue;
      }
      absl::Status parsed = Traits::Parse(*columns, record, &row);
      if (!parsed.ok()) {
        rejections_.push_back(Local(parsed));
        continue;
      }
      Traits::Add(&batch)->Swap(&row);
      batch_lines.push_back(record.line);
      if (Traits::Size(batch) >= batch_size_) {
        if (!Send(&batch, &batch_lines)) return Stopped(path, record.line);
        progress.Update(sent_, reader.bytes_read());
      }
    }
    if (Traits::Size(batch) > 0 && !Send(&batch, &batch_lines)) {
      return Stopped(path, record.line);
    }
    if (!CloseStream()) return Stopped(path, record.line);
    progress.Finish(sent_, reader.bytes_read());
    return Report(path);
  }

 private:
  // A row rejected before sending; the status message starts "line N: ".
  static Rejection Local(const absl::Status& status) {
    std::string text(status.message());
    int64_t line = 0;
    std::sscanf(text.c_str(), "line %ld:", &line);
    return {line, text};
  }

  // Writes one batch (opening a stream when none is open; closing it after
  // kBatchesPerStream batches). false when the stream failed.
  bool Send(typename Traits::Request* batch, std::vector<int64_t>* lines) {
    if (writer_ == nullptr) {
      context_ = std::make_unique<grpc::ClientContext>();
      // The stream's deadline allows each of its batches the call timeout.
      SetDeadline(context_.get(), env_.timeout_s * (kBatchesPerStream + 1));
      response_.Clear();
      stream_lines_.clear();
      writer_ = Traits::Open(env_, context_.get(), &response_);
      batches_ = 0;
    }
    stream_lines_.insert(stream_lines_.end(), lines->begin(), lines->end());
    const int count = Traits::Size(*batch);
    const bool written = writer_->Write(*batch);
    batch->Clear();
    lines->clear();
    if (!written) {
      status_ = writer_->Finish();
      if (status_.ok()) {
        status_ = grpc::Status(grpc::StatusCode::UNKNOWN, "stream closed");
      }
      writer_.reset();
      return false;
    }
    sent_ += count;
    return ++batches_ < kBatchesPerStream || CloseStream();
  }

  // Closes the open stream, if any, and adds up its answer.
  bool CloseStream() {
    if (writer_ == nullptr) return true;
    writer_->WritesDone();
    status_ = writer_->Finish();
    writer_.reset();
    if (!status_.ok()) return false;
    accepted_ += response_.accepted_count();
    duplicate_ += response_.duplicate_count();
    corrected_ += Traits::Corrected(response_);
    for (const auto& r : response_.rejections()) {
      const int64_t line =
          r.index() >= 0 &&
                  r.index() < static_cast<int64_t>(stream_lines_.size())
              ? stream_lines_[r.index()]
              : 0;
      rejections_.push_back(
          {line, absl::StrCat("line ", line, ": ", r.field(), ": ", r.reason(),
                              ": ", r.description())});
    }
    return true;
  }

  int Stopped(const std::string& path, int64_t line) {
    *env_.err << "shienctl import: " << path << ": stopped near line " << line
              << ": " << Traits::kMethod << ": " << DescribeStatus(status_)
              << "\n";
    switch (status_.error_code()) {
      case grpc::StatusCode::UNAUTHENTICATED:
      case grpc::StatusCode::PERMISSION_DENIED:
      case grpc::StatusCode::INVALID_ARGUMENT:
        // Refused for who is calling or what was sent: retrying the same
        // way will not help.
        *env_.err << "The refused batch was not stored; batches the server "
                     "acknowledged before it are. Fix the cause, then run "
                     "the same command again: stored rows are counted as "
                     "duplicates, never twice.\n";
        break;
      default:
        *env_.err << "Batches the server acknowledged are stored. Run the "
                     "same command again to finish: rows already stored are "
                     "counted as duplicates, never twice.\n";
    }
    return kExitRpc;
  }

  int Report(const std::string& path) {
    std::sort(
        rejections_.begin(), rejections_.end(),
        [](const Rejection& a, const Rejection& b) { return a.line < b.line; });
    for (const Rejection& r : rejections_) {
      *env_.err << path << ": " << r.text << "\n";
    }
    *env_.out << "imported " << path << ": " << WithSeparators(rows_)
              << " rows; accepted " << WithSeparators(accepted_);
    if (std::is_same_v<Traits, MeasurementTraits>) {
      *env_.out << " (corrections " << WithSeparators(corrected_) << ")";
    }
    *env_.out << ", duplicate " << WithSeparators(duplicate_) << ", rejected "
              << WithSeparators(static_cast<int64_t>(rejections_.size()))
              << "\n";
    return rejections_.empty() ? kExitOk : kExitRejected;
  }

  const Env& env_;
  const int batch_size_;
  int64_t rows_ = 0;
  int64_t sent_ = 0;
  int64_t accepted_ = 0;
  int64_t duplicate_ = 0;
  int64_t corrected_ = 0;
  std::vector<Rejection> rejections_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientWriter<typename Traits::Request>> writer_;
  typename Traits::Response response_;
  std::vector<int64_t> stream_lines_;
  int batches_ = 0;
  grpc::Status status_;
};

}  // namespace

int ImportExpenditures(const Env& env, const std::string& path,
                       int batch_size) {
  return Importer<ExpenditureTraits>(env, batch_size).Run(path);
}

int ImportMeasurements(const Env& env, const std::string& path,
                       int batch_size) {
  return Importer<MeasurementTraits>(env, batch_size).Run(path);
}

}  // namespace shien::ctl
