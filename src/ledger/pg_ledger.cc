#include "ledger/pg_ledger.h"

#include "ledger/group_commit.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace yibao {
namespace {

// The SQLite schema in PostgreSQL dialect. `seq` keeps the insertion order of settlements (SQLite's
// rowid); nothing is ever deleted (see sqlite_ledger.cc).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settlement (
  seq BIGSERIAL NOT NULL,
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
  medfee_sumamt BIGINT NOT NULL,
  fund_pay_sumamt BIGINT NOT NULL,
  psn_part_amt BIGINT NOT NULL,
  acct_pay BIGINT NOT NULL,
  psn_cash_pay BIGINT NOT NULL,
  bill_json TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS settlement_live_visit
  ON settlement(fixmedins_code, mdtrt_id) WHERE cancels = '' AND cancelled_by = '';
CREATE INDEX IF NOT EXISTS settlement_person ON settlement(psn_no, insutype, year, seq);
CREATE TABLE IF NOT EXISTS accumulator (
  psn_no TEXT NOT NULL, insutype TEXT NOT NULL, year INTEGER NOT NULL, account TEXT NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (psn_no, insutype, year, account)
);
CREATE TABLE IF NOT EXISTS accumulator_delta (
  setl_id TEXT NOT NULL, account TEXT NOT NULL, delta BIGINT NOT NULL,
  PRIMARY KEY (setl_id, account)
);
CREATE TABLE IF NOT EXISTS journal (
  entry_id BIGSERIAL PRIMARY KEY,
  setl_id TEXT NOT NULL,
  account TEXT NOT NULL,
  amount BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_account ON journal(account);
CREATE INDEX IF NOT EXISTS journal_setl ON journal(setl_id);
CREATE TABLE IF NOT EXISTS msgid_reply (
  fixmedins_code TEXT NOT NULL, msgid TEXT NOT NULL, infno TEXT NOT NULL, reply TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, msgid)
);
CREATE TABLE IF NOT EXISTS audit_log (
  entry_id BIGSERIAL PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL
);
)sql";

struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kWriterStatements[] = {
    {"ins_settlement", R"sql(
      INSERT INTO settlement (setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type,
        year, policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
        psn_cash_pay, bill_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16))sql"},
    {"mark_cancelled", R"sql(
      UPDATE settlement SET cancelled_by = $1 WHERE setl_id = $2 AND cancels = '' AND cancelled_by = '')sql"},
    {"add_accumulator", R"sql(
      INSERT INTO accumulator (psn_no, insutype, year, account, value) VALUES ($1,$2,$3,$4,$5)
      ON CONFLICT (psn_no, insutype, year, account)
      DO UPDATE SET value = accumulator.value + EXCLUDED.value)sql"},
    {"ins_delta", "INSERT INTO accumulator_delta (setl_id, account, delta) VALUES ($1,$2,$3)"},
    {"ins_journal", "INSERT INTO journal (setl_id, account, amount) VALUES ($1,$2,$3)"},
    {"ins_reply",
     "INSERT INTO msgid_reply (fixmedins_code, msgid, infno, reply) VALUES ($1,$2,$3,$4)"},
    {"ins_audit", "INSERT INTO audit_log (fixmedins_code, operator, action) VALUES ($1,$2,$3)"},
};

#define YIBAO_SELECT_SETTLEMENT                                                             \
  "SELECT setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year, "   \
  "policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, " \
  "psn_cash_pay, bill_json FROM settlement"

// Byte order (COLLATE "C") wherever text is sorted, as in SQLite, whatever the database's locale.
constexpr Statement kReaderStatements[] = {
    {"r_accumulators",
     "SELECT account, value FROM accumulator WHERE psn_no=$1 AND insutype=$2 AND year=$3"},
    {"r_settlement", YIBAO_SELECT_SETTLEMENT " WHERE setl_id=$1"},
    {"r_live_visit", YIBAO_SELECT_SETTLEMENT
     " WHERE fixmedins_code=$1 AND mdtrt_id=$2 AND cancels='' AND cancelled_by=''"},
    {"r_reply", "SELECT reply FROM msgid_reply WHERE fixmedins_code=$1 AND msgid=$2"},
    {"r_journal_sum", "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM journal"},
    {"r_balance", "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM journal WHERE account=$1"},
    {"r_settlements_of",
     YIBAO_SELECT_SETTLEMENT " WHERE psn_no=$1 AND insutype=$2 AND year=$3 ORDER BY seq"},
    {"r_deltas",
     "SELECT account, delta FROM accumulator_delta WHERE setl_id=$1 ORDER BY account COLLATE "
     "\"C\""},
    {"r_journal", "SELECT account, amount FROM journal WHERE setl_id=$1 ORDER BY entry_id"},
};

#undef YIBAO_SELECT_SETTLEMENT

std::string ErrorOf(PGconn* c) {
  std::string msg = c ? PQerrorMessage(c) : "out of memory";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

// Runs `sql` (possibly several statements) outside pipeline mode; false and `err` on failure.
bool Exec(PGconn* c, const char* sql, std::string* err = nullptr) {
  PGresult* r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok && err) *err = ErrorOf(c);
  PQclear(r);
  return ok;
}

template <size_t N>
bool PrepareAll(PGconn* c, const Statement (&statements)[N], std::string* err) {
  for (const Statement& s : statements) {
    PGresult* r = PQprepare(c, s.name, s.sql, 0, nullptr);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
      *err = std::string("cannot prepare ") + s.name + ": " + ErrorOf(c);
      return false;
    }
  }
  return true;
}

PGconn* Connect(const std::string& conninfo, std::string* err) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (!c || PQstatus(c) != CONNECTION_OK) {
    *err = "cannot connect: " + ErrorOf(c);
    PQfinish(c);
    return nullptr;
  }
  // Durability is the point: a commit returns only once its WAL is flushed, whatever the server's
  // default.
  if (PQsetClientEncoding(c, "UTF8") != 0 ||
      !Exec(c, "SET synchronous_commit = on; SET client_min_messages = warning", err)) {
    if (err->empty()) *err = ErrorOf(c);
    PQfinish(c);
    return nullptr;
  }
  return c;
}

// Creates the tables unless they exist. Serialised between processes by an advisory lock; when they
// exist no DDL runs at all (CREATE INDEX IF NOT EXISTS would take a table lock that waits for a
// writer's open transaction).
bool EnsureSchema(PGconn* c, std::string* err) {
  if (!Exec(c, "BEGIN; SELECT pg_advisory_xact_lock(7960397351230613)", err)) {
    Exec(c, "ROLLBACK");
    return false;
  }
  PGresult* r = PQexec(c, "SELECT to_regclass('audit_log') IS NOT NULL");
  bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                std::strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  bool ok = (exists || Exec(c, kSchema, err)) && Exec(c, "COMMIT", err);
  if (!ok) Exec(c, "ROLLBACK");
  return ok;
}

int64_t Int(PGresult* r, int row, int col) {
  const char* v = PQgetvalue(r, row, col);
  int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

std::string Text(PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), size_t(PQgetlength(r, row, col)));
}

SettlementRecord ReadSettlement(PGresult* r, int row) {
  SettlementRecord s;
  s.setl_id = Text(r, row, 0);
  s.cancels = Text(r, row, 1);
  s.mdtrt_id = Text(r, row, 2);
  s.psn_no = Text(r, row, 3);
  s.fixmedins_code = Text(r, row, 4);
  s.insutype = Text(r, row, 5);
  s.med_type = Text(r, row, 6);
  s.year = int(Int(r, row, 7));
  s.policy_region = Text(r, row, 8);
  s.policy_version = Text(r, row, 9);
  s.medfee_sumamt = Int(r, row, 10);
  s.fund_pay_sumamt = Int(r, row, 11);
  s.psn_part_amt = Int(r, row, 12);
  s.acct_pay = Int(r, row, 13);
  s.psn_cash_pay = Int(r, row, 14);
  s.bill_json = Text(r, row, 15);
  return s;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Res = std::unique_ptr<PGresult, ResultDeleter>;

class PgLedger final : public Ledger {
 public:
  PgLedger(std::string conninfo, PGconn* writer, PGconn* reader, PgLedgerOptions options)
      : conninfo_(std::move(conninfo)),
        writer_conn_(writer),
        reader_conn_(reader),
        options_(options) {
    writer_ = std::make_unique<GroupCommitWriter>(
        options_.max_batch,
        [this](const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status) {
          if (!ApplyBatch(writes, status)) {
            status.assign(writes.size(), WriteStatus::kFailed);
            DropWriter();
          }
        });
  }

  ~PgLedger() override {
    writer_->Stop();  // drains the queue first: every submitted write gets its callback
    PQfinish(writer_conn_);
    PQfinish(reader_conn_);
  }

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) override {
    writer_->Submit(std::move(write), std::move(done));
  }

  std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::string y = std::to_string(year);
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_accumulators", {psn_no.c_str(), insutype.c_str(), y.c_str()});
    std::map<std::string, int64_t> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out[Text(r.get(), i, 0)] = Int(r.get(), i, 1);
    return out;
  }

  std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_settlement", {setl_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadSettlement(r.get(), 0);
  }

  std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                        const std::string& mdtrt_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_live_visit", {fixmedins_code.c_str(), mdtrt_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadSettlement(r.get(), 0);
  }

  std::optional<std::string> FindReply(const std::string& fixmedins_code,
                                       const std::string& msgid) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_reply", {fixmedins_code.c_str(), msgid.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return Text(r.get(), 0, 0);
  }

  int64_t JournalSum() override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_journal_sum", {});
    return r && PQntuples(r.get()) == 1 ? Int(r.get(), 0, 0) : 0;
  }

  int64_t AccountBalance(const std::string& account) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_balance", {account.c_str()});
    return r && PQntuples(r.get()) == 1 ? Int(r.get(), 0, 0) : 0;
  }

  std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::string y = std::to_string(year);
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_settlements_of", {psn_no.c_str(), insutype.c_str(), y.c_str()});
    std::vector<SettlementRecord> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out.push_back(ReadSettlement(r.get(), i));
    return out;
  }

  std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_deltas", {setl_id.c_str()});
    std::vector<std::pair<std::string, int64_t>> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.emplace_back(Text(r.get(), i, 0), Int(r.get(), i, 1));
    return out;
  }

  std::vector<JournalEntry> JournalOf(const std::string& setl_id) override {
    std::lock_guard<std::mutex> lock(reader_mu_);
    Res r = Read("r_journal", {setl_id.c_str()});
    std::vector<JournalEntry> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.push_back(JournalEntry{Text(r.get(), i, 0), Int(r.get(), i, 1)});
    return out;
  }

  LedgerStats Stats() override { return writer_->Stats(); }

 private:
  // One statement sent in the current round: which write it belongs to (-1: transaction control),
  // whether it is a write re-sent after a rollback, and whether it must change exactly one row.
  struct Sent {
    long write;
    bool redo;
    bool one_row;
  };

  // What came back for one statement.
  struct Outcome {
    ExecStatusType status;
    std::string sqlstate;
    std::string constraint;
    std::string tag;  // the command tag: "INSERT 0 1", "COMMIT", ...
    bool one_row = false;
  };

  // Runs a prepared read; reconnects once when the reader connection was lost. Null on failure.
  Res Read(const char* stmt, std::initializer_list<const char*> params) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      Res r(PQexecPrepared(reader_conn_, stmt, int(params.size()), params.begin(), nullptr, nullptr,
                           0));
      if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) return r;
      if (PQstatus(reader_conn_) == CONNECTION_OK) return nullptr;
      PQreset(reader_conn_);
      std::string err;
      if (PQstatus(reader_conn_) != CONNECTION_OK ||
          !Exec(reader_conn_, "SET client_min_messages = warning", &err) ||
          !PrepareAll(reader_conn_, kReaderStatements, &err))
        return nullptr;
    }
    return nullptr;
  }

  // --- the writer connection: nonblocking, pipeline mode ---

  bool EnsureWriter() {
    if (writer_conn_) return true;
    std::string err;
    writer_conn_ = SetUpWriter(conninfo_, &err);
    return writer_conn_ != nullptr;
  }

  void DropWriter() {
    PQfinish(writer_conn_);  // the server rolls back whatever transaction was open
    writer_conn_ = nullptr;
  }

  bool Control(const char* sql, std::vector<Sent>& sent) {
    sent.push_back(Sent{-1, false, false});
    return PQsendQueryParams(writer_conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  }

  template <size_t N>
  bool Send(const char* stmt, const std::array<const char*, N>& params, Sent s,
            std::vector<Sent>& sent) {
    sent.push_back(s);
    return PQsendQueryPrepared(writer_conn_, stmt, int(N), params.data(), nullptr, nullptr, 0) == 1;
  }

  // Queues every statement of write `index` (balanced: checked before).
  bool SendWrite(const LedgerWrite& w, long index, bool redo, std::vector<Sent>& sent) {
    const Sent s{index, redo, false};
    std::string setl_id;
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      setl_id = r.setl_id;
      const std::string year = std::to_string(r.year), medfee = std::to_string(r.medfee_sumamt),
                        fund = std::to_string(r.fund_pay_sumamt),
                        part = std::to_string(r.psn_part_amt), acct = std::to_string(r.acct_pay),
                        cash = std::to_string(r.psn_cash_pay);
      if (!Send<16>("ins_settlement",
                    {r.setl_id.c_str(), r.cancels.c_str(), r.mdtrt_id.c_str(), r.psn_no.c_str(),
                     r.fixmedins_code.c_str(), r.insutype.c_str(), r.med_type.c_str(), year.c_str(),
                     r.policy_region.c_str(), r.policy_version.c_str(), medfee.c_str(),
                     fund.c_str(), part.c_str(), acct.c_str(), cash.c_str(), r.bill_json.c_str()},
                    s, sent))
        return false;
      if (!r.cancels.empty() && !Send<2>("mark_cancelled", {r.setl_id.c_str(), r.cancels.c_str()},
                                         Sent{index, redo, true}, sent))
        return false;
      for (const auto& d : w.accumulators) {
        if (d.delta == 0) continue;
        const std::string delta = std::to_string(d.delta);
        if (!Send<5>("add_accumulator",
                     {r.psn_no.c_str(), r.insutype.c_str(), year.c_str(), d.account.c_str(),
                      delta.c_str()},
                     s, sent) ||
            !Send<3>("ins_delta", {r.setl_id.c_str(), d.account.c_str(), delta.c_str()}, s, sent))
          return false;
      }
    }
    for (const auto& e : w.journal) {
      const std::string amount = std::to_string(e.amount);
      if (!Send<3>("ins_journal", {setl_id.c_str(), e.account.c_str(), amount.c_str()}, s, sent))
        return false;
    }
    if (!w.msgid.empty() &&
        !Send<4>("ins_reply",
                 {w.fixmedins_code.c_str(), w.msgid.c_str(), w.infno.c_str(), w.reply_json.c_str()},
                 s, sent))
      return false;
    if (!w.audit_operator.empty() &&
        !Send<3>("ins_audit",
                 {w.fixmedins_code.c_str(), w.audit_operator.c_str(), w.audit_action.c_str()}, s,
                 sent))
      return false;
    return true;
  }

  // Waits until the socket is readable (and writable too when `write`); false on error.
  bool Wait(bool write) {
    pollfd p{PQsocket(writer_conn_), short(POLLIN | (write ? POLLOUT : 0)), 0};
    for (;;) {
      int n = ::poll(&p, 1, -1);
      if (n > 0) return true;
      if (n < 0 && errno != EINTR) return false;
    }
  }

  // Sends the Sync and everything queued before it. Reads whatever the server answers meanwhile
  // into libpq's buffer, so that a server blocked on sending results never blocks us.
  bool SyncAndFlush() {
    if (PQpipelineSync(writer_conn_) != 1) return false;
    for (;;) {
      int f = PQflush(writer_conn_);
      if (f == 0) return true;
      if (f < 0 || !Wait(true) || !PQconsumeInput(writer_conn_)) return false;
    }
  }

  // Reads the outcome of each of the round's `n` statements, then the Sync; false when the
  // connection failed or the answers do not match what was sent.
  bool ReadRound(size_t n, std::vector<Outcome>& out) {
    out.clear();
    int nulls = 0;
    for (;;) {
      while (PQisBusy(writer_conn_))
        if (!Wait(false) || !PQconsumeInput(writer_conn_)) return false;
      Res r(PQgetResult(writer_conn_));
      if (!r) {
        if (++nulls > 1 || PQstatus(writer_conn_) != CONNECTION_OK) return false;
        continue;  // the end of one statement's results
      }
      nulls = 0;
      ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_PIPELINE_SYNC) return out.size() == n;
      Outcome o{st, "", "", PQcmdStatus(r.get()), false};
      if (st == PGRES_FATAL_ERROR) {
        const char* code = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        const char* constraint = PQresultErrorField(r.get(), PG_DIAG_CONSTRAINT_NAME);
        o.sqlstate = code ? code : "";
        o.constraint = constraint ? constraint : "";
      }
      o.one_row = std::strcmp(PQcmdTuples(r.get()), "1") == 0;
      out.push_back(std::move(o));
      if (out.size() > n) return false;
    }
  }

  static bool StatementOk(const Outcome& o, const Sent& s) {
    return (o.status == PGRES_COMMAND_OK || o.status == PGRES_TUPLES_OK) &&
           (!s.one_row || o.one_row);
  }

  // Integrity and data errors belong to one write; everything else (connection, resources,
  // shutdown) to the store.
  static bool RefusesOneWrite(const Outcome& o) {
    if (o.status == PGRES_COMMAND_OK) return true;  // a cancellation with nothing to cancel
    return o.status == PGRES_FATAL_ERROR && o.sqlstate.size() == 5 &&
           (o.sqlstate.starts_with("23") || o.sqlstate.starts_with("22"));
  }

  static WriteStatus Refusal(const Outcome& o) {
    if (o.status != PGRES_FATAL_ERROR) return WriteStatus::kDuplicateVisit;  // nothing live
    if (o.sqlstate == "23505") {
      if (o.constraint == "settlement_live_visit" || o.constraint == "settlement_pkey")
        return WriteStatus::kDuplicateVisit;
      if (o.constraint == "msgid_reply_pkey") return WriteStatus::kDuplicateMsgid;
    }
    return WriteStatus::kFailed;
  }

  // Applies the batch in one transaction (see pg_ledger.h for the scheme). Sets the status of
  // every write; false when the transaction as a whole failed.
  bool ApplyBatch(const std::vector<LedgerWrite>& batch, std::vector<WriteStatus>& status) {
    std::vector<long> todo;  // the balanced writes, in order
    for (size_t i = 0; i < batch.size(); ++i) {
      int64_t sum = 0;
      for (const auto& e : batch[i].journal) sum += e.amount;
      if (sum != 0)
        status[i] = WriteStatus::kUnbalanced;
      else
        todo.push_back(long(i));
    }
    if (todo.empty()) return true;
    if (!EnsureWriter()) return false;

    std::vector<long> redo;  // good writes of the last trial, rolled back with its refused write
    bool rolled_back = false, first = true;
    size_t pos = 0, trial = todo.size();
    std::vector<Sent> sent;
    std::vector<Outcome> outcome;
    for (;;) {
      sent.clear();
      bool ok = true;
      if (first) {
        ok = Control("BEGIN", sent);
      } else if (rolled_back) {
        ok = Control("ROLLBACK TO SAVEPOINT c", sent);
        for (long i : redo) ok = ok && SendWrite(batch[size_t(i)], i, true, sent);
      }
      const bool last = pos == todo.size();
      size_t end = pos;
      if (last) {
        ok = ok && Control("COMMIT", sent);
      } else {
        if (!first) ok = ok && Control("RELEASE SAVEPOINT c", sent);
        ok = ok && Control("SAVEPOINT c", sent);
        end = std::min(todo.size(), pos + std::max<size_t>(trial, 1));
        for (size_t t = pos; ok && t < end; ++t)
          ok = SendWrite(batch[size_t(todo[t])], todo[t], false, sent);
      }
      if (!ok || !SyncAndFlush() || !ReadRound(sent.size(), outcome)) return false;
      first = false;

      // The first statement that went wrong decides the round.
      size_t bad = 0;
      while (bad < sent.size() && StatementOk(outcome[bad], sent[bad])) ++bad;
      if (bad == sent.size()) {  // clean
        // COMMIT of a transaction in error answers "ROLLBACK" (cannot happen here: an error
        // aborts the rest of the pipeline, COMMIT included; checked all the same).
        if (last) return outcome.back().tag == "COMMIT";
        for (size_t t = pos; t < end; ++t) status[size_t(todo[t])] = WriteStatus::kDurable;
        redo.clear();
        rolled_back = false;
        pos = end;
        trial = std::min(2 * trial, todo.size());
        continue;
      }
      const Sent& s = sent[bad];
      // Control statements, re-sent writes (they succeeded before, on the same state) and errors
      // that are not about one write fail the batch.
      if (last || s.write < 0 || s.redo || !RefusesOneWrite(outcome[bad])) return false;
      redo.clear();
      size_t t = pos;
      for (; todo[t] != s.write; ++t) {
        redo.push_back(todo[t]);
        status[size_t(todo[t])] = WriteStatus::kDurable;
      }
      status[size_t(s.write)] = Refusal(outcome[bad]);
      rolled_back = true;
      // The next trial: half the last one, or twice the run of good writes before the refusal if
      // that is more. Sparse refusals keep the batch in a few pieces; dense ones (a replay storm)
      // shrink the trial to a write or two a round, so no write is sent more than a few times.
      trial = std::max({trial / 2, 2 * (t - pos), size_t(1)});
      pos = t + 1;
    }
  }

 public:
  static PGconn* SetUpWriter(const std::string& conninfo, std::string* err) {
    PGconn* c = Connect(conninfo, err);
    if (!c) return nullptr;
    if (!EnsureSchema(c, err) || !PrepareAll(c, kWriterStatements, err) ||
        PQsetnonblocking(c, 1) != 0 || PQenterPipelineMode(c) != 1) {
      if (err->empty()) *err = ErrorOf(c);
      PQfinish(c);
      return nullptr;
    }
    return c;
  }

 private:
  const std::string conninfo_;
  PGconn* writer_conn_;  // only the writer thread touches it (after construction)
  PGconn* reader_conn_;
  PgLedgerOptions options_;
  std::mutex reader_mu_;
  std::unique_ptr<GroupCommitWriter> writer_;  // last: stopped before the connections close
};

}  // namespace

Result<std::unique_ptr<Ledger>> OpenPgLedger(const std::string& conninfo, PgLedgerOptions options) {
  std::string err;
  PGconn* writer = PgLedger::SetUpWriter(conninfo, &err);
  if (!writer) return Diagnostic{"", 0, "", "PostgreSQL ledger: " + err};
  PGconn* reader = Connect(conninfo, &err);
  if (!reader || !PrepareAll(reader, kReaderStatements, &err)) {
    PQfinish(reader);
    PQfinish(writer);
    return Diagnostic{"", 0, "", "PostgreSQL ledger: " + err};
  }
  return std::unique_ptr<Ledger>(new PgLedger(conninfo, writer, reader, options));
}

}  // namespace yibao
