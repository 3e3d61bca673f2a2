#ifndef SHIEN_COMMON_STATUS_MACROS_H_
#define SHIEN_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the enclosing function unless it is OK.
#define SHIEN_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status shien_status_ = (expr);         \
    if (!shien_status_.ok()) return shien_status_; \
  } while (0)

#define SHIEN_CONCAT_INNER_(a, b) a##b
#define SHIEN_CONCAT_(a, b) SHIEN_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status unless OK,
// otherwise moves the value into `lhs` (a declaration or an lvalue).
#define SHIEN_ASSIGN_OR_RETURN(lhs, rexpr) \
  SHIEN_ASSIGN_OR_RETURN_IMPL_(SHIEN_CONCAT_(shien_or_, __LINE__), lhs, rexpr)
#define SHIEN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(*tmp)

#endif  // SHIEN_COMMON_STATUS_MACROS_H_
