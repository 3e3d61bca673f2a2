#include "common/auth/guard.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/api/bounds.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace shien::auth {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kMaxAuditRequestBytes = 8 * 1024;

std::string StringField(const Message& message, const char* name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() ||
      field->type() != FieldDescriptor::TYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, field);
}

// The request's name or parent, else the name of the resource it carries
// (UpdateProgramRequest.program.name).
std::string ResourceOf(const Message& request) {
  for (const char* field : {"name", "parent"}) {
    std::string v = StringField(request, field);
    if (!v.empty()) return v;
  }
  const auto* descriptor = request.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_repeated() ||
        field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        !request.GetReflection()->HasField(request, field)) {
      continue;
    }
    std::string v = StringField(
        request.GetReflection()->GetMessage(request, field), "name");
    if (!v.empty()) return v;
  }
  return "";
}

// Clears, at any depth, the fields named in `fields`.
void Redact(Message* message, const std::vector<std::string>& fields) {
  const auto* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> set;
  reflection->ListFields(*message, &set);
  for (const FieldDescriptor* field : set) {
    if (std::find(fields.begin(), fields.end(), field->name()) !=
        fields.end()) {
      reflection->ClearField(message, field);
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
        Redact(reflection->MutableRepeatedMessage(message, field, i), fields);
      }
    } else {
      Redact(reflection->MutableMessage(message, field), fields);
    }
  }
}

}  // namespace

Guard::Guard(const Authenticator* authenticator, std::string service,
             AccessRules rules, std::vector<std::string> redacted_fields)
    : authenticator_(authenticator),
      service_(std::move(service)),
      rules_(std::move(rules)),
      redacted_fields_(std::move(redacted_fields)) {}

absl::StatusOr<Call> Guard::Admit(const grpc::ServerContextBase& context,
                                  absl::string_view method,
                                  const Message* request) const {
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(context);
  if (!principal.ok()) return principal.status();
  Call call;
  call.method = absl::StrCat(service_, "/", method);
  auto rule = rules_.find(std::string(method));
  bool allowed = false;
  if (rule != rules_.end()) {
    for (const std::string& role : rule->second) {
      allowed = allowed || principal->HasRole(role);
    }
  }
  if (!allowed) {
    return Error(
        absl::StatusCode::kPermissionDenied, "ROLE_REQUIRED",
        rule == rules_.end()
            ? absl::StrCat(call.method, " has no access rule")
            : absl::StrCat(principal->name, " may not call ", call.method,
                           "; it needs one of the roles: ",
                           absl::StrJoin(rule->second, ", ")));
  }
  call.principal = *std::move(principal);
  if (request != nullptr) {
    absl::Status bounds = CheckBounds(*request);
    if (!bounds.ok()) return bounds;
    call.request_id = StringField(*request, "request_id");
    call.resource = ResourceOf(*request);
    // Only mutating requests (those carrying request_id) reach the audit
    // trail; reads skip the serialisation.
    if (request->GetDescriptor()->FindFieldByName("request_id") == nullptr) {
      return call;
    }
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string json;
    std::unique_ptr<Message> redacted;
    const Message* recorded = request;
    if (!redacted_fields_.empty()) {
      redacted.reset(request->New());
      redacted->CopyFrom(*request);
      Redact(redacted.get(), redacted_fields_);
      recorded = redacted.get();
    }
    if (google::protobuf::util::MessageToJsonString(*recorded, &json, options)
            .ok()) {
      if (json.size() > kMaxAuditRequestBytes) {
        // Cut at a character boundary: the trail must stay valid UTF-8.
        size_t cut = kMaxAuditRequestBytes;
        while (cut > 0 &&
               (static_cast<unsigned char>(json[cut]) & 0xC0) == 0x80) {
          --cut;
        }
        json = absl::StrCat(json.substr(0, cut), "…(truncated)");
      }
      call.request_json = std::move(json);
    }
  }
  return call;
}

std::vector<std::string> Guard::RuleMismatches() const {
  std::vector<std::string> out;
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service_);
  if (service == nullptr) return {absl::StrCat("unknown service ", service_)};
  for (int i = 0; i < service->method_count(); ++i) {
    if (rules_.count(service->method(i)->name()) == 0) {
      out.push_back(absl::StrCat(service->method(i)->name(), " has no rule"));
    }
  }
  for (const auto& [method, roles] : rules_) {
    if (service->FindMethodByName(method) == nullptr) {
      out.push_back(absl::StrCat(method, " is not a method of ", service_));
    }
  }
  return out;
}

}  // namespace shien::auth
