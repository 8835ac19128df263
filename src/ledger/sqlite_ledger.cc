#include "ledger/sqlite_ledger.h"

#include <sqlite3.h>

#include <mutex>

#include "ledger/group_commit.h"

namespace yibao {
namespace {

// Nothing is ever deleted: a cancellation is its own settlement row (`cancels` names the original)
// and marks the original's `cancelled_by`; the unique index then lets the visit be settled again.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settlement (
  setl_id TEXT PRIMARY KEY,
  cancels TEXT NOT NULL DEFAULT '',
  cancelled_by TEXT NOT NULL DEFAULT '',
  mdtrt_id TEXT NOT NULL,
  psn_no TEXT NOT NULL,
  fixmedins_code TEXT NOT NULL,
  insutype TEXT NOT NULL,
  med_type TEXT NOT NULL,
  year INTEGER NOT NULL,
  policy_region TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  medfee_sumamt INTEGER NOT NULL,
  fund_pay_sumamt INTEGER NOT NULL,
  psn_part_amt INTEGER NOT NULL,
  acct_pay INTEGER NOT NULL,
  psn_cash_pay INTEGER NOT NULL,
  bill_json TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS settlement_live_visit
  ON settlement(fixmedins_code, mdtrt_id) WHERE cancels = '' AND cancelled_by = '';
CREATE INDEX IF NOT EXISTS settlement_person ON settlement(psn_no, insutype, year);
CREATE TABLE IF NOT EXISTS accumulator (
  psn_no TEXT NOT NULL, insutype TEXT NOT NULL, year INTEGER NOT NULL, account TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (psn_no, insutype, year, account)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accumulator_delta (
  setl_id TEXT NOT NULL, account TEXT NOT NULL, delta INTEGER NOT NULL,
  PRIMARY KEY (setl_id, account)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal (
  entry_id INTEGER PRIMARY KEY,
  setl_id TEXT NOT NULL,
  account TEXT NOT NULL,
  amount INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_account ON journal(account);
CREATE INDEX IF NOT EXISTS journal_setl ON journal(setl_id);
CREATE TABLE IF NOT EXISTS msgid_reply (
  fixmedins_code TEXT NOT NULL, msgid TEXT NOT NULL, infno TEXT NOT NULL, reply TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, msgid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_log (
  entry_id INTEGER PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL
);
)sql";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Stmt Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  return Stmt(s);
}

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}
void Bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, col)))
           : "";
}

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Result<sqlite3*> OpenConnection(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Diagnostic{path, 0, "", "cannot open ledger: " + msg};
  }
  sqlite3_busy_timeout(db, 10'000);
  // WAL: readers do not block the writer; FULL: a commit is on disk when it returns.
  if (!Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Diagnostic{path, 0, "", "cannot configure ledger: " + msg};
  }
  return db;
}

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(sqlite3* writer, sqlite3* reader, SqliteLedgerOptions options)
      : writer_db_(writer), reader_db_(reader), options_(options) {
    insert_settlement_ = Prepare(writer_db_, R"sql(
      INSERT INTO settlement (setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type,
        year, policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
        psn_cash_pay, bill_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))sql");
    mark_cancelled_ = Prepare(writer_db_, R"sql(
      UPDATE settlement SET cancelled_by = ?1 WHERE setl_id = ?2 AND cancels = '' AND cancelled_by = '')sql");
    add_accumulator_ = Prepare(writer_db_, R"sql(
      INSERT INTO accumulator (psn_no, insutype, year, account, value) VALUES (?,?,?,?,?)
      ON CONFLICT (psn_no, insutype, year, account) DO UPDATE SET value = value + excluded.value)sql");
    insert_delta_ = Prepare(writer_db_, "INSERT INTO accumulator_delta VALUES (?,?,?)");
    insert_journal_ =
        Prepare(writer_db_, "INSERT INTO journal (setl_id, account, amount) VALUES (?,?,?)");
    insert_reply_ = Prepare(writer_db_, "INSERT INTO msgid_reply VALUES (?,?,?,?)");
    insert_audit_ = Prepare(
        writer_db_, "INSERT INTO audit_log (fixmedins_code, operator, action) VALUES (?,?,?)");
    writer_ = std::make_unique<GroupCommitWriter>(
        options_.max_batch,
        [this](const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status) {
          CommitBatch(writes, status);
        });
  }

  ~SqliteLedger() override {
    writer_->Stop();  // drains the queue first: every submitted write gets its callback
    insert_settlement_.reset();
    mark_cancelled_.reset();
    add_accumulator_.reset();
    insert_delta_.reset();
    insert_journal_.reset();
    insert_reply_.reset();
    insert_audit_.reset();
    sqlite3_close(writer_db_);
    sqlite3_close(reader_db_);
  }

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) override {
    writer_->Submit(std::move(write), std::move(done));
  }

  std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s =
        Prepare(reader_db_,
                "SELECT account, value FROM accumulator WHERE psn_no=? AND insutype=? AND year=?");
    Bind(s.get(), 1, psn_no);
    Bind(s.get(), 2, insutype);
    Bind(s.get(), 3, int64_t(year));
    std::map<std::string, int64_t> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW)
      out[Text(s.get(), 0)] = sqlite3_column_int64(s.get(), 1);
    return out;
  }

  std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s = Prepare(reader_db_, (std::string(kSelectSettlement) + " WHERE setl_id=?").c_str());
    Bind(s.get(), 1, setl_id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
    return ReadSettlement(s.get());
  }

  std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                        const std::string& mdtrt_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s = Prepare(reader_db_,
                     (std::string(kSelectSettlement) +
                      " WHERE fixmedins_code=? AND mdtrt_id=? AND cancels='' AND cancelled_by=''")
                         .c_str());
    Bind(s.get(), 1, fixmedins_code);
    Bind(s.get(), 2, mdtrt_id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
    return ReadSettlement(s.get());
  }

  std::optional<std::string> FindReply(const std::string& fixmedins_code,
                                       const std::string& msgid) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s =
        Prepare(reader_db_, "SELECT reply FROM msgid_reply WHERE fixmedins_code=? AND msgid=?");
    Bind(s.get(), 1, fixmedins_code);
    Bind(s.get(), 2, msgid);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
    return Text(s.get(), 0);
  }

  int64_t JournalSum() override {
    return ScalarInt("SELECT COALESCE(SUM(amount), 0) FROM journal", "");
  }

  int64_t AccountBalance(const std::string& account) override {
    return ScalarInt("SELECT COALESCE(SUM(amount), 0) FROM journal WHERE account=?", account);
  }

  std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s = Prepare(reader_db_, (std::string(kSelectSettlement) +
                                  " WHERE psn_no=? AND insutype=? AND year=? ORDER BY rowid")
                                     .c_str());
    Bind(s.get(), 1, psn_no);
    Bind(s.get(), 2, insutype);
    Bind(s.get(), 3, int64_t(year));
    std::vector<SettlementRecord> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(ReadSettlement(s.get()));
    return out;
  }

  std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s =
        Prepare(reader_db_,
                "SELECT account, delta FROM accumulator_delta WHERE setl_id=? ORDER BY account");
    Bind(s.get(), 1, setl_id);
    std::vector<std::pair<std::string, int64_t>> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW)
      out.emplace_back(Text(s.get(), 0), sqlite3_column_int64(s.get(), 1));
    return out;
  }

  std::vector<JournalEntry> JournalOf(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s = Prepare(reader_db_,
                     "SELECT account, amount FROM journal WHERE setl_id=? ORDER BY entry_id");
    Bind(s.get(), 1, setl_id);
    std::vector<JournalEntry> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW)
      out.push_back(JournalEntry{Text(s.get(), 0), sqlite3_column_int64(s.get(), 1)});
    return out;
  }

  LedgerStats Stats() override { return writer_->Stats(); }

 private:
  static constexpr const char* kSelectSettlement =
      "SELECT setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year, "
      "policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, "
      "psn_cash_pay, bill_json FROM settlement";

  static SettlementRecord ReadSettlement(sqlite3_stmt* s) {
    SettlementRecord r;
    r.setl_id = Text(s, 0);
    r.cancels = Text(s, 1);
    r.mdtrt_id = Text(s, 2);
    r.psn_no = Text(s, 3);
    r.fixmedins_code = Text(s, 4);
    r.insutype = Text(s, 5);
    r.med_type = Text(s, 6);
    r.year = int(sqlite3_column_int64(s, 7));
    r.policy_region = Text(s, 8);
    r.policy_version = Text(s, 9);
    r.medfee_sumamt = sqlite3_column_int64(s, 10);
    r.fund_pay_sumamt = sqlite3_column_int64(s, 11);
    r.psn_part_amt = sqlite3_column_int64(s, 12);
    r.acct_pay = sqlite3_column_int64(s, 13);
    r.psn_cash_pay = sqlite3_column_int64(s, 14);
    r.bill_json = Text(s, 15);
    return r;
  }

  int64_t ScalarInt(const char* sql, const std::string& arg) {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Stmt s = Prepare(reader_db_, sql);
    if (!arg.empty()) Bind(s.get(), 1, arg);
    return sqlite3_step(s.get()) == SQLITE_ROW ? sqlite3_column_int64(s.get(), 0) : 0;
  }

  bool Step(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE;
  }

  // Applies one write inside the open transaction; the caller rolls back to its savepoint unless
  // the result is kDurable.
  WriteStatus Apply(const LedgerWrite& w) {
    int64_t sum = 0;
    for (const auto& e : w.journal) sum += e.amount;
    if (sum != 0) return WriteStatus::kUnbalanced;
    std::string setl_id;
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      setl_id = r.setl_id;
      sqlite3_stmt* s = insert_settlement_.get();
      Bind(s, 1, r.setl_id);
      Bind(s, 2, r.cancels);
      Bind(s, 3, r.mdtrt_id);
      Bind(s, 4, r.psn_no);
      Bind(s, 5, r.fixmedins_code);
      Bind(s, 6, r.insutype);
      Bind(s, 7, r.med_type);
      Bind(s, 8, int64_t(r.year));
      Bind(s, 9, r.policy_region);
      Bind(s, 10, r.policy_version);
      Bind(s, 11, r.medfee_sumamt);
      Bind(s, 12, r.fund_pay_sumamt);
      Bind(s, 13, r.psn_part_amt);
      Bind(s, 14, r.acct_pay);
      Bind(s, 15, r.psn_cash_pay);
      Bind(s, 16, r.bill_json);
      if (!Step(s)) return WriteStatus::kDuplicateVisit;  // the live-visit index or the setl_id
      if (!r.cancels.empty()) {
        Bind(mark_cancelled_.get(), 1, r.setl_id);
        Bind(mark_cancelled_.get(), 2, r.cancels);
        if (!Step(mark_cancelled_.get()) || sqlite3_changes(writer_db_) != 1)
          return WriteStatus::kDuplicateVisit;  // nothing live to cancel
      }
      for (const auto& d : w.accumulators) {
        if (d.delta == 0) continue;
        sqlite3_stmt* a = add_accumulator_.get();
        Bind(a, 1, r.psn_no);
        Bind(a, 2, r.insutype);
        Bind(a, 3, int64_t(r.year));
        Bind(a, 4, d.account);
        Bind(a, 5, d.delta);
        if (!Step(a)) return WriteStatus::kFailed;
        Bind(insert_delta_.get(), 1, r.setl_id);
        Bind(insert_delta_.get(), 2, d.account);
        Bind(insert_delta_.get(), 3, d.delta);
        if (!Step(insert_delta_.get())) return WriteStatus::kFailed;
      }
    }
    for (const auto& e : w.journal) {
      Bind(insert_journal_.get(), 1, setl_id);
      Bind(insert_journal_.get(), 2, e.account);
      Bind(insert_journal_.get(), 3, e.amount);
      if (!Step(insert_journal_.get())) return WriteStatus::kFailed;
    }
    if (!w.msgid.empty()) {
      sqlite3_stmt* s = insert_reply_.get();
      Bind(s, 1, w.fixmedins_code);
      Bind(s, 2, w.msgid);
      Bind(s, 3, w.infno);
      Bind(s, 4, w.reply_json);
      if (!Step(s)) return WriteStatus::kDuplicateMsgid;
    }
    if (!w.audit_operator.empty()) {
      Bind(insert_audit_.get(), 1, w.fixmedins_code);
      Bind(insert_audit_.get(), 2, w.audit_operator);
      Bind(insert_audit_.get(), 3, w.audit_action);
      if (!Step(insert_audit_.get())) return WriteStatus::kFailed;
    }
    return WriteStatus::kDurable;
  }

  // One transaction for the whole batch; a savepoint per write so that a refused write is undone
  // alone.
  void CommitBatch(const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status) {
    if (!Exec(writer_db_, "BEGIN IMMEDIATE")) return;
    for (size_t i = 0; i < writes.size(); ++i) {
      Exec(writer_db_, "SAVEPOINT w");
      status[i] = Apply(writes[i]);
      if (status[i] != WriteStatus::kDurable) Exec(writer_db_, "ROLLBACK TO w");
      Exec(writer_db_, "RELEASE w");
    }
    if (!Exec(writer_db_, "COMMIT")) {
      Exec(writer_db_, "ROLLBACK");
      status.assign(writes.size(), WriteStatus::kFailed);
    }
  }

  sqlite3* writer_db_;
  sqlite3* reader_db_;
  SqliteLedgerOptions options_;
  std::mutex reader_mu_;
  Stmt insert_settlement_, mark_cancelled_, add_accumulator_, insert_delta_, insert_journal_,
      insert_reply_, insert_audit_;
  std::unique_ptr<GroupCommitWriter> writer_;  // last: stopped before the statements are finalised
};

}  // namespace

Result<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path,
                                                 SqliteLedgerOptions options) {
  auto writer = OpenConnection(path);
  if (!writer) return writer.errors();
  if (!Exec(*writer, kSchema)) {
    std::string msg = sqlite3_errmsg(*writer);
    sqlite3_close(*writer);
    return Diagnostic{path, 0, "", "cannot create the ledger schema: " + msg};
  }
  auto reader = OpenConnection(path);
  if (!reader) {
    sqlite3_close(*writer);
    return reader.errors();
  }
  return std::unique_ptr<Ledger>(new SqliteLedger(*writer, *reader, options));
}

}  // namespace yibao
