#ifndef SHIEN_TOOLS_BENCH_APPROVALS_H_
#define SHIEN_TOOLS_BENCH_APPROVALS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "tools/bench/loadgen.h"

namespace shien::bench {

// Grant decisions under contention: many clients approving applications of
// one scheme, all reserving against the scheme's one envelope in the budget
// service, with more applications than the envelope can fund so that the
// last approvals race for the remainder.
struct ApprovalOptions {
  std::string subsidy_target;
  std::string budget_target;
  // Tokens by role: "reviewer" (applications), "admin" (opens the round),
  // "viewer" (reads the envelope and the statistics).
  std::map<std::string, std::string> tokens;
  // The scheme (its round 1 is opened for the whole fiscal year) and course.
  std::string scheme = "fiscalYears/2026/schemes/overseas-business";
  std::string course = "standard";
  std::string expense_category = "airfare";
  // Applications; the amount each asks for is chosen so that about 90% of
  // them fit what the envelope has left.
  int applications = 2000;
  // Concurrent clients (each a thread with its own calls).
  int clients = 64;
  std::chrono::milliseconds deadline{30000};
};

struct ApprovalStats {
  int64_t applications = 0;
  int64_t amount_yen = 0;  // the grant each application asks for
  // Preparing (CreateApplication + SubmitApplication per application).
  double prepare_seconds = 0;
  // Approving: every application approved concurrently.
  Stats approve;        // ok = approved
  int64_t refused = 0;  // FAILED_PRECONDITION: the envelope had too little
  // The envelope before and after, and the scheme's statistics after.
  int64_t envelope_yen = 0;
  int64_t reserved_before_yen = 0;
  int64_t reserved_after_yen = 0;
  int64_t stats_reserved_yen = 0;
  int64_t stats_envelope_yen = 0;
  // "none" when reserved ≤ envelope, the budget and subsidy services agree
  // and the reservations equal the approvals; otherwise what is wrong.
  std::string overcommit;
  std::string error;  // a setup or call failure, empty when none
};

// Opens the scheme's round, prepares the applications, approves them all
// concurrently and checks the envelope. The error status is for a failed
// setup step.
absl::StatusOr<ApprovalStats> RunApprovals(const ApprovalOptions& options);

std::string ApprovalJson(const ApprovalStats& stats,
                         const ApprovalOptions& options);

}  // namespace shien::bench

#endif  // SHIEN_TOOLS_BENCH_APPROVALS_H_
