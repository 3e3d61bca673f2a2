#ifndef SHIEN_COMMON_AUTH_CALL_H_
#define SHIEN_COMMON_AUTH_CALL_H_

#include <string>

#include "common/auth/principal.h"

namespace shien {

// An admitted call: who makes it, which method, and what it names. The
// audit trail records it with every change the call makes.
struct Call {
  Principal principal;
  // "shien.budget.v1.BudgetService/UpdateProgram".
  std::string method;
  // The request's request_id, when it has one.
  std::string request_id;
  // The resource the request names (its name, parent or the name of the
  // resource it carries), when it names one.
  std::string resource;
  // The request in the proto JSON mapping, bounded; empty for streams.
  std::string request_json;
};

// The call the current thread is serving, or nullptr (start-up, background
// work). Set by CallScope.
const Call* CurrentCall();

// Makes `call` the current thread's call for the scope's lifetime. Not
// nestable across threads; restores the previous call on destruction.
class CallScope {
 public:
  explicit CallScope(const Call* call);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const Call* previous_;
};

}  // namespace shien

#endif  // SHIEN_COMMON_AUTH_CALL_H_
