#include "ledger/pg_ledger.h"

#include "ledger/group_commit.h"
#include "ledger/pg_bulk.h"
#include "ledger/pg_result.h"

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
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>

namespace yibao {
namespace {

// The SQLite schema in PostgreSQL dialect. `seq` keeps the insertion order of settlements and
// contributions (SQLite's rowid); nothing is ever deleted but a person's insurances and identities,
// which a person upsert replaces (see sqlite_ledger.cc). Columns that are compared or sorted as
// text where the order matters are COLLATE "C" (byte order, as in SQLite). The ALTERs bring a
// ledger made before clr_type and setl_time existed up to date.
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
  bill_json TEXT NOT NULL,
  clr_type TEXT COLLATE "C" NOT NULL DEFAULT '',
  setl_time TEXT COLLATE "C" NOT NULL DEFAULT ''
);
ALTER TABLE settlement ADD COLUMN IF NOT EXISTS clr_type TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE settlement ADD COLUMN IF NOT EXISTS setl_time TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS settlement_reconcile
  ON settlement(fixmedins_code, insutype, clr_type, setl_time);
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
CREATE INDEX IF NOT EXISTS journal_setl ON journal(setl_id);
-- msgid in byte order whatever the database's locale, so that an institution's greatest msgid is
-- one descent of the key (MsgidCeiling); a ledger made before has the database's collation.
CREATE TABLE IF NOT EXISTS msgid_reply (
  fixmedins_code TEXT NOT NULL, msgid TEXT COLLATE "C" NOT NULL, infno TEXT NOT NULL,
  reply TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, msgid)
);
CREATE TABLE IF NOT EXISTS audit_log (
  entry_id BIGSERIAL PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS person (
  psn_no TEXT COLLATE "C" PRIMARY KEY,
  psn_cert_type TEXT NOT NULL, certno TEXT NOT NULL, psn_name TEXT NOT NULL, gend TEXT NOT NULL,
  brdy TEXT NOT NULL, naty TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS person_cert ON person(psn_cert_type, certno);
CREATE TABLE IF NOT EXISTS insurance (
  psn_no TEXT NOT NULL, insutype TEXT NOT NULL, seq INTEGER NOT NULL,
  psn_type TEXT NOT NULL, psn_insu_stas TEXT NOT NULL, psn_insu_date TEXT NOT NULL,
  paus_insu_date TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL, emp_no TEXT NOT NULL,
  cvlserv_flag TEXT NOT NULL,
  PRIMARY KEY (psn_no, insutype)
);
CREATE TABLE IF NOT EXISTS identity (
  psn_no TEXT NOT NULL, seq INTEGER NOT NULL,
  psn_idet_type TEXT NOT NULL, begntime TEXT NOT NULL, endtime TEXT NOT NULL,
  PRIMARY KEY (psn_no, seq)
);
CREATE TABLE IF NOT EXISTS employer (
  emp_no TEXT PRIMARY KEY, emp_name TEXT NOT NULL, admdvs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS institution (
  fixmedins_code TEXT COLLATE "C" PRIMARY KEY, fixmedins_name TEXT NOT NULL,
  fixmedins_type TEXT NOT NULL, hosp_lv INTEGER NOT NULL, admdvs TEXT NOT NULL,
  credential_sm3 TEXT NOT NULL, sm2_public_key TEXT NOT NULL, active BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS sign_in (
  sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, opter_no TEXT NOT NULL,
  sign_time TEXT NOT NULL, signed_out BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS visit (
  fixmedins_code TEXT NOT NULL, mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
  insutype TEXT NOT NULL, med_type TEXT NOT NULL, ipt_otp_no TEXT NOT NULL,
  begntime TEXT NOT NULL, endtime TEXT NOT NULL, status TEXT NOT NULL, info_json TEXT NOT NULL,
  PRIMARY KEY (fixmedins_code, mdtrt_id)
);
CREATE TABLE IF NOT EXISTS fee_line (
  line_id BIGSERIAL PRIMARY KEY,
  fixmedins_code TEXT NOT NULL, mdtrt_id TEXT NOT NULL, feedetl_sn TEXT NOT NULL,
  chrg_bchno TEXT NOT NULL, med_list_codg TEXT NOT NULL, medins_list_codg TEXT NOT NULL,
  cnt TEXT NOT NULL, pric TEXT NOT NULL, det_item_fee_sumamt BIGINT NOT NULL,
  hosp_appr_flag TEXT NOT NULL, prd_days INTEGER NOT NULL, fee_ocur_time TEXT NOT NULL,
  cancelled BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX IF NOT EXISTS fee_line_live
  ON fee_line(fixmedins_code, mdtrt_id, feedetl_sn) WHERE NOT cancelled;
CREATE INDEX IF NOT EXISTS fee_line_visit ON fee_line(fixmedins_code, mdtrt_id, line_id);
CREATE TABLE IF NOT EXISTS contribution (
  seq BIGSERIAL NOT NULL,
  contribution_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, emp_no TEXT NOT NULL,
  insutype TEXT NOT NULL, period TEXT NOT NULL, base BIGINT NOT NULL,
  employer_part BIGINT NOT NULL, employee_part BIGINT NOT NULL, subsidy BIGINT NOT NULL,
  to_account BIGINT NOT NULL, to_pool BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS contribution_person ON contribution(psn_no, seq);
CREATE TABLE IF NOT EXISTS filing (
  filing_id TEXT COLLATE "C" PRIMARY KEY, psn_no TEXT NOT NULL, filing_type TEXT NOT NULL,
  mdtrtarea_admvs TEXT NOT NULL, begndate TEXT COLLATE "C" NOT NULL, enddate TEXT NOT NULL,
  revoked BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS filing_person ON filing(psn_no, begndate, filing_id);
CREATE INDEX IF NOT EXISTS visit_person ON visit(psn_no);
-- Each journal account's balance, kept by every write that posts (an index on journal(account,
-- amount) put each entry at a random place of it). A ledger made before it gets it filled from its
-- journal, and loses that index.
CREATE TABLE IF NOT EXISTS account_balance (
  account TEXT PRIMARY KEY,
  balance BIGINT NOT NULL
);
INSERT INTO account_balance SELECT account, SUM(amount) FROM journal GROUP BY account
  ON CONFLICT (account) DO NOTHING;
DROP INDEX IF EXISTS journal_account;
-- Every settlement row of a visit, unique: at most one live settlement a visit; a person's
-- settlements are found through the person's visits (see sqlite_ledger.cc). A ledger made before it
-- loses the two indexes it replaces.
CREATE UNIQUE INDEX IF NOT EXISTS settlement_visit
  ON settlement(fixmedins_code, mdtrt_id, cancels, cancelled_by);
DROP INDEX IF EXISTS settlement_live_visit;
DROP INDEX IF EXISTS settlement_person;
-- The bill as a zstd frame (ledger/bill_codec.h), bill_json then ''; NULL: the bill is bill_json.
-- The dictionaries the frames are compressed with are never changed or removed.
ALTER TABLE settlement ADD COLUMN IF NOT EXISTS bill BYTEA;
CREATE TABLE IF NOT EXISTS bill_dictionary (
  dict_id BIGINT PRIMARY KEY,  -- the Dictionary_ID in its content and in every frame it made
  content BYTEA NOT NULL,      -- zstd's dictionary format: `zstd -d -D` reads the bills with it
  samples BIGINT NOT NULL      -- how many bills it was trained on
);
)sql";

// The last object kSchema creates: when it exists, so does everything else (EnsureSchema). A
// ledger made before the newest object lacks it, so the whole (idempotent) script runs once more
// and adds what is missing.
constexpr const char* kSchemaMarker = "bill_dictionary";

struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kWriterStatements[] = {
    {"ins_settlement", R"sql(
      INSERT INTO settlement (setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type,
        year, policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
        psn_cash_pay, bill_json, clr_type, setl_time, bill)
      VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19))sql"},
    {"ins_dictionary", "INSERT INTO bill_dictionary (dict_id, content, samples) VALUES ($1,$2,$3)"},
    {"mark_cancelled", R"sql(
      UPDATE settlement SET cancelled_by = $1 WHERE setl_id = $2 AND cancels = '' AND cancelled_by = '')sql"},
    {"add_accumulator", R"sql(
      INSERT INTO accumulator (psn_no, insutype, year, account, value) VALUES ($1,$2,$3,$4,$5)
      ON CONFLICT (psn_no, insutype, year, account)
      DO UPDATE SET value = accumulator.value + EXCLUDED.value)sql"},
    {"ins_delta", "INSERT INTO accumulator_delta (setl_id, account, delta) VALUES ($1,$2,$3)"},
    {"ins_journal", "INSERT INTO journal (setl_id, account, amount) VALUES ($1,$2,$3)"},
    {"add_balance", R"sql(
      INSERT INTO account_balance (account, balance) VALUES ($1,$2)
      ON CONFLICT (account) DO UPDATE SET balance = account_balance.balance + EXCLUDED.balance)sql"},
    {"ins_reply",
     "INSERT INTO msgid_reply (fixmedins_code, msgid, infno, reply) VALUES ($1,$2,$3,$4)"},
    {"ins_audit", "INSERT INTO audit_log (fixmedins_code, operator, action) VALUES ($1,$2,$3)"},
    {"upsert_person", R"sql(
      INSERT INTO person (psn_no, psn_cert_type, certno, psn_name, gend, brdy, naty)
      VALUES ($1,$2,$3,$4,$5,$6,$7)
      ON CONFLICT (psn_no) DO UPDATE SET psn_cert_type = EXCLUDED.psn_cert_type,
        certno = EXCLUDED.certno, psn_name = EXCLUDED.psn_name, gend = EXCLUDED.gend,
        brdy = EXCLUDED.brdy, naty = EXCLUDED.naty)sql"},
    {"del_insurances", "DELETE FROM insurance WHERE psn_no = $1"},
    {"del_identities", "DELETE FROM identity WHERE psn_no = $1"},
    {"ins_insurance", R"sql(
      INSERT INTO insurance (psn_no, insutype, seq, psn_type, psn_insu_stas, psn_insu_date,
        paus_insu_date, insuplc_admdvs, emp_no, cvlserv_flag)
      VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10))sql"},
    {"ins_identity",
     "INSERT INTO identity (psn_no, seq, psn_idet_type, begntime, endtime) VALUES "
     "($1,$2,$3,$4,$5)"},
    {"upsert_employer", R"sql(
      INSERT INTO employer (emp_no, emp_name, admdvs) VALUES ($1,$2,$3)
      ON CONFLICT (emp_no) DO UPDATE SET emp_name = EXCLUDED.emp_name, admdvs = EXCLUDED.admdvs)sql"},
    {"upsert_institution", R"sql(
      INSERT INTO institution (fixmedins_code, fixmedins_name, fixmedins_type, hosp_lv, admdvs,
        credential_sm3, sm2_public_key, active) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
      ON CONFLICT (fixmedins_code) DO UPDATE SET fixmedins_name = EXCLUDED.fixmedins_name,
        fixmedins_type = EXCLUDED.fixmedins_type, hosp_lv = EXCLUDED.hosp_lv,
        admdvs = EXCLUDED.admdvs, credential_sm3 = EXCLUDED.credential_sm3,
        sm2_public_key = EXCLUDED.sm2_public_key, active = EXCLUDED.active)sql"},
    {"upsert_filing", R"sql(
      INSERT INTO filing (filing_id, psn_no, filing_type, mdtrtarea_admvs, begndate, enddate,
        revoked) VALUES ($1,$2,$3,$4,$5,$6,$7)
      ON CONFLICT (filing_id) DO UPDATE SET psn_no = EXCLUDED.psn_no,
        filing_type = EXCLUDED.filing_type, mdtrtarea_admvs = EXCLUDED.mdtrtarea_admvs,
        begndate = EXCLUDED.begndate, enddate = EXCLUDED.enddate, revoked = EXCLUDED.revoked)sql"},
    {"upsert_sign_in", R"sql(
      INSERT INTO sign_in (sign_no, fixmedins_code, opter_no, sign_time, signed_out)
      VALUES ($1,$2,$3,$4,$5)
      ON CONFLICT (sign_no) DO UPDATE SET fixmedins_code = EXCLUDED.fixmedins_code,
        opter_no = EXCLUDED.opter_no, sign_time = EXCLUDED.sign_time,
        signed_out = EXCLUDED.signed_out)sql"},
    // A new visit: nothing of it in the store (its row: the key's constraint; lines, settlements:
    // no row inserted).
    {"ins_visit", R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json) SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9,$10
      WHERE NOT EXISTS (SELECT 1 FROM fee_line WHERE fixmedins_code = $1 AND mdtrt_id = $2)
        AND NOT EXISTS (SELECT 1 FROM settlement WHERE fixmedins_code = $1 AND mdtrt_id = $2))sql"},
    {"upsert_visit", R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
      )sql" YIBAO_PG_VISIT_UPSERT},
    {"ins_fee_line", R"sql(
      INSERT INTO fee_line (fixmedins_code, mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg,
        medins_list_codg, cnt, pric, det_item_fee_sumamt, hosp_appr_flag, prd_days, fee_ocur_time)
      VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12))sql"},
    {"cancel_fee_line", R"sql(
      UPDATE fee_line SET cancelled = TRUE
      WHERE fixmedins_code = $1 AND mdtrt_id = $2 AND feedetl_sn = $3 AND NOT cancelled)sql"},
    {"ins_contribution", R"sql(
      INSERT INTO contribution (contribution_id, psn_no, emp_no, insutype, period, base,
        employer_part, employee_part, subsidy, to_account, to_pool)
      VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11))sql"},
};

#define YIBAO_SELECT_SETTLEMENT                                                             \
  "SELECT setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year, "   \
  "policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, " \
  "psn_cash_pay, bill_json, clr_type, setl_time, bill FROM settlement"

// One person with its insurances and identities in one statement (so one snapshot): rows of kind 0
// (the person), 1 (an insurance), 2 (an identity), each in its seq order. `p` is the person.
#define YIBAO_SELECT_PERSON_FROM_P                                                                \
  "SELECT 0 AS kind, 0 AS seq, psn_no, psn_cert_type, certno, psn_name, gend, brdy, naty, '' "    \
  "FROM p UNION ALL "                                                                             \
  "SELECT 1, i.seq, i.insutype, i.psn_type, i.psn_insu_stas, i.psn_insu_date, i.paus_insu_date, " \
  "i.insuplc_admdvs, i.emp_no, i.cvlserv_flag FROM insurance i JOIN p ON i.psn_no = p.psn_no "    \
  "UNION ALL "                                                                                    \
  "SELECT 2, d.seq, d.psn_idet_type, d.begntime, d.endtime, '', '', '', '', '' "                  \
  "FROM identity d JOIN p ON d.psn_no = p.psn_no ORDER BY 1, 2"

#define YIBAO_SELECT_INSTITUTION                                             \
  "SELECT fixmedins_code, fixmedins_name, fixmedins_type, hosp_lv, admdvs, " \
  "credential_sm3, sm2_public_key, active FROM institution"

#define YIBAO_SELECT_FILING \
  "SELECT filing_id, psn_no, filing_type, mdtrtarea_admvs, begndate, enddate, revoked FROM filing"

// Byte order (COLLATE "C") wherever text is sorted, as in SQLite, whatever the database's locale.
constexpr Statement kReaderStatements[] = {
    {"r_accumulators",
     "SELECT account, value FROM accumulator WHERE psn_no=$1 AND insutype=$2 AND year=$3"},
    {"r_settlement", YIBAO_SELECT_SETTLEMENT " WHERE setl_id=$1"},
    {"r_live_visit", YIBAO_SELECT_SETTLEMENT
     " WHERE fixmedins_code=$1 AND mdtrt_id=$2 AND cancels='' AND cancelled_by=''"},
    // A settlement's reply is kept once, in its row (StoredReply in ledger.h).
    {"r_reply",
     "SELECT CASE WHEN substr(r.reply, 1, 6) = '@setl:' THEN s.bill_json ELSE r.reply END, "
     "r.infno, "
     "s.bill FROM msgid_reply r LEFT JOIN settlement s ON substr(r.reply, 1, 6) = '@setl:' AND "
     "s.setl_id = substr(r.reply, 7) WHERE r.fixmedins_code=$1 AND r.msgid=$2"},
    // msgid's max is in byte order only when its collation is C (or POSIX): the column's own (a
    // ledger made now), or the database's where the column has the default (a ledger made before
    // under such a database). Otherwise the first column is false and the read cache asks the
    // store for every msgid.
    {"r_msgid_ceiling",
     "SELECT (SELECT CASE WHEN co.collname = 'default' THEN d.datcollate IN ('C', 'POSIX') "
     "ELSE co.collname IN ('C', 'POSIX') END "
     "FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation, pg_database d "
     "WHERE a.attrelid = 'msgid_reply'::regclass AND a.attname = 'msgid' "
     "AND d.datname = current_database()), "
     "COALESCE((SELECT max(msgid) FROM msgid_reply WHERE fixmedins_code=$1), '')"},
    {"r_journal_sum", "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM journal"},
    {"r_balance",
     "SELECT COALESCE((SELECT balance FROM account_balance WHERE account=$1), 0)::BIGINT"},
    {"r_settlements_of", YIBAO_SELECT_SETTLEMENT
     " WHERE (fixmedins_code, mdtrt_id) IN (SELECT fixmedins_code, mdtrt_id FROM visit WHERE "
     "psn_no=$1) AND psn_no=$1 AND insutype=$2 AND year=$3 ORDER BY seq"},
    {"r_deltas",
     "SELECT account, delta FROM accumulator_delta WHERE setl_id=$1 ORDER BY account COLLATE "
     "\"C\""},
    {"r_journal", "SELECT account, amount FROM journal WHERE setl_id=$1 ORDER BY entry_id"},
    {"r_person", "WITH p AS (SELECT * FROM person WHERE psn_no=$1) " YIBAO_SELECT_PERSON_FROM_P},
    {"r_person_cert",
     "WITH p AS (SELECT * FROM person WHERE psn_cert_type=$1 AND certno=$2 ORDER BY psn_no LIMIT "
     "1) " YIBAO_SELECT_PERSON_FROM_P},
    {"r_employer", "SELECT emp_no, emp_name, admdvs FROM employer WHERE emp_no=$1"},
    {"r_institution", YIBAO_SELECT_INSTITUTION " WHERE fixmedins_code=$1"},
    {"r_institutions", YIBAO_SELECT_INSTITUTION " ORDER BY fixmedins_code"},
    {"r_sign_in",
     "SELECT sign_no, fixmedins_code, opter_no, sign_time, signed_out FROM sign_in WHERE "
     "sign_no=$1"},
    {"r_person_count", "SELECT COUNT(*) FROM person"},
    {"r_filings", YIBAO_SELECT_FILING " WHERE psn_no=$1 ORDER BY begndate, filing_id"},
    {"r_filing", YIBAO_SELECT_FILING " WHERE filing_id=$1"},
    {"r_visit",
     "SELECT fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no, begntime, endtime, "
     "status, info_json FROM visit WHERE fixmedins_code=$1 AND mdtrt_id=$2"},
    {"r_visits_of_person",
     "SELECT v.fixmedins_code, v.mdtrt_id, v.psn_no, v.insutype, v.med_type, v.ipt_otp_no, "
     "v.begntime, v.endtime, v.status, v.info_json, EXISTS (SELECT 1 FROM settlement s WHERE "
     "s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = v.mdtrt_id AND s.cancels = '' AND "
     "s.cancelled_by = '') FROM visit v WHERE v.psn_no = $1 AND (v.endtime = '' OR v.endtime "
     "COLLATE \"C\" >= $2) AND (v.status IN ('admitted', 'discharged') OR EXISTS (SELECT 1 FROM "
     "settlement s WHERE s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = v.mdtrt_id AND "
     "s.cancels = '' AND s.cancelled_by = '')) ORDER BY v.begntime COLLATE \"C\", "
     "v.fixmedins_code COLLATE \"C\", v.mdtrt_id COLLATE \"C\""},
    {"r_fee_lines_of_person",
     "SELECT f.fixmedins_code, f.mdtrt_id, f.feedetl_sn, f.chrg_bchno, f.med_list_codg, "
     "f.medins_list_codg, f.cnt, f.pric, f.det_item_fee_sumamt, f.hosp_appr_flag, f.prd_days, "
     "f.fee_ocur_time, f.cancelled FROM visit v JOIN fee_line f ON f.fixmedins_code = "
     "v.fixmedins_code AND f.mdtrt_id = v.mdtrt_id WHERE v.psn_no = $1 AND (v.endtime = '' OR "
     "v.endtime COLLATE \"C\" >= $2) AND (v.status IN ('admitted', 'discharged') OR EXISTS "
     "(SELECT 1 FROM settlement s WHERE s.fixmedins_code = v.fixmedins_code AND s.mdtrt_id = "
     "v.mdtrt_id AND s.cancels = '' AND s.cancelled_by = '')) AND NOT f.cancelled "
     "ORDER BY f.line_id"},
    {"r_fee_lines",
     "SELECT fixmedins_code, mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg, medins_list_codg, "
     "cnt, pric, det_item_fee_sumamt, hosp_appr_flag, prd_days, fee_ocur_time, cancelled "
     "FROM fee_line WHERE fixmedins_code=$1 AND mdtrt_id=$2 ORDER BY line_id"},
    {"r_contributions",
     "SELECT contribution_id, psn_no, emp_no, insutype, period, base, employer_part, "
     "employee_part, subsidy, to_account, to_pool FROM contribution WHERE psn_no=$1 ORDER BY seq"},
    // `setl_time >= $4` follows from the substr condition; it lets the index bound the scan.
    {"r_reconcile",
     "SELECT COALESCE(SUM(CASE WHEN cancels = '' THEN 1 ELSE -1 END), 0)::BIGINT, "
     "COALESCE(SUM(medfee_sumamt), 0)::BIGINT, COALESCE(SUM(fund_pay_sumamt), 0)::BIGINT, "
     "COALESCE(SUM(acct_pay), 0)::BIGINT FROM settlement WHERE fixmedins_code=$1 AND insutype=$2 "
     "AND clr_type=$3 AND setl_time >= $4 AND substr(setl_time, 1, 10) BETWEEN $4 AND $5"},
    {"r_audit",
     "SELECT entry_id, fixmedins_code, operator, action FROM audit_log ORDER BY entry_id DESC "
     "LIMIT $1"},
};

#undef YIBAO_SELECT_FILING
#undef YIBAO_SELECT_INSTITUTION
#undef YIBAO_SELECT_PERSON_FROM_P
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

// `statements`: a range of {name, sql} (kWriterStatements, kReaderStatements, kPgBulkStatements).
template <typename Statements>
bool PrepareAll(PGconn* c, const Statements& statements, std::string* err) {
  for (const auto& s : statements) {
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
  PGresult* r =
      PQexec(c, (std::string("SELECT to_regclass('") + kSchemaMarker + "') IS NOT NULL").c_str());
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

// bytea in PostgreSQL's hex text form ("\\x" and two digits a byte), both ways.
std::string HexBytea(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}
std::optional<std::string> FromHexBytea(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2) return std::nullopt;
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::string out((text.size() - 2) / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(text[2 + 2 * i]), lo = digit(text[3 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = char(hi << 4 | lo);
  }
  return out;
}

// The bill stored in column `col` (a zstd frame, NULL when the bill is the text in `text_col`).
// A frame that does not decode is a damaged ledger: an exception, never an empty bill.
std::string StoredBill(PGresult* r, int row, int text_col, int col, const BillCodec& codec,
                       std::string_view whose) {
  if (PQgetisnull(r, row, col)) return Text(r, row, text_col);
  std::optional<std::string> frame =
      FromHexBytea(std::string_view(PQgetvalue(r, row, col), size_t(PQgetlength(r, row, col))));
  if (frame)
    if (auto bill = codec.Decode(*frame)) return std::move(*bill);
  throw std::runtime_error("ledger: the bill of " + std::string(whose) +
                           " does not decode with the ledger's bill dictionaries");
}

SettlementRecord ReadSettlement(PGresult* r, int row, const BillCodec& codec) {
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
  s.bill_json = StoredBill(r, row, 15, 18, codec, "settlement " + s.setl_id);
  s.clr_type = Text(r, row, 16);
  s.setl_time = Text(r, row, 17);
  return s;
}

bool Bool(PGresult* r, int row, int col) { return PQgetvalue(r, row, col)[0] == 't'; }

// Rows of r_person / r_person_cert.
std::optional<PersonRecord> ReadPerson(PGresult* r) {
  std::optional<PersonRecord> p;
  for (int i = 0; r && i < PQntuples(r); ++i) {
    auto t = [&](int col) { return Text(r, i, col); };
    switch (Int(r, i, 0)) {
      case 0:
        p.emplace();
        p->psn_no = t(2);
        p->psn_cert_type = t(3);
        p->certno = t(4);
        p->psn_name = t(5);
        p->gend = t(6);
        p->brdy = t(7);
        p->naty = t(8);
        break;
      case 1:
        if (p)
          p->insurances.push_back(InsuranceRecord{t(2), t(3), t(4), t(5), t(6), t(7), t(8), t(9)});
        break;
      case 2:
        if (p) p->identities.push_back(IdentityRecord{t(2), t(3), t(4)});
        break;
    }
  }
  return p;
}

InstitutionRecord ReadInstitution(PGresult* r, int row) {
  InstitutionRecord s;
  s.fixmedins_code = Text(r, row, 0);
  s.fixmedins_name = Text(r, row, 1);
  s.fixmedins_type = Text(r, row, 2);
  s.hosp_lv = int(Int(r, row, 3));
  s.admdvs = Text(r, row, 4);
  s.credential_sm3 = Text(r, row, 5);
  s.sm2_public_key = Text(r, row, 6);
  s.active = Bool(r, row, 7);
  return s;
}

FeeLineRecord ReadFeeLine(PGresult* r, int row) {
  FeeLineRecord f;
  f.fixmedins_code = Text(r, row, 0);
  f.mdtrt_id = Text(r, row, 1);
  f.feedetl_sn = Text(r, row, 2);
  f.chrg_bchno = Text(r, row, 3);
  f.med_list_codg = Text(r, row, 4);
  f.medins_list_codg = Text(r, row, 5);
  f.cnt = Text(r, row, 6);
  f.pric = Text(r, row, 7);
  f.det_item_fee_sumamt = Int(r, row, 8);
  f.hosp_appr_flag = Text(r, row, 9);
  f.prd_days = int(Int(r, row, 10));
  f.fee_ocur_time = Text(r, row, 11);
  f.cancelled = Bool(r, row, 12);
  return f;
}

FilingRecord ReadFiling(PGresult* r, int row) {
  auto t = [&](int col) { return Text(r, row, col); };
  return FilingRecord{t(0), t(1), t(2), t(3), t(4), t(5), Bool(r, row, 6)};
}

ContributionRecord ReadContribution(PGresult* r, int row) {
  ContributionRecord c;
  c.contribution_id = Text(r, row, 0);
  c.psn_no = Text(r, row, 1);
  c.emp_no = Text(r, row, 2);
  c.insutype = Text(r, row, 3);
  c.period = Text(r, row, 4);
  c.base = Int(r, row, 5);
  c.employer_part = Int(r, row, 6);
  c.employee_part = Int(r, row, 7);
  c.subsidy = Int(r, row, 8);
  c.to_account = Int(r, row, 9);
  c.to_pool = Int(r, row, 10);
  return c;
}

using Res = PgResult;

class PgLedger final : public Ledger {
 public:
  PgLedger(std::string conninfo, PGconn* writer, std::vector<PGconn*> readers,
           PgLedgerOptions options, std::unique_ptr<BillCodec> codec)
      : conninfo_(std::move(conninfo)),
        writer_conn_(writer),
        readers_(std::move(readers)),
        idle_readers_(readers_),
        options_(options),
        codec_(std::move(codec)),
        statistics_(conninfo_, options_.statistics) {
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
    for (PGconn* c : readers_) PQfinish(c);
  }

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) override {
    writer_->Submit(std::move(write), std::move(done));
  }

  std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::string y = std::to_string(year);
    ReaderLease lease(*this);
    Res r = lease.Read("r_accumulators", {psn_no.c_str(), insutype.c_str(), y.c_str()});
    std::map<std::string, int64_t> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out[Text(r.get(), i, 0)] = Int(r.get(), i, 1);
    return out;
  }

  std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_settlement", {setl_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadSettlement(r.get(), 0, *codec_);
  }

  std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                        const std::string& mdtrt_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_live_visit", {fixmedins_code.c_str(), mdtrt_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadSettlement(r.get(), 0, *codec_);
  }

  std::optional<std::string> FindReply(const std::string& fixmedins_code, const std::string& msgid,
                                       std::string* infno) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_reply", {fixmedins_code.c_str(), msgid.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    if (infno) *infno = Text(r.get(), 0, 1);
    return StoredBill(r.get(), 0, 0, 2, *codec_, "the reply to msgid " + msgid);
  }

  bool MsgidCeiling(const std::string& fixmedins_code, std::string* ceiling) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_msgid_ceiling", {fixmedins_code.c_str()});
    if (!r || PQntuples(r.get()) != 1 || Text(r.get(), 0, 0) != "t") return false;
    *ceiling = Text(r.get(), 0, 1);
    return true;
  }

  int64_t JournalSum() override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_journal_sum", {});
    return r && PQntuples(r.get()) == 1 ? Int(r.get(), 0, 0) : 0;
  }

  int64_t AccountBalance(const std::string& account) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_balance", {account.c_str()});
    return r && PQntuples(r.get()) == 1 ? Int(r.get(), 0, 0) : 0;
  }

  std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    std::string y = std::to_string(year);
    ReaderLease lease(*this);
    Res r = lease.Read("r_settlements_of", {psn_no.c_str(), insutype.c_str(), y.c_str()});
    std::vector<SettlementRecord> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.push_back(ReadSettlement(r.get(), i, *codec_));
    return out;
  }

  std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_deltas", {setl_id.c_str()});
    std::vector<std::pair<std::string, int64_t>> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.emplace_back(Text(r.get(), i, 0), Int(r.get(), i, 1));
    return out;
  }

  std::vector<JournalEntry> JournalOf(const std::string& setl_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_journal", {setl_id.c_str()});
    std::vector<JournalEntry> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.push_back(JournalEntry{Text(r.get(), i, 0), Int(r.get(), i, 1)});
    return out;
  }

  LedgerStats Stats() override {
    LedgerStats s = writer_->Stats();
    codec_->AddCounts(s);
    s.bulk_batches = bulk_batches_.load(std::memory_order_relaxed);
    s.bulk_rolled_back = bulk_rolled_back_.load(std::memory_order_relaxed);
    s.tables_analysed = statistics_.tables_analysed();
    s.analyse_failures = statistics_.failures();
    return s;
  }

  std::optional<PersonRecord> FindPerson(const std::string& psn_no) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_person", {psn_no.c_str()});
    return ReadPerson(r.get());
  }

  std::optional<PersonRecord> FindPersonByCert(const std::string& psn_cert_type,
                                               const std::string& certno) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_person_cert", {psn_cert_type.c_str(), certno.c_str()});
    return ReadPerson(r.get());
  }

  std::optional<EmployerRecord> FindEmployer(const std::string& emp_no) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_employer", {emp_no.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return EmployerRecord{Text(r.get(), 0, 0), Text(r.get(), 0, 1), Text(r.get(), 0, 2)};
  }

  std::optional<InstitutionRecord> FindInstitution(const std::string& fixmedins_code) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_institution", {fixmedins_code.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadInstitution(r.get(), 0);
  }

  std::vector<InstitutionRecord> Institutions() override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_institutions", {});
    std::vector<InstitutionRecord> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out.push_back(ReadInstitution(r.get(), i));
    return out;
  }

  std::optional<SignInRecord> FindSignIn(const std::string& sign_no) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_sign_in", {sign_no.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return SignInRecord{Text(r.get(), 0, 0), Text(r.get(), 0, 1), Text(r.get(), 0, 2),
                        Text(r.get(), 0, 3), Bool(r.get(), 0, 4)};
  }

  int64_t PersonCount() override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_person_count", {});
    return r && PQntuples(r.get()) == 1 ? Int(r.get(), 0, 0) : 0;
  }

  std::vector<FilingRecord> FilingsOf(const std::string& psn_no) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_filings", {psn_no.c_str()});
    std::vector<FilingRecord> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out.push_back(ReadFiling(r.get(), i));
    return out;
  }

  std::optional<FilingRecord> FindFiling(const std::string& filing_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_filing", {filing_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    return ReadFiling(r.get(), 0);
  }

  std::optional<VisitRecord> FindVisit(const std::string& fixmedins_code,
                                       const std::string& mdtrt_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_visit", {fixmedins_code.c_str(), mdtrt_id.c_str()});
    if (!r || PQntuples(r.get()) == 0) return std::nullopt;
    auto t = [&](int col) { return Text(r.get(), 0, col); };
    return VisitRecord{t(0), t(1), t(2), t(3), t(4), t(5), t(6), t(7), t(8), t(9)};
  }

  SharedFeeLines FeeLinesOf(const std::string& fixmedins_code,
                            const std::string& mdtrt_id) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_fee_lines", {fixmedins_code.c_str(), mdtrt_id.c_str()});
    auto out = std::make_shared<std::vector<FeeLineRecord>>();
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out->push_back(ReadFeeLine(r.get(), i));
    return out;
  }

  std::vector<PersonVisit> ClaimedVisitsOf(const std::string& psn_no,
                                           const std::string& since) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_visits_of_person", {psn_no.c_str(), since.c_str()});
    std::vector<PersonVisit> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) {
      auto t = [&](int col) { return Text(r.get(), i, col); };
      out.push_back(PersonVisit{std::make_shared<const VisitRecord>(VisitRecord{
                                    t(0), t(1), t(2), t(3), t(4), t(5), t(6), t(7), t(8), t(9)}),
                                Bool(r.get(), i, 10)});
    }
    std::vector<FeeLineRecord> lines;
    Res f = lease.Read("r_fee_lines_of_person", {psn_no.c_str(), since.c_str()});
    for (int i = 0; f && i < PQntuples(f.get()); ++i) lines.push_back(ReadFeeLine(f.get(), i));
    AttachLines(out, std::move(lines));
    return out;
  }

  std::vector<ContributionRecord> ContributionsOf(const std::string& psn_no) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_contributions", {psn_no.c_str()});
    std::vector<ContributionRecord> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i) out.push_back(ReadContribution(r.get(), i));
    return out;
  }

  ReconciliationTotals Reconcile(const std::string& fixmedins_code, const std::string& insutype,
                                 const std::string& clr_type, const std::string& begin_date,
                                 const std::string& end_date) override {
    ReaderLease lease(*this);
    Res r = lease.Read("r_reconcile", {fixmedins_code.c_str(), insutype.c_str(), clr_type.c_str(),
                                       begin_date.c_str(), end_date.c_str()});
    if (!r || PQntuples(r.get()) != 1) return {};
    return ReconciliationTotals{Int(r.get(), 0, 0), Int(r.get(), 0, 1), Int(r.get(), 0, 2),
                                Int(r.get(), 0, 3)};
  }

  std::vector<AuditEntry> AuditLog(size_t limit) override {
    const std::string n =
        std::to_string(std::min<uint64_t>(limit, std::numeric_limits<int64_t>::max()));
    ReaderLease lease(*this);
    Res r = lease.Read("r_audit", {n.c_str()});
    std::vector<AuditEntry> out;
    for (int i = 0; r && i < PQntuples(r.get()); ++i)
      out.push_back(AuditEntry{Int(r.get(), i, 0), Text(r.get(), i, 1), Text(r.get(), i, 2),
                               Text(r.get(), i, 3)});
    return out;
  }

 private:
  // One statement sent in the current round: which write it belongs to (-1: transaction control),
  // whether it is a write re-sent after a rollback, and whether it must change exactly one row (and
  // the refusal when it does not).
  struct Sent {
    long write;
    bool redo;
    bool one_row;
    WriteStatus no_row = WriteStatus::kFailed;
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
  // One reader connection of the pool, held for the calls of one read method: a read waits only
  // when every connection is busy (the I/O threads read in parallel, each on its own session).
  class ReaderLease {
   public:
    explicit ReaderLease(PgLedger& l) : ledger_(l) {
      std::unique_lock<std::mutex> lock(l.reader_mu_);
      l.reader_free_.wait(lock, [&] { return !l.idle_readers_.empty(); });
      conn_ = l.idle_readers_.back();
      l.idle_readers_.pop_back();
    }
    ~ReaderLease() {
      {
        std::lock_guard<std::mutex> lock(ledger_.reader_mu_);
        ledger_.idle_readers_.push_back(conn_);
      }
      ledger_.reader_free_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;

    Res Read(const char* stmt, std::initializer_list<const char*> params) {
      for (int attempt = 0; attempt < 2; ++attempt) {
        Res r(PQexecPrepared(conn_, stmt, int(params.size()), params.begin(), nullptr, nullptr, 0));
        if (PQresultStatus(r.get()) == PGRES_TUPLES_OK) return r;
        if (PQstatus(conn_) == CONNECTION_OK) return nullptr;
        PQreset(conn_);
        std::string err;
        if (PQstatus(conn_) != CONNECTION_OK ||
            !Exec(conn_, "SET client_min_messages = warning", &err) ||
            !PrepareAll(conn_, kReaderStatements, &err))
          return nullptr;
      }
      return nullptr;
    }

   private:
    PgLedger& ledger_;
    PGconn* conn_ = nullptr;
  };

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

  // Queues every statement of write `index` (balanced: checked before), in the order of
  // SqliteLedger::Apply (the order decides which refusal a write with several faults gets).
  bool SendWrite(const LedgerWrite& w, long index, bool redo, std::vector<Sent>& sent) {
    const Sent s{index, redo, false};
    std::string posting_id;  // what the journal entries are posted under
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      posting_id = r.setl_id;
      const std::string year = std::to_string(r.year), medfee = std::to_string(r.medfee_sumamt),
                        fund = std::to_string(r.fund_pay_sumamt),
                        part = std::to_string(r.psn_part_amt), acct = std::to_string(r.acct_pay),
                        cash = std::to_string(r.psn_cash_pay);
      const bool framed = codec_->Encode(r.bill_json, bill_frame_);
      const std::string bill = framed ? HexBytea(bill_frame_) : std::string();
      if (!Send<19>(
              "ins_settlement",
              {r.setl_id.c_str(), r.cancels.c_str(), r.mdtrt_id.c_str(), r.psn_no.c_str(),
               r.fixmedins_code.c_str(), r.insutype.c_str(), r.med_type.c_str(), year.c_str(),
               r.policy_region.c_str(), r.policy_version.c_str(), medfee.c_str(), fund.c_str(),
               part.c_str(), acct.c_str(), cash.c_str(), framed ? "" : r.bill_json.c_str(),
               r.clr_type.c_str(), r.setl_time.c_str(), framed ? bill.c_str() : nullptr},
              s, sent))
        return false;
      if (!r.cancels.empty() &&
          !Send<2>("mark_cancelled", {r.setl_id.c_str(), r.cancels.c_str()},
                   Sent{index, redo, true, WriteStatus::kDuplicateVisit}, sent))
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
    if (w.contribution) {
      const ContributionRecord& c = *w.contribution;
      if (posting_id.empty()) posting_id = c.contribution_id;
      const std::string base = std::to_string(c.base), employer = std::to_string(c.employer_part),
                        employee = std::to_string(c.employee_part),
                        subsidy = std::to_string(c.subsidy), account = std::to_string(c.to_account),
                        pool = std::to_string(c.to_pool);
      if (!Send<11>("ins_contribution",
                    {c.contribution_id.c_str(), c.psn_no.c_str(), c.emp_no.c_str(),
                     c.insutype.c_str(), c.period.c_str(), base.c_str(), employer.c_str(),
                     employee.c_str(), subsidy.c_str(), account.c_str(), pool.c_str()},
                    s, sent))
        return false;
    }
    for (const auto& f : w.fee_lines_cancelled)
      if (!Send<3>("cancel_fee_line",
                   {f.fixmedins_code.c_str(), f.mdtrt_id.c_str(), f.feedetl_sn.c_str()},
                   Sent{index, redo, true, WriteStatus::kNotFound}, sent))
        return false;
    for (const auto& f : w.fee_lines) {
      const std::string amount = std::to_string(f.det_item_fee_sumamt),
                        days = std::to_string(f.prd_days);
      if (!Send<12>("ins_fee_line",
                    {f.fixmedins_code.c_str(), f.mdtrt_id.c_str(), f.feedetl_sn.c_str(),
                     f.chrg_bchno.c_str(), f.med_list_codg.c_str(), f.medins_list_codg.c_str(),
                     f.cnt.c_str(), f.pric.c_str(), amount.c_str(), f.hosp_appr_flag.c_str(),
                     days.c_str(), f.fee_ocur_time.c_str()},
                    s, sent))
        return false;
    }
    for (const auto& p : w.persons) {
      if (!Send<7>("upsert_person",
                   {p.psn_no.c_str(), p.psn_cert_type.c_str(), p.certno.c_str(), p.psn_name.c_str(),
                    p.gend.c_str(), p.brdy.c_str(), p.naty.c_str()},
                   s, sent) ||
          !Send<1>("del_insurances", {p.psn_no.c_str()}, s, sent) ||
          !Send<1>("del_identities", {p.psn_no.c_str()}, s, sent))
        return false;
      for (size_t i = 0; i < p.insurances.size(); ++i) {
        const InsuranceRecord& n = p.insurances[i];
        const std::string seq = std::to_string(i);
        if (!Send<10>("ins_insurance",
                      {p.psn_no.c_str(), n.insutype.c_str(), seq.c_str(), n.psn_type.c_str(),
                       n.psn_insu_stas.c_str(), n.psn_insu_date.c_str(), n.paus_insu_date.c_str(),
                       n.insuplc_admdvs.c_str(), n.emp_no.c_str(), n.cvlserv_flag.c_str()},
                      s, sent))
          return false;
      }
      for (size_t i = 0; i < p.identities.size(); ++i) {
        const IdentityRecord& d = p.identities[i];
        const std::string seq = std::to_string(i);
        if (!Send<5>("ins_identity",
                     {p.psn_no.c_str(), seq.c_str(), d.psn_idet_type.c_str(), d.begntime.c_str(),
                      d.endtime.c_str()},
                     s, sent))
          return false;
      }
    }
    for (const auto& e : w.employers)
      if (!Send<3>("upsert_employer", {e.emp_no.c_str(), e.emp_name.c_str(), e.admdvs.c_str()}, s,
                   sent))
        return false;
    for (const auto& i : w.institutions) {
      const std::string level = std::to_string(i.hosp_lv);
      if (!Send<8>("upsert_institution",
                   {i.fixmedins_code.c_str(), i.fixmedins_name.c_str(), i.fixmedins_type.c_str(),
                    level.c_str(), i.admdvs.c_str(), i.credential_sm3.c_str(),
                    i.sm2_public_key.c_str(), i.active ? "t" : "f"},
                   s, sent))
        return false;
    }
    for (const auto& f : w.filings)
      if (!Send<7>("upsert_filing",
                   {f.filing_id.c_str(), f.psn_no.c_str(), f.filing_type.c_str(),
                    f.mdtrtarea_admvs.c_str(), f.begndate.c_str(), f.enddate.c_str(),
                    f.revoked ? "t" : "f"},
                   s, sent))
        return false;
    if (w.sign_in) {
      const SignInRecord& g = *w.sign_in;
      if (!Send<5>("upsert_sign_in",
                   {g.sign_no.c_str(), g.fixmedins_code.c_str(), g.opter_no.c_str(),
                    g.sign_time.c_str(), g.signed_out ? "t" : "f"},
                   s, sent))
        return false;
    }
    if (w.visit) {
      const VisitRecord& v = *w.visit;
      if (!Send<10>(w.visit_is_new ? "ins_visit" : "upsert_visit",
                    {v.fixmedins_code.c_str(), v.mdtrt_id.c_str(), v.psn_no.c_str(),
                     v.insutype.c_str(), v.med_type.c_str(), v.ipt_otp_no.c_str(),
                     v.begntime.c_str(), v.endtime.c_str(), v.status.c_str(), v.info_json.c_str()},
                    w.visit_is_new ? Sent{index, redo, true, WriteStatus::kDuplicateVisit} : s,
                    sent))
        return false;
    }
    for (const auto& e : w.journal) {
      const std::string amount = std::to_string(e.amount);
      if (!Send<3>("ins_journal", {posting_id.c_str(), e.account.c_str(), amount.c_str()}, s, sent))
        return false;
    }  // the balances: once an account a batch, before its COMMIT (SendBatchBalances)
    const std::string reply = w.msgid.empty() ? std::string() : StoredReply(w);
    if (!w.msgid.empty() &&
        !Send<4>("ins_reply",
                 {w.fixmedins_code.c_str(), w.msgid.c_str(), w.infno.c_str(), reply.c_str()}, s,
                 sent))
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

  // A bill dictionary the codec has trained is made durable in a round (and a transaction) of its
  // own, before any bill is compressed with it (BillCodec::Adopt); rarely (the first; again when
  // bills drift). False: it was not stored (the dictionary is given up, and trained again later).
  bool StoreTrainedDictionary() {
    std::optional<BillDictionary> d = codec_->TakeTrained();
    if (!d) return true;
    const std::string id = std::to_string(d->id), content = HexBytea(d->content),
                      samples = std::to_string(d->samples);
    std::vector<Sent> sent;
    std::vector<Outcome> outcome;
    const bool stored = Send<3>("ins_dictionary", {id.c_str(), content.c_str(), samples.c_str()},
                                Sent{-1, false, false}, sent) &&
                        SyncAndFlush() && ReadRound(sent.size(), outcome) &&
                        StatementOk(outcome.front(), sent.front());
    codec_->Adopt(std::move(*d), stored);
    return stored;
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

  static WriteStatus Refusal(const Outcome& o, const Sent& s) {
    if (o.status != PGRES_FATAL_ERROR) return s.no_row;  // nothing live to cancel
    if (o.sqlstate == "23505") {
      if (o.constraint == "settlement_visit" || o.constraint == "settlement_pkey" ||
          o.constraint == "visit_pkey")
        return WriteStatus::kDuplicateVisit;
      if (o.constraint == "msgid_reply_pkey" || o.constraint == "contribution_pkey")
        return WriteStatus::kDuplicateMsgid;
      if (o.constraint == "fee_line_live") return WriteStatus::kDuplicateFeeLine;
    }
    return WriteStatus::kFailed;
  }

  // The balances the batch's kept writes moved, one upsert an account, sent in the last round
  // (every write's status is known by then): every settlement posts to the same few fund accounts
  // and its hospital's, each row of which one upsert per entry rewrote dozens of times a batch.
  // Same transaction as the journal rows; a failure fails the batch (not one write's).
  bool SendBatchBalances(const std::vector<LedgerWrite>& batch,
                         const std::vector<WriteStatus>& status, std::vector<Sent>& sent) {
    std::map<std::string, int64_t> balances;
    for (size_t i = 0; i < batch.size(); ++i)
      if (status[i] == WriteStatus::kDurable)
        for (const auto& e : batch[i].journal) balances[e.account] += e.amount;
    for (const auto& [account, amount] : balances) {
      const std::string text = std::to_string(amount);
      if (!Send<2>("add_balance", {account.c_str(), text.c_str()}, Sent{-1, false, false}, sent))
        return false;
    }
    return true;
  }

  enum class Bulk { kCommitted, kRolledBack, kFailed };

  // A batch of plain writes in one round trip (ledger/pg_bulk.h): BEGIN; the statements; COMMIT.
  // When a statement fails for a write's data, the transaction is rolled back (kRolledBack) and
  // nothing of the batch is kept; any other failure is the whole batch's (kFailed).
  Bulk ApplyBulk(const std::vector<PgBulkStatement>& statements) {
    std::vector<Sent> sent;
    std::vector<Outcome> outcome;
    std::vector<const char*> params;
    std::vector<int> lengths, formats;
    bool ok = Control("BEGIN", sent);
    for (const PgBulkStatement& b : statements) {
      if (!ok) break;
      params.clear();
      lengths.clear();
      for (const std::string& p : b.params) {
        params.push_back(p.data());
        lengths.push_back(int(p.size()));
      }
      formats.assign(params.size(), 1);  // binary arrays (pg_bulk.cc)
      sent.push_back(Sent{-1, false, false});
      ok = PQsendQueryPrepared(writer_conn_, b.name, int(params.size()), params.data(),
                               lengths.data(), formats.data(), 0) == 1;
    }
    ok = ok && Control("COMMIT", sent);
    if (!ok || !SyncAndFlush() || !ReadRound(sent.size(), outcome)) return Bulk::kFailed;
    size_t bad = 0;
    while (bad < sent.size() && StatementOk(outcome[bad], sent[bad])) ++bad;
    if (bad == sent.size())
      return outcome.back().tag == "COMMIT" ? Bulk::kCommitted : Bulk::kFailed;
    const Outcome& o = outcome[bad];
    if (o.status != PGRES_FATAL_ERROR || !RefusesOneWrite(o)) return Bulk::kFailed;
    // The error aborted the transaction and the pipeline skipped the rest, COMMIT included.
    sent.clear();
    if (!Control("ROLLBACK", sent) || !SyncAndFlush() || !ReadRound(sent.size(), outcome) ||
        !StatementOk(outcome.front(), sent.front()))
      return Bulk::kFailed;
    return Bulk::kRolledBack;
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
    if (!StoreTrainedDictionary()) {  // given up: the batch goes on, on a fresh connection
      DropWriter();
      if (!EnsureWriter()) return false;
    }

    auto bulk = options_.bulk_batches ? BulkStatements(batch, todo, *codec_) : std::nullopt;
    if (bulk && !bulk->empty()) {
      switch (ApplyBulk(*bulk)) {
        case Bulk::kCommitted:
          for (long i : todo) status[size_t(i)] = WriteStatus::kDurable;
          bulk_batches_.fetch_add(1, std::memory_order_relaxed);
          return true;
        case Bulk::kFailed:
          return false;
        case Bulk::kRolledBack:  // some write is refused: find which, write by write
          bulk_rolled_back_.fetch_add(1, std::memory_order_relaxed);
          break;
      }
    }

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
        ok = ok && SendBatchBalances(batch, status, sent) && Control("COMMIT", sent);
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
      status[size_t(s.write)] = Refusal(outcome[bad], s);
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
        !PrepareAll(c, std::span(kPgBulkStatements, kPgBulkStatementCount), err) ||
        PQsetnonblocking(c, 1) != 0 || PQenterPipelineMode(c) != 1) {
      if (err->empty()) *err = ErrorOf(c);
      PQfinish(c);
      return nullptr;
    }
    return c;
  }

 private:
  const std::string conninfo_;
  PGconn* writer_conn_;                 // only the writer thread touches it (after construction)
  const std::vector<PGconn*> readers_;  // the pool, all owned
  std::vector<PGconn*> idle_readers_;   // guarded by reader_mu_
  PgLedgerOptions options_;
  const std::unique_ptr<BillCodec> codec_;  // the readers decode with it, the writer encodes
  std::string bill_frame_;                  // the writer thread's scratch
  PgStatisticsKeeper statistics_;
  std::atomic<uint64_t> bulk_batches_{0}, bulk_rolled_back_{0};
  std::mutex reader_mu_;
  std::condition_variable reader_free_;
  std::unique_ptr<GroupCommitWriter> writer_;  // last: stopped before the connections close
};

}  // namespace

Result<std::unique_ptr<Ledger>> OpenPgLedger(const std::string& conninfo, PgLedgerOptions options) {
  std::string err;
  PGconn* writer = PgLedger::SetUpWriter(conninfo, &err);
  if (!writer) return Diagnostic{"", 0, "", "PostgreSQL ledger: " + err};
  std::vector<PGconn*> readers;
  for (size_t i = 0; i < std::max<size_t>(options.readers, 1); ++i) {
    PGconn* reader = Connect(conninfo, &err);
    if (!reader || !PrepareAll(reader, kReaderStatements, &err)) {
      PQfinish(reader);
      for (PGconn* c : readers) PQfinish(c);
      PQfinish(writer);
      return Diagnostic{"", 0, "", "PostgreSQL ledger: " + err};
    }
    readers.push_back(reader);
  }
  auto codec = std::make_unique<BillCodec>(options.bill_codec);
  {
    Res r(PQexecParams(readers.front(),
                       "SELECT dict_id, content FROM bill_dictionary ORDER BY dict_id", 0, nullptr,
                       nullptr, nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) err = ErrorOf(readers.front());
    for (int i = 0; err.empty() && i < PQntuples(r.get()); ++i) {
      std::optional<std::string> content = FromHexBytea(
          std::string_view(PQgetvalue(r.get(), i, 1), size_t(PQgetlength(r.get(), i, 1))));
      err = content ? codec->AddDictionary(uint32_t(Int(r.get(), i, 0)), *content)
                    : "bill dictionary " + Text(r.get(), i, 0) + ": not bytea";
    }
  }
  if (!err.empty()) {
    for (PGconn* c : readers) PQfinish(c);
    PQfinish(writer);
    return Diagnostic{"", 0, "bill_dictionary", "PostgreSQL ledger: " + err};
  }
  return std::unique_ptr<Ledger>(
      new PgLedger(conninfo, writer, std::move(readers), options, std::move(codec)));
}

}  // namespace yibao
