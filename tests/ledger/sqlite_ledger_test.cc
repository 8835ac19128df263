// The SQLite ledger: durability across kill -9 of the process that writes, and a ledger file made
// by an earlier version. The backend-independent tests (atomic writes, refusals that change
// nothing, group commit) run on every backend in ledger_suite_test.cc.
#include "ledger/sqlite_ledger.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "ledger/sqlite_ledger_testing.h"
#include "ledger_test_util.h"

namespace yibao {
namespace {

using namespace ledger_test;

// Runs `sql` on the ledger file `db` with a connection of its own (to make a file of an earlier
// version, or to look inside one).
void RunSql(const std::string& db, const char* sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);
}

// kill -9 at random moments while a child process settles continuously; after each restart every
// acknowledged settlement is there, nothing is half there, and the books balance.
TEST(SqliteLedger, SurvivesKillNine) {
  TempDir dir;
  const std::string db = dir.File("ledger.db");
  KillNineRounds([&] { return OpenSqliteLedger(db); }, dir.File("acks.txt"), 20, 20251123);
}

// The writer and the checkpointer carry their names (base/thread_name.h), for `top -H` and perf.
TEST(SqliteLedger, ItsThreadsAreNamed) {
  TempDir dir;
  auto threads = [] {
    std::multiset<std::string> names;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      names.insert(name);
    }
    return names;
  };
  const auto before = threads();
  auto ledger = OpenSqliteLedger(dir.File("ledger.db"));
  const auto with = threads();
  EXPECT_EQ(with.count("yb-ledger-write") - before.count("yb-ledger-write"), 1u);
  EXPECT_EQ(with.count("yb-checkpoint") - before.count("yb-checkpoint"), 1u);
}

// The ceiling the read cache's msgid filter starts from: per institution, the greatest msgid in
// byte order (what SQLite's TEXT compares by, and std::string too), "" when there is none.
TEST(SqliteLedger, MsgidCeilingIsTheGreatestInByteOrder) {
  TempDir dir;
  auto opened = OpenSqliteLedger(dir.File("ledger.db"));
  ASSERT_TRUE(opened.ok());
  Ledger& ledger = **opened;
  // H1: "m1" sorts above every "M…"; H3: é's bytes (0xc3 0xa9) sort above "9" unsigned, as
  // std::string compares them too.
  for (const auto& [code, m] : std::vector<std::pair<std::string, std::string>>{{"H1", "M9"},
                                                                                {"H1", "m1"},
                                                                                {"H1", "M10"},
                                                                                {"H3", "M9"},
                                                                                {"H3", "M\xc3\xa9"},
                                                                                {"H3", "M10"}}) {
    LedgerWrite w;
    w.fixmedins_code = code;
    w.msgid = m;
    w.infno = "2201";
    w.reply_json = "{}";
    ASSERT_EQ(ledger.SubmitAndWait(std::move(w)), WriteStatus::kDurable);
  }
  std::string ceiling = "x";
  ASSERT_TRUE(ledger.MsgidCeiling("H1", &ceiling));
  EXPECT_EQ(ceiling, "m1");
  ASSERT_TRUE(ledger.MsgidCeiling("H2", &ceiling));
  EXPECT_EQ(ceiling, "");
  ASSERT_TRUE(ledger.MsgidCeiling("H3", &ceiling));
  EXPECT_EQ(ceiling, "M\xc3\xa9");
  EXPECT_GT(ceiling, std::string("M9"));
}

// On SQLite the reads of one ReadTogether scope are one read transaction: one snapshot, so a write
// that becomes durable while the scope is open is not seen inside it, and is seen after it.
TEST(SqliteLedger, ReadsTogetherAreOneSnapshot) {
  TempDir dir;
  auto ledger = OpenSqliteLedger(dir.File("ledger.db"));
  ASSERT_TRUE(ledger.ok());
  Ledger& l = **ledger;
  ASSERT_EQ(l.SubmitAndWait(Settlement("S1", "V1", "P1", 100, 10, 0, "M1")), WriteStatus::kDurable);
  {
    auto reads = l.ReadTogether();
    EXPECT_EQ(l.AccountBalance("acct:P1"), -10);  // the snapshot is taken here
    ASSERT_EQ(l.SubmitAndWait(Settlement("S2", "V2", "P1", 100, 10, 0, "M2")),
              WriteStatus::kDurable);
    EXPECT_EQ(l.AccountBalance("acct:P1"), -10);
    EXPECT_FALSE(l.FindSettlement("S2"));
    // Another thread, outside the scope, reads the newest state meanwhile.
    std::thread([&] { EXPECT_TRUE(l.FindSettlement("S2")); }).join();
  }
  EXPECT_EQ(l.AccountBalance("acct:P1"), -20);
  EXPECT_TRUE(l.FindSettlement("S2"));
}

// The writer applies a write without a savepoint when its pre-check finds it cannot be refused, and
// re-runs the whole batch with a savepoint per write should one fail anyway. Both paths, and the
// writes one by one, must give the same statuses and the same ledger.
TEST(SqliteLedger, UnguardedWritesAndTheFallbackEqualOneByOne) {
  namespace t = sqlite_ledger_testing;
  const MixedWrites mixed = MixedBatch();
  auto run = [&](const std::string& path, bool one_by_one, int forced_fallback,
                 std::vector<WriteStatus>& statuses) {
    auto opened = OpenSqliteLedger(path);
    EXPECT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    if (!opened.ok()) return std::string();
    Ledger& ledger = **opened;
    for (const auto& w : MixedBatchSetup())
      EXPECT_EQ(ledger.SubmitAndWait(w), WriteStatus::kDurable);
    t::SetForcedFallback(forced_fallback);
    if (one_by_one) {
      for (const auto& w : mixed.writes) statuses.push_back(ledger.SubmitAndWait(w));
    } else {
      statuses = SubmitAsOneBatch(ledger, mixed.writes);
    }
    t::SetForcedFallback(0);
    opened->reset();
    auto reopened = OpenSqliteLedger(path);
    EXPECT_TRUE(reopened.ok());
    return reopened.ok() ? MixedBatchSnapshot(**reopened) : std::string();
  };
  TempDir dir;
  std::vector<WriteStatus> alone, batch, forced_first, forced_end;
  const std::string want = run(dir.File("alone.db"), true, 0, alone);
  EXPECT_EQ(alone, mixed.expected);
  EXPECT_NE(want.find("V1 live:S3"), std::string::npos) << want;
  const t::WriterCounts before = t::Counts();
  EXPECT_EQ(run(dir.File("batch.db"), false, 0, batch), want);
  const t::WriterCounts after = t::Counts();
  EXPECT_EQ(batch, mixed.expected);
  EXPECT_EQ(after.fallbacks, before.fallbacks);        // nothing failed unexpectedly
  EXPECT_GE(after.unguarded - before.unguarded, 15u);  // the durable ones and more went unguarded
  EXPECT_GT(after.savepoints, before.savepoints);      // the refused ones in savepoints
  // The fallback forced at the first unguarded write of each batch, and at the batch's end.
  EXPECT_EQ(run(dir.File("forced1.db"), false, 1, forced_first), want);
  EXPECT_EQ(forced_first, mixed.expected);
  EXPECT_EQ(run(dir.File("forced-end.db"), false, 1000, forced_end), want);
  EXPECT_EQ(forced_end, mixed.expected);
  EXPECT_GE(t::Counts().fallbacks, after.fallbacks + 2);
}

// A ledger file written before settlements had clr_type and setl_time: opening it adds the columns
// (empty for the old rows) and the new tables; old and new settlements are read back.
TEST(SqliteLedger, OpensALedgerMadeBeforeTheRegister) {
  TempDir dir;
  const std::string db = dir.File("old.db");
  RunSql(db, R"sql(
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
  )sql");

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
  EXPECT_EQ(ledger.FeeLinesOf("H37990000001", "V1")->size(), 1u);
}

// A ledger file of the version before filings (the same schema without the filing table and its
// index): opening it adds them, and what was there is still read.
TEST(SqliteLedger, OpensALedgerMadeBeforeFilings) {
  TempDir dir;
  const std::string db = dir.File("before-filings.db");
  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    LedgerWrite w = Settlement("S1", "V1", "P1", 800, 0, 200);
    w.persons = {Person("P1", "370102196005010011")};
    ASSERT_EQ((*opened)->SubmitAndWait(w), WriteStatus::kDurable);
  }
  RunSql(db, "DROP TABLE filing");

  auto opened = OpenSqliteLedger(db);
  ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
  Ledger& ledger = **opened;
  EXPECT_EQ(ledger.FindSettlement("S1")->fund_pay_sumamt, 800);
  EXPECT_EQ(ledger.FindPerson("P1")->insurances.size(), 2u);
  EXPECT_TRUE(ledger.FilingsOf("P1").empty());
  ASSERT_EQ(ledger.SubmitAndWait(Filings({Filing("F1", "P1")})), WriteStatus::kDurable);
  ASSERT_EQ(ledger.FilingsOf("P1").size(), 1u);
  opened->reset();

  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(
                raw, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'filing_person'",
                -1, &s, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(s), SQLITE_ROW) << "the index filing_person was not created";
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

// Each account's balance is kept in account_balance, and always equals the sum of the account's
// journal entries (checked in SQL over every account).
void ExpectBalancesEqualTheJournal(const std::string& db) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, R"sql(
      SELECT (SELECT count(*) FROM account_balance),
             (SELECT count(*) FROM (SELECT account, SUM(amount) AS total FROM journal
                                    GROUP BY account) j
              JOIN account_balance b ON b.account = j.account AND b.balance = j.total),
             (SELECT count(DISTINCT account) FROM journal),
             (SELECT count(*) FROM sqlite_master WHERE name = 'journal_account'))sql",
                               -1, &s, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  const int64_t balances = sqlite3_column_int64(s, 0), equal = sqlite3_column_int64(s, 1),
                accounts = sqlite3_column_int64(s, 2), old_index = sqlite3_column_int64(s, 3);
  sqlite3_finalize(s);
  sqlite3_close(raw);
  EXPECT_GT(accounts, 0);
  EXPECT_EQ(balances, accounts);
  EXPECT_EQ(equal, accounts) << "a balance differs from its account's journal entries";
  EXPECT_EQ(old_index, 0) << "journal_account should be gone";
}

// A ledger of the version that summed the journal for balances (no account_balance; an index
// journal(account, amount)): opening it fills the balances from the journal and drops the index;
// later writes keep them.
TEST(SqliteLedger, OpensALedgerMadeBeforeAccountBalances) {
  TempDir dir;
  const std::string db = dir.File("before-balances.db");
  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    ASSERT_EQ((*opened)->SubmitAndWait(Settlement("S1", "V1", "P1", 800, 30, 200)),
              WriteStatus::kDurable);
    ASSERT_EQ((*opened)->SubmitAndWait(Settlement("S2", "V2", "P2", 500, 20, 100)),
              WriteStatus::kDurable);
  }
  RunSql(db,
         "DROP TABLE account_balance; "
         "CREATE INDEX journal_account ON journal(account, amount);");

  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    Ledger& ledger = **opened;
    EXPECT_EQ(ledger.AccountBalance("acct:P1"), -30);
    EXPECT_EQ(ledger.AccountBalance("hospital:H37990000001"), 800 + 30 + 500 + 20);
    ASSERT_EQ(ledger.SubmitAndWait(Settlement("S3", "V3", "P1", 100, 5, 0)), WriteStatus::kDurable);
    EXPECT_EQ(ledger.AccountBalance("acct:P1"), -35);
    EXPECT_EQ(ledger.AccountBalance("acct:nobody"), 0);
    EXPECT_EQ(ledger.JournalSum(), 0);
  }
  ExpectBalancesEqualTheJournal(db);
}

// A ledger of the version with settlement_live_visit (one live settlement a visit, over live rows
// only) and settlement_person: opening it makes settlement_visit in their place; the rule still
// holds and a person's settlements, old and new, are found.
TEST(SqliteLedger, OpensALedgerMadeBeforeSettlementVisit) {
  TempDir dir;
  const std::string db = dir.File("before-settlement-visit.db");
  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    LedgerWrite first = Settlement("S1", "V1", "P1", 800, 30, 200);
    first.visit = Visit("V1", "P1");
    ASSERT_EQ((*opened)->SubmitAndWait(first), WriteStatus::kDurable);
    ASSERT_EQ((*opened)->SubmitAndWait(Cancellation(first, "C1")), WriteStatus::kDurable);
  }
  RunSql(db, R"sql(
    DROP INDEX settlement_visit;
    CREATE UNIQUE INDEX settlement_live_visit
      ON settlement(fixmedins_code, mdtrt_id) WHERE cancels = '' AND cancelled_by = '';
    CREATE INDEX settlement_person ON settlement(psn_no, insutype, year);)sql");

  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    Ledger& ledger = **opened;
    ASSERT_EQ(ledger.SubmitAndWait(Settlement("S2", "V1", "P1", 100, 0, 0)), WriteStatus::kDurable);
    EXPECT_EQ(ledger.SubmitAndWait(Settlement("S3", "V1", "P1", 100, 0, 0)),
              WriteStatus::kDuplicateVisit);
    std::vector<std::string> ids;
    for (const auto& r : ledger.SettlementsOf("P1", "310", 2025)) ids.push_back(r.setl_id);
    EXPECT_EQ(ids, (std::vector<std::string>{"S1", "C1", "S2"}));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(raw,
                         "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master "
                         "WHERE type = 'index' AND tbl_name = 'settlement' ORDER BY name)",
                         -1, &s, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))),
            "settlement_reconcile settlement_visit sqlite_autoindex_settlement_1");
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

// Refused writes, cancellations and a batch re-run with a savepoint per write leave every balance
// equal to its account's journal entries.
TEST(SqliteLedger, BalancesEqualTheJournalAfterRefusalsAndCancellations) {
  TempDir dir;
  const std::string db = dir.File("balances.db");
  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    Ledger& ledger = **opened;
    std::vector<std::future<WriteStatus>> done;
    for (int i = 0; i < 40; ++i) {
      const std::string id = std::to_string(i % 30);  // ids 0..9 twice: refused the second time
      auto promise = std::make_shared<std::promise<WriteStatus>>();
      done.push_back(promise->get_future());
      ledger.Submit(Settlement("S" + id, "V" + id, "P" + std::to_string(i % 4), 100 + i, i, 10),
                    [promise](WriteStatus st) { promise->set_value(st); });
    }
    int durable = 0;
    for (auto& f : done) durable += f.get() == WriteStatus::kDurable;
    EXPECT_EQ(durable, 30);
    LedgerWrite unbalanced = Settlement("S-bad", "V-bad", "P0", 100, 5, 0);
    unbalanced.journal.back().amount += 1;
    EXPECT_EQ(ledger.SubmitAndWait(unbalanced), WriteStatus::kUnbalanced);
    const LedgerWrite cancel = Cancellation(Settlement("S3", "V3", "P3", 103, 3, 10), "C3");
    EXPECT_EQ(ledger.SubmitAndWait(cancel), WriteStatus::kDurable);
    EXPECT_EQ(ledger.JournalSum(), 0);
  }
  ExpectBalancesEqualTheJournal(db);
}

// A ledger written before settlements and contributions kept their deltas and journal entries in
// their own row (postings): the old rows are still answered from accumulator_delta and journal,
// new ones from their row, before and after reopening.
TEST(SqliteLedger, OldSettlementsWithoutPostingsAnswerDeltasAndJournal) {
  TempDir dir;
  const std::string db = dir.File("old.db");
  RunSql(db, R"sql(
    CREATE TABLE settlement (
      setl_id TEXT PRIMARY KEY, cancels TEXT NOT NULL DEFAULT '',
      cancelled_by TEXT NOT NULL DEFAULT '', mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
      fixmedins_code TEXT NOT NULL, insutype TEXT NOT NULL, med_type TEXT NOT NULL,
      year INTEGER NOT NULL, policy_region TEXT NOT NULL, policy_version TEXT NOT NULL,
      medfee_sumamt INTEGER NOT NULL, fund_pay_sumamt INTEGER NOT NULL,
      psn_part_amt INTEGER NOT NULL, acct_pay INTEGER NOT NULL, psn_cash_pay INTEGER NOT NULL,
      bill_json TEXT NOT NULL, clr_type TEXT NOT NULL DEFAULT '', setl_time TEXT NOT NULL DEFAULT '');
    CREATE UNIQUE INDEX settlement_live_visit
      ON settlement(fixmedins_code, mdtrt_id) WHERE cancels = '' AND cancelled_by = '';
    CREATE TABLE accumulator (
      psn_no TEXT NOT NULL, insutype TEXT NOT NULL, year INTEGER NOT NULL, account TEXT NOT NULL,
      value INTEGER NOT NULL, PRIMARY KEY (psn_no, insutype, year, account)) WITHOUT ROWID;
    CREATE TABLE accumulator_delta (
      setl_id TEXT NOT NULL, account TEXT NOT NULL, delta INTEGER NOT NULL,
      PRIMARY KEY (setl_id, account)) WITHOUT ROWID;
    CREATE TABLE journal (entry_id INTEGER PRIMARY KEY, setl_id TEXT NOT NULL,
      account TEXT NOT NULL, amount INTEGER NOT NULL);
    CREATE INDEX journal_account ON journal(account, amount);
    CREATE INDEX journal_setl ON journal(setl_id);
    CREATE TABLE contribution (
      contribution_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, emp_no TEXT NOT NULL,
      insutype TEXT NOT NULL, period TEXT NOT NULL, base INTEGER NOT NULL,
      employer_part INTEGER NOT NULL, employee_part INTEGER NOT NULL, subsidy INTEGER NOT NULL,
      to_account INTEGER NOT NULL, to_pool INTEGER NOT NULL);
    INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, med_type, year,
      policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
      psn_cash_pay, bill_json, clr_type, setl_time)
    VALUES ('S0', 'V0', 'P1', 'H37990000001', '310', '21', 2025, '379900', '2025.1', 100, 80, 20,
      5, 15, '{}', '21', '2025-03-01 09:00:00');
    INSERT INTO accumulator VALUES ('P1', '310', 2025, 'inpatient.admissions', 1),
      ('P1', '310', 2025, 'inpatient.basic.paid', 80);
    INSERT INTO accumulator_delta VALUES ('S0', 'inpatient.basic.paid', 80),
      ('S0', 'inpatient.admissions', 1);
    INSERT INTO contribution VALUES ('C0', 'P1', '', '310', '2025', 0, 0, 0, 0, 30, 0);
    INSERT INTO journal (setl_id, account, amount) VALUES ('C0', 'contributor:person:P1', -30),
      ('C0', 'acct:P1', 30), ('S0', 'fund:379900:310:hifp', -80), ('S0', 'acct:P1', -5),
      ('S0', 'hospital:H37990000001', 85);
  )sql");

  using Deltas = std::vector<std::pair<std::string, int64_t>>;
  for (int round = 0; round < 2; ++round) {  // as migrated, then reopened
    SCOPED_TRACE(round);
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    Ledger& ledger = **opened;
    EXPECT_EQ(ledger.DeltasOf("S0"),
              (Deltas{{"inpatient.admissions", 1}, {"inpatient.basic.paid", 80}}));
    auto journal = ledger.JournalOf("S0");
    ASSERT_EQ(journal.size(), 3u);
    EXPECT_EQ(journal[0].account, "fund:379900:310:hifp");
    EXPECT_EQ(journal[2].amount, 85);
    ASSERT_EQ(ledger.JournalOf("C0").size(), 2u);
    EXPECT_EQ(ledger.JournalOf("C0")[1].account, "acct:P1");
    if (round == 0) {
      ASSERT_EQ(ledger.SubmitAndWait(Settlement("S1", "V1", "P1", 800, 0, 200)),
                WriteStatus::kDurable);
      LedgerWrite c;
      c.contribution = ContributionRecord{"C1", "P1", "", "310", "2026", 0, 0, 0, 0, 40, 0};
      c.journal = {{"contributor:person:P1", -40}, {"acct:P1", 40}};
      ASSERT_EQ(ledger.SubmitAndWait(c), WriteStatus::kDurable);
    }
    EXPECT_EQ(ledger.DeltasOf("S1"),
              (Deltas{{"inpatient.admissions", 1}, {"inpatient.basic.paid", 800}}));
    EXPECT_EQ(ledger.JournalOf("S1").size(), 3u);
    EXPECT_EQ(ledger.JournalOf("C1").size(), 2u);
    EXPECT_EQ(ledger.AccountBalance("acct:P1"), 30 - 5 + 40);
    EXPECT_EQ(ledger.JournalSum(), 0);
    EXPECT_EQ(ledger.Accumulators("P1", "310", 2025)["inpatient.basic.paid"], 880);
    EXPECT_TRUE(ledger.DeltasOf("S-none").empty());
    EXPECT_TRUE(ledger.JournalOf("S-none").empty());
  }
}

// A ledger made by this version keeps no per-delta rows and no journal(setl_id) index.
TEST(SqliteLedger, NewLedgerKeepsPostingsInTheRow) {
  TempDir dir;
  const std::string db = dir.File("new.db");
  {
    auto opened = OpenSqliteLedger(db);
    ASSERT_TRUE(opened.ok()) << FormatDiagnostics(opened.errors());
    ASSERT_EQ((*opened)->SubmitAndWait(Settlement("S1", "V1", "P1", 800, 10, 200)),
              WriteStatus::kDurable);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  auto count = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql, -1, &s, nullptr), SQLITE_OK) << sql;
    int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return n;
  };
  EXPECT_EQ(count("SELECT COUNT(*) FROM accumulator_delta"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM journal"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'journal_setl'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM settlement WHERE postings IS NOT NULL"), 1);
  EXPECT_EQ(count("PRAGMA page_size"), 8192);
  sqlite3_close(raw);
}

}  // namespace
}  // namespace yibao
