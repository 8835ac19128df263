// Runs the operations of one person one after another, in arrival order (DESIGN.md §2.6): an
// operation starts only when the previous one of the same person has finished (its ledger write is
// durable or it was refused), so it reads the person's accumulators, balance and visits as they
// stand after it. Operations of different persons run in parallel.
//
// Thread safety: Run from any thread. A task receives a `finished` callback that it must call
// exactly once, from any thread, when its effects are durable (or when it gives up).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace yibao {

class PersonQueue {
 public:
  using Task = std::function<void(std::function<void()> finished)>;

  // Runs `task` now if nothing of `person_key` is running, else after every earlier task of it.
  void Run(const std::string& person_key, Task task);

  size_t busy_persons() const;

 private:
  void Finished(const std::string& person_key);

  mutable std::mutex mu_;
  std::map<std::string, std::vector<Task>>
      waiting_;  // person → tasks queued behind the running one
};

}  // namespace yibao
