#ifndef SHIEN_COMMON_SYNC_BLOCKING_REGION_H_
#define SHIEN_COMMON_SYNC_BLOCKING_REGION_H_

namespace shien {

class BlockingObserver;

// Marks a stretch where the calling thread waits without using a CPU (for
// a commit, the write turn, another service's answer). A thread pool that
// runs only a few tasks at once (see Executor) lets another of its threads
// run meanwhile, so a wait does not hold a CPU's share of the pool. On a
// thread no pool watches, it does nothing. Regions may nest (only the
// outermost one counts); each is left on the thread that entered it.
class BlockingRegion {
 public:
  BlockingRegion();
  ~BlockingRegion();
  BlockingRegion(const BlockingRegion&) = delete;
  BlockingRegion& operator=(const BlockingRegion&) = delete;

 private:
  BlockingObserver* observer_;  // null: not the outermost, or not watched
};

// What a thread pool implements to learn of its threads' waits. Called on
// the waiting thread; must not block.
class BlockingObserver {
 public:
  virtual ~BlockingObserver() = default;
  virtual void EnterBlocking() = 0;
  virtual void LeaveBlocking() = 0;
};

// Sets the observer of the calling thread's BlockingRegions (null: none).
void ObserveBlockingOnThisThread(BlockingObserver* observer);

}  // namespace shien

#endif  // SHIEN_COMMON_SYNC_BLOCKING_REGION_H_
