// The SQLite ledger: durability across kill -9 of the process that writes, and a ledger file made
// by an earlier version. The backend-independent tests (atomic writes, refusals that change
// nothing, group commit) run on every backend in ledger_suite_test.cc.
#include "ledger/sqlite_ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger_test_util.h"

namespace yibao {
namespace {

using namespace ledger_test;

// kill -9 at random moments while a child process settles continuously; after each restart every
// acknowledged settlement is there, nothing is half there, and the books balance.
TEST(SqliteLedger, SurvivesKillNine) {
  TempDir dir;
  const std::string db = dir.File("ledger.db");
  KillNineRounds([&] { return OpenSqliteLedger(db); }, dir.File("acks.txt"), 20, 20251123);
}

// A ledger file written before settlements had clr_type and setl_time: opening it adds the columns
// (empty for the old rows) and the new tables; old and new settlements are read back.
TEST(SqliteLedger, OpensALedgerMadeBeforeTheRegister) {
  TempDir dir;
  const std::string db = dir.File("old.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, R"sql(
    CREATE TABLE settlement (
      setl_id TEXT PRIMARY KEY, cancels TEXT NOT NULL DEFAULT '',
      cancelled_by TEXT NOT NULL DEFAULT '', mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
      fixmedins_code TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL,
      year INTEGER NOT NULL, policy_region TEXT NOT NULL, policy_version TEXT NOT NULL,
      medfee_sumamt INTEGER NOT NULL, fund_pay_sumamt INTEGER NOT NULL,
      psn_part_amt INTEGER NOT NULL, acct_pay INTEGER NOT NULL, psn_cash_pay INTEGER NOT NULL,
      bill_json TEXT NOT NULL);
    INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year,
      policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
      psn_cash_pay, bill_json)
    VALUES ('S0', 'V0', 'P1', 'H37990000001', '310', '21', 2025, '379900', '2025.1', 100, 80, 20,
      0, 20, '{}');
  )sql",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close(raw);

  auto opened = OpenSqliteLedger(db);
  ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
  Ledger& ledger = **opened;
  auto old = ledger.FindSettlement("S0");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->fund_pay_sumamt, 80);
  EXPECT_EQ(old->clr_type, "");
  EXPECT_EQ(old->setl_time, "");
  ASSERT_EQ(ledger.SubmitAndWait(Settlement("S1", "V1", "P1", 800, 0, 200)), WriteStatus::kDurable);
  EXPECT_EQ(ledger.FindSettlement("S1")->setl_time, "2025-03-01 10:00:00");
  EXPECT_EQ(ledger.Reconcile("H37990000001", "310", "21", "2025-03-01", "2025-03-01").count, 1);
  ASSERT_EQ(ledger.SubmitAndWait(FeeLines({FeeLine("V1", "1")})), WriteStatus::kDurable);
  EXPECT_EQ(ledger.FeeLinesOf("H37990000001", "V1").size(), 1u);
}

}  // namespace
}  // namespace yibao
