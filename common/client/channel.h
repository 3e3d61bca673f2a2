#ifndef SHIEN_COMMON_CLIENT_CHANNEL_H_
#define SHIEN_COMMON_CLIENT_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace shien::client {

// How a client reaches a shien server: plaintext or TLS, and which
// credentials it presents.
struct ChannelOptions {
  // Sent as "authorization: Bearer <token>" on every call; empty sends none.
  std::string token;
  // Non-empty: TLS, the server's certificate verified against this PEM CA.
  std::string ca_file;
  // Both set: the client certificate and key (PEM) presented for mTLS.
  std::string cert_file;
  std::string key_file;
  // The name the server's certificate must carry, when it differs from the
  // target's host (e.g. "localhost" when dialling 127.0.0.1).
  std::string server_name;
};

// Opens a channel to `target` ("host:port", or a list "host:port,host:port"
// balanced round robin). INVALID_ARGUMENT naming the file when a
// certificate, key or CA cannot be read, or when only one of cert/key is
// set. Thread-safe.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const std::string& target, const ChannelOptions& options);

// Reads a token from a file (the first line, surrounding whitespace
// trimmed). NOT_FOUND when the file cannot be read, INVALID_ARGUMENT when
// it is empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace shien::client

#endif  // SHIEN_COMMON_CLIENT_CHANNEL_H_
