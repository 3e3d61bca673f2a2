#ifndef SHIEN_SERVICES_SUBSIDY_CODEC_CODEC_H_
#define SHIEN_SERVICES_SUBSIDY_CODEC_CODEC_H_

#include "absl/status/statusor.h"
#include "services/subsidy/domain/application.h"
#include "services/subsidy/domain/quote.h"
#include "services/subsidy/domain/scheme.h"
#include "shien/subsidy/v1/subsidy_data.pb.h"
#include "shien/subsidy/v1/subsidy_service.pb.h"

// Conversions between the shien.subsidy.v1 protos and the domain types,
// used by the API and, as serialized protos, as the storage format of
// schemes and applications.
namespace shien::subsidy {

namespace pb = ::shien::subsidy::v1;

CivilDate FromProto(const google::type::Date& date);
void ToProto(const CivilDate& date, google::type::Date* out);

// Output-only fields (states) are set for `today`.
void ToProto(const Scheme& scheme, const CivilDate& today, pb::Scheme* out);
void ToProto(const Round& round, const CivilDate& today, pb::Round* out);
// Resolves the scheme's name; INVALID_ARGUMENT naming the field.
absl::StatusOr<Scheme> FromProto(const pb::Scheme& scheme);
Round FromProto(const pb::Round& round);

void ToProto(const Applicant& applicant, pb::Applicant* out);
Applicant FromProto(const pb::Applicant& applicant);
void ToProto(const Expense& expense, pb::Expense* out);
Expense FromProto(const pb::Expense& expense);
std::vector<Expense> FromProto(
    const google::protobuf::RepeatedPtrField<pb::Expense>& expenses);
void ToProto(const Quote& quote, pb::Quote* out);

// Every field, output-only ones included.
void ToProto(const Application& application, pb::Application* out);
// Every field but name (resolved by the caller).
Application FromProto(const pb::Application& application);

}  // namespace shien::subsidy

#endif  // SHIEN_SERVICES_SUBSIDY_CODEC_CODEC_H_
