#include "ledger/wal_checkpointer.h"

#include <sqlite3.h>

#include "base/thread_name.h"

namespace yibao {

WalCheckpointer::WalCheckpointer(sqlite3* writer, sqlite3* own, int threshold_pages,
                                 int inline_pages)
    : own_(own), threshold_pages_(threshold_pages), inline_pages_(inline_pages) {
  thread_ = std::thread([this] { Loop(); });
  NameThread(thread_, "yb-checkpoint");
  sqlite3_wal_hook(writer, &WalCheckpointer::OnCommit, this);
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_close(own_);
}

uint64_t WalCheckpointer::background_passes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return background_;
}

uint64_t WalCheckpointer::residue_passes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return residue_;
}

uint64_t WalCheckpointer::inline_passes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return inline_;
}

// Runs on the writer's thread after each commit, outside its transaction; `pages` is the log's
// length in frames.
int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  // A shorter log than after the last commit has restarted (a background pass had copied all of
  // it while the writer was idle): the last pass's count is of the old log, and must not make the
  // new log's first pass past the threshold a residue pass (a whole threshold copied inline).
  const bool restarted = pages < c->last_pages_;
  c->last_pages_ = pages;
  if (restarted) {
    std::lock_guard<std::mutex> lock(c->mu_);
    c->copied_ = 0;
  }
  if (pages < c->threshold_pages_ && pages < c->inline_pages_) return SQLITE_OK;
  uint64_t* pass = nullptr;
  {
    std::lock_guard<std::mutex> lock(c->mu_);
    if (pages >= c->inline_pages_) {
      pass = &c->inline_;
    } else if (c->running_) {
      return SQLITE_OK;
    } else if (c->copied_ > 0 && pages - c->copied_ <= c->threshold_pages_ / 4) {
      pass = &c->residue_;
    } else {
      c->due_ = true;
      c->running_ = true;
    }
  }
  if (!pass) {
    c->cv_.notify_one();
    return SQLITE_OK;
  }
  // A background pass may be running beside this one; each copies what it can.
  sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  std::lock_guard<std::mutex> lock(c->mu_);
  ++*pass;
  c->copied_ = 0;  // the next transaction restarts the log, if nobody reads from it
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || due_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, waits for nobody.
    int log = 0, copied = 0;
    sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    lock.lock();
    running_ = false;
    copied_ = copied;
    ++background_;
  }
}

}  // namespace yibao
