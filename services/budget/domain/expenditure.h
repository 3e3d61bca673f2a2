#ifndef SHIEN_SERVICES_BUDGET_DOMAIN_EXPENDITURE_H_
#define SHIEN_SERVICES_BUDGET_DOMAIN_EXPENDITURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/budget/domain/program.h"

namespace shien::budget {

inline constexpr int64_t kMaxExpenditureYen = 1'000'000'000'000;  // 1e12
inline constexpr size_t kMaxSourceRecordIdBytes = 128;
inline constexpr size_t kMaxDescriptionBytes = 1000;
inline constexpr size_t kMaxExpendituresPerBatch = 1000;

// One expenditure record.
struct Expenditure {
  int fiscal_year = 0;
  int program_number = 0;
  int year = 0;   // calendar year of the month charged
  int month = 0;  // 1-12
  int64_t amount_yen = 0;
  std::string request_id;
  std::string source_record_id;
  std::string description;
  int64_t create_time_micros = 0;
  int64_t sequence = 0;  // store-assigned, ascending
};

// Checks a record's own fields (not whether its program exists): amount 1 to
// kMaxExpenditureYen, the month inside the fiscal year, request_id present
// and well-formed, bounded texts. INVALID_ARGUMENT naming the field.
absl::Status ValidateExpenditure(const Expenditure& e);

// True when two records with the same request_id carry the same content.
bool SameExpenditure(const Expenditure& a, const Expenditure& b);

// What became of one record of a batch.
enum class RecordOutcome { kAccepted, kDuplicate, kRejected };

struct RecordResult {
  RecordOutcome outcome = RecordOutcome::kAccepted;
  absl::Status error;  // for kRejected
};

// Per-program totals of recorded expenditures.
struct ExecutionTotal {
  int program_number = 0;
  int64_t executed_yen = 0;
  int64_t record_count = 0;
};

struct ExecutionRow {
  std::string key;
  Area area = Area::kUnspecified;
  int program_number = 0;  // program rows only
  int64_t budget_yen = 0;
  int64_t executed_yen = 0;
  int64_t record_count = 0;
};

struct ExecutionSummary {
  std::vector<ExecutionRow> programs;  // by number
  std::vector<ExecutionRow> areas;     // by area
  ExecutionRow total;
};

// Joins programs with their totals; programs without expenditures show 0.
ExecutionSummary ComputeExecutionSummary(
    const std::vector<Program>& programs,
    const std::vector<ExecutionTotal>& totals);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_DOMAIN_EXPENDITURE_H_
