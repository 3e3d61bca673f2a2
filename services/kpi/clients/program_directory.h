#ifndef SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_DIRECTORY_H_
#define SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_DIRECTORY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace shien::kpi {

// What the KPI service needs to know of a budget program.
struct ProgramInfo {
  int fiscal_year = 0;
  int number = 0;
  std::string title;
  std::string area_name;   // shien.budget.v1.Area name, e.g. AREA_INFORMATION
  std::string area_title;  // e.g. 情報収集・発信
  std::vector<std::string> departments;
};

// The budget service's programs, as the KPI service sees them. GetProgram
// and ListPrograms block (run them on an executor thread). NOT_FOUND for an
// unknown program or year; UNAVAILABLE (reason BUDGET_UNAVAILABLE) when the
// budget service cannot be reached. Thread-safe.
class ProgramDirectory {
 public:
  virtual ~ProgramDirectory() = default;
  virtual absl::StatusOr<ProgramInfo> GetProgram(int fiscal_year,
                                                 int number) = 0;
  virtual absl::StatusOr<std::vector<ProgramInfo>> ListPrograms(
      int fiscal_year) = 0;
  // Calls `done` exactly once with the fiscal year's programs version
  // (budget.v1.FiscalYear.programs_version) at least as new as every
  // program change the budget service acknowledged before this call, or
  // with the error: on the calling thread when it is known here, otherwise
  // on any thread. Neither this call nor the wait blocks a thread. `done`
  // must not block.
  virtual void ProgramsVersion(
      int fiscal_year, std::function<void(absl::StatusOr<int64_t>)> done) = 0;
};

// A directory that asks the budget service over `channel` (see
// common/client/channel.h: it carries this service's own credentials), each
// call with `timeout_ms`. With `watch_versions` it also holds the budget
// service's WatchProgramVersions stream open (see ProgramVersionWatch), and
// ProgramsVersion asks the budget service only while it holds no lease.
std::unique_ptr<ProgramDirectory> NewBudgetProgramDirectory(
    std::shared_ptr<grpc::Channel> channel, int timeout_ms,
    bool watch_versions);

// Same, over a plaintext channel without credentials to `address`
// (host:port).
std::unique_ptr<ProgramDirectory> NewBudgetProgramDirectory(
    const std::string& address, int timeout_ms);

}  // namespace shien::kpi

#endif  // SHIEN_SERVICES_KPI_CLIENTS_PROGRAM_DIRECTORY_H_
