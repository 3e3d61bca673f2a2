#include "common/sync/blocking_region.h"

namespace shien {
namespace {

thread_local BlockingObserver* thread_observer = nullptr;
thread_local int thread_depth = 0;  // regions open on this thread

}  // namespace

void ObserveBlockingOnThisThread(BlockingObserver* observer) {
  thread_observer = observer;
}

BlockingRegion::BlockingRegion()
    : observer_(thread_depth++ == 0 ? thread_observer : nullptr) {
  if (observer_ != nullptr) observer_->EnterBlocking();
}

BlockingRegion::~BlockingRegion() {
  --thread_depth;
  if (observer_ != nullptr) observer_->LeaveBlocking();
}

}  // namespace shien
