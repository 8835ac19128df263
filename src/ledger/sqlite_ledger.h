// The embedded ledger on SQLite: WAL, synchronous=FULL, one writer thread that commits all waiting
// writes in one transaction (group commit), and a separate connection for reads (WAL lets reads run
// beside the writer). The schema is in sqlite_schema.h.
#pragma once

#include <memory>
#include <string>

#include "base/diagnostic.h"
#include "ledger/ledger.h"

namespace yibao {

struct SqliteLedgerOptions {
  size_t max_batch = 1024;  // writes per transaction at most
};

// Opens (creating if needed) the ledger database at `path`.
Result<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path,
                                                 SqliteLedgerOptions options = {});

}  // namespace yibao
