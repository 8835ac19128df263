// The PostgreSQL ledger: durability across kill -9 of the process that writes (the server keeps
// running and rolls back the killed client's open transaction), reconnection, and a database made
// by an earlier version. The backend-independent tests run on every backend in
// ledger_suite_test.cc.
#include "ledger/pg_ledger.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "ledger_test_util.h"
#include "pg_cluster.h"

namespace yibao {
namespace {

using namespace ledger_test;

TEST(PgLedger, SurvivesKillNine) {
  auto cluster = SharedPgCluster();
  ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
  auto conninfo = (*cluster)->CreateDatabase("kill_nine");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  TempDir dir;
  KillNineRounds([&] { return OpenPgLedger(*conninfo); }, dir.File("acks.txt"), 20, 20251124);
}

// The ceiling the read cache's msgid filter starts from, in byte order: msgid has the C collation
// whatever the database's, so a ledger made now can tell under C.UTF-8 too; one made before msgid
// had it can tell only under a C database, and says it cannot under another (max() follows the
// locale there).
TEST(PgLedger, MsgidCeilingOnlyInByteOrder) {
  auto cluster = SharedPgCluster();
  ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
  auto c_db = (*cluster)->CreateDatabase("msgid_c");
  ASSERT_TRUE(c_db.ok()) << FormatDiagnostics(c_db.errors());
  auto exec = [](const std::string& conninfo, const char* sql) {
    PGconn* db = PQconnectdb(conninfo.c_str());
    PGresult* r = PQexec(db, sql);
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(db);
    PQclear(r);
    PQfinish(db);
  };
  for (const char* name : {"msgid_utf8", "msgid_utf8_old"})
    exec((*cluster)->Conninfo("postgres"),
         ("CREATE DATABASE " + std::string(name) +
          " TEMPLATE template0 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
             .c_str());
  // A ledger made before msgid had its own collation: the column has the database's.
  exec((*cluster)->Conninfo("msgid_utf8_old"),
       "CREATE TABLE msgid_reply (fixmedins_code TEXT NOT NULL, msgid TEXT NOT NULL, "
       "infno TEXT NOT NULL, reply TEXT NOT NULL, PRIMARY KEY (fixmedins_code, msgid))");
  const std::string utf8 = (*cluster)->Conninfo("msgid_utf8");
  const std::string utf8_old = (*cluster)->Conninfo("msgid_utf8_old");
  for (const std::string& conninfo : {*c_db, utf8, utf8_old}) {
    auto l = OpenPgLedger(conninfo);
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    for (const char* m : {"M9", "m1", "M10"}) {
      LedgerWrite w;
      w.fixmedins_code = "H1";
      w.msgid = m;
      w.infno = "2201";
      w.reply_json = "{}";
      ASSERT_EQ((*l)->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
    }
    std::string ceiling = "x";
    const bool byte_order = conninfo != utf8_old;
    EXPECT_EQ((*l)->MsgidCeiling("H1", &ceiling), byte_order) << conninfo;
    if (byte_order) {
      EXPECT_EQ(ceiling, "m1");  // 'm' (0x6d) above 'M' (0x4d), whatever a locale says
      ASSERT_TRUE((*l)->MsgidCeiling("H2", &ceiling));
      EXPECT_EQ(ceiling, "");
    }
  }
}

// The server restarts under a running ledger: the batch in flight fails (kFailed, nothing of it
// kept), the writer and the reader reconnect, and later writes are durable again.
TEST(PgLedger, ReconnectsAfterAServerRestart) {
  auto cluster = SharedPgCluster();
  ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
  auto conninfo = (*cluster)->CreateDatabase("restart");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  auto l = OpenPgLedger(*conninfo);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  Ledger& ledger = **l;
  ASSERT_EQ(ledger.SubmitAndWait(Settlement("S1", "V1", "P1", 100, 0, 0, "M1")),
            WriteStatus::kDurable);
  ASSERT_TRUE((*cluster)->Restart());
  int attempts = 0;
  WriteStatus st = WriteStatus::kFailed;
  std::vector<std::string> failed;
  while (st != WriteStatus::kDurable && attempts < 3) {
    const std::string n = std::to_string(2 + attempts++);
    st = ledger.SubmitAndWait(Settlement("S" + n, "V" + n, "P1", 100, 0, 0, "M" + n));
    if (st != WriteStatus::kDurable) {
      EXPECT_EQ(st, WriteStatus::kFailed);
      failed.push_back("S" + n);
    }
  }
  EXPECT_EQ(st, WriteStatus::kDurable);
  EXPECT_LE(attempts, 2);  // only the batch that met the dead connection fails
  for (const auto& id : failed) EXPECT_FALSE(ledger.FindSettlement(id)) << id;
  EXPECT_TRUE(ledger.FindSettlement("S1"));
  EXPECT_EQ(ledger.Accumulators("P1", "310", 2025)["inpatient.basic.paid"],
            100 * int64_t(1 + attempts - failed.size()));
  EXPECT_EQ(ledger.JournalSum(), 0);
}

// A database written before settlements had clr_type and setl_time (and before the register's
// tables): opening it adds the columns and the tables; old and new settlements are read back.
TEST(PgLedger, OpensALedgerMadeBeforeTheRegister) {
  auto cluster = SharedPgCluster();
  ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
  auto conninfo = (*cluster)->CreateDatabase("old_schema");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  PGconn* c = PQconnectdb(conninfo->c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, R"sql(
    CREATE TABLE settlement (
      seq BIGSERIAL NOT NULL, setl_id TEXT PRIMARY KEY, cancels TEXT NOT NULL DEFAULT '',
      cancelled_by TEXT NOT NULL DEFAULT '', mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
      fixmedins_code TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL,
      year INTEGER NOT NULL, policy_region TEXT NOT NULL, policy_version TEXT NOT NULL,
      medfee_sumamt BIGINT NOT NULL, fund_pay_sumamt BIGINT NOT NULL, psn_part_amt BIGINT NOT NULL,
      acct_pay BIGINT NOT NULL, psn_cash_pay BIGINT NOT NULL, bill_json TEXT NOT NULL);
    CREATE TABLE audit_log (entry_id BIGSERIAL PRIMARY KEY, fixmedins_code TEXT NOT NULL,
      operator TEXT NOT NULL, action TEXT NOT NULL);
    INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year,
      policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
      psn_cash_pay, bill_json)
    VALUES ('S0', 'V0', 'P1', 'H37990000001', '310', '21', 2025, '379900', '2025.1', 100, 80, 20,
      0, 20, '{}');
  )sql");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);

  auto l = OpenPgLedger(*conninfo);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  Ledger& ledger = **l;
  auto old = ledger.FindSettlement("S0");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->fund_pay_sumamt, 80);
  EXPECT_EQ(old->clr_type, "");
  EXPECT_EQ(old->setl_time, "");
  ASSERT_EQ(ledger.SubmitAndWait(Settlement("S1", "V1", "P1", 800, 0, 200)), WriteStatus::kDurable);
  EXPECT_EQ(ledger.FindSettlement("S1")->setl_time, "2025-03-01 10:00:00");
  EXPECT_EQ(ledger.Reconcile("H37990000001", "310", "21", "2025-03-01", "2025-03-01").count, 1);
  ASSERT_EQ(ledger.SubmitAndWait(FeeLines({FeeLine("V1", "1")})), WriteStatus::kDurable);
  EXPECT_EQ(ledger.FeeLinesOf("H37990000001", "V1")->size(), 1u);
}

// A database of the version before filings (the whole schema but the filing table, its index, the
// later visit_person index and account_balance, with the journal(account, amount) index balances
// were summed from, settlement_live_visit and settlement_person where settlement_visit is now, and
// neither the settlement's bill column nor bill_dictionary, the schema marker): opening it runs the
// schema script again, which adds them, fills the balances from the journal, drops the old indexes,
// and leaves the rest.
TEST(PgLedger, OpensALedgerMadeBeforeFilings) {
  auto cluster = SharedPgCluster();
  ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
  auto conninfo = (*cluster)->CreateDatabase("before_filings");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  {
    auto l = OpenPgLedger(*conninfo);
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    LedgerWrite w = Settlement("S1", "V1", "P1", 800, 0, 200);
    w.persons = {Person("P1", "370102196005010011")};
    ASSERT_EQ((*l)->SubmitAndWait(w), WriteStatus::kDurable);
  }
  PGconn* c = PQconnectdb(conninfo->c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(
      c,
      "DROP TABLE filing; DROP INDEX visit_person; DROP TABLE account_balance; "
      "CREATE INDEX journal_account ON journal(account, amount); DROP INDEX settlement_visit; "
      "CREATE UNIQUE INDEX settlement_live_visit ON settlement(fixmedins_code, mdtrt_id) "
      "WHERE cancels = '' AND cancelled_by = ''; "
      "CREATE INDEX settlement_person ON settlement(psn_no, insutype, year, seq); "
      "DROP TABLE bill_dictionary; ALTER TABLE settlement DROP COLUMN bill");
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
  PQclear(r);

  auto l = OpenPgLedger(*conninfo);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  Ledger& ledger = **l;
  EXPECT_EQ(ledger.FindSettlement("S1")->fund_pay_sumamt, 800);
  EXPECT_EQ(ledger.FindPerson("P1")->insurances.size(), 2u);
  EXPECT_TRUE(ledger.FilingsOf("P1").empty());
  ASSERT_EQ(ledger.SubmitAndWait(Filings({Filing("F1", "P1")})), WriteStatus::kDurable);
  ASSERT_EQ(ledger.FilingsOf("P1").size(), 1u);
  EXPECT_EQ(ledger.FindFiling("F1")->mdtrtarea_admvs, "440300");
  r = PQexec(c, "SELECT to_regclass('filing_person') IS NOT NULL");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "t") << "the index filing_person was not created";
  PQclear(r);
  r = PQexec(c, "SELECT to_regclass('visit_person') IS NOT NULL");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "t") << "the index visit_person was not created";
  PQclear(r);
  r = PQexec(c, "SELECT to_regclass('journal_account') IS NULL");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "t") << "the index journal_account was not dropped";
  PQclear(r);
  r = PQexec(c,
             "SELECT to_regclass('settlement_visit') IS NOT NULL AND to_regclass("
             "'settlement_live_visit') IS NULL AND to_regclass('settlement_person') IS NULL");
  ASSERT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  EXPECT_STREQ(PQgetvalue(r, 0, 0), "t") << "settlement_visit should replace the two old indexes";
  PQclear(r);
  PQfinish(c);
  // The balances filled from the journal, and kept by the writes after.
  EXPECT_EQ(ledger.AccountBalance("hospital:H37990000001"), 800);
  EXPECT_EQ(ledger.AccountBalance("fund:379900:310:hifp"), -800);
  ASSERT_EQ(ledger.SubmitAndWait(Settlement("S2", "V2", "P1", 100, 7, 0)), WriteStatus::kDurable);
  EXPECT_EQ(ledger.AccountBalance("hospital:H37990000001"), 907);
  EXPECT_EQ(ledger.AccountBalance("acct:P1"), -7);
  EXPECT_EQ(ledger.JournalSum(), 0);
  // One live settlement a visit, now by settlement_visit.
  EXPECT_EQ(ledger.SubmitAndWait(Settlement("S3", "V1", "P1", 100, 0, 0)),
            WriteStatus::kDuplicateVisit);
}

// Reported, not hidden: a server that cannot be reached is an error of Open.
TEST(PgLedger, OpenReportsAnUnreachableServer) {
  TempDir dir;
  auto l = OpenPgLedger("host=" + dir.File("nowhere") + " port=1 dbname=x connect_timeout=2");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(FormatDiagnostics(l.errors()).find("cannot connect"), std::string::npos)
      << FormatDiagnostics(l.errors());
}

}  // namespace
}  // namespace yibao
