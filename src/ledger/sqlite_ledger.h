// The embedded ledger on SQLite: WAL, synchronous=FULL, 8 KiB pages (new files), one writer thread
// that commits all waiting writes in one transaction (group commit), and a small pool of reader
// connections, each with its own prepared statements, so that reads from different threads run in
// parallel with each other and beside the writer (WAL). A settlement's accumulator deltas and
// journal entries are also kept as one column of its row (ledger/postings.h). The schema is in
// sqlite_ledger.cc.
#pragma once

#include <memory>
#include <string>

#include "base/diagnostic.h"
#include "ledger/bill_codec.h"
#include "ledger/ledger.h"

namespace yibao {

struct SqliteLedgerOptions {
  size_t max_batch = 1024;  // writes per transaction at most
  BillCodecOptions bill_codec;
};

// Opens (creating if needed) the ledger database at `path`.
Result<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path,
                                                 SqliteLedgerOptions options = {});

}  // namespace yibao
