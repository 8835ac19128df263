// Copies the SQLite ledger's write-ahead log back into the database file, mostly on a thread of
// its own.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the writer's
// thread: that commit then also copies a thousand pages and syncs the database file, and every
// settlement of its batch, and of the batches queued behind it, waits for it. Here the writer's
// connection only reports the log's length after each commit (sqlite3_wal_hook, which turns the
// automatic checkpoint off). Past `threshold_pages` this thread runs PASSIVE checkpoints on its own
// connection, which block neither the writer nor the readers.
//
// The log starts again from its beginning only when a write transaction begins with all of it
// copied — never while the writer keeps appending during each background pass. So once a pass has
// left at most a quarter of the threshold uncopied, the writer copies that residue itself, between
// two of its transactions (a short pass), and the next transaction restarts the log. Should the log
// reach `inline_pages` all the same, the writer copies all of it itself, so that it cannot grow
// without bound. Durability is unchanged: a commit is durable in the log, and a checkpoint only
// moves committed pages.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace yibao {

class WalCheckpointer {
 public:
  // Takes over `writer` (its wal hook) and `own` (a connection to the same database, closed by the
  // destructor). Starts the thread.
  WalCheckpointer(sqlite3* writer, sqlite3* own, int threshold_pages, int inline_pages);
  ~WalCheckpointer();  // stops the thread; the log is left as it is (closing checkpoints it)
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Passes run so far: on the thread; the writer's short ones (a residue); the writer's whole ones.
  uint64_t background_passes() const;
  uint64_t residue_passes() const;
  uint64_t inline_passes() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Loop();

  sqlite3* own_;
  const int threshold_pages_, inline_pages_;
  int last_pages_ = 0;  // the log's length after the last commit; the writer's thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, running_ = false, stopping_ = false;
  int copied_ = 0;  // log frames the last background pass left copied; 0 = none since a restart
  uint64_t background_ = 0, residue_ = 0, inline_ = 0;  // passes; all under mu_
  std::thread thread_;                                  // last: started once the rest is set
};

}  // namespace yibao
