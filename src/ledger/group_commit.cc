#include "ledger/group_commit.h"

#include <chrono>

#include "base/thread_name.h"

namespace yibao {

GroupCommitWriter::GroupCommitWriter(size_t max_batch, CommitBatch commit)
    : max_batch_(max_batch == 0 ? 1 : max_batch), commit_(std::move(commit)) {
  thread_ = std::thread([this] { Loop(); });
  NameThread(thread_, "yb-ledger-write");
}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitWriter::Submit(LedgerWrite write, std::function<void(WriteStatus)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(std::move(write), std::move(done));
  }
  cv_.notify_one();
}

LedgerStats GroupCommitWriter::Stats() const {
  return LedgerStats{writes_.load(), batches_.load(), largest_batch_.load(), commit_micros_.load()};
}

void GroupCommitWriter::Loop() {
  std::vector<LedgerWrite> writes;
  std::vector<std::function<void(WriteStatus)>> callbacks;
  std::vector<WriteStatus> status;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted has been answered
      while (!queue_.empty() && writes.size() < max_batch_) {
        writes.push_back(std::move(queue_.front().first));
        callbacks.push_back(std::move(queue_.front().second));
        queue_.pop_front();
      }
    }
    status.assign(writes.size(), WriteStatus::kFailed);
    const auto started = std::chrono::steady_clock::now();
    commit_(writes, status);
    commit_micros_ += uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count());
    writes_ += writes.size();
    batches_ += 1;
    if (writes.size() > largest_batch_) largest_batch_ = writes.size();
    // Only now, with the batch durable, does anyone hear back.
    for (size_t i = 0; i < callbacks.size(); ++i) callbacks[i](status[i]);
    writes.clear();
    callbacks.clear();
  }
}

}  // namespace yibao
