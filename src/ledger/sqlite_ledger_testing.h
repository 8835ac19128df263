// Test hooks of the SQLite ledger's writer (sqlite_ledger.cc); not for production use.
//
// The writer applies a write without a savepoint when its pre-check says the write cannot be
// refused once it has changed anything, and falls back to re-running the whole batch with a
// savepoint per write when a statement fails anyway. These hooks force that fallback and count
// which path the writes took, so that tests can check both paths give the same results.
#pragma once

#include <cstdint>

namespace yibao::sqlite_ledger_testing {

// When n > 0: in every batch, the n-th write applied without a savepoint (or the batch's end, if
// it has fewer) is treated as though a statement had failed unexpectedly, so the batch falls back.
// 0 (the default): off. Process-wide.
void SetForcedFallback(int n);

struct WriterCounts {
  uint64_t unguarded = 0;   // writes applied without a savepoint (kept)
  uint64_t savepoints = 0;  // writes applied inside a savepoint (pre-check said maybe refused, or
                            // the fallback re-run)
  uint64_t fallbacks = 0;   // batches rolled back and re-run with a savepoint per write
};
WriterCounts Counts();  // process-wide, since start

}  // namespace yibao::sqlite_ledger_testing
