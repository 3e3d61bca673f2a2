#include "common/sql/connection.h"

namespace shien::sql {

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

Pool::Pool(std::vector<std::unique_ptr<Connection>> connections)
    : all_(std::move(connections)) {
  for (const auto& conn : all_) free_.push_back(conn.get());
}

Pool::Handle Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Connection* conn = free_.back();
  free_.pop_back();
  return Handle(this, conn);
}

void Pool::Release(Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

absl::StatusOr<std::unique_ptr<Transaction>> Transaction::Begin(
    Connection& conn, Mode mode) {
  absl::Status status = conn.Begin(mode == Mode::kWrite);
  if (!status.ok()) return status;
  return std::unique_ptr<Transaction>(new Transaction(conn));
}

Transaction::~Transaction() {
  if (!done_) conn_.Rollback();
}

absl::Status Transaction::Commit() {
  absl::Status status = conn_.Commit();
  if (status.ok()) done_ = true;
  return status;
}

}  // namespace shien::sql
