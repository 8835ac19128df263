// What a settlement or a cancellation writes to the ledger, built once for every shell that
// settles (the national transactions, the visit-JSON service): the settlement row with the reply
// the HIS got, the accumulator deltas, and the balanced journal.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/ledger.h"
#include "settle/bill.h"
#include "visit/visit.h"

namespace yibao {

// Who asked and when: the keys under which the write is kept.
struct SettlementContext {
  std::string setl_id;
  std::string fixmedins_code;
  std::string msgid;
  std::string infno;      // 2207, 2304, …
  std::string setl_time;  // "YYYY-MM-DD HH:MM:SS", from the shell's clock
};

// 清算类别 of a medical type: 21 住院 for 2x, 41 药店 for 4x, 11 门诊 otherwise.
std::string ClearingType(std::string_view med_type);

// The balanced journal of a bill: each fund pays out (negative), the personal account (and a
// family member's) pays, and the hospital is owed what the funds and accounts paid; cash passes
// between patient and hospital and does not touch the books.
std::vector<JournalEntry> JournalOfBill(const Bill& bill, const Visit& visit);

// `reply_output` is the `output` the HIS receives (kept for msgid replays and 5203).
LedgerWrite SettlementWrite(const Settlement& settlement, const Visit& visit,
                            const SettlementContext& context, std::string reply_output);

// The exact reversal of `original`, given its stored deltas and journal.
LedgerWrite CancellationWrite(const SettlementRecord& original,
                              const std::vector<std::pair<std::string, int64_t>>& deltas,
                              const std::vector<JournalEntry>& journal,
                              const SettlementContext& context, std::string reply_output);

}  // namespace yibao
