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
                 "yibao_ledger_cache_reads_total{{result=\"miss\"}} {}\n"
                 "# HELP yibao_ledger_bills_stored_total Settlement bills stored, by form: a "
                 "zstd frame with the ledger's dictionary, or text (before its first).\n"
                 "# TYPE yibao_ledger_bills_stored_total counter\n"
                 "yibao_ledger_bills_stored_total{{form=\"frame\"}} {}\n"
                 "yibao_ledger_bills_stored_total{{form=\"text\"}} {}\n"
                 "# HELP yibao_ledger_framed_bill_bytes_total Bytes of the bills stored as frames: "
                 "their JSON, and the frames.\n"
                 "# TYPE yibao_ledger_framed_bill_bytes_total counter\n"
                 "yibao_ledger_framed_bill_bytes_total{{form=\"json\"}} {}\n"
                 "yibao_ledger_framed_bill_bytes_total{{form=\"frame\"}} {}\n"
                 "# HELP yibao_ledger_bill_dictionaries Dictionaries the ledger holds for its "
                 "bills (the newest compresses; a new one is trained when the bills drift).\n"
                 "# TYPE yibao_ledger_bill_dictionaries gauge\n"
                 "yibao_ledger_bill_dictionaries {}\n"
                 "# HELP yibao_ledger_bulk_batches_total PostgreSQL batches by how they were "
                 "written: as set-based statements, or rolled back by a refused write and written "
                 "write by write.\n"
                 "# TYPE yibao_ledger_bulk_batches_total counter\n"
                 "yibao_ledger_bulk_batches_total{{outcome=\"committed\"}} {}\n"
                 "yibao_ledger_bulk_batches_total{{outcome=\"rolled_back\"}} {}\n"
                 "# HELP yibao_ledger_tables_analysed_total PostgreSQL: ANALYZEs the ledger ran on "
                 "its tables as they grew, and the attempts that failed.\n"
                 "# TYPE yibao_ledger_tables_analysed_total counter\n"
                 "yibao_ledger_tables_analysed_total{{outcome=\"done\"}} {}\n"
                 "yibao_ledger_tables_analysed_total{{outcome=\"failed\"}} {}\n",
                 stats.writes, stats.batches, stats.largest_batch, stats.commit_micros / 1'000'000,
                 stats.commit_micros % 1'000'000, stats.cache_hits, stats.cache_misses,
                 stats.bill_frames, stats.bill_texts, stats.bill_json_bytes, stats.bill_frame_bytes,
                 stats.bill_dictionaries, stats.bulk_batches, stats.bulk_rolled_back,
                 stats.tables_analysed, stats.analyse_failures);
}

}  // namespace yibao
