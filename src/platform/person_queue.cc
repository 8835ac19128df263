#include "platform/person_queue.h"

#include <deque>
#include <tuple>
#include <utility>

namespace yibao {
namespace {

// The tasks this thread starts once the task it is running returns, in the order they were let
// start. `running`: a task is running on this thread.
struct Pending {
  bool running = false;
  std::deque<std::tuple<PersonQueue*, std::string, PersonQueue::Task>> ready;
};
thread_local Pending pending;

}  // namespace

void PersonQueue::Run(const std::string& key, Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, first] = waiting_.try_emplace(key);
    if (!first) {  // another task of this person is running: queue behind it
      it->second.push_back(std::move(task));
      return;
    }
  }
  Start(key, std::move(task));
}

size_t PersonQueue::busy_persons() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

void PersonQueue::Finished(const std::string& key) {
  Task next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  Start(key, std::move(next));
}

// Also keeps the stack flat: a long queue of tasks that finish at once (refusals) runs one after
// another here instead of each starting the next from inside itself.
void PersonQueue::Start(const std::string& key, Task task) {
  pending.ready.emplace_back(this, key, std::move(task));
  if (pending.running) return;
  pending.running = true;
  while (!pending.ready.empty()) {
    auto [queue, k, t] = std::move(pending.ready.front());
    pending.ready.pop_front();
    t([queue = queue, k = k] { queue->Finished(k); });
  }
  pending.running = false;
}

}  // namespace yibao
