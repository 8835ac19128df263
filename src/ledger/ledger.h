// The ledger: what must survive a crash — settlements (and their reversing records), the persons'
// annual accumulators, personal-account balances, the double-entry fund journal, the replies kept
// for idempotent `msgid`s, and the operator audit log.
//
// One interface, several backends (SQLite now; PostgreSQL next). Writes are submitted as whole
// LedgerWrites and applied by a single writer that commits every waiting write in one transaction
// (LevelDB-style group commit: one fsync for all of them). A write's callback runs only after the
// transaction holding it is durable, so a caller that replies from the callback never acknowledges
// anything a crash could lose. Each write is all-or-nothing: a write that breaks a constraint (a
// second settlement of one visit, a reused msgid, an unbalanced journal) is refused alone, and the
// others of its batch still commit.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace yibao {

// One settlement or cancellation as the ledger keeps it. Amounts in fen.
struct SettlementRecord {
  std::string setl_id;  // unique; a cancellation has its own id
  std::string cancels;  // for a cancellation: the setl_id it reverses; empty otherwise
  std::string mdtrt_id;
  std::string psn_no;
  std::string fixmedins_code;
  std::string insutype;
  std::string med_type;
  int year = 0;  // the insurance year of the accumulators it changed
  std::string policy_region;
  std::string policy_version;
  int64_t medfee_sumamt = 0;
  int64_t fund_pay_sumamt = 0;
  int64_t psn_part_amt = 0;
  int64_t acct_pay = 0;
  int64_t psn_cash_pay = 0;
  std::string bill_json;  // the whole bill as returned to the HIS (for 5203 and replays)
};

struct AccumulatorDelta {
  std::string account;
  int64_t delta = 0;
};

struct JournalEntry {
  std::string account;  // e.g. "fund:379900:310:hifp", "acct:<psn_no>", "hospital:<fixmedins_code>"
  int64_t amount = 0;   // fen; the entries of one write sum to zero
};

struct LedgerWrite {
  std::string fixmedins_code;  // the institution the write is for (msgid scope, audit)
  std::optional<SettlementRecord> settlement;
  std::vector<AccumulatorDelta> accumulators;  // applied to (psn_no, insutype, year) of the record
  std::vector<JournalEntry> journal;
  // Idempotency: the reply to (fixmedins_code, msgid) is stored with the write that produced it.
  std::string msgid;
  std::string infno;
  std::string reply_json;
  // Operator audit (who did what); empty operator = none.
  std::string audit_operator;
  std::string audit_action;
};

enum class WriteStatus {
  kDurable,         // committed and synced
  kDuplicateVisit,  // this visit already has a live settlement (or the cancelled one is cancelled)
  kDuplicateMsgid,  // the msgid was used before by this institution
  kUnbalanced,      // the journal entries do not sum to zero
  kFailed,          // the store could not commit (I/O error); nothing of the write is kept
};
const char* WriteStatusName(WriteStatus s);

struct LedgerStats {
  uint64_t writes = 0;
  uint64_t batches = 0;  // transactions committed
  uint64_t largest_batch = 0;
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Queues `write`; `done` is called exactly once, from the writer thread, after the batch holding
  // it is durable (or the write was refused). Do not block in `done`.
  virtual void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) = 0;
  // Submit and wait.
  WriteStatus SubmitAndWait(LedgerWrite write);

  // Reads see every write whose callback has run.
  virtual std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                                      const std::string& insutype, int year) = 0;
  virtual std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) = 0;
  // The live (not cancelled) settlement of a visit, if any.
  virtual std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                                const std::string& mdtrt_id) = 0;
  virtual std::optional<std::string> FindReply(const std::string& fixmedins_code,
                                               const std::string& msgid) = 0;
  virtual int64_t JournalSum() = 0;  // over all accounts: always 0
  virtual int64_t AccountBalance(const std::string& journal_account) = 0;
  virtual std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                                      const std::string& insutype, int year) = 0;
  virtual std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) = 0;
  virtual std::vector<JournalEntry> JournalOf(const std::string& setl_id) = 0;
  virtual LedgerStats Stats() = 0;
};

}  // namespace yibao
