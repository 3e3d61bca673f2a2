#include "common/server/security_flags.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/server/env.h"

ABSL_FLAG(std::string, auth_tokens,
          shien::EnvOr("SHIEN_AUTH_TOKENS", std::string()),
          "token file: one 'sha256:<hex>|x509:<identity> name roles "
          "departments expires' line per principal; reloaded on SIGHUP (env "
          "SHIEN_AUTH_TOKENS)");
ABSL_FLAG(bool, insecure_no_auth,
          shien::EnvOr("SHIEN_INSECURE_NO_AUTH", 0) != 0,
          "development only: accept every caller as an anonymous principal "
          "with every role (env SHIEN_INSECURE_NO_AUTH=1)");
ABSL_FLAG(std::string, tls_cert, shien::EnvOr("SHIEN_TLS_CERT", std::string()),
          "PEM certificate chain to serve TLS with (env SHIEN_TLS_CERT)");
ABSL_FLAG(std::string, tls_key, shien::EnvOr("SHIEN_TLS_KEY", std::string()),
          "PEM private key of --tls_cert (env SHIEN_TLS_KEY)");
ABSL_FLAG(std::string, tls_client_ca,
          shien::EnvOr("SHIEN_TLS_CLIENT_CA", std::string()),
          "PEM CA: require client certificates signed by it (mTLS) (env "
          "SHIEN_TLS_CLIENT_CA)");
ABSL_FLAG(std::string, service_token_file,
          shien::EnvOr("SHIEN_SERVICE_TOKEN_FILE", std::string()),
          "file holding the bearer token this service presents to the other "
          "services (env SHIEN_SERVICE_TOKEN_FILE)");
ABSL_FLAG(std::string, peer_ca, shien::EnvOr("SHIEN_PEER_CA", std::string()),
          "PEM CA verifying the other services' TLS certificates (env "
          "SHIEN_PEER_CA); empty calls them in plaintext");
ABSL_FLAG(std::string, peer_cert,
          shien::EnvOr("SHIEN_PEER_CERT", std::string()),
          "PEM client certificate presented to the other services (env "
          "SHIEN_PEER_CERT)");
ABSL_FLAG(std::string, peer_key, shien::EnvOr("SHIEN_PEER_KEY", std::string()),
          "PEM key of --peer_cert (env SHIEN_PEER_KEY)");
ABSL_FLAG(std::string, peer_server_name,
          shien::EnvOr("SHIEN_PEER_SERVER_NAME", std::string()),
          "name the other services' certificates carry, when it differs "
          "from the host dialled (env SHIEN_PEER_SERVER_NAME)");
ABSL_FLAG(int, max_memory_mb, shien::EnvOr("SHIEN_MAX_MEMORY_MB", 256),
          "memory gRPC may hold for calls in flight, MiB (env "
          "SHIEN_MAX_MEMORY_MB)");
ABSL_FLAG(int, max_concurrent_streams,
          shien::EnvOr("SHIEN_MAX_CONCURRENT_STREAMS", 128),
          "calls in flight per client connection (env "
          "SHIEN_MAX_CONCURRENT_STREAMS)");

namespace shien {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("--", flag, ": cannot read ", path));
  }
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<auth::Authenticator>> AuthenticatorFromFlags() {
  const std::string tokens = absl::GetFlag(FLAGS_auth_tokens);
  if (!tokens.empty()) return auth::Authenticator::FromFile(tokens);
  if (absl::GetFlag(FLAGS_insecure_no_auth)) return auth::Authenticator::Open();
  return absl::InvalidArgumentError(
      "no authentication configured: pass --auth_tokens=FILE (see the "
      "README), or --insecure_no_auth for a development server");
}

absl::Status ApplyServerFlags(ServerOptions* options) {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  const std::string client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  if (cert.empty() != key.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key must be given together");
  }
  if (!client_ca.empty() && cert.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca needs --tls_cert and --tls_key");
  }
  if (!cert.empty()) {
    auto c = ReadPem(cert, "tls_cert");
    if (!c.ok()) return c.status();
    auto k = ReadPem(key, "tls_key");
    if (!k.ok()) return k.status();
    options->tls_cert_pem = *std::move(c);
    options->tls_key_pem = *std::move(k);
  }
  if (!client_ca.empty()) {
    auto ca = ReadPem(client_ca, "tls_client_ca");
    if (!ca.ok()) return ca.status();
    options->tls_client_ca_pem = *std::move(ca);
  }
  options->max_memory_bytes =
      static_cast<size_t>(std::max(16, absl::GetFlag(FLAGS_max_memory_mb))) *
      1024 * 1024;
  options->max_concurrent_streams =
      std::max(1, absl::GetFlag(FLAGS_max_concurrent_streams));
  return absl::OkStatus();
}

absl::StatusOr<client::ChannelOptions> PeerChannelOptionsFromFlags() {
  client::ChannelOptions options;
  const std::string token_file = absl::GetFlag(FLAGS_service_token_file);
  if (!token_file.empty()) {
    auto token = client::ReadTokenFile(token_file);
    if (!token.ok()) return token.status();
    options.token = *std::move(token);
  }
  options.ca_file = absl::GetFlag(FLAGS_peer_ca);
  options.cert_file = absl::GetFlag(FLAGS_peer_cert);
  options.key_file = absl::GetFlag(FLAGS_peer_key);
  options.server_name = absl::GetFlag(FLAGS_peer_server_name);
  return options;
}

}  // namespace shien
