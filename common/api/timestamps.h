#ifndef SHIEN_COMMON_API_TIMESTAMPS_H_
#define SHIEN_COMMON_API_TIMESTAMPS_H_

#include <cstdint>

#include "google/protobuf/timestamp.pb.h"

namespace shien {

// Microseconds since the Unix epoch, now (system clock).
int64_t NowMicros();

// Microseconds since the epoch ↔ google.protobuf.Timestamp.
void ToTimestamp(int64_t micros, google::protobuf::Timestamp* out);
int64_t FromTimestamp(const google::protobuf::Timestamp& timestamp);

}  // namespace shien

#endif  // SHIEN_COMMON_API_TIMESTAMPS_H_
