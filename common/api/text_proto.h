#ifndef SHIEN_COMMON_API_TEXT_PROTO_H_
#define SHIEN_COMMON_API_TEXT_PROTO_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace shien {

// Reads a text-format proto file into `message`. NOT_FOUND when the file
// cannot be read; INVALID_ARGUMENT with "path:line:column: what" for the
// first syntax or schema error.
absl::Status ReadTextProtoFile(const std::string& path,
                               google::protobuf::Message* message);

// The files `{data_dir}/fy{YEAR}/{file_name}` that exist, by year.
// NOT_FOUND when data_dir cannot be listed or holds none.
absl::StatusOr<std::map<int, std::string>> FindFiscalYearFiles(
    const std::string& data_dir, const std::string& file_name);

}  // namespace shien

#endif  // SHIEN_COMMON_API_TEXT_PROTO_H_
