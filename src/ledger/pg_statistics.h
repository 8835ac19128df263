// Keeps PostgreSQL's planner statistics of the ledger's tables up to date while they grow from
// empty, on a connection and a thread of its own.
//
// Why: the ledger's statements are prepared once per connection, and after a few runs PostgreSQL
// keeps a generic plan for each, costed with the table sizes it believed then. On a new ledger
// those are nearly empty tables, so lookups by key get sequential scans — and keep them until the
// table's statistics change, which invalidates the plans. Autovacuum's ANALYZE does that, but only
// on its next visit to the database (autovacuum_naptime, a minute by default), and until then each
// scan reads the whole, growing table: a fresh region's first 20,000 visits were prepared at a
// quarter of the usual rate. Here, every `interval` the thread asks pg_stat_user_tables which of
// the ledger's tables have at least `min_rows` live rows and more than twice those they had at
// their last ANALYZE (none before the first), while that was fewer than `max_rows`, and runs
// ANALYZE on each: about log2(max_rows / min_rows) times a table. Rows, not changes: the
// accumulators and balances are updated at every settlement without growing, and an ANALYZE
// replans every statement that reads its table. Growth is all a plan needs: once a table has a few
// thousand rows, a lookup by key is planned as an index scan and stays one as the table grows (the
// planner scales the rows counted by the table's current size). Larger tables are left to
// autovacuum: an ANALYZE of one takes a core for 36–139 ms (measured on 95,000 to 620,000 rows)
// and replans every statement that reads it, work that would buy no better plan.
//
// ANALYZE reads a bounded sample (30,000 rows at the default statistics target) and takes a lock
// that blocks neither reads nor writes. Tables this role may not analyse (neither its roles' nor in
// its roles' database) are left alone: PostgreSQL would skip them. A failure (the connection lost,
// a statement refused) is counted, and the thread tries again at the next interval on a new
// connection.
//
// Thread safety: the constructor and destructor from one thread; the counters from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace yibao {

struct PgStatisticsOptions {
  std::chrono::milliseconds interval{1000};  // between checks; 0 = no thread at all
  int64_t min_rows = 500;                    // live rows before a table's first ANALYZE here
  int64_t max_rows = 5'000;  // tables that had more at their last ANALYZE are autovacuum's
};

class PgStatisticsKeeper {
 public:
  PgStatisticsKeeper(std::string conninfo, PgStatisticsOptions options);
  ~PgStatisticsKeeper();  // stops the thread; an ANALYZE under way is cancelled
  PgStatisticsKeeper(const PgStatisticsKeeper&) = delete;
  PgStatisticsKeeper& operator=(const PgStatisticsKeeper&) = delete;

  uint64_t tables_analysed() const { return analysed_.load(std::memory_order_relaxed); }
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void Loop();

  const std::string conninfo_;
  const PgStatisticsOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;   // under mu_
  void* cancel_ = nullptr;  // PGcancel* of the thread's connection; under mu_
  std::atomic<uint64_t> analysed_{0}, failures_{0};
  std::thread thread_;  // last: started once the rest is set
};

}  // namespace yibao
