#ifndef SHIEN_COMMON_SERVER_SECURITY_FLAGS_H_
#define SHIEN_COMMON_SERVER_SECURITY_FLAGS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/auth/authenticator.h"
#include "common/client/channel.h"
#include "common/server/server.h"

namespace shien {

// Who may call a server and how its peers are called, from the command-line
// flags shared by every server (each with an environment default):
//   --auth_tokens (SHIEN_AUTH_TOKENS): the token file (see
//       auth/token_file.h); reloaded on SIGHUP
//   --insecure_no_auth (SHIEN_INSECURE_NO_AUTH=1): development only; every
//       caller is an anonymous principal with every role
//   --tls_cert, --tls_key (SHIEN_TLS_CERT, SHIEN_TLS_KEY): serve TLS
//   --tls_client_ca (SHIEN_TLS_CLIENT_CA): require client certificates
//       signed by this CA (mTLS); their identity maps through the token file
//   --service_token_file (SHIEN_SERVICE_TOKEN_FILE): the bearer token this
//       service presents when it calls another shien service
//   --peer_ca, --peer_cert, --peer_key, --peer_server_name (SHIEN_PEER_CA,
//       ...): TLS towards the other services, and this service's client
//       certificate for their mTLS
//   --max_memory_mb (SHIEN_MAX_MEMORY_MB, 256): memory gRPC may hold for
//       calls in flight; beyond it new calls are refused
//   --max_concurrent_streams (SHIEN_MAX_CONCURRENT_STREAMS, 128): calls in
//       flight per client connection

// The authenticator the flags configure. INVALID_ARGUMENT when neither
// --auth_tokens nor --insecure_no_auth is given, or when the token file is
// malformed; NOT_FOUND when it cannot be read.
absl::StatusOr<std::unique_ptr<auth::Authenticator>> AuthenticatorFromFlags();

// Sets TLS and the limits of `options` from the flags. INVALID_ARGUMENT
// when a certificate or key cannot be read, or only one of them is given.
absl::Status ApplyServerFlags(ServerOptions* options);

// How this service calls its peers: its own token, TLS and certificate.
// NOT_FOUND / INVALID_ARGUMENT when a file cannot be read.
absl::StatusOr<client::ChannelOptions> PeerChannelOptionsFromFlags();

}  // namespace shien

#endif  // SHIEN_COMMON_SERVER_SECURITY_FLAGS_H_
