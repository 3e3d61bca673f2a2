#include "common/server/rpc_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/server/raw_unary.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"

namespace shien {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const int millis =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                           now.time_since_epoch())
                           .count() %
                       1000);
  std::tm tm;
  gmtime_r(&t, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

class RpcLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcLogInterceptor(grpc::experimental::ServerRpcInfo* info,
                    const std::string* server_name,
                    const auth::Authenticator* authenticator)
      : info_(info),
        server_name_(server_name),
        authenticator_(authenticator),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        request_id_.empty() && !IsRawMethod(info_->method())) {
      auto* message = static_cast<const google::protobuf::Message*>(
          methods->GetRecvMessage());
      if (message != nullptr) {
        const auto* field =
            message->GetDescriptor()->FindFieldByName("request_id");
        if (field != nullptr &&
            field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
            !field->is_repeated()) {
          request_id_ = message->GetReflection()
                            ->GetString(*message, field)
                            .substr(0, 128);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double latency_ms = std::chrono::duration<double, std::milli>(
                                    std::chrono::steady_clock::now() - start_)
                                    .count();
      const std::string peer = info_->server_context()->peer();
      std::string principal = "unauthenticated";
      if (authenticator_ != nullptr) {
        auto p = authenticator_->Authenticate(*info_->server_context());
        if (p.ok()) principal = p->name;
      }
      const std::string line = absl::StrCat(
          "{\"time\":\"", Now(), "\",\"server\":", JsonString(*server_name_),
          ",\"method\":", JsonString(info_->method()), ",\"code\":\"",
          CodeName(status.error_code()),
          "\",\"latency_ms\":", absl::StrFormat("%.3f", latency_ms),
          ",\"peer\":", JsonString(peer),
          ",\"principal\":", JsonString(principal),
          ",\"request_id\":", JsonString(request_id_), "}\n");
      std::fputs(line.c_str(), stderr);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const std::string* server_name_;
  const auth::Authenticator* authenticator_;
  const std::chrono::steady_clock::time_point start_;
  std::string request_id_;
};

class RpcLogFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RpcLogFactory(std::string server_name,
                const auth::Authenticator* authenticator)
      : server_name_(std::move(server_name)), authenticator_(authenticator) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcLogInterceptor(info, &server_name_, authenticator_);
  }

 private:
  const std::string server_name_;
  const auth::Authenticator* authenticator_;
};

}  // namespace

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcLogInterceptorFactory(std::string server_name,
                            const auth::Authenticator* authenticator) {
  return std::make_unique<RpcLogFactory>(std::move(server_name), authenticator);
}

}  // namespace shien
