#include "platform/person_queue.h"

#include <utility>

namespace yibao {

void PersonQueue::Run(const std::string& key, Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, first] = waiting_.try_emplace(key);
    if (!first) {  // another task of this person is running: queue behind it
      it->second.push_back(std::move(task));
      return;
    }
  }
  task([this, key] { Finished(key); });
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
    it->second.erase(it->second.begin());
  }
  // A task that finishes at once (a refusal) would otherwise start the next one from inside itself,
  // and a long queue of refusals would recurse that deep: the outermost Finished on this thread
  // runs them one after another instead.
  thread_local bool draining = false;
  thread_local std::vector<std::pair<std::string, Task>> ready;
  ready.emplace_back(key, std::move(next));
  if (draining) return;
  draining = true;
  while (!ready.empty()) {
    auto [k, task] = std::move(ready.back());
    ready.pop_back();
    task([this, k = k] { Finished(k); });
  }
  draining = false;
}

}  // namespace yibao
