// The write path shared by every ledger backend (LevelDB's DBImpl::Write): submitters queue whole
// LedgerWrites; one writer thread takes everything waiting (up to max_batch), hands it to the
// backend to apply in one durable transaction, and only then runs each write's callback.
//
// Thread safety: Submit and Stats from any thread. Stop (also run by the destructor) drains the
// queue — every submitted write gets its callback — and joins the writer; a backend calls it before
// it closes the connections its commit function uses.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ledger/ledger.h"

namespace yibao {

class GroupCommitWriter {
 public:
  // Applies `writes` in one transaction and sets each `status` (it arrives filled with kFailed);
  // runs on the writer thread only.
  using CommitBatch =
      std::function<void(const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status)>;

  GroupCommitWriter(size_t max_batch, CommitBatch commit);
  ~GroupCommitWriter();

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done);
  LedgerStats Stats() const;
  void Stop();

 private:
  void Loop();

  const size_t max_batch_;
  const CommitBatch commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<LedgerWrite, std::function<void(WriteStatus)>>> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> writes_{0}, batches_{0}, largest_batch_{0}, commit_micros_{0};
  std::thread thread_;
};

}  // namespace yibao
