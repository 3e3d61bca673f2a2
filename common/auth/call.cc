#include "common/auth/call.h"

namespace shien {
namespace {

thread_local const Call* current_call = nullptr;

}  // namespace

const Call* CurrentCall() { return current_call; }

CallScope::CallScope(const Call* call) : previous_(current_call) {
  current_call = call;
}

CallScope::~CallScope() { current_call = previous_; }

}  // namespace shien
