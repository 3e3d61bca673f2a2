#ifndef SHIEN_SERVICES_BUDGET_API_CONVERT_H_
#define SHIEN_SERVICES_BUDGET_API_CONVERT_H_

#include "absl/status/statusor.h"
#include "services/budget/domain/budget_summary.h"
#include "services/budget/domain/envelope.h"
#include "services/budget/domain/expenditure.h"
#include "services/budget/domain/plan.h"
#include "services/budget/domain/program.h"
#include "services/budget/storage/budget_store.h"
#include "shien/budget/v1/budget_service.pb.h"
#include "shien/budget/v1/plan_data.pb.h"

// Conversions between the shien.budget.v1 protos and the domain types.
namespace shien::budget {

namespace pb = ::shien::budget::v1;

// Domain → proto. `prior` is the same program in the prior fiscal year.
void ToProto(const Program& program, const Program* prior, pb::Program* out);
void ToProto(const FiscalYearRecord& year, pb::FiscalYear* out);
void ToProto(const BudgetSummary& summary, int64_t data_version,
             int64_t compute_micros, pb::BudgetSummary* out);
void ToProto(const ExecutionSummary& summary, int fiscal_year,
             int64_t data_version, int64_t compute_micros,
             pb::ExecutionSummary* out);
void ToProto(const Expenditure& e, pb::Expenditure* out);
void ToProto(const Envelope& e, pb::Envelope* out);
void ToProto(const Reservation& r, pb::Reservation* out);

// Proto → domain: the writable fields of a program (no name resolution).
Program FromProto(const pb::Program& program);

// A plan data file → domain, resolving names. INVALID_ARGUMENT naming the
// element at fault.
absl::StatusOr<Plan> FromProto(const pb::PlanData& data);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_CONVERT_H_
