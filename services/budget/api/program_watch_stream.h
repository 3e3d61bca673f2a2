#ifndef SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_STREAM_H_
#define SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_STREAM_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/server_callback.h"
#include "services/budget/api/program_watch.h"
#include "shien/budget/v1/budget_service.pb.h"

namespace shien::budget {

// One WatchProgramVersions call served from `watch` (not owned; must
// outlive the call). When `admission` is not OK the call ends with it at
// once. Otherwise the stream answers renewals and announces changes until
// the client half-closes (OK), the call is cancelled, or the watch closes
// (UNAVAILABLE). Never blocks a gRPC thread; deletes itself when done.
grpc::ServerBidiReactor<v1::WatchProgramVersionsRequest,
                        v1::WatchProgramVersionsResponse>*
NewProgramWatchStream(ProgramWatch* watch, const absl::Status& admission,
                      const std::string& domain);

}  // namespace shien::budget

#endif  // SHIEN_SERVICES_BUDGET_API_PROGRAM_WATCH_STREAM_H_
