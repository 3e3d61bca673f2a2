#include "common/cache/redis_pool.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/timestamps.h"

namespace shien::cache {
namespace {

timeval Millis(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

absl::Status Unavailable(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat("redis: ", what));
}

}  // namespace

RedisPool::RedisPool(RedisOptions options) : options_(std::move(options)) {}

RedisPool::~RedisPool() {
  std::lock_guard<std::mutex> lock(mu_);
  for (redisContext* c : idle_) redisFree(c);
}

void RedisPool::NoteFailure() {
  healthy_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  retry_at_micros_ = NowMicros() + options_.retry_after_ms * 1000LL;
  // Connections opened before the failure are suspect: drop the idle ones.
  for (redisContext* c : idle_) redisFree(c);
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

absl::StatusOr<redisContext*> RedisPool::Connect() {
  redisContext* c = nullptr;
  const timeval connect = Millis(options_.connect_timeout_ms);
  if (options_.address.rfind("unix:", 0) == 0) {
    c = redisConnectUnixWithTimeout(options_.address.substr(5).c_str(),
                                    connect);
  } else {
    const size_t colon = options_.address.rfind(':');
    int port = 0;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(options_.address.substr(colon + 1), &port)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis address \"", options_.address,
                       "\" is not host:port or unix:/path"));
    }
    c = redisConnectWithTimeout(options_.address.substr(0, colon).c_str(), port,
                                connect);
  }
  if (c == nullptr || c->err) {
    std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    return Unavailable(
        absl::StrCat("cannot connect to ", options_.address, ": ", why));
  }
  redisSetTimeout(c, Millis(options_.command_timeout_ms));
  if (!options_.password.empty()) {
    redisReply* reply = options_.user.empty()
                            ? static_cast<redisReply*>(redisCommand(
                                  c, "AUTH %s", options_.password.c_str()))
                            : static_cast<redisReply*>(redisCommand(
                                  c, "AUTH %s %s", options_.user.c_str(),
                                  options_.password.c_str()));
    const bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
    if (reply) freeReplyObject(reply);
    if (!ok) {
      redisFree(c);
      return Unavailable("authentication failed");
    }
  }
  return c;
}

absl::StatusOr<redisContext*> RedisPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (NowMicros() < retry_at_micros_) {
      return Unavailable("unavailable (waiting before reconnecting)");
    }
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    if (open_ >= options_.pool_size) {
      // Every connection is busy: skip the cache rather than wait.
      return absl::ResourceExhaustedError("redis: all connections busy");
    }
    ++open_;
  }
  absl::StatusOr<redisContext*> c = Connect();
  if (!c.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    NoteFailure();
  }
  return c;
}

void RedisPool::Release(redisContext* context, bool broken) {
  if (broken) {
    redisFree(context);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    NoteFailure();
    return;
  }
  healthy_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(context);
}

bool RedisPool::IsBusy(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted;
}

absl::StatusOr<std::optional<std::string>> RedisPool::Get(
    const std::string& key) {
  absl::StatusOr<redisContext*> c = Acquire();
  if (!c.ok()) return c.status();
  auto* reply = static_cast<redisReply*>(
      redisCommand(*c, "GET %b", key.data(), key.size()));
  if (reply == nullptr) {
    std::string why = (*c)->errstr;
    Release(*c, /*broken=*/true);
    return Unavailable(why);
  }
  std::optional<std::string> value;
  absl::Status status;
  if (reply->type == REDIS_REPLY_STRING) {
    value = std::string(reply->str, reply->len);
  } else if (reply->type == REDIS_REPLY_ERROR) {
    status = Unavailable(std::string(reply->str, reply->len));
  }
  freeReplyObject(reply);
  Release(*c, /*broken=*/!status.ok());
  if (!status.ok()) return status;
  return value;
}

absl::Status RedisPool::SetEx(const std::string& key, const std::string& value,
                              int ttl_seconds) {
  absl::StatusOr<redisContext*> c = Acquire();
  if (!c.ok()) return c.status();
  auto* reply = static_cast<redisReply*>(
      redisCommand(*c, "SET %b %b EX %d", key.data(), key.size(), value.data(),
                   value.size(), ttl_seconds));
  if (reply == nullptr) {
    std::string why = (*c)->errstr;
    Release(*c, /*broken=*/true);
    return Unavailable(why);
  }
  const bool ok = reply->type != REDIS_REPLY_ERROR;
  std::string why = ok ? "" : std::string(reply->str, reply->len);
  freeReplyObject(reply);
  Release(*c, /*broken=*/!ok);
  return ok ? absl::OkStatus() : Unavailable(why);
}

absl::Status RedisPool::Ping() {
  absl::StatusOr<redisContext*> c = Acquire();
  if (!c.ok()) return c.status();
  auto* reply = static_cast<redisReply*>(redisCommand(*c, "PING"));
  if (reply == nullptr) {
    std::string why = (*c)->errstr;
    Release(*c, /*broken=*/true);
    return Unavailable(why);
  }
  freeReplyObject(reply);
  Release(*c, /*broken=*/false);
  return absl::OkStatus();
}

}  // namespace shien::cache
