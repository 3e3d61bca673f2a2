#include "common/sync/blocking_region.h"

namespace shien {
namespace {

thread_local Observer* thread_observer = nullptr;

}  // namespace

void ObserveBlockingOnThisThread(Observer* observer) {
  thread_observer = observer;
}

BlockingRegion::BlockingRegion() : observer_(thread_observer) {
  if (observer_ != nullptr) observer_->EnterBlocking();
}

BlockingRegion::~BlockingRegion() {
  if (observer_ != nullptr) observer_->LeaveBlocking();
}

}  // namespace shien
