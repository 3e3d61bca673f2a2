#ifndef SHIEN_COMMON_SERVER_RPC_LOG_H_
#define SHIEN_COMMON_SERVER_RPC_LOG_H_

#include <memory>
#include <string>

#include "common/auth/authenticator.h"
#include "grpcpp/support/server_interceptor.h"

namespace shien {

// A server interceptor writing one JSON line to stderr per finished RPC:
//   {"time":"2026-11-27T12:00:00.123Z","server":"budget","method":"/shien…/GetProgram",
//    "code":"OK","latency_ms":1.234,"peer":"ipv4:127.0.0.1:5555",
//    "principal":"keiei-reporter","request_id":"r-1"}
// request_id is the request message's `request_id` field when it has one
// (unary calls); principal is the caller as `authenticator` (not owned; may
// be null) knows it, or "unauthenticated". Credentials are never logged.
// Thread-safe.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcLogInterceptorFactory(std::string server_name,
                            const auth::Authenticator* authenticator);

// `text` as a JSON string literal (quotes included).
std::string JsonString(const std::string& text);

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_RPC_LOG_H_
