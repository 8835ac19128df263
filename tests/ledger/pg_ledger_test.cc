// The PostgreSQL ledger: durability across kill -9 of the process that writes (the server keeps
// running and rolls back the killed client's open transaction), reconnection, and a database made
// by an earlier version. The backend-independent tests run on every backend in
// ledger_suite_test.cc.
#include "ledger/pg_ledger.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "bill_samples.h"
#include "ledger_test_util.h"
#include "pg_cluster.h"

namespace yibao {
namespace {

using namespace ledger_test;

// Text a text-form array literal would have to escape or could mistake, which the binary arrays
// of the bulk path must carry as it is: quotes, backslashes, braces, commas, NULL, bytea's hex
// prefix, Chinese, line breaks, leading and trailing blanks, a long one.
const std::vector<std::string>& OddTexts() {
  static const std::vector<std::string> texts = {"",
                                                 "\"",
                                                 "\\",
                                                 "\\\\",
                                                 "\\\"",
                                                 "\"\\",
                                                 "{a,b}",
                                                 "{",
                                                 "}",
                                                 ",",
                                                 "NULL",
                                                 "null",
                                                 " lead",
                                                 "trail ",
                                                 "医保 结算",
                                                 "line\nbreak",
                                                 "tab\there",
                                                 "'single'",
                                                 "\\x00ff",
                                                 "a\"b\\c{d}e,f",
                                                 std::string(3000, 'x') + "\"}"};
  return texts;
}

TEST(PgLedger, SurvivesKillNine) {
  auto conninfo = NewSharedPgDatabase("kill_nine");
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
  auto conninfo = NewSharedPgDatabase("old_schema");
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
  auto conninfo = NewSharedPgDatabase("before_filings");
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
// A batch of plain writes goes as one set-based statement a table (ledger/pg_bulk.h). The same
// rounds of writes — registrations, diagnoses, fee uploads and settlements with every character
// a text-form array literal would have to escape, and refusals of each kind among them (a visit
// registered or settled twice, a msgid or a fee line used twice), some rounds touching one visit
// twice (which the bulk path leaves to the per-write one) — are given to a ledger with it and to
// one without. Every write's status and everything read back must be the same, and both of the bulk
// path's outcomes must have happened: batches committed whole, and batches rolled back by a
// refusal.
TEST(PgLedger, PlainBatchesInBulkEqualWriteByWrite) {
  const BillCodecOptions codec{.train_after = 100};
  std::unique_ptr<Ledger> ledgers[2];
  for (int k = 0; k < 2; ++k) {
    auto conninfo = NewSharedPgDatabase(k == 0 ? "bulk_on" : "bulk_off");
    ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
    auto l = OpenPgLedger(*conninfo, {.bulk_batches = k == 0, .bill_codec = codec});
    ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
    ledgers[k] = std::move(*l);
  }

  const std::vector<std::string>& odd = OddTexts();
  std::mt19937 rng(20261124);
  auto pick = [&](size_t n) { return size_t(rng() % n); };
  std::vector<std::string> visits;  // registered (or upserted into being)
  std::set<std::string> settled;
  std::vector<std::pair<std::string, std::string>> lines;  // (visit, feedetl_sn) uploaded
  std::vector<std::string> msgids;
  int next_visit = 0, next_msgid = 0, next_line = 0, next_setl = 0;

  // Three kinds of round. Clean ones: distinct visits, no refusal, so the bulk path must commit
  // them. Refusing ones: a visit registered or settled again, a msgid or a fee line used again.
  // Colliding ones (every fifth): clean, but one visit upserted into being and then registered as
  // new (refused, in order), and another upserted twice (the later wins) — where one statement a
  // table would not do what the writes in order do.
  std::vector<std::vector<LedgerWrite>> rounds;
  for (int round = 0; round < 60; ++round) {
    const bool refusing = round % 3 == 1 && round % 5 != 0, colliding = round % 5 == 0;
    auto msgid = [&] {
      if (refusing && pick(10) == 0) return msgids[pick(msgids.size())];  // a replay
      msgids.push_back("M" + std::to_string(next_msgid++));
      return msgids.back();
    };
    std::set<std::string> touched;
    auto untouched = [&](bool unsettled) -> std::optional<std::string> {
      for (int tries = 0; tries < 8 && !visits.empty(); ++tries) {
        const std::string& v = visits[pick(visits.size())];
        if ((!unsettled || !settled.count(v)) && touched.insert(v).second) return v;
      }
      return std::nullopt;
    };
    std::vector<LedgerWrite> writes;
    for (size_t i = 0, n = 5 + pick(25); i < n; ++i) {
      LedgerWrite w;
      w.fixmedins_code = "H37990000001";
      const size_t kind = visits.empty() ? 0 : pick(10);
      if (kind < 3) {  // a registration; in a refusing round now and then of a visit that exists
        std::string id = "V" + std::to_string(next_visit++);
        if (refusing && kind == 0 && !visits.empty()) id = visits[pick(visits.size())];
        if (!touched.insert(id).second) continue;
        VisitRecord v = Visit(id, "P" + std::to_string(pick(20)));
        v.status = "registered";
        v.info_json = "{\"note\":\"" + odd[pick(odd.size())] + "\"}";
        w.visit = v;
        w.visit_is_new = true;
        w.infno = "2201";
        visits.push_back(id);
      } else if (kind == 3) {  // a diagnosis: the visit upserted whole
        auto id = untouched(false);
        if (!id) continue;
        VisitRecord v = Visit(*id, "P1");
        v.status = "registered";
        v.info_json = odd[pick(odd.size())];
        w.visit = v;
        w.infno = "2203";
      } else if (kind < 7) {  // fee lines; in a refusing round now and then a feedetl_sn again
        auto id = untouched(false);
        if (!id) continue;
        for (size_t m = 1 + pick(4); m > 0; --m) {
          std::string sn = std::to_string(next_line++);
          if (refusing && pick(10) == 0) {
            for (const auto& [visit, used] : lines)
              if (visit == *id) sn = used;
          }
          FeeLineRecord f = FeeLine(*id, sn, int64_t(100 + pick(5000)));
          f.medins_list_codg = odd[pick(odd.size())];
          f.cnt = std::to_string(pick(9)) + ".5000";
          w.fee_lines.push_back(f);
          lines.emplace_back(*id, sn);
        }
        w.infno = "2204";
      } else {  // a settlement; in a refusing round now and then of a visit settled already
        auto id = untouched(!(refusing && pick(4) == 0));
        if (!id) continue;
        const int64_t fund = int64_t(pick(90000)), acct = int64_t(pick(500)),
                      cash = int64_t(pick(3000));
        const std::string setl = "S" + std::to_string(next_setl++);
        w = Settlement(setl, *id, "P" + std::to_string(pick(20)), fund, acct, cash);
        w.settlement->bill_json = bill_samples::SampleBill(rng, next_setl) + odd[pick(odd.size())];
        w.reply_json = pick(2) ? w.settlement->bill_json : odd[pick(odd.size())];
        w.infno = "2207";
        settled.insert(*id);
      }
      w.msgid = msgid();
      if (w.reply_json.empty()) w.reply_json = "{\"infcode\":0,\"x\":\"" + odd[pick(4)] + "\"}";
      writes.push_back(std::move(w));
    }
    if (colliding) {
      const std::string y = "V" + std::to_string(next_visit++);
      auto x = untouched(false);
      for (int k = 0; k < 4; ++k) {
        LedgerWrite w;
        w.fixmedins_code = "H37990000001";
        w.visit = Visit(k < 2 ? y : x.value_or(y), "P2");
        w.visit->info_json = odd[pick(odd.size())];
        w.visit_is_new = k == 1;
        w.msgid = msgid();
        w.infno = "2203";
        w.reply_json = "{}";
        writes.push_back(std::move(w));
      }
      visits.push_back(y);
    }
    rounds.push_back(std::move(writes));
  }

  std::vector<WriteStatus> statuses[2];
  uint64_t refused_rounds = 0, clean_rounds = 0;  // of those the bulk path takes
  for (int k = 0; k < 2; ++k)
    for (size_t r = 0; r < rounds.size(); ++r) {
      bool refused = false;
      for (WriteStatus s : SubmitAsOneBatch(*ledgers[k], rounds[r])) {
        statuses[k].push_back(s);
        refused = refused || s != WriteStatus::kDurable;
      }
      if (k == 1 && r % 5 != 0) ++(refused ? refused_rounds : clean_rounds);
    }
  ASSERT_EQ(statuses[0].size(), statuses[1].size());
  std::map<WriteStatus, int> seen;
  for (size_t i = 0; i < statuses[0].size(); ++i) {
    EXPECT_EQ(statuses[0][i], statuses[1][i])
        << "write " << i << ": " << WriteStatusName(statuses[0][i]) << " in bulk, "
        << WriteStatusName(statuses[1][i]) << " write by write";
    ++seen[statuses[1][i]];
  }
  for (WriteStatus s : {WriteStatus::kDurable, WriteStatus::kDuplicateVisit,
                        WriteStatus::kDuplicateMsgid, WriteStatus::kDuplicateFeeLine})
    EXPECT_GT(seen[s], 0) << "no write was " << WriteStatusName(s);

  auto snapshot = [&](Ledger& l) {
    std::ostringstream o;
    for (const std::string& v : visits) {
      auto visit = l.FindVisit("H37990000001", v);
      o << v << ":" << (visit ? visit->psn_no + "/" + visit->status + "/" + visit->info_json : "-");
      const SharedFeeLines fee_lines = l.FeeLinesOf("H37990000001", v);  // held: read below
      for (const auto& f : *fee_lines)
        o << " " << f.feedetl_sn << "/" << f.medins_list_codg << "/" << f.cnt << "/"
          << f.det_item_fee_sumamt << "/" << f.prd_days << "/" << f.fee_ocur_time;
      auto s = l.LiveSettlementOfVisit("H37990000001", v);
      o << " live:" << (s ? s->setl_id + "/" + s->bill_json : "-") << "\n";
    }
    for (int i = 0; i < next_setl; ++i) {
      const std::string id = "S" + std::to_string(i);
      auto s = l.FindSettlement(id);
      o << id << ":" << (s ? std::to_string(s->medfee_sumamt) + "/" + s->psn_no : "-");
      for (const auto& [account, delta] : l.DeltasOf(id)) o << " " << account << "=" << delta;
      for (const auto& e : l.JournalOf(id)) o << " " << e.account << "=" << e.amount;
      o << "\n";
    }
    for (const std::string& m : msgids) {
      auto r = l.FindReply("H37990000001", m);
      o << m << ":" << (r ? *r : "-") << "\n";
    }
    for (int p = 0; p < 20; ++p) {
      const std::string psn = "P" + std::to_string(p);
      for (const auto& [account, value] : l.Accumulators(psn, "310", 2025))
        o << psn << "." << account << "=" << value << " ";
      o << "acct=" << l.AccountBalance("acct:" + psn) << "\n";
    }
    o << "hospital=" << l.AccountBalance("hospital:H37990000001")
      << " fund=" << l.AccountBalance("fund:379900:310:hifp") << " journal=" << l.JournalSum();
    return o.str();
  };
  const std::string bulk = snapshot(*ledgers[0]), one_by_one = snapshot(*ledgers[1]);
  EXPECT_EQ(bulk, one_by_one);
  EXPECT_EQ(ledgers[0]->JournalSum(), 0);

  const LedgerStats on = ledgers[0]->Stats(), off = ledgers[1]->Stats();
  // Every round without a refusal went in bulk; every one with a refusal was rolled back and
  // written write by write; the colliding rounds went write by write at once.
  EXPECT_GE(clean_rounds, 30u);
  EXPECT_GE(refused_rounds, 10u);
  EXPECT_EQ(on.bulk_batches, clean_rounds);
  EXPECT_EQ(on.bulk_rolled_back, refused_rounds);
  EXPECT_EQ(off.bulk_batches + off.bulk_rolled_back, 0u);
  // Bills as frames (bytea elements) in bulk: LedgerTest.BillsAreCompressed… on postgres, whose
  // batches are all plain.
}

// Every character a text-form array literal would have to escape, in every text field the bulk
// statements carry, and amounts beyond 32 bits either side of zero, go in one bulk batch — not
// rolled back to the per-write path, which would hide an array that PostgreSQL refuses — and read
// back exactly.
TEST(PgLedger, AnyTextGoesInBulkAndReadsBackExactly) {
  auto conninfo = NewSharedPgDatabase("bulk_text");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  auto l = OpenPgLedger(*conninfo);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  Ledger& ledger = **l;
  const std::vector<std::string>& odd = OddTexts();
  std::vector<LedgerWrite> writes;
  for (size_t i = 0; i < odd.size(); ++i) {
    const std::string& t = odd[i];
    const std::string id = std::to_string(i);
    LedgerWrite visit;
    visit.fixmedins_code = "H37990000001";
    visit.visit = Visit("VN" + id, t);
    visit.visit->info_json = t;
    visit.visit->ipt_otp_no = t;
    visit.visit_is_new = true;
    visit.msgid = t + "#n" + id;
    visit.infno = t;
    visit.reply_json = t;
    writes.push_back(visit);
    FeeLineRecord f = FeeLine("VL" + id, t);
    f.medins_list_codg = f.chrg_bchno = f.cnt = f.pric = f.fee_ocur_time = t;
    writes.push_back(FeeLines({f}, {}, t + "#f" + id));
    writes.back().reply_json = "{\"odd\":\"" + t + "\"}";
    LedgerWrite settle = Settlement("S" + t + id, "VS" + id, "P" + t, 100, 0, 10, t + "#s" + id);
    settle.settlement->bill_json = settle.reply_json = t + "{\"bill\":" + id + "}";
    settle.settlement->policy_version = settle.settlement->setl_time = t;
    writes.push_back(settle);
  }
  // 2^40 + 7 fen from the fund and 3·2^32 + 5 from the account: their high words matter, and the
  // journal carries both negated.
  const int64_t big_fund = (int64_t(1) << 40) + 7, big_acct = 3 * (int64_t(1) << 32) + 5;
  writes.push_back(Settlement("SBIG", "VBIG", "PBIG", big_fund, big_acct, 1, "#big"));
  const uint64_t before = ledger.Stats().bulk_batches;
  for (WriteStatus s : SubmitAsOneBatch(ledger, writes)) ASSERT_EQ(s, WriteStatus::kDurable);
  EXPECT_GT(ledger.Stats().bulk_batches, before);
  EXPECT_EQ(ledger.Stats().bulk_rolled_back, 0u) << "an array was refused; the per-write path ran";
  auto big = ledger.FindSettlement("SBIG");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->fund_pay_sumamt, big_fund);
  EXPECT_EQ(big->acct_pay, big_acct);
  EXPECT_EQ(big->medfee_sumamt, big_fund + big_acct + 1);
  EXPECT_EQ(big->year, 2025);
  EXPECT_EQ(ledger.AccountBalance("acct:PBIG"), -big_acct);
  EXPECT_EQ(ledger.Accumulators("PBIG", "310", 2025).at("inpatient.basic.paid"), big_fund);
  for (size_t i = 0; i < odd.size(); ++i) {
    const std::string& t = odd[i];
    const std::string id = std::to_string(i);
    auto v = ledger.FindVisit("H37990000001", "VN" + id);
    ASSERT_TRUE(v) << i;
    EXPECT_EQ(v->psn_no, t);
    EXPECT_EQ(v->info_json, t);
    EXPECT_EQ(v->ipt_otp_no, t);
    EXPECT_EQ(ledger.FindReply("H37990000001", t + "#n" + id), t);
    const SharedFeeLines lines = ledger.FeeLinesOf("H37990000001", "VL" + id);
    ASSERT_EQ(lines->size(), 1u) << i;
    const FeeLineRecord& f = lines->front();
    for (const std::string* field :
         {&f.feedetl_sn, &f.medins_list_codg, &f.chrg_bchno, &f.cnt, &f.pric, &f.fee_ocur_time})
      EXPECT_EQ(*field, t) << i;
    EXPECT_EQ(ledger.FindReply("H37990000001", t + "#f" + id), "{\"odd\":\"" + t + "\"}");
    auto s = ledger.FindSettlement("S" + t + id);
    ASSERT_TRUE(s) << i;
    EXPECT_EQ(s->bill_json, t + "{\"bill\":" + id + "}");
    EXPECT_EQ(s->psn_no, "P" + t);
    EXPECT_EQ(s->policy_version, t);
    EXPECT_EQ(s->setl_time, t);
    EXPECT_EQ(ledger.FindReply("H37990000001", t + "#s" + id), s->bill_json);
    EXPECT_EQ(ledger.Accumulators("P" + t, "310", 2025).at("inpatient.basic.paid"), 100);
  }
  EXPECT_EQ(ledger.JournalSum(), 0);
  EXPECT_EQ(ledger.AccountBalance("hospital:H37990000001"),
            100 * int64_t(odd.size()) + big_fund + big_acct);
}

// The one value `sql` (its last statement) returns on `db`, or the error.
std::string OneValue(PGconn* db, const char* sql) {
  PGresult* r = PQexec(db, sql);
  std::string v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                      ? PQgetvalue(r, 0, 0)
                      : std::string("error: ") + PQerrorMessage(db);
  PQclear(r);
  return v;
}

// A new ledger's tables are analysed as they grow from empty (ledger/pg_statistics.h), so that the
// prepared statements' generic plans are not left costed for empty tables until autovacuum comes:
// once at `min_rows`, again each time a table has more than doubled, never past `max_rows`.
// Autovacuum is off for the table watched, so every ANALYZE seen is the ledger's.
TEST(PgLedger, AnalysesTablesAsTheyGrowFromEmpty) {
  auto conninfo = NewSharedPgDatabase("growing");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  PgLedgerOptions options;
  options.statistics.interval = std::chrono::milliseconds(20);
  options.statistics.min_rows = 100;
  options.statistics.max_rows = 500;
  auto l = OpenPgLedger(*conninfo, options);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  PGconn* db = PQconnectdb(conninfo->c_str());
  ASSERT_EQ(PQstatus(db), CONNECTION_OK) << PQerrorMessage(db);
  auto query = [&](const char* sql) { return OneValue(db, sql); };
  ASSERT_EQ(query("ALTER TABLE msgid_reply SET (autovacuum_enabled = off); SELECT 'ok'"), "ok");
  // The rows ANALYZE last counted in msgid_reply (-1: never analysed).
  auto reltuples = [&] {
    return query("SELECT reltuples::bigint FROM pg_class WHERE oid = 'msgid_reply'::regclass");
  };
  auto analysed = [&] {
    return query("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'msgid_reply'");
  };
  // Replies stored until msgid_reply has `rows` rows.
  int stored = 0;
  auto grow_to = [&](int rows) {
    for (; stored < rows; ++stored) {
      LedgerWrite w;
      w.fixmedins_code = "H1";
      w.msgid = "M" + std::to_string(stored);
      w.infno = "2201";
      w.reply_json = "{}";
      ASSERT_EQ((*l)->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
    }
    // A backend hands its table counts to pg_stat when it goes idle, at most once a second, else
    // ten seconds later; under load that is every second. A write a second on (to another table)
    // makes the writer's backend hand them over now.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    LedgerWrite nudge;
    nudge.employers.push_back(EmployerRecord{"E1", "employer", "379900"});
    ASSERT_EQ((*l)->SubmitAndWait(std::move(nudge)), WriteStatus::kDurable);
  };
  // Waits, a minute at most, for `count` ANALYZEs.
  auto await = [&](const std::string& count) {
    for (int i = 0; i < 3000 && analysed() != count; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return analysed();
  };
  EXPECT_EQ(reltuples(), "-1");
  grow_to(60);  // below min_rows: left alone
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(analysed(), "0");
  grow_to(150);
  ASSERT_EQ(await("1"), "1");
  EXPECT_EQ(reltuples(), "150");
  grow_to(280);  // not yet twice the 150 rows of the last ANALYZE
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(analysed(), "1");
  grow_to(320);
  ASSERT_EQ(await("2"), "2");
  EXPECT_EQ(reltuples(), "320");
  grow_to(700);
  ASSERT_EQ(await("3"), "3");
  EXPECT_EQ(reltuples(), "700");
  grow_to(1500);  // 700 is past max_rows: autovacuum's from here
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(analysed(), "3");
  EXPECT_GE((*l)->Stats().tables_analysed, 3u);  // and others of the ledger's tables, maybe
  EXPECT_EQ((*l)->Stats().analyse_failures, 0u);
  PQfinish(db);
}

// A ledger whose role may not analyse every table in its schema (owns neither the table nor the
// database) leaves the others alone: PostgreSQL would skip them with a warning, and they would be
// due again at every check.
TEST(PgLedger, AnalysesOnlyTablesItMay) {
  auto conninfo = NewSharedPgDatabase("not_all_mine");
  ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
  PGconn* admin = PQconnectdb(conninfo->c_str());  // the cluster's superuser
  ASSERT_EQ(PQstatus(admin), CONNECTION_OK) << PQerrorMessage(admin);
  auto query = [&](const char* sql) { return OneValue(admin, sql); };
  {  // on a connection of its own: a backend hands its table counts to pg_stat when it ends
    PGconn* c = PQconnectdb(conninfo->c_str());
    PGresult* r = PQexec(c, R"sql(
        DO $$ BEGIN CREATE ROLE clerk LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        GRANT CREATE ON SCHEMA public TO clerk;
        CREATE TABLE others AS SELECT g FROM generate_series(1, 2000) g;
        ALTER TABLE others SET (autovacuum_enabled = off))sql");
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
  PgLedgerOptions options;
  options.statistics.interval = std::chrono::milliseconds(20);
  options.statistics.min_rows = 100;
  auto l = OpenPgLedger(*conninfo + " user=clerk", options);
  ASSERT_TRUE(l.ok()) << FormatDiagnostics(l.errors());
  ASSERT_EQ(query("SELECT tableowner FROM pg_tables WHERE tablename = 'visit'"), "clerk");
  ASSERT_EQ(query("SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'others'"), "2000");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // 25 checks
  EXPECT_EQ(query("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'others'"), "0");
  EXPECT_EQ((*l)->Stats().tables_analysed, 0u);  // the ledger's own tables are empty
  EXPECT_EQ((*l)->Stats().analyse_failures, 0u);
  PQfinish(admin);
}

TEST(PgLedger, OpenReportsAnUnreachableServer) {
  TempDir dir;
  auto l = OpenPgLedger("host=" + dir.File("nowhere") + " port=1 dbname=x connect_timeout=2");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(FormatDiagnostics(l.errors()).find("cannot connect"), std::string::npos)
      << FormatDiagnostics(l.errors());
}

}  // namespace
}  // namespace yibao
