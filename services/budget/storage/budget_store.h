#ifndef SHIEN_SERVICES_BUDGET_STORAGE_BUDGET_STORE_H_
#define SHIEN_SERVICES_BUDGET_STORAGE_BUDGET_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/request_id.h"
#include "common/sql/audit.h"
#include "services/budget/domain/envelope.h"
#include "services/budget/domain/expenditure.h"
#include "services/budget/domain/plan.h"
#include "services/budget/domain/program.h"

namespace shien::budget {

// A loaded fiscal year.
struct FiscalYearRecord {
  int year = 0;
  std::string title;
  std::string organization;
  int64_t data_version = 0;
  // Grows with every change to one of the year's programs, and only then
  // (the sum of their revisions).
  int64_t programs_version = 0;
  int program_count = 0;
  int64_t budget_total_yen = 0;
  std::vector<PlanWarning> warnings;
};

// A fiscal year's programs read in one snapshot with its data version.
struct ProgramSnapshot {
  int64_t data_version = 0;
  std::vector<Program> programs;  // by number
};

struct ExecutionSnapshot {
  int64_t data_version = 0;
  std::vector<Program> programs;
  std::vector<ExecutionTotal> totals;
};

// Turns the result of a mutation into the bytes of the RPC response that is
// recorded for request_id replays (AIP-155).
template <typename T>
using ResponseEncoder = std::function<std::string(const T&)>;

// The budget service's database. Every write runs in one transaction that
// also bumps the fiscal year's data_version and, for requests with a
// request_id, records the encoded response; a repeated request returns the
// recorded response and changes nothing. Errors: NOT_FOUND for missing
// resources, UNAVAILABLE when the database cannot be reached, INTERNAL for
// anything else. Implementations are thread-safe.
class BudgetStore {
 public:
  virtual ~BudgetStore() = default;

  // Stores a checked plan unless the fiscal year is already loaded (then
  // returns false and changes nothing, so edits made through the API are
  // kept across restarts).
  virtual absl::StatusOr<bool> LoadPlan(
      const Plan& plan, const std::vector<PlanWarning>& warnings) = 0;

  virtual absl::StatusOr<FiscalYearRecord> GetFiscalYear(int year) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<FiscalYearRecord>> ListFiscalYears() = 0;

  virtual absl::StatusOr<Program> GetProgram(int year, int number) = 0;
  // NOT_FOUND when the fiscal year is not loaded.
  virtual absl::StatusOr<ProgramSnapshot> ListPrograms(int year) = 0;

  // Reads the program, passes it to `mutate` (which checks the etag and
  // applies the change, or fails), stores the result and returns the
  // encoded response. When it stores a change, sets `*programs_version`
  // (if not null) to the year's programs version it committed; a replay
  // leaves it unchanged.
  virtual absl::StatusOr<std::string> UpdateProgram(
      int year, int number,
      const std::function<absl::StatusOr<Program>(const Program&)>& mutate,
      const RequestKey& key, const ResponseEncoder<Program>& encode,
      int64_t* programs_version) = 0;

  // Stores each valid record of a batch in one transaction; one result per
  // record, in order. Records already validated by ValidateExpenditure; the
  // store rejects those naming an unknown program (NOT_FOUND on "program")
  // or reusing a request_id with other content (INVALID_ARGUMENT on
  // "request_id", REQUEST_ID_REUSED).
  virtual absl::StatusOr<std::vector<RecordResult>> RecordExpenditures(
      const std::vector<Expenditure>& records) = 0;

  // A program's records with sequence > after_sequence, at most `limit`.
  virtual absl::StatusOr<std::vector<Expenditure>> ListExpenditures(
      int year, int number, int64_t after_sequence, int limit) = 0;

  virtual absl::StatusOr<ExecutionSnapshot> GetExecution(int year) = 0;

  virtual absl::StatusOr<Envelope> GetEnvelope(int year,
                                               const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<Envelope>> ListEnvelopes(int year) = 0;

  // Reserves `amount_yen` for `holder`. FAILED_PRECONDITION
  // (ENVELOPE_EXCEEDED) when it does not fit; ALREADY_EXISTS when the
  // holder has a reservation on the envelope.
  virtual absl::StatusOr<std::string> ReserveFunds(
      int year, const std::string& envelope_id, const std::string& holder,
      int64_t amount_yen, const RequestKey& key,
      const ResponseEncoder<Reservation>& encode) = 0;

  // Releases `amount_yen` (0: all held). FAILED_PRECONDITION
  // (RELEASE_EXCEEDS_RESERVATION) when more than held.
  virtual absl::StatusOr<std::string> ReleaseFunds(
      int year, const std::string& envelope_id, int64_t reservation_id,
      int64_t amount_yen, const RequestKey& key,
      const ResponseEncoder<Reservation>& encode) = 0;

  // Releases everything `holder` holds on the envelope; a holder holding
  // nothing gets an empty Reservation (id 0), not an error.
  virtual absl::StatusOr<std::string> ReleaseFundsByHolder(
      int year, const std::string& envelope_id, const std::string& holder,
      const RequestKey& key, const ResponseEncoder<Reservation>& encode) = 0;

  virtual absl::StatusOr<std::vector<Reservation>> ListReservations(
      int year, const std::string& envelope_id, int64_t after_id,
      int limit) = 0;

  // The fiscal year's data version (bumped by every write to it);
  // NOT_FOUND when the year is not loaded.
  virtual absl::StatusOr<int64_t> DataVersion(int year) = 0;
  // The data versions of `year` and of the year before it (nullopt when that
  // one is not loaded), read together; NOT_FOUND when `year` is not loaded.
  virtual absl::StatusOr<std::pair<int64_t, std::optional<int64_t>>>
  DataVersionWithPrior(int year) = 0;

  // A random identity of this database, the same for every instance that
  // shares it (for cache keys).
  virtual absl::StatusOr<std::string> DatabaseId() = 0;

  // OK when the database answers.
  // The audit trail, newest first (see common/sql/audit.h).
  virtual absl::StatusOr<std::vector<sql::AuditEvent>> ListAuditEvents(
      const sql::AuditQuery& query) = 0;
  virtual absl::Status Ping() = 0;
};

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_STORAGE_BUDGET_STORE_H_
