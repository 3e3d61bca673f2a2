#ifndef SHIEN_SERVICES_SUBSIDY_STORAGE_SUBSIDY_STORE_H_
#define SHIEN_SERVICES_SUBSIDY_STORAGE_SUBSIDY_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/api/request_id.h"
#include "common/sql/audit.h"
#include "services/subsidy/domain/application.h"
#include "services/subsidy/domain/scheme.h"

namespace shien::subsidy {

// A call to another service, recorded in the transaction that decided it
// and delivered later (in sequence order, with retries).
struct OutboxMessage {
  int64_t sequence = 0;  // assigned by the store
  std::string target;    // e.g. "budget.ReleaseFunds"
  std::string request_id;
  std::string payload;     // the serialized request
  int64_t amount_yen = 0;  // funds a release returns to the envelope
  int64_t attempts = 0;
  std::string last_error;
};

// A scheme's grant decisions (交付決定) after a change.
struct DecisionTotals {
  int64_t count = 0;
  int64_t amount_yen = 0;
};

// One application's figures for statistics.
struct ApplicationFigures {
  State state = State::kUnspecified;
  std::string round_id;
  std::string course_id;
  int64_t requested_yen = 0;
  int64_t committed_yen = 0;
};

struct ApplicationFilter {
  std::optional<State> state;
  std::optional<std::string> round_id;
  std::optional<std::string> course_id;
};

template <typename T>
using ResponseEncoder = std::function<std::string(const T&)>;

// The subsidy service's database. Writes are transactional, bump the
// fiscal year's data version, and are idempotent by request id (a repeat
// returns the first response). NOT_FOUND for missing resources,
// UNAVAILABLE when the database cannot be reached. Thread-safe.
class SubsidyStore {
 public:
  virtual ~SubsidyStore() = default;

  // Stores a year's schemes unless the year is loaded (then false).
  virtual absl::StatusOr<bool> LoadYear(int year, const std::string& note,
                                        const std::vector<Scheme>& schemes) = 0;

  virtual absl::StatusOr<Scheme> GetScheme(int year, const std::string& id) = 0;
  virtual absl::StatusOr<std::vector<Scheme>> ListSchemes(int year) = 0;
  virtual absl::StatusOr<std::string> UpdateScheme(
      int year, const std::string& id,
      const std::function<absl::Status(Scheme&)>& mutate, const RequestKey& key,
      const ResponseEncoder<Scheme>& encode) = 0;

  // The response recorded for `key`, if the request was already applied;
  // INVALID_ARGUMENT (REQUEST_ID_REUSED) for a different request.
  virtual absl::StatusOr<std::optional<std::string>> FindResponse(
      const RequestKey& key) = 0;

  // Stores a new application (its id assigned) and returns the response.
  virtual absl::StatusOr<std::string> CreateApplication(
      const Application& application, const RequestKey& key,
      const ResponseEncoder<Application>& encode) = 0;

  virtual absl::StatusOr<Application> GetApplication(int year,
                                                     const std::string& scheme,
                                                     int64_t id) = 0;
  // Applications with id > after_id, by id, at most `limit`.
  virtual absl::StatusOr<std::vector<Application>> ListApplications(
      int year, const std::string& scheme, const ApplicationFilter& filter,
      int64_t after_id, int limit) = 0;

  // In one transaction: reads the application, runs `mutate` on it (which
  // checks etag and transition and changes it, or fails and changes
  // nothing), refuses a submission when the applicant has another
  // application to the round that is not a draft or withdrawn
  // (ALREADY_EXISTS, reason DUPLICATE_APPLICATION), stores it, appends
  // `outbox(application, totals)` — totals of the scheme's decisions after
  // the change — to the outbox, and records the response under `key`.
  virtual absl::StatusOr<std::string> MutateApplication(
      int year, const std::string& scheme, int64_t id,
      const std::function<absl::Status(Application&)>& mutate,
      const std::function<std::vector<OutboxMessage>(
          const Application&, const DecisionTotals&)>& outbox,
      const RequestKey& key, const ResponseEncoder<Application>& encode) = 0;

  // Number of undelivered, live budget-service messages of the application
  // named `application`.
  virtual absl::StatusOr<int64_t> PendingBudgetMessages(
      const std::string& application) = 0;

  // Queues `release` unless the application holds `reservation` (it was
  // approved with it): used when an approval reserved funds but could not
  // be recorded. When it queues, the application's revision (and etag)
  // moves on, so a later approval reserves afresh. In one transaction;
  // returns whether it queued.
  virtual absl::StatusOr<bool> ReleaseUnlessHeld(
      int year, const std::string& scheme, int64_t id,
      const std::string& reservation, const OutboxMessage& release) = 0;

  // Figures of every application of a scheme, the pending releases in the
  // outbox, and the data version, in one snapshot.
  struct StatsSnapshot {
    std::vector<ApplicationFigures> applications;
    int64_t pending_release_yen = 0;
    // Releases the budget service refused for good (set aside).
    int64_t dead_release_yen = 0;
    int64_t data_version = 0;
  };
  virtual absl::StatusOr<StatsSnapshot> Stats(int year,
                                              const std::string& scheme) = 0;

  // Takes or renews the outbox delivery lease for `holder` until
  // `now_micros + ttl_micros`: true when `holder` has it (it was free,
  // expired or already its own), false when another holder's lease runs.
  virtual absl::StatusOr<bool> HoldOutboxLease(const std::string& holder,
                                               int64_t now_micros,
                                               int64_t ttl_micros) = 0;
  // Undelivered, live outbox messages with sequence > after_sequence, in
  // sequence order, at most `limit`.
  virtual absl::StatusOr<std::vector<OutboxMessage>> PendingOutbox(
      int64_t after_sequence, int limit) = 0;
  // Marks the messages delivered, all in one transaction.
  virtual absl::Status MarkDelivered(const std::vector<int64_t>& sequences) = 0;
  // Records a failed attempt; `dead` stops further attempts.
  virtual absl::Status MarkFailed(int64_t sequence, const std::string& error,
                                  bool dead) = 0;

  // The fiscal year's data version; NOT_FOUND when not loaded.
  virtual absl::StatusOr<int64_t> DataVersion(int year) = 0;

  // A random identity of this database, the same for every instance that
  // shares it (for cache keys).
  virtual absl::StatusOr<std::string> DatabaseId() = 0;

  // The audit trail, newest first (see common/sql/audit.h).
  virtual absl::StatusOr<std::vector<sql::AuditEvent>> ListAuditEvents(
      const sql::AuditQuery& query) = 0;
  virtual absl::Status Ping() = 0;
};

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_STORAGE_SUBSIDY_STORE_H_
