// Checks a ledger against what a HIS was told: the acknowledgements his_load wrote (--ack-file) and
// the ledger's own invariants. Used by the HTTP crash test after every kill -9 of the server, and
// by the `ledger_verify` program after a load run.
//
// An ack file has one line per acknowledged settlement or cancellation:
//   <setl_id> <psn_no> <insutype> [key=value ...]
// with keys mdtrt_id, medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay, act_pay_dedc (yuan,
// from the 2207 reply's setlinfo) for a settlement and cancels=<setl_id> for a cancellation. A last
// line without '\n' is being written and is ignored.
//
// What is checked (each violation is one line of the report):
//  - every acknowledged setl_id is in the ledger, with the person, insurance type, visit and
//  amounts
//    the HIS was told, and its accumulator deltas; a cancellation names what it cancelled and its
//    deltas are the exact negation of the original's;
//  - the whole journal sums to zero;
//  - for every (psn_no, insutype, year) of an acknowledged record: the stored accumulators equal
//  the
//    sum of DeltasOf over every settlement and cancellation of it (a replay), key by key;
//  - the journal of every stored settlement or cancellation of those persons matches its amounts:
//    the fund:* entries sum to −fund_pay_sumamt, the acct:* entries to −acct_pay, all entries to
//    zero (a settlement paid wholly in cash has none); no visit has more than one live settlement.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "ledger/ledger.h"

namespace yibao::e2e {

struct Ack {
  std::string setl_id, psn_no, insutype;
  std::string mdtrt_id;  // settlements
  std::string cancels;   // cancellations: the setl_id cancelled
  std::optional<int64_t> medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay,
      act_pay_dedc;  // fen
};

// The complete lines of an ack file; `error` set (and nothing returned) when it cannot be read or a
// line is malformed. A missing file is an empty list.
std::vector<Ack> ReadAcks(const std::string& path, std::string& error);

struct VerifyReport {
  size_t acknowledged = 0;   // ack lines checked
  size_t cancellations = 0;  // of which cancellations
  size_t accounts = 0;       // (psn_no, insutype, year) replayed
  size_t stored = 0;         // settlement records of those persons in the ledger
  size_t deltas = 0;         // accumulator deltas summed in the replay
  std::vector<std::string> violations;
  bool ok() const { return violations.empty(); }
  std::string Summary() const;
};

VerifyReport VerifyLedger(Ledger& ledger, const std::vector<Ack>& acks);

// "sqlite:PATH" or "postgresql:CONNINFO" (as `yibao serve --ledger`).
Result<std::unique_ptr<Ledger>> OpenLedgerSpec(const std::string& spec);

// Settlement rows whose bill is stored as a zstd frame (ledger/bill_codec.h), and all settlement
// rows, read from the database itself; `error` set when it cannot be read.
struct StoredBills {
  int64_t framed = 0, rows = 0;
};
StoredBills CountStoredBills(const std::string& spec, std::string& error);

}  // namespace yibao::e2e
