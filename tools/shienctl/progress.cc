#include "tools/shienctl/progress.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/fiscal/fiscal.h"

namespace shien::ctl {
namespace {

constexpr int kBarWidth = 24;
constexpr int64_t kPlainEveryRows = 10000;
constexpr auto kPlainEvery = std::chrono::seconds(5);
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);

}  // namespace

ProgressReporter::ProgressReporter(std::FILE* out, bool terminal,
                                   int64_t total_bytes)
    : out_(out),
      terminal_(terminal),
      total_bytes_(total_bytes),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

std::string ProgressReporter::Render(int64_t rows, int64_t bytes,
                                     int64_t total_bytes, double elapsed_s,
                                     bool bar) {
  const int64_t percent =
      total_bytes > 0 ? std::min<int64_t>(100, bytes * 100 / total_bytes) : 0;
  std::string out;
  if (bar) {
    const int filled = static_cast<int>(percent * kBarWidth / 100);
    out = absl::StrCat("[", std::string(filled, '#'),
                       std::string(kBarWidth - filled, '.'), "] ");
  }
  const int64_t rate =
      elapsed_s > 0 ? static_cast<int64_t>(rows / elapsed_s) : 0;
  absl::StrAppend(&out, absl::StrFormat("%3d%%", percent), "  ",
                  WithSeparators(rows), " rows  ", WithSeparators(rate),
                  " rows/s");
  if (bytes > 0 && bytes < total_bytes && elapsed_s > 0) {
    const int64_t eta = static_cast<int64_t>(
        elapsed_s * static_cast<double>(total_bytes - bytes) / bytes);
    absl::StrAppend(&out, absl::StrFormat("  ETA %d:%02d", eta / 60, eta % 60));
  }
  return out;
}

void ProgressReporter::Update(int64_t rows, int64_t bytes) {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (terminal_) {
    if (now - last_ < kRedrawEvery) return;
    std::fprintf(out_, "\r%s\x1b[K",
                 Render(rows, bytes, total_bytes_, elapsed, true).c_str());
  } else {
    if (rows - last_rows_ < kPlainEveryRows && now - last_ < kPlainEvery) {
      return;
    }
    std::fprintf(out_, "progress: %s\n",
                 Render(rows, bytes, total_bytes_, elapsed, false).c_str());
    last_rows_ = rows;
  }
  std::fflush(out_);
  last_ = now;
}

void ProgressReporter::Finish(int64_t rows, int64_t bytes) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
          .count();
  if (terminal_) {
    std::fprintf(out_, "\r%s\x1b[K\n",
                 Render(rows, bytes, total_bytes_, elapsed, true).c_str());
  } else {
    std::fprintf(out_, "progress: %s\n",
                 Render(rows, bytes, total_bytes_, elapsed, false).c_str());
  }
  std::fflush(out_);
}

}  // namespace shien::ctl
