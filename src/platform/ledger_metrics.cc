#include "platform/ledger_metrics.h"

#include <fmt/format.h>

#include <iterator>

namespace yibao {

void RenderLedgerMetrics(const LedgerStats& stats, std::string& out) {
  fmt::format_to(std::back_inserter(out),
                 "# HELP yibao_ledger_writes_total Ledger writes answered (durable or refused).\n"
                 "# TYPE yibao_ledger_writes_total counter\n"
                 "yibao_ledger_writes_total {}\n"
                 "# HELP yibao_ledger_commits_total Ledger transactions (group-commit batches).\n"
                 "# TYPE yibao_ledger_commits_total counter\n"
                 "yibao_ledger_commits_total {}\n"
                 "# HELP yibao_ledger_largest_batch Most writes one ledger transaction has held.\n"
                 "# TYPE yibao_ledger_largest_batch gauge\n"
                 "yibao_ledger_largest_batch {}\n"
                 "# HELP yibao_ledger_commit_seconds_total Time the ledger writer spent applying "
                 "and committing batches.\n"
                 "# TYPE yibao_ledger_commit_seconds_total counter\n"
                 "yibao_ledger_commit_seconds_total {}.{:06d}\n"
                 "# HELP yibao_ledger_cache_reads_total Ledger reads by where the answer came "
                 "from: the read cache (hit) or the backend (miss).\n"
                 "# TYPE yibao_ledger_cache_reads_total counter\n"
                 "yibao_ledger_cache_reads_total{{result=\"hit\"}} {}\n"
                 "yibao_ledger_cache_reads_total{{result=\"miss\"}} {}\n",
                 stats.writes, stats.batches, stats.largest_batch, stats.commit_micros / 1'000'000,
                 stats.commit_micros % 1'000'000, stats.cache_hits, stats.cache_misses);
}

}  // namespace yibao
