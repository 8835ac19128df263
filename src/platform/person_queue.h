// Runs the operations of one person one after another, in arrival order (DESIGN.md §2.6): an
// operation starts only when the previous one of the same person has finished (its ledger write is
// durable or it was refused), so it reads the person's accumulators, balance and visits as they
// stand after it. Operations of different persons run in parallel.
//
// Thread safety: Run from any thread. A task receives a `finished` callback that it must call
// exactly once, from any thread, when its effects are durable (or when it gives up).
//
// A task runs on the thread that called Run, or on the one that called the previous task's
// `finished`, but never nested inside another task: whatever a running task lets start on its own
// thread (by calling `finished`, or Run) starts only once it has returned. So a task may hold
// per-thread state — a ledger read snapshot (Ledger::ReadTogether) — for its whole length, and the
// next task of the person cannot read inside it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace yibao {

class PersonQueue {
 public:
  using Task = std::function<void(std::function<void()> finished)>;

  // Runs `task` now if nothing of `person_key` is running, else after every earlier task of it.
  void Run(const std::string& person_key, Task task);

  size_t busy_persons() const;

 private:
  void Finished(const std::string& person_key);
  // Runs `task` on this thread now, or, inside a running task, once that one returns.
  void Start(const std::string& person_key, Task task);

  mutable std::mutex mu_;
  std::map<std::string, std::deque<Task>> waiting_;  // person → tasks queued behind the running one
};

}  // namespace yibao
