#include "common/api/bounds.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"

namespace shien {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

absl::Status Check(const Message& message, const std::string& prefix,
                   int depth) {
  if (depth > kMaxNestingDepth) {
    return FieldError(prefix, "NESTED_TOO_DEEP",
                      absl::StrCat("nests deeper than ", kMaxNestingDepth));
  }
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix.empty()
                                 ? field->name()
                                 : absl::StrCat(prefix, ".", field->name());
    const bool is_string = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING;
    const bool is_message =
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(message, field);
      if (n > kMaxRepeatedItems) {
        return FieldError(path, "TOO_MANY_ITEMS",
                          absl::StrCat("has ", n, " items; at most ",
                                       kMaxRepeatedItems, " are accepted"));
      }
      for (int i = 0; i < n && (is_string || is_message); ++i) {
        const std::string item = absl::StrCat(path, "[", i, "]");
        if (is_string) {
          std::string scratch;
          const std::string& v = reflection->GetRepeatedStringReference(
              message, field, i, &scratch);
          if (v.size() > kMaxStringBytes) {
            return FieldError(
                item, "FIELD_TOO_LONG",
                absl::StrCat("is longer than ", kMaxStringBytes, " bytes"));
          }
        } else {
          absl::Status s =
              Check(reflection->GetRepeatedMessage(message, field, i), item,
                    depth + 1);
          if (!s.ok()) return s;
        }
      }
      continue;
    }
    if (is_string) {
      std::string scratch;
      const std::string& v =
          reflection->GetStringReference(message, field, &scratch);
      if (v.size() > kMaxStringBytes) {
        return FieldError(
            path, "FIELD_TOO_LONG",
            absl::StrCat("is longer than ", kMaxStringBytes, " bytes"));
      }
    } else if (is_message) {
      absl::Status s =
          Check(reflection->GetMessage(message, field), path, depth + 1);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckBounds(const Message& message) {
  return Check(message, "", 0);
}

}  // namespace shien
