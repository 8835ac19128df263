#include "ledger/sqlite_ledger.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "ledger/bill_codec.h"
#include "ledger/group_commit.h"
#include "ledger/postings.h"
#include "ledger/sqlite_ledger_testing.h"
#include "ledger/wal_checkpointer.h"

namespace yibao {

namespace sqlite_ledger_testing {
namespace {
std::atomic<int> forced_fallback{0};
std::atomic<uint64_t> unguarded_writes{0}, savepoint_writes{0}, fallback_batches{0};
}  // namespace
void SetForcedFallback(int n) { forced_fallback = n; }
WriterCounts Counts() { return {unguarded_writes, savepoint_writes, fallback_batches}; }
}  // namespace sqlite_ledger_testing

namespace {

// Nothing is ever deleted: a cancellation is its own settlement row (`cancels` names the original)
// and marks the original's `cancelled_by`; the unique index then lets the visit be settled again.
// A cancelled fee line stays, flagged `cancelled`: uniqueness of feedetl_sn holds among live lines
// only (a partial unique index), so a cancelled line's number can be uploaded again. The one
// exception: a person upsert replaces that person's insurance and identity rows.
//
// The reads the service makes for every settlement — the visit (primary key), its fee lines
// (fee_line_visit), the accumulators (primary key) and the personal account's balance (primary
// key of account_balance) — are index lookups.
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
  bill_json TEXT NOT NULL,
  clr_type TEXT NOT NULL DEFAULT '',
  setl_time TEXT NOT NULL DEFAULT '',
  postings TEXT,  -- its deltas and journal entries (ledger/postings.h); NULL: in the old tables
  bill BLOB  -- the bill as a zstd frame (ledger/bill_codec.h), bill_json then ''; NULL: bill_json
);
-- Every settlement row of a visit: the settlements, the cancellations (cancels = the original)
-- and the cancelled originals (cancelled_by = the cancellation). Unique, so a visit has at most one
-- live settlement (cancels = cancelled_by = ''). It also finds a person's settlements through the
-- person's visits (visit_person): an index on the settlement's psn_no would put every settlement
-- at a random page of it, a third of what a group commit wrote. A ledger made before it had
-- settlement_live_visit (the same rule over live rows only) and settlement_person instead.
CREATE UNIQUE INDEX IF NOT EXISTS settlement_visit
  ON settlement(fixmedins_code, mdtrt_id, cancels, cancelled_by);
DROP INDEX IF EXISTS settlement_live_visit;
DROP INDEX IF EXISTS settlement_person;
-- The dictionaries the bills are compressed with (ledger/bill_codec.h); never changed or removed.
CREATE TABLE IF NOT EXISTS bill_dictionary (
  dict_id INTEGER PRIMARY KEY,  -- the Dictionary_ID in its content and in every frame it made
  content BLOB NOT NULL,        -- zstd's dictionary format: `zstd -d -D` reads the bills with it
  samples INTEGER NOT NULL      -- how many bills it was trained on
);
CREATE TABLE IF NOT EXISTS accumulator (
  psn_no TEXT NOT NULL, insutype TEXT NOT NULL, year INTEGER NOT NULL, account TEXT NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (psn_no, insutype, year, account)
) WITHOUT ROWID;
-- A settlement's deltas as rows: written by earlier versions only (now in settlement.postings).
CREATE TABLE IF NOT EXISTS accumulator_delta (
  setl_id TEXT NOT NULL, account TEXT NOT NULL, delta INTEGER NOT NULL,
  PRIMARY KEY (setl_id, account)
) WITHOUT ROWID;
-- setl_id: the settlement's or the contribution's id the entries were posted under. JournalOf
-- reads the posting's own row (postings) instead, so that the index journal_setl exists only in a
-- ledger made by an earlier version (for its rows without postings).
CREATE TABLE IF NOT EXISTS journal (
  entry_id INTEGER PRIMARY KEY,
  setl_id TEXT NOT NULL,
  account TEXT NOT NULL,
  amount INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS msgid_reply (
  fixmedins_code TEXT NOT NULL, msgid TEXT NOT NULL, infno TEXT NOT NULL, reply TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, msgid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_log (
  entry_id INTEGER PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS person (
  psn_no TEXT PRIMARY KEY,
  psn_cert_type TEXT NOT NULL, certno TEXT NOT NULL, psn_name TEXT NOT NULL, gend TEXT NOT NULL,
  brdy TEXT NOT NULL, naty TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS person_cert ON person(psn_cert_type, certno);
-- seq: the position in PersonRecord::insurances / identities (read back in that order).
CREATE TABLE IF NOT EXISTS insurance (
  psn_no TEXT NOT NULL, insutype TEXT NOT NULL, seq INTEGER NOT NULL,
  psn_type TEXT NOT NULL, psn_insu_stas TEXT NOT NULL, psn_insu_date TEXT NOT NULL,
  paus_insu_date TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL, emp_no TEXT NOT NULL,
  cvlserv_flag TEXT NOT NULL,
  PRIMARY KEY (psn_no, insutype)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS identity (
  psn_no TEXT NOT NULL, seq INTEGER NOT NULL,
  psn_idet_type TEXT NOT NULL, begntime TEXT NOT NULL, endtime TEXT NOT NULL,
  PRIMARY KEY (psn_no, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS employer (
  emp_no TEXT PRIMARY KEY, emp_name TEXT NOT NULL, admdvs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS institution (
  fixmedins_code TEXT PRIMARY KEY, fixmedins_name TEXT NOT NULL, fixmedins_type TEXT NOT NULL,
  hosp_lv INTEGER NOT NULL, admdvs TEXT NOT NULL, credential_sm3 TEXT NOT NULL,
  sm2_public_key TEXT NOT NULL, active INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_in (
  sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, opter_no TEXT NOT NULL,
  sign_time TEXT NOT NULL, signed_out INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS visit (
  fixmedins_code TEXT NOT NULL, mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
  insutype TEXT NOT NULL, med_type TEXT NOT NULL, ipt_otp_no TEXT NOT NULL,
  begntime TEXT NOT NULL, endtime TEXT NOT NULL, status TEXT NOT NULL, info_json TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, mdtrt_id)
) WITHOUT ROWID;
-- line_id: upload order. A cancelled line keeps its row; its feedetl_sn may be uploaded again.
CREATE TABLE IF NOT EXISTS fee_line (
  line_id INTEGER PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, mdtrt_id TEXT NOT NULL, feedetl_sn TEXT NOT NULL,
  chrg_bchno TEXT NOT NULL, med_list_codg TEXT NOT NULL, medins_list_codg TEXT NOT NULL,
  cnt TEXT NOT NULL, pric TEXT NOT NULL, det_item_fee_sumamt INTEGER NOT NULL,
  hosp_appr_flag TEXT NOT NULL, prd_days INTEGER NOT NULL, fee_ocur_time TEXT NOT NULL,
  cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS fee_line_live
  ON fee_line(fixmedins_code, mdtrt_id, feedetl_sn) WHERE cancelled = 0;
CREATE INDEX IF NOT EXISTS fee_line_visit ON fee_line(fixmedins_code, mdtrt_id);
-- A person's visits, for the review at settlement (ClaimedVisitsOf).
CREATE INDEX IF NOT EXISTS visit_person ON visit(psn_no);
CREATE TABLE IF NOT EXISTS contribution (
  contribution_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, emp_no TEXT NOT NULL,
  insutype TEXT NOT NULL, period TEXT NOT NULL, base INTEGER NOT NULL,
  employer_part INTEGER NOT NULL, employee_part INTEGER NOT NULL, subsidy INTEGER NOT NULL,
  to_account INTEGER NOT NULL, to_pool INTEGER NOT NULL,
  postings TEXT  -- the journal entries posted under its id (ledger/postings.h); NULL: in journal
);
CREATE INDEX IF NOT EXISTS contribution_person ON contribution(psn_no);
-- Cross-region filings (备案), read by person for every settlement outside the insured pool.
CREATE TABLE IF NOT EXISTS filing (
  filing_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, filing_type TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, begndate TEXT NOT NULL, enddate TEXT NOT NULL,
  revoked INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS filing_person ON filing(psn_no, begndate, filing_id);
)sql";

// Each journal account's balance: the sum of its entries, kept by every write that posts. (Summing
// an index on journal(account, amount) instead put every entry at a random place of that index: of
// the pages a batch of settlements wrote, a third were its.) Filled from the journal the first time
// a ledger made by an earlier version is opened, and that index dropped.
constexpr const char* kAccountBalanceSchema = R"sql(
CREATE TABLE account_balance (
  account TEXT PRIMARY KEY,
  balance INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO account_balance SELECT account, SUM(amount) FROM journal GROUP BY account;
DROP INDEX IF EXISTS journal_account;
)sql";

// After the settlement table is known to have clr_type and setl_time (a ledger created before they
// existed gets them added first).
constexpr const char* kSchemaAfterMigration = R"sql(
CREATE INDEX IF NOT EXISTS settlement_reconcile
  ON settlement(fixmedins_code, insutype, clr_type, setl_time);
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

// Text is bound without a copy (SQLITE_STATIC): the string must outlive the statement's steps up to
// its reset. Every statement is bound afresh before it is stepped.
void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_STATIC);
}
void Bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
// Bytes, or SQL NULL when `bytes` is null; bound without a copy, as text is.
struct BlobOrNull {
  const std::string* bytes;
};
void Bind(sqlite3_stmt* s, int i, BlobOrNull v) {
  if (v.bytes)
    sqlite3_bind_blob(s, i, v.bytes->data(), int(v.bytes->size()), SQLITE_STATIC);
  else
    sqlite3_bind_null(s, i);
}

// Binds ?1, ?2, … in order. A temporary string would be gone before the statement is stepped.
template <typename... Args>
void BindAll(sqlite3_stmt* s, Args&&... args) {
  static_assert(!(std::is_same_v<Args, std::string> || ...),
                "bind a string that outlives the step");
  int i = 0;
  (Bind(s, ++i, args), ...);
}

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, col)))
           : "";
}
int64_t Int(sqlite3_stmt* s, int col) { return sqlite3_column_int64(s, col); }

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool IsConstraint(int rc) { return (rc & 0xff) == SQLITE_CONSTRAINT; }

const std::string kNoText;  // bill_json of a row whose bill is a frame

// Before SQLite's first use in the process: no memory statistics. They take a process-wide mutex
// on every allocation SQLite makes, which the writer, the readers and the checkpointer then all
// queue on. (A process that used SQLite before keeps its settings; the call is refused harmlessly.)
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Result<sqlite3*> OpenConnection(const std::string& path) {
  ConfigureSqliteOnce();
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
  // A 64 MiB page cache keeps the hot pages (indexes, recent rows) out of read(2) copies.
  // 8 KiB pages for a new ledger: fewer pages to find and write per b-tree change. Chosen when a
  // row carried a 4 KiB bill (~15% more durable writes/s than 4 KiB in bench/ledger_bench), kept
  // with compressed bills (4 KiB wrote 29% fewer bytes but cost more CPU; docs/PERFORMANCE.md).
  // An existing file keeps its own.
  if (!Exec(db,
            "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA "
            "foreign_keys=ON; "
            "PRAGMA cache_size=-65536;")) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Diagnostic{path, 0, "", "cannot configure ledger: " + msg};
  }
  return db;
}

// Creates the tables and indexes that are missing, and adds the columns a ledger made by an
// earlier version lacks. Runs in one transaction. A ledger whose settlements had no `postings`
// (made before it existed) keeps the old rows' deltas and journal entries where they were, and the
// index journal_setl that finds the latter; `legacy_postings` tells so.
bool EnsureSchema(sqlite3* db, bool& legacy_postings) {
  legacy_postings = false;
  if (!Exec(db, "BEGIN IMMEDIATE")) return false;
  bool ok = Exec(db, kSchema);
  struct Column {
    const char* table;
    const char* name;
    const char* type;
  };
  static constexpr Column kAdded[] = {{"settlement", "clr_type", "TEXT NOT NULL DEFAULT ''"},
                                      {"settlement", "setl_time", "TEXT NOT NULL DEFAULT ''"},
                                      {"settlement", "postings", "TEXT"},
                                      {"settlement", "bill", "BLOB"},
                                      {"contribution", "postings", "TEXT"}};
  for (const Column& c : kAdded) {
    if (!ok) break;
    Stmt s = Prepare(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
    ok = s != nullptr;
    if (!ok) break;
    sqlite3_bind_text(s.get(), 1, c.table, -1, SQLITE_STATIC);
    sqlite3_bind_text(s.get(), 2, c.name, -1, SQLITE_STATIC);
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
      ok = Exec(
          db,
          ("ALTER TABLE " + std::string(c.table) + " ADD COLUMN " + c.name + " " + c.type).c_str());
      if (std::string_view(c.name) == "postings") legacy_postings = true;
    }
  }
  ok = ok && Exec(db, kSchemaAfterMigration);
  if (ok) {
    Stmt s = Prepare(db, "SELECT 1 FROM sqlite_master WHERE name = 'account_balance'");
    ok = s != nullptr;
    if (ok && sqlite3_step(s.get()) != SQLITE_ROW) ok = Exec(db, kAccountBalanceSchema);
  }
  if (ok && !legacy_postings) {  // opened before, by this version, as an earlier version's ledger
    Stmt s =
        Prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'journal_setl'");
    ok = s != nullptr;
    legacy_postings = ok && sqlite3_step(s.get()) == SQLITE_ROW;
  }
  if (ok && legacy_postings)
    ok = Exec(db, "CREATE INDEX IF NOT EXISTS journal_setl ON journal(setl_id)");
  ok = ok && Exec(db, "COMMIT");
  if (!ok) Exec(db, "ROLLBACK");
  return ok;
}

#define YIBAO_SELECT_SETTLEMENT                                                             \
  "SELECT setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year, "   \
  "policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, " \
  "psn_cash_pay, bill_json, clr_type, setl_time, bill FROM settlement"

constexpr const char* kReadAccumulators =
    "SELECT account, value FROM accumulator WHERE psn_no=? AND insutype=? AND year=?";
constexpr const char* kReadSettlement = YIBAO_SELECT_SETTLEMENT " WHERE setl_id=?";
constexpr const char* kReadLiveVisit = YIBAO_SELECT_SETTLEMENT
    " WHERE fixmedins_code=? AND mdtrt_id=? AND cancels='' AND cancelled_by=''";
// A settlement's reply is kept once, in its row (StoredReply in ledger.h).
constexpr const char* kReadReply =
    "SELECT CASE WHEN substr(r.reply, 1, 6) = '@setl:' THEN s.bill_json ELSE r.reply END, r.infno, "
    "s.bill FROM msgid_reply r LEFT JOIN settlement s ON substr(r.reply, 1, 6) = '@setl:' AND "
    "s.setl_id = substr(r.reply, 7) WHERE r.fixmedins_code=? AND r.msgid=?";
// One descent of the primary key (SQLite's min/max optimisation); TEXT compares bytewise.
constexpr const char* kReadMsgidCeiling =
    "SELECT COALESCE(max(msgid), '') FROM msgid_reply WHERE fixmedins_code=?";
constexpr const char* kReadJournalSum = "SELECT COALESCE(SUM(amount), 0) FROM journal";
constexpr const char* kReadBalance = "SELECT balance FROM account_balance WHERE account=?";
// Through the person's visits (settlement_visit above): a settlement is found when the ledger holds
// its visit, as every settlement the service writes has.
constexpr const char* kReadSettlementsOf = YIBAO_SELECT_SETTLEMENT
    " WHERE (fixmedins_code, mdtrt_id) IN (SELECT fixmedins_code, mdtrt_id FROM visit WHERE "
    "psn_no=?1) AND psn_no=?1 AND insutype=?2 AND year=?3 ORDER BY rowid";
constexpr const char* kReadSettlementPostings = "SELECT postings FROM settlement WHERE setl_id=?";
constexpr const char* kReadContributionPostings =
    "SELECT postings FROM contribution WHERE contribution_id=?";
// A ledger made by an earlier version: the rows without postings have them here.
constexpr const char* kReadDeltas =
    "SELECT account, delta FROM accumulator_delta WHERE setl_id=? ORDER BY account";
constexpr const char* kReadJournal =
    "SELECT account, amount FROM journal WHERE setl_id=? ORDER BY entry_id";
// A person is three small reads in one read transaction (one snapshot): the row, its insurances,
// its identities. (One statement joining the three needed three temporary b-trees per call, and
// cost more than all the other reads of a settlement together.)
#define YIBAO_SELECT_PERSON \
  "SELECT psn_no, psn_cert_type, certno, psn_name, gend, brdy, naty FROM person"
constexpr const char* kReadPerson = YIBAO_SELECT_PERSON " WHERE psn_no=?";
constexpr const char* kReadPersonByCert =
    YIBAO_SELECT_PERSON " WHERE psn_cert_type=? AND certno=? ORDER BY psn_no LIMIT 1";
#undef YIBAO_SELECT_PERSON
// In primary-key order; ReadPerson orders them by seq.
constexpr const char* kReadInsurances =
    "SELECT seq, insutype, psn_type, psn_insu_stas, psn_insu_date, paus_insu_date, insuplc_admdvs, "
    "emp_no, cvlserv_flag FROM insurance WHERE psn_no=?";
constexpr const char* kReadIdentities =
    "SELECT psn_idet_type, begntime, endtime FROM identity WHERE psn_no=? ORDER BY seq";
constexpr const char* kReadEmployer =
    "SELECT emp_no, emp_name, admdvs FROM employer WHERE emp_no=?";
#define YIBAO_SELECT_INSTITUTION                                             \
  "SELECT fixmedins_code, fixmedins_name, fixmedins_type, hosp_lv, admdvs, " \
  "credential_sm3, sm2_public_key, active FROM institution"
constexpr const char* kReadInstitution = YIBAO_SELECT_INSTITUTION " WHERE fixmedins_code=?";
constexpr const char* kReadInstitutions = YIBAO_SELECT_INSTITUTION " ORDER BY fixmedins_code";
constexpr const char* kReadSignIn =
    "SELECT sign_no, fixmedins_code, opter_no, sign_time, signed_out FROM sign_in WHERE sign_no=?";
constexpr const char* kReadPersonCount = "SELECT COUNT(*) FROM person";
#define YIBAO_SELECT_FILING \
  "SELECT filing_id, psn_no, filing_type, mdtrtarea_admvs, begndate, enddate, revoked FROM filing"
constexpr const char* kReadFilings =
    YIBAO_SELECT_FILING " WHERE psn_no=? ORDER BY begndate, filing_id";
constexpr const char* kReadFiling = YIBAO_SELECT_FILING " WHERE filing_id=?";
#undef YIBAO_SELECT_FILING
constexpr const char* kReadVisit =
    "SELECT fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no, begntime, endtime, "
    "status, info_json FROM visit WHERE fixmedins_code=? AND mdtrt_id=?";
constexpr const char* kReadClaimedVisitsOf =
    "SELECT v.fixmedins_code, v.mdtrt_id, v.psn_no, v.insutype, v.med_type, v.ipt_otp_no, "
    "v.begntime, v.endtime, v.status, v.info_json, EXISTS (SELECT 1 FROM settlement s WHERE "
    "s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = v.mdtrt_id AND s.cancels = '' AND "
    "s.cancelled_by = '') FROM visit v WHERE v.psn_no = ? AND (v.endtime = '' OR v.endtime >= ?) "
    "AND (v.status IN ('admitted', 'discharged') OR EXISTS (SELECT 1 FROM settlement s WHERE "
    "s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = v.mdtrt_id AND s.cancels = '' AND "
    "s.cancelled_by = '')) ORDER BY v.begntime, v.fixmedins_code, v.mdtrt_id";
constexpr const char* kReadFeeLinesOfPerson =
    "SELECT f.fixmedins_code, f.mdtrt_id, f.feedetl_sn, f.chrg_bchno, f.med_list_codg, "
    "f.medins_list_codg, f.cnt, f.pric, f.det_item_fee_sumamt, f.hosp_appr_flag, f.prd_days, "
    "f.fee_ocur_time, f.cancelled FROM visit v JOIN fee_line f ON f.fixmedins_code = "
    "v.fixmedins_code AND f.mdtrt_id = v.mdtrt_id WHERE v.psn_no = ? AND (v.endtime = '' OR "
    "v.endtime >= ?) AND (v.status IN ('admitted', 'discharged') OR EXISTS (SELECT 1 FROM "
    "settlement s WHERE s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = v.mdtrt_id AND "
    "s.cancels = '' AND s.cancelled_by = '')) AND f.cancelled = 0 ORDER BY f.line_id";
constexpr const char* kReadFeeLines =
    "SELECT fixmedins_code, mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg, medins_list_codg, "
    "cnt, pric, det_item_fee_sumamt, hosp_appr_flag, prd_days, fee_ocur_time, cancelled "
    "FROM fee_line WHERE fixmedins_code=? AND mdtrt_id=? ORDER BY line_id";
constexpr const char* kReadContributions =
    "SELECT contribution_id, psn_no, emp_no, insutype, period, base, employer_part, "
    "employee_part, subsidy, to_account, to_pool FROM contribution WHERE psn_no=? ORDER BY rowid";
// `setl_time >= ?4` follows from the substr condition; it lets the index bound the scan.
constexpr const char* kReadReconcile =
    "SELECT COALESCE(SUM(CASE WHEN cancels = '' THEN 1 ELSE -1 END), 0), "
    "COALESCE(SUM(medfee_sumamt), 0), COALESCE(SUM(fund_pay_sumamt), 0), "
    "COALESCE(SUM(acct_pay), 0) FROM settlement WHERE fixmedins_code=?1 AND insutype=?2 AND "
    "clr_type=?3 AND setl_time >= ?4 AND substr(setl_time, 1, 10) BETWEEN ?4 AND ?5";
constexpr const char* kReadAudit =
    "SELECT entry_id, fixmedins_code, operator, action FROM audit_log ORDER BY entry_id DESC "
    "LIMIT ?";

#undef YIBAO_SELECT_INSTITUTION
#undef YIBAO_SELECT_SETTLEMENT

// The bill stored in column `col` (a zstd frame, NULL when the bill is the text in `text_col`).
// A frame that does not decode is a damaged ledger: an exception, never an empty bill.
std::string StoredBill(sqlite3_stmt* s, int text_col, int col, const BillCodec& codec,
                       std::string_view whose) {
  if (sqlite3_column_type(s, col) == SQLITE_NULL) return Text(s, text_col);
  const void* p = sqlite3_column_blob(s, col);
  std::string_view frame(static_cast<const char*>(p), size_t(sqlite3_column_bytes(s, col)));
  if (auto bill = codec.Decode(frame)) return std::move(*bill);
  throw std::runtime_error("ledger: the bill of " + std::string(whose) +
                           " does not decode with the ledger's bill dictionaries");
}

SettlementRecord ReadSettlement(sqlite3_stmt* s, const BillCodec& codec) {
  SettlementRecord r;
  r.setl_id = Text(s, 0);
  r.cancels = Text(s, 1);
  r.mdtrt_id = Text(s, 2);
  r.psn_no = Text(s, 3);
  r.fixmedins_code = Text(s, 4);
  r.insutype = Text(s, 5);
  r.med_type = Text(s, 6);
  r.year = int(Int(s, 7));
  r.policy_region = Text(s, 8);
  r.policy_version = Text(s, 9);
  r.medfee_sumamt = Int(s, 10);
  r.fund_pay_sumamt = Int(s, 11);
  r.psn_part_amt = Int(s, 12);
  r.acct_pay = Int(s, 13);
  r.psn_cash_pay = Int(s, 14);
  r.bill_json = StoredBill(s, 15, 18, codec, "settlement " + r.setl_id);
  r.clr_type = Text(s, 16);
  r.setl_time = Text(s, 17);
  return r;
}

InstitutionRecord ReadInstitution(sqlite3_stmt* s) {
  InstitutionRecord r;
  r.fixmedins_code = Text(s, 0);
  r.fixmedins_name = Text(s, 1);
  r.fixmedins_type = Text(s, 2);
  r.hosp_lv = int(Int(s, 3));
  r.admdvs = Text(s, 4);
  r.credential_sm3 = Text(s, 5);
  r.sm2_public_key = Text(s, 6);
  r.active = Int(s, 7) != 0;
  return r;
}

FeeLineRecord ReadFeeLine(sqlite3_stmt* s) {
  FeeLineRecord r;
  r.fixmedins_code = Text(s, 0);
  r.mdtrt_id = Text(s, 1);
  r.feedetl_sn = Text(s, 2);
  r.chrg_bchno = Text(s, 3);
  r.med_list_codg = Text(s, 4);
  r.medins_list_codg = Text(s, 5);
  r.cnt = Text(s, 6);
  r.pric = Text(s, 7);
  r.det_item_fee_sumamt = Int(s, 8);
  r.hosp_appr_flag = Text(s, 9);
  r.prd_days = int(Int(s, 10));
  r.fee_ocur_time = Text(s, 11);
  r.cancelled = Int(s, 12) != 0;
  return r;
}

FilingRecord ReadFiling(sqlite3_stmt* s) {
  FilingRecord r;
  r.filing_id = Text(s, 0);
  r.psn_no = Text(s, 1);
  r.filing_type = Text(s, 2);
  r.mdtrtarea_admvs = Text(s, 3);
  r.begndate = Text(s, 4);
  r.enddate = Text(s, 5);
  r.revoked = Int(s, 6) != 0;
  return r;
}

ContributionRecord ReadContribution(sqlite3_stmt* s) {
  ContributionRecord r;
  r.contribution_id = Text(s, 0);
  r.psn_no = Text(s, 1);
  r.emp_no = Text(s, 2);
  r.insutype = Text(s, 3);
  r.period = Text(s, 4);
  r.base = Int(s, 5);
  r.employer_part = Int(s, 6);
  r.employee_part = Int(s, 7);
  r.subsidy = Int(s, 8);
  r.to_account = Int(s, 9);
  r.to_pool = Int(s, 10);
  return r;
}

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(sqlite3* writer, const std::vector<sqlite3*>& readers, sqlite3* checkpointer,
               bool legacy_postings, SqliteLedgerOptions options, std::unique_ptr<BillCodec> codec)
      : writer_db_(writer),
        legacy_postings_(legacy_postings),
        options_(options),
        codec_(std::move(codec)) {
    checkpointer_ = std::make_unique<WalCheckpointer>(writer_db_, checkpointer, kCheckpointPages,
                                                      kInlineCheckpointPages);
    for (sqlite3* db : readers) {
      readers_.push_back(std::make_unique<ReaderSlot>());
      readers_.back()->db = db;
    }
    begin_ = Prepare(writer_db_, "BEGIN IMMEDIATE");
    commit_ = Prepare(writer_db_, "COMMIT");
    savepoint_ = Prepare(writer_db_, "SAVEPOINT w");
    rollback_to_ = Prepare(writer_db_, "ROLLBACK TO w");
    release_ = Prepare(writer_db_, "RELEASE w");
    rollback_ = Prepare(writer_db_, "ROLLBACK");
    // The pre-check's reads (on the writer's connection, inside the batch's transaction: they see
    // the batch's earlier writes too).
    live_settlement_ = Prepare(
        writer_db_,
        "SELECT 1 FROM settlement WHERE setl_id = ?1 AND cancels = '' AND cancelled_by = ''");
    contribution_exists_ =
        Prepare(writer_db_, "SELECT 1 FROM contribution WHERE contribution_id = ?1");
    live_fee_line_ = Prepare(writer_db_, R"sql(
      SELECT 1 FROM fee_line
      WHERE fixmedins_code = ?1 AND mdtrt_id = ?2 AND feedetl_sn = ?3 AND cancelled = 0)sql");
    reply_exists_ =
        Prepare(writer_db_, "SELECT 1 FROM msgid_reply WHERE fixmedins_code = ?1 AND msgid = ?2");
    visit_known_ = Prepare(writer_db_, R"sql(
      SELECT 1 FROM visit WHERE fixmedins_code = ?1 AND mdtrt_id = ?2
      UNION ALL SELECT 1 FROM fee_line WHERE fixmedins_code = ?1 AND mdtrt_id = ?2
      UNION ALL SELECT 1 FROM settlement WHERE fixmedins_code = ?1 AND mdtrt_id = ?2 LIMIT 1)sql");
    insert_settlement_ = Prepare(writer_db_, R"sql(
      INSERT INTO settlement (setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type,
        year, policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
        psn_cash_pay, bill_json, clr_type, setl_time, postings, bill)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))sql");
    insert_dictionary_ = Prepare(
        writer_db_, "INSERT INTO bill_dictionary (dict_id, content, samples) VALUES (?,?,?)");
    mark_cancelled_ = Prepare(writer_db_, R"sql(
      UPDATE settlement SET cancelled_by = ?1 WHERE setl_id = ?2 AND cancels = '' AND cancelled_by = '')sql");
    add_accumulator_ = Prepare(writer_db_, R"sql(
      INSERT INTO accumulator (psn_no, insutype, year, account, value) VALUES (?,?,?,?,?)
      ON CONFLICT (psn_no, insutype, year, account) DO UPDATE SET value = value + excluded.value)sql");
    insert_journal_ =
        Prepare(writer_db_, "INSERT INTO journal (setl_id, account, amount) VALUES (?,?,?)");
    add_balance_ = Prepare(writer_db_, R"sql(
      INSERT INTO account_balance (account, balance) VALUES (?,?)
      ON CONFLICT (account) DO UPDATE SET balance = balance + excluded.balance)sql");
    insert_reply_ = Prepare(writer_db_, "INSERT INTO msgid_reply VALUES (?,?,?,?)");
    insert_audit_ = Prepare(
        writer_db_, "INSERT INTO audit_log (fixmedins_code, operator, action) VALUES (?,?,?)");
    upsert_person_ = Prepare(writer_db_, R"sql(
      INSERT INTO person (psn_no, psn_cert_type, certno, psn_name, gend, brdy, naty)
      VALUES (?,?,?,?,?,?,?)
      ON CONFLICT (psn_no) DO UPDATE SET psn_cert_type = excluded.psn_cert_type,
        certno = excluded.certno, psn_name = excluded.psn_name, gend = excluded.gend,
        brdy = excluded.brdy, naty = excluded.naty)sql");
    delete_insurances_ = Prepare(writer_db_, "DELETE FROM insurance WHERE psn_no = ?");
    delete_identities_ = Prepare(writer_db_, "DELETE FROM identity WHERE psn_no = ?");
    insert_insurance_ = Prepare(writer_db_, R"sql(
      INSERT INTO insurance (psn_no, insutype, seq, psn_type, psn_insu_stas, psn_insu_date,
        paus_insu_date, insuplc_admdvs, emp_no, cvlserv_flag) VALUES (?,?,?,?,?,?,?,?,?,?))sql");
    insert_identity_ = Prepare(writer_db_, R"sql(
      INSERT INTO identity (psn_no, seq, psn_idet_type, begntime, endtime) VALUES (?,?,?,?,?))sql");
    upsert_employer_ = Prepare(writer_db_, R"sql(
      INSERT INTO employer (emp_no, emp_name, admdvs) VALUES (?,?,?)
      ON CONFLICT (emp_no) DO UPDATE SET emp_name = excluded.emp_name, admdvs = excluded.admdvs)sql");
    upsert_institution_ = Prepare(writer_db_, R"sql(
      INSERT INTO institution (fixmedins_code, fixmedins_name, fixmedins_type, hosp_lv, admdvs,
        credential_sm3, sm2_public_key, active) VALUES (?,?,?,?,?,?,?,?)
      ON CONFLICT (fixmedins_code) DO UPDATE SET fixmedins_name = excluded.fixmedins_name,
        fixmedins_type = excluded.fixmedins_type, hosp_lv = excluded.hosp_lv,
        admdvs = excluded.admdvs, credential_sm3 = excluded.credential_sm3,
        sm2_public_key = excluded.sm2_public_key, active = excluded.active)sql");
    upsert_filing_ = Prepare(writer_db_, R"sql(
      INSERT INTO filing (filing_id, psn_no, filing_type, mdtrtarea_admvs, begndate, enddate,
        revoked) VALUES (?,?,?,?,?,?,?)
      ON CONFLICT (filing_id) DO UPDATE SET psn_no = excluded.psn_no,
        filing_type = excluded.filing_type, mdtrtarea_admvs = excluded.mdtrtarea_admvs,
        begndate = excluded.begndate, enddate = excluded.enddate, revoked = excluded.revoked)sql");
    upsert_sign_in_ = Prepare(writer_db_, R"sql(
      INSERT INTO sign_in (sign_no, fixmedins_code, opter_no, sign_time, signed_out)
      VALUES (?,?,?,?,?)
      ON CONFLICT (sign_no) DO UPDATE SET fixmedins_code = excluded.fixmedins_code,
        opter_no = excluded.opter_no, sign_time = excluded.sign_time,
        signed_out = excluded.signed_out)sql");
    // A new visit: nothing of it in the store (its row: the key's constraint; lines, settlements:
    // no row inserted).
    insert_visit_ = Prepare(writer_db_, R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json) SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9,?10
      WHERE NOT EXISTS (SELECT 1 FROM fee_line WHERE fixmedins_code = ?1 AND mdtrt_id = ?2)
        AND NOT EXISTS (SELECT 1 FROM settlement WHERE fixmedins_code = ?1 AND mdtrt_id = ?2))sql");
    upsert_visit_ = Prepare(writer_db_, R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json) VALUES (?,?,?,?,?,?,?,?,?,?)
      ON CONFLICT (fixmedins_code, mdtrt_id) DO UPDATE SET psn_no = excluded.psn_no,
        insutype = excluded.insutype, med_type = excluded.med_type,
        ipt_otp_no = excluded.ipt_otp_no, begntime = excluded.begntime,
        endtime = excluded.endtime, status = excluded.status, info_json = excluded.info_json)sql");
    insert_fee_line_ = Prepare(writer_db_, R"sql(
      INSERT INTO fee_line (fixmedins_code, mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg,
        medins_list_codg, cnt, pric, det_item_fee_sumamt, hosp_appr_flag, prd_days, fee_ocur_time)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?))sql");
    cancel_fee_line_ = Prepare(writer_db_, R"sql(
      UPDATE fee_line SET cancelled = 1
      WHERE fixmedins_code = ? AND mdtrt_id = ? AND feedetl_sn = ? AND cancelled = 0)sql");
    insert_contribution_ = Prepare(writer_db_, R"sql(
      INSERT INTO contribution (contribution_id, psn_no, emp_no, insutype, period, base,
        employer_part, employee_part, subsidy, to_account, to_pool, postings)
      VALUES (?,?,?,?,?,?,?,?,?,?,?,?))sql");
    writer_ = std::make_unique<GroupCommitWriter>(
        options_.max_batch,
        [this](const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status) {
          CommitBatch(writes, status);
        });
  }

  ~SqliteLedger() override {
    writer_->Stop();  // drains the queue first: every submitted write gets its callback
    checkpointer_.reset();
    for (Stmt* s : {&begin_,
                    &commit_,
                    &savepoint_,
                    &rollback_to_,
                    &release_,
                    &rollback_,
                    &live_settlement_,
                    &contribution_exists_,
                    &live_fee_line_,
                    &reply_exists_,
                    &visit_known_,
                    &insert_settlement_,
                    &mark_cancelled_,
                    &add_accumulator_,
                    &insert_journal_,
                    &add_balance_,
                    &insert_reply_,
                    &insert_audit_,
                    &upsert_person_,
                    &delete_insurances_,
                    &delete_identities_,
                    &insert_insurance_,
                    &insert_identity_,
                    &upsert_employer_,
                    &upsert_institution_,
                    &upsert_filing_,
                    &upsert_sign_in_,
                    &upsert_visit_,
                    &insert_visit_,
                    &insert_fee_line_,
                    &cancel_fee_line_,
                    &insert_contribution_,
                    &insert_dictionary_})
      s->reset();
    sqlite3_close(writer_db_);
    for (auto& r : readers_) {
      r->stmts.clear();
      sqlite3_close(r->db);
    }
  }

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) override {
    writer_->Submit(std::move(write), std::move(done));
  }

  std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadAccumulators));
    BindAll(c.s, psn_no, insutype, int64_t(year));
    std::map<std::string, int64_t> out;
    while (sqlite3_step(c.s) == SQLITE_ROW) out[Text(c.s, 0)] = Int(c.s, 1);
    return out;
  }

  std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadSettlement));
    BindAll(c.s, setl_id);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return ReadSettlement(c.s, *codec_);
  }

  std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                        const std::string& mdtrt_id) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadLiveVisit));
    BindAll(c.s, fixmedins_code, mdtrt_id);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return ReadSettlement(c.s, *codec_);
  }

  std::optional<std::string> FindReply(const std::string& fixmedins_code, const std::string& msgid,
                                       std::string* infno) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadReply));
    BindAll(c.s, fixmedins_code, msgid);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    if (infno) *infno = Text(c.s, 1);
    return StoredBill(c.s, 0, 2, *codec_, "the reply to msgid " + msgid);
  }

  bool MsgidCeiling(const std::string& fixmedins_code, std::string* ceiling) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadMsgidCeiling));
    BindAll(c.s, fixmedins_code);
    if (sqlite3_step(c.s) != SQLITE_ROW) return false;
    *ceiling = Text(c.s, 0);
    return true;
  }

  int64_t JournalSum() override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadJournalSum));
    return sqlite3_step(c.s) == SQLITE_ROW ? Int(c.s, 0) : 0;
  }

  int64_t AccountBalance(const std::string& account) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadBalance));
    BindAll(c.s, account);
    return sqlite3_step(c.s) == SQLITE_ROW ? Int(c.s, 0) : 0;
  }

  std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadSettlementsOf));
    BindAll(c.s, psn_no, insutype, int64_t(year));
    std::vector<SettlementRecord> out;
    while (sqlite3_step(c.s) == SQLITE_ROW) out.push_back(ReadSettlement(c.s, *codec_));
    return out;
  }

  std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) override {
    std::vector<std::pair<std::string, int64_t>> out;
    Lease lease(*this);
    if (auto postings = Postings(lease, kReadSettlementPostings, setl_id)) {
      DecodePostings(*postings, &out, nullptr);
      return out;
    }
    if (!legacy_postings_) return out;
    Cursor c(lease.Prepared(kReadDeltas));
    BindAll(c.s, setl_id);
    while (sqlite3_step(c.s) == SQLITE_ROW) out.emplace_back(Text(c.s, 0), Int(c.s, 1));
    return out;
  }

  std::vector<JournalEntry> JournalOf(const std::string& setl_id) override {
    std::vector<JournalEntry> out;
    Lease lease(*this);
    auto postings = Postings(lease, kReadSettlementPostings, setl_id);
    if (!postings) postings = Postings(lease, kReadContributionPostings, setl_id);
    if (postings) {
      DecodePostings(*postings, nullptr, &out);
      return out;
    }
    if (!legacy_postings_) return out;
    Cursor c(lease.Prepared(kReadJournal));
    BindAll(c.s, setl_id);
    while (sqlite3_step(c.s) == SQLITE_ROW) out.push_back(JournalEntry{Text(c.s, 0), Int(c.s, 1)});
    return out;
  }

  LedgerStats Stats() override {
    LedgerStats s = writer_->Stats();
    codec_->AddCounts(s);
    return s;
  }

  std::optional<PersonRecord> FindPerson(const std::string& psn_no) override {
    auto snapshot = ReadTogether();
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadPerson));
    BindAll(c.s, psn_no);
    return ReadPerson(lease, c.s);
  }

  std::optional<PersonRecord> FindPersonByCert(const std::string& psn_cert_type,
                                               const std::string& certno) override {
    auto snapshot = ReadTogether();
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadPersonByCert));
    BindAll(c.s, psn_cert_type, certno);
    return ReadPerson(lease, c.s);
  }

  std::optional<EmployerRecord> FindEmployer(const std::string& emp_no) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadEmployer));
    BindAll(c.s, emp_no);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return EmployerRecord{Text(c.s, 0), Text(c.s, 1), Text(c.s, 2)};
  }

  std::optional<InstitutionRecord> FindInstitution(const std::string& fixmedins_code) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadInstitution));
    BindAll(c.s, fixmedins_code);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return ReadInstitution(c.s);
  }

  std::vector<InstitutionRecord> Institutions() override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadInstitutions));
    std::vector<InstitutionRecord> out;
    while (sqlite3_step(c.s) == SQLITE_ROW) out.push_back(ReadInstitution(c.s));
    return out;
  }

  std::optional<SignInRecord> FindSignIn(const std::string& sign_no) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadSignIn));
    BindAll(c.s, sign_no);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return SignInRecord{Text(c.s, 0), Text(c.s, 1), Text(c.s, 2), Text(c.s, 3), Int(c.s, 4) != 0};
  }

  int64_t PersonCount() override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadPersonCount));
    return sqlite3_step(c.s) == SQLITE_ROW ? Int(c.s, 0) : 0;
  }

  std::vector<FilingRecord> FilingsOf(const std::string& psn_no) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadFilings));
    BindAll(c.s, psn_no);
    std::vector<FilingRecord> out;
    while (sqlite3_step(c.s) == SQLITE_ROW) out.push_back(ReadFiling(c.s));
    return out;
  }

  std::optional<FilingRecord> FindFiling(const std::string& filing_id) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadFiling));
    BindAll(c.s, filing_id);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return ReadFiling(c.s);
  }

  std::optional<VisitRecord> FindVisit(const std::string& fixmedins_code,
                                       const std::string& mdtrt_id) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadVisit));
    BindAll(c.s, fixmedins_code, mdtrt_id);
    if (sqlite3_step(c.s) != SQLITE_ROW) return std::nullopt;
    return VisitRecord{Text(c.s, 0), Text(c.s, 1), Text(c.s, 2), Text(c.s, 3), Text(c.s, 4),
                       Text(c.s, 5), Text(c.s, 6), Text(c.s, 7), Text(c.s, 8), Text(c.s, 9)};
  }

  SharedFeeLines FeeLinesOf(const std::string& fixmedins_code,
                            const std::string& mdtrt_id) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadFeeLines));
    BindAll(c.s, fixmedins_code, mdtrt_id);
    auto out = std::make_shared<std::vector<FeeLineRecord>>();
    while (sqlite3_step(c.s) == SQLITE_ROW) out->push_back(ReadFeeLine(c.s));
    return out;
  }

  std::vector<PersonVisit> ClaimedVisitsOf(const std::string& psn_no,
                                           const std::string& since) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadClaimedVisitsOf));
    BindAll(c.s, psn_no, since);
    std::vector<PersonVisit> out;
    while (sqlite3_step(c.s) == SQLITE_ROW)
      out.push_back(
          PersonVisit{std::make_shared<const VisitRecord>(VisitRecord{
                          Text(c.s, 0), Text(c.s, 1), Text(c.s, 2), Text(c.s, 3), Text(c.s, 4),
                          Text(c.s, 5), Text(c.s, 6), Text(c.s, 7), Text(c.s, 8), Text(c.s, 9)}),
                      sqlite3_column_int(c.s, 10) != 0});
    std::vector<FeeLineRecord> lines;
    Cursor f(lease.Prepared(kReadFeeLinesOfPerson));
    BindAll(f.s, psn_no, since);
    while (sqlite3_step(f.s) == SQLITE_ROW) lines.push_back(ReadFeeLine(f.s));
    AttachLines(out, std::move(lines));
    return out;
  }

  std::vector<ContributionRecord> ContributionsOf(const std::string& psn_no) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadContributions));
    BindAll(c.s, psn_no);
    std::vector<ContributionRecord> out;
    while (sqlite3_step(c.s) == SQLITE_ROW) out.push_back(ReadContribution(c.s));
    return out;
  }

  ReconciliationTotals Reconcile(const std::string& fixmedins_code, const std::string& insutype,
                                 const std::string& clr_type, const std::string& begin_date,
                                 const std::string& end_date) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadReconcile));
    BindAll(c.s, fixmedins_code, insutype, clr_type, begin_date, end_date);
    ReconciliationTotals t;
    if (sqlite3_step(c.s) == SQLITE_ROW)
      t = ReconciliationTotals{Int(c.s, 0), Int(c.s, 1), Int(c.s, 2), Int(c.s, 3)};
    return t;
  }

  std::vector<AuditEntry> AuditLog(size_t limit) override {
    Lease lease(*this);
    Cursor c(lease.Prepared(kReadAudit));
    BindAll(c.s, int64_t(std::min<uint64_t>(limit, std::numeric_limits<int64_t>::max())));
    std::vector<AuditEntry> out;
    while (sqlite3_step(c.s) == SQLITE_ROW)
      out.push_back(AuditEntry{Int(c.s, 0), Text(c.s, 1), Text(c.s, 2), Text(c.s, 3)});
    return out;
  }

 private:
  // A cached reader statement in use; reset when done, so that no read transaction stays open
  // (an open one would keep the WAL from being checkpointed).
  struct Cursor {
    explicit Cursor(sqlite3_stmt* stmt) : s(stmt) {}
    ~Cursor() { sqlite3_reset(s); }
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    sqlite3_stmt* s;
  };

  // A reader connection and its prepared statements. Reads run in parallel on different ones (WAL:
  // beside the writer too); each read statement is its own read transaction, so it sees every
  // commit made before it started — every write whose callback has run.
  struct ReaderSlot {
    std::mutex mu;
    sqlite3* db = nullptr;
    std::unordered_map<const char*, Stmt> stmts;  // by the SQL constant's address; under mu
  };

  // One reader connection held for one read. Each thread has a home connection (threads numbered
  // in order of their first read, round robin over the pool); when it is busy, a free one is taken,
  // and when none is, the home one is waited for.
  // Inside the thread's ReadTogether scope on this ledger, the scope's connection (held already).
  class Lease {
   public:
    explicit Lease(SqliteLedger& ledger) {
      if (scope_.owner == &ledger) {
        slot_ = scope_.slot;
      } else {
        slot_ = Take(ledger);
        lock_ = std::unique_lock<std::mutex>(slot_->mu, std::adopt_lock);
      }
    }
    // The connection's statement for `sql` (a constant), prepared on first use.
    sqlite3_stmt* Prepared(const char* sql) {
      Stmt& s = slot_->stmts[sql];
      if (!s) s = Prepare(slot_->db, sql);
      return s.get();
    }

    static ReaderSlot* Take(SqliteLedger& ledger) {
      static std::atomic<size_t> threads{0};
      thread_local const size_t me = threads++;
      const size_t n = ledger.readers_.size();
      for (size_t i = 0; i < n; ++i) {
        ReaderSlot* slot = ledger.readers_[(me + i) % n].get();
        if (slot->mu.try_lock()) return slot;
      }
      ReaderSlot* home = ledger.readers_[me % n].get();
      home->mu.lock();
      return home;
    }

   private:
    ReaderSlot* slot_;
    std::unique_lock<std::mutex> lock_;
  };

  // The calling thread's ReadTogether scope: its ledger, its held connection, and its depth.
  struct ReadScopeState {
    const SqliteLedger* owner = nullptr;
    ReaderSlot* slot = nullptr;
    int depth = 0;
  };
  static thread_local ReadScopeState scope_;

  bool BeginReadScope() override {
    if (scope_.owner == this) return ++scope_.depth, true;
    if (scope_.owner) return false;  // another ledger's scope: this one's reads stay separate
    ReaderSlot* slot = Lease::Take(*this);
    if (!RunOn(*slot, kBeginRead)) {
      slot->mu.unlock();
      return false;
    }
    scope_ = {this, slot, 1};
    return true;
  }
  void EndReadScope() override {
    if (--scope_.depth > 0) return;
    ReaderSlot* slot = scope_.slot;
    scope_ = {};
    // A read transaction changed nothing; should COMMIT fail, ROLLBACK ends it all the same.
    if (!RunOn(*slot, kEndRead)) RunOn(*slot, kAbandonRead);
    slot->mu.unlock();
  }
  static constexpr char kBeginRead[] = "BEGIN", kEndRead[] = "COMMIT", kAbandonRead[] = "ROLLBACK";
  // Runs `sql` (a constant) on the held reader connection `slot`, prepared once.
  static bool RunOn(ReaderSlot& slot, const char* sql) {
    Stmt& s = slot.stmts[sql];
    if (!s) s = Prepare(slot.db, sql);
    if (!s) return false;
    const int rc = sqlite3_step(s.get());
    sqlite3_reset(s.get());
    return rc == SQLITE_DONE;
  }

  // The person of the kReadPerson / kReadPersonByCert row `s` (bound), with the insurances and
  // identities read on the same connection.
  static std::optional<PersonRecord> ReadPerson(Lease& lease, sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
    std::optional<PersonRecord> p(std::in_place);
    p->psn_no = Text(s, 0);
    p->psn_cert_type = Text(s, 1);
    p->certno = Text(s, 2);
    p->psn_name = Text(s, 3);
    p->gend = Text(s, 4);
    p->brdy = Text(s, 5);
    p->naty = Text(s, 6);
    std::vector<std::pair<int64_t, InsuranceRecord>> insurances;
    {
      Cursor c(lease.Prepared(kReadInsurances));
      BindAll(c.s, p->psn_no);
      while (sqlite3_step(c.s) == SQLITE_ROW)
        insurances.emplace_back(
            Int(c.s, 0), InsuranceRecord{Text(c.s, 1), Text(c.s, 2), Text(c.s, 3), Text(c.s, 4),
                                         Text(c.s, 5), Text(c.s, 6), Text(c.s, 7), Text(c.s, 8)});
    }
    std::sort(insurances.begin(), insurances.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [seq, i] : insurances) p->insurances.push_back(std::move(i));
    Cursor c(lease.Prepared(kReadIdentities));
    BindAll(c.s, p->psn_no);
    while (sqlite3_step(c.s) == SQLITE_ROW)
      p->identities.push_back(IdentityRecord{Text(c.s, 0), Text(c.s, 1), Text(c.s, 2)});
    return p;
  }

  // The postings column of the row that `sql` selects by `id`: nullopt when there is no such row or
  // its column is NULL (written by an earlier version).
  static std::optional<std::string> Postings(Lease& lease, const char* sql, const std::string& id) {
    Cursor c(lease.Prepared(sql));
    BindAll(c.s, id);
    if (sqlite3_step(c.s) != SQLITE_ROW || sqlite3_column_type(c.s, 0) == SQLITE_NULL)
      return std::nullopt;
    return Text(c.s, 0);
  }

  // Runs a write statement to completion; its result code (SQLITE_DONE when it went well). A
  // statement that went well may have changed the database: wrote_ says so (Apply clears it).
  int Run(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) wrote_ = true;
    return rc;
  }
  bool Step(sqlite3_stmt* s) { return Run(s) == SQLITE_DONE; }
  // Whether the query `s` (bound) finds a row; nullopt when it fails.
  static std::optional<bool> Found(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::nullopt;
  }
  // A constraint violation refuses the write with `refusal`; any other failure is kFailed.
  static WriteStatus Refused(int rc, WriteStatus refusal) {
    return IsConstraint(rc) ? refusal : WriteStatus::kFailed;
  }

  // Applies one write inside the open transaction. Unless the result is kDurable, the caller rolls
  // back to the write's savepoint — or, for a write applied without one (CommitBatch), keeps the
  // refusal only if nothing was written yet (wrote_) and else re-runs the batch. The order of the
  // parts (the same on every backend) decides which refusal a write with several faults gets:
  // journal balance, settlement, contribution, fee-line cancellations, fee lines, the register and
  // the visit, journal, msgid reply, audit.
  WriteStatus Apply(const LedgerWrite& w) {
    wrote_ = false;
    int64_t sum = 0;
    for (const auto& e : w.journal) sum += e.amount;
    if (sum != 0) return WriteStatus::kUnbalanced;
    std::string posting_id;  // what the journal entries are posted under
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      posting_id = r.setl_id;
      // Its deltas and journal go in its row (an account twice among the deltas: kFailed, after
      // the settlement's own refusals).
      const bool deltas_ok = SortedDeltas(w.accumulators, deltas_);
      EncodePostings(deltas_, w.journal, postings_);
      const bool framed = codec_->Encode(r.bill_json, bill_frame_);
      sqlite3_stmt* s = insert_settlement_.get();
      BindAll(s, r.setl_id, r.cancels, r.mdtrt_id, r.psn_no, r.fixmedins_code, r.insutype,
              r.med_type, int64_t(r.year), r.policy_region, r.policy_version, r.medfee_sumamt,
              r.fund_pay_sumamt, r.psn_part_amt, r.acct_pay, r.psn_cash_pay,
              framed ? kNoText : r.bill_json, r.clr_type, r.setl_time, postings_,
              BlobOrNull{framed ? &bill_frame_ : nullptr});
      // The visit's index (one live settlement) or the setl_id.
      if (int rc = Run(s); rc != SQLITE_DONE) return Refused(rc, WriteStatus::kDuplicateVisit);
      if (!r.cancels.empty()) {
        BindAll(mark_cancelled_.get(), r.setl_id, r.cancels);
        if (!Step(mark_cancelled_.get())) return WriteStatus::kFailed;
        if (sqlite3_changes(writer_db_) != 1)
          return WriteStatus::kDuplicateVisit;  // nothing live to cancel
      }
      if (!deltas_ok) return WriteStatus::kFailed;
      for (const auto& d : w.accumulators) {
        if (d.delta == 0) continue;
        BindAll(add_accumulator_.get(), r.psn_no, r.insutype, int64_t(r.year), d.account, d.delta);
        if (!Step(add_accumulator_.get())) return WriteStatus::kFailed;
      }
    }
    if (w.contribution) {
      const ContributionRecord& c = *w.contribution;
      // The journal goes in its row when it is posted under its id.
      postings_.clear();
      if (posting_id.empty()) {
        posting_id = c.contribution_id;
        EncodePostings({}, w.journal, postings_);
      }
      BindAll(insert_contribution_.get(), c.contribution_id, c.psn_no, c.emp_no, c.insutype,
              c.period, c.base, c.employer_part, c.employee_part, c.subsidy, c.to_account,
              c.to_pool, postings_);
      if (int rc = Run(insert_contribution_.get()); rc != SQLITE_DONE)
        return Refused(rc, WriteStatus::kDuplicateMsgid);
    }
    for (const auto& f : w.fee_lines_cancelled) {
      BindAll(cancel_fee_line_.get(), f.fixmedins_code, f.mdtrt_id, f.feedetl_sn);
      if (!Step(cancel_fee_line_.get())) return WriteStatus::kFailed;
      if (sqlite3_changes(writer_db_) != 1) return WriteStatus::kNotFound;
    }
    for (const auto& f : w.fee_lines) {
      BindAll(insert_fee_line_.get(), f.fixmedins_code, f.mdtrt_id, f.feedetl_sn, f.chrg_bchno,
              f.med_list_codg, f.medins_list_codg, f.cnt, f.pric, f.det_item_fee_sumamt,
              f.hosp_appr_flag, int64_t(f.prd_days), f.fee_ocur_time);
      if (int rc = Run(insert_fee_line_.get()); rc != SQLITE_DONE)
        return Refused(rc, WriteStatus::kDuplicateFeeLine);
    }
    for (const auto& p : w.persons) {
      BindAll(upsert_person_.get(), p.psn_no, p.psn_cert_type, p.certno, p.psn_name, p.gend, p.brdy,
              p.naty);
      if (!Step(upsert_person_.get())) return WriteStatus::kFailed;
      BindAll(delete_insurances_.get(), p.psn_no);
      if (!Step(delete_insurances_.get())) return WriteStatus::kFailed;
      BindAll(delete_identities_.get(), p.psn_no);
      if (!Step(delete_identities_.get())) return WriteStatus::kFailed;
      for (size_t i = 0; i < p.insurances.size(); ++i) {
        const InsuranceRecord& n = p.insurances[i];
        BindAll(insert_insurance_.get(), p.psn_no, n.insutype, int64_t(i), n.psn_type,
                n.psn_insu_stas, n.psn_insu_date, n.paus_insu_date, n.insuplc_admdvs, n.emp_no,
                n.cvlserv_flag);
        if (!Step(insert_insurance_.get())) return WriteStatus::kFailed;  // an insutype twice
      }
      for (size_t i = 0; i < p.identities.size(); ++i) {
        const IdentityRecord& d = p.identities[i];
        BindAll(insert_identity_.get(), p.psn_no, int64_t(i), d.psn_idet_type, d.begntime,
                d.endtime);
        if (!Step(insert_identity_.get())) return WriteStatus::kFailed;
      }
    }
    for (const auto& e : w.employers) {
      BindAll(upsert_employer_.get(), e.emp_no, e.emp_name, e.admdvs);
      if (!Step(upsert_employer_.get())) return WriteStatus::kFailed;
    }
    for (const auto& i : w.institutions) {
      BindAll(upsert_institution_.get(), i.fixmedins_code, i.fixmedins_name, i.fixmedins_type,
              int64_t(i.hosp_lv), i.admdvs, i.credential_sm3, i.sm2_public_key,
              int64_t(i.active ? 1 : 0));
      if (!Step(upsert_institution_.get())) return WriteStatus::kFailed;
    }
    for (const auto& f : w.filings) {
      BindAll(upsert_filing_.get(), f.filing_id, f.psn_no, f.filing_type, f.mdtrtarea_admvs,
              f.begndate, f.enddate, int64_t(f.revoked ? 1 : 0));
      if (!Step(upsert_filing_.get())) return WriteStatus::kFailed;
    }
    if (w.sign_in) {
      const SignInRecord& s = *w.sign_in;
      BindAll(upsert_sign_in_.get(), s.sign_no, s.fixmedins_code, s.opter_no, s.sign_time,
              int64_t(s.signed_out ? 1 : 0));
      if (!Step(upsert_sign_in_.get())) return WriteStatus::kFailed;
    }
    if (w.visit) {
      const VisitRecord& v = *w.visit;
      sqlite3_stmt* s = w.visit_is_new ? insert_visit_.get() : upsert_visit_.get();
      BindAll(s, v.fixmedins_code, v.mdtrt_id, v.psn_no, v.insutype, v.med_type, v.ipt_otp_no,
              v.begntime, v.endtime, v.status, v.info_json);
      const int rc = Run(s);
      if (!w.visit_is_new) {
        if (rc != SQLITE_DONE) return WriteStatus::kFailed;
      } else if (rc != SQLITE_DONE) {
        return Refused(rc, WriteStatus::kDuplicateVisit);  // its row is there
      } else if (sqlite3_changes(writer_db_) != 1) {
        return WriteStatus::kDuplicateVisit;  // lines or a settlement under its key
      }
    }
    for (const auto& e : w.journal) {
      BindAll(insert_journal_.get(), posting_id, e.account, e.amount);
      if (!Step(insert_journal_.get())) return WriteStatus::kFailed;
    }
    if (!w.msgid.empty()) {
      const std::string reply = StoredReply(w);
      BindAll(insert_reply_.get(), w.fixmedins_code, w.msgid, w.infno, reply);
      if (int rc = Run(insert_reply_.get()); rc != SQLITE_DONE)
        return Refused(rc, WriteStatus::kDuplicateMsgid);
    }
    if (!w.audit_operator.empty()) {
      BindAll(insert_audit_.get(), w.fixmedins_code, w.audit_operator, w.audit_action);
      if (!Step(insert_audit_.get())) return WriteStatus::kFailed;
    }
    // Kept: its entries move the balances when the batch commits (AddBatchBalances).
    for (const auto& e : w.journal) batch_balances_[e.account] += e.amount;
    return WriteStatus::kDurable;
  }

  // The balances the batch's kept writes moved, one upsert an account: every settlement posts to
  // the same few fund accounts and its hospital's, which one upsert per entry rewrote dozens of
  // times a batch. Same transaction, so a balance still changes exactly with its journal rows.
  bool AddBatchBalances() {
    for (const auto& [account, amount] : batch_balances_) {
      BindAll(add_balance_.get(), account, amount);
      if (!Step(add_balance_.get())) return false;
    }
    return true;
  }

  // The pre-check: true when Apply(w) cannot be refused once it has changed the database, so that
  // it needs no savepoint. There is one writer and the checks read the writer's own connection
  // inside the batch's transaction, so they see the database as Apply will: the committed rows
  // and the batch's earlier writes. What follows within the write itself (a line cancelled and
  // uploaded again, a feedetl_sn twice) is followed here. The settlement's own insert (its setl_id,
  // the live-visit index) is not checked: it is the write's first change — before it only the
  // journal balance, computed in memory — and a statement that fails changes nothing, so such a
  // refusal leaves nothing to undo. False ("maybe refused") is always safe: the write then runs in
  // a savepoint as before, and SQLite decides its status.
  bool Unrefusable(const LedgerWrite& w) {
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      if (!r.cancels.empty()) {  // mark_cancelled must find the original live
        BindAll(live_settlement_.get(), r.cancels);
        if (Found(live_settlement_.get()) != true) return false;
      }
      if (!SortedDeltas(w.accumulators, deltas_)) return false;  // an account twice: kFailed
    }
    if (w.contribution) {
      BindAll(contribution_exists_.get(), w.contribution->contribution_id);
      if (Found(contribution_exists_.get()) != false) return false;
    }
    if (!w.fee_lines_cancelled.empty() || !w.fee_lines.empty()) {
      using Key = std::array<std::string_view, 3>;
      std::set<Key> cancelled, uploaded;  // by this write
      for (const auto& f : w.fee_lines_cancelled) {
        if (!cancelled.insert(Key{f.fixmedins_code, f.mdtrt_id, f.feedetl_sn}).second)
          return false;  // cancelled twice in the write: the second is not live
        BindAll(live_fee_line_.get(), f.fixmedins_code, f.mdtrt_id, f.feedetl_sn);
        if (Found(live_fee_line_.get()) != true) return false;
      }
      for (const auto& f : w.fee_lines) {
        const Key key{f.fixmedins_code, f.mdtrt_id, f.feedetl_sn};
        if (!uploaded.insert(key).second) return false;  // twice in the write
        if (cancelled.count(key)) continue;  // live now, cancelled by this write before the insert
        BindAll(live_fee_line_.get(), f.fixmedins_code, f.mdtrt_id, f.feedetl_sn);
        if (Found(live_fee_line_.get()) != false) return false;
      }
    }
    // Employers, institutions, filings, the sign-in and the visit are upserts on their primary
    // keys: nothing of theirs is ever refused, but a new visit the store knows already.
    if (w.visit && w.visit_is_new) {
      BindAll(visit_known_.get(), w.visit->fixmedins_code, w.visit->mdtrt_id);
      if (Found(visit_known_.get()) != false) return false;
    }
    for (const auto& p : w.persons) {  // one insutype twice: kFailed
      for (size_t i = 0; i < p.insurances.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (p.insurances[i].insutype == p.insurances[j].insutype) return false;
    }
    if (!w.msgid.empty()) {
      BindAll(reply_exists_.get(), w.fixmedins_code, w.msgid);
      if (Found(reply_exists_.get()) != false) return false;
    }
    return true;
  }

  // Applies `w` inside a savepoint, undone if the write is refused.
  WriteStatus ApplyInSavepoint(const LedgerWrite& w) {
    ++sqlite_ledger_testing::savepoint_writes;
    Step(savepoint_.get());
    WriteStatus status = Apply(w);
    if (status != WriteStatus::kDurable) Step(rollback_to_.get());
    Step(release_.get());
    return status;
  }

  // One transaction for the whole batch. A write the pre-check finds unrefusable is applied
  // without a savepoint (the common case: a savepoint per write cost about a fifth of the writer's
  // CPU); one it cannot vouch for runs inside a savepoint, undone alone if refused. Should an
  // unguarded write fail anyway after changing something (an I/O error, a rule the pre-check does
  // not know), the whole transaction is rolled back and the batch re-run with a savepoint per
  // write, so correctness never rests on the pre-check being complete.
  // A bill dictionary the codec has trained is made durable in a transaction of its own, before
  // any bill is compressed with it (BillCodec::Adopt); rare: the first, and one each time the bills
  // drift.
  void StoreTrainedDictionary() {
    std::optional<BillDictionary> d = codec_->TakeTrained();
    if (!d) return;
    BindAll(insert_dictionary_.get(), int64_t(d->id), BlobOrNull{&d->content}, int64_t(d->samples));
    const bool stored = Step(begin_.get()) && Step(insert_dictionary_.get()) && Step(commit_.get());
    if (!stored && !sqlite3_get_autocommit(writer_db_)) Step(rollback_.get());
    codec_->Adopt(std::move(*d), stored);
  }

  void CommitBatch(const std::vector<LedgerWrite>& writes, std::vector<WriteStatus>& status) {
    StoreTrainedDictionary();
    batch_balances_.clear();
    if (!Step(begin_.get())) return;
    const int forced = sqlite_ledger_testing::forced_fallback;
    int unguarded = 0;
    bool fall_back = false;
    for (size_t i = 0; i < writes.size() && !fall_back; ++i) {
      if (!Unrefusable(writes[i])) {
        status[i] = ApplyInSavepoint(writes[i]);
        continue;
      }
      status[i] = Apply(writes[i]);
      ++unguarded;
      // Refused before it changed anything (unbalanced; its settlement's insert): nothing to undo.
      const bool kept =
          status[i] == WriteStatus::kDurable || (status[i] != WriteStatus::kFailed && !wrote_);
      fall_back = !kept || unguarded == forced;
    }
    if (forced > 0 && unguarded < forced) fall_back = true;
    if (fall_back) {
      ++sqlite_ledger_testing::fallback_batches;
      if (!sqlite3_get_autocommit(writer_db_)) Step(rollback_.get());
      status.assign(writes.size(), WriteStatus::kFailed);
      batch_balances_.clear();  // rolled back with the rest
      if (!Step(begin_.get())) return;
      for (size_t i = 0; i < writes.size(); ++i) status[i] = ApplyInSavepoint(writes[i]);
    } else {
      sqlite_ledger_testing::unguarded_writes += unguarded;
    }
    if (!AddBatchBalances() || !Step(commit_.get())) {
      Exec(writer_db_, "ROLLBACK");
      status.assign(writes.size(), WriteStatus::kFailed);
    }
  }

  sqlite3* writer_db_;
  const bool
      legacy_postings_;  // rows written by an earlier version keep postings in the old tables
  SqliteLedgerOptions options_;
  std::vector<std::unique_ptr<ReaderSlot>> readers_;  // fixed after construction
  // The writer thread's scratch for Apply.
  std::vector<std::pair<std::string_view, int64_t>> deltas_;
  std::string postings_;
  std::string bill_frame_;
  std::map<std::string, int64_t> batch_balances_;  // by account, from the batch's kept writes
  bool wrote_ = false;  // the current Apply has run a statement that may have changed something
  Stmt begin_, commit_, savepoint_, rollback_to_, release_, rollback_;
  Stmt live_settlement_, contribution_exists_, live_fee_line_, reply_exists_,
      visit_known_;  // pre-check
  Stmt insert_settlement_, mark_cancelled_, add_accumulator_, insert_journal_, add_balance_,
      insert_reply_, insert_audit_, upsert_person_, delete_insurances_, delete_identities_,
      insert_insurance_, insert_identity_, upsert_employer_, upsert_institution_, upsert_filing_,
      upsert_sign_in_, upsert_visit_, insert_visit_, insert_fee_line_, cancel_fee_line_,
      insert_contribution_, insert_dictionary_;
  // The log is checkpointed off the writer's thread past kCheckpointPages (SQLite's own default
  // threshold; 4096 measured no faster and cost more CPU per settlement), by the writer itself
  // past kInlineCheckpointPages (512 MiB of 8 KiB pages).
  static constexpr int kCheckpointPages = 1000, kInlineCheckpointPages = 65536;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  const std::unique_ptr<BillCodec> codec_;     // the readers decode with it, the writer encodes
  std::unique_ptr<GroupCommitWriter> writer_;  // last: stopped before the statements are finalised
};

thread_local SqliteLedger::ReadScopeState SqliteLedger::scope_;

}  // namespace

Result<std::unique_ptr<Ledger>> OpenSqliteLedger(const std::string& path,
                                                 SqliteLedgerOptions options) {
  auto writer = OpenConnection(path);
  if (!writer) return writer.errors();
  bool legacy_postings = false;
  if (!EnsureSchema(*writer, legacy_postings)) {
    std::string msg = sqlite3_errmsg(*writer);
    sqlite3_close(*writer);
    return Diagnostic{path, 0, "", "cannot create the ledger schema: " + msg};
  }
  // Readers: enough for every thread that reads at once to have its own connection; and one more
  // connection for the checkpoints.
  const size_t n = std::clamp<size_t>(std::thread::hardware_concurrency(), 4, 8);
  std::vector<sqlite3*> readers;
  for (size_t i = 0; i <= n; ++i) {
    auto reader = OpenConnection(path);
    if (!reader) {
      for (sqlite3* r : readers) sqlite3_close(r);
      sqlite3_close(*writer);
      return reader.errors();
    }
    readers.push_back(*reader);
  }
  sqlite3* checkpointer = readers.back();
  readers.pop_back();
  auto codec = std::make_unique<BillCodec>(options.bill_codec);
  std::string error;
  {
    Stmt s = Prepare(*writer, "SELECT dict_id, content FROM bill_dictionary ORDER BY dict_id");
    while (error.empty() && s && sqlite3_step(s.get()) == SQLITE_ROW)
      error = codec->AddDictionary(
          uint32_t(Int(s.get(), 0)),
          std::string_view(static_cast<const char*>(sqlite3_column_blob(s.get(), 1)),
                           size_t(sqlite3_column_bytes(s.get(), 1))));
    if (!s) error = sqlite3_errmsg(*writer);
  }
  if (!error.empty()) {
    for (sqlite3* r : readers) sqlite3_close(r);
    sqlite3_close(checkpointer);
    sqlite3_close(*writer);
    return Diagnostic{path, 0, "bill_dictionary", "cannot load the bill dictionaries: " + error};
  }
  return std::unique_ptr<Ledger>(
      new SqliteLedger(*writer, readers, checkpointer, legacy_postings, options, std::move(codec)));
}

}  // namespace yibao
