// The ledger's group commit in the Prometheus text format, for GET /metrics:
//
//   yibao_ledger_writes_total           writes committed or refused (each answered once)
//   yibao_ledger_commits_total          transactions (batches) committed
//   yibao_ledger_largest_batch          the most writes one transaction has held
//   yibao_ledger_commit_seconds_total   time the writer spent applying and committing batches
//
// writes / commits is the mean batch; commit seconds / commits the mean time a batch held the
// writer (its sync included). An operator reads from them whether group commit is working and
// whether the disk's syncs or the writes themselves bound the ledger.
#pragma once

#include <string>

#include "ledger/ledger.h"

namespace yibao {

void RenderLedgerMetrics(const LedgerStats& stats, std::string& out);  // appends

}  // namespace yibao
