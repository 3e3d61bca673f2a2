#ifndef SHIEN_TOOLS_SHIENCTL_PROGRESS_H_
#define SHIEN_TOOLS_SHIENCTL_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace shien::ctl {

// Progress of a long import, on `out` (stderr). On a terminal: one line
// redrawn in place at most ten times a second — a bar, rows, rows/s and an
// ETA from the share of the file's bytes read. Otherwise (a pipe, a log
// file): a plain line every 10,000 rows or 5 seconds, whichever is first.
class ProgressReporter {
 public:
  ProgressReporter(std::FILE* out, bool terminal, int64_t total_bytes);

  // `rows` sent so far, `bytes` of the file read so far.
  void Update(int64_t rows, int64_t bytes);
  // The final state; ends the terminal line.
  void Finish(int64_t rows, int64_t bytes);

  // One rendering, for tests: "[#####.....]  50%  1,000 rows  200 rows/s
  // ETA 0:05".
  static std::string Render(int64_t rows, int64_t bytes, int64_t total_bytes,
                            double elapsed_s, bool bar);

 private:
  std::FILE* out_;
  bool terminal_;
  int64_t total_bytes_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  int64_t last_rows_ = 0;
};

}  // namespace shien::ctl

#endif  // SHIEN_TOOLS_SHIENCTL_PROGRESS_H_
