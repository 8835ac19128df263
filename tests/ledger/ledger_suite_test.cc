// The Ledger contract, on every backend: atomic writes, refusals that change nothing, cancellation,
// group commit; the register, visits and fee lines, contributions, reconciliation and the audit
// log. "sqlite" runs on a temporary file; "postgres" on a fresh database of a throwaway PostgreSQL
// 15 cluster (pg_cluster.h), started on first use and removed when the binary exits.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "bill_samples.h"
#include "ledger/pg_ledger.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "ledger_test_util.h"
#include "pg_cluster.h"

namespace yibao {
namespace {

using namespace ledger_test;

// Stops and removes the throwaway cluster when the test binary ends.
class PgClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { StopSharedPgCluster(); }
};
[[maybe_unused]] ::testing::Environment* const pg_environment =
    ::testing::AddGlobalTestEnvironment(new PgClusterEnvironment);

class LedgerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (Backend() == "sqlite") {
      path_ = dir_.File("ledger.db");
      return;
    }
    // No silent skip: without a PostgreSQL server every postgres test fails and says why.
    auto conninfo = NewSharedPgDatabase("ledger_" + std::to_string(databases_++));
    ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
    conninfo_ = *conninfo;
  }

  // Opens the test's store (the same one each time: reopening sees what was written).
  std::unique_ptr<Ledger> Open(BillCodecOptions codec = {}) {
    auto l = Backend() == "sqlite" ? OpenSqliteLedger(path_, {.bill_codec = codec})
                                   : OpenPgLedger(conninfo_, {.bill_codec = codec});
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : FormatDiagnostics(l.errors()));
    if (!l.ok()) return nullptr;
    return Cached() ? WithReadCache(std::move(*l)) : std::move(*l);
  }

  // "sqlite", "postgres", or "sqlite_cached": through the read cache (read_cache.h), which must
  // keep the same contract. The cache is the same over either backend and relies only on this
  // contract, which "postgres" checks; the server runs it over PostgreSQL in http_crash_postgresql.
  // (A "postgres_cached" run would add a minute of cluster start-ups to CI for no other code.)
  std::string Backend() const { return GetParam().substr(0, GetParam().find('_')); }
  bool Cached() const { return GetParam().find("_cached") != std::string::npos; }

 private:
  static inline int databases_ = 0;
  TempDir dir_;
  std::string path_, conninfo_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest,
                         ::testing::Values("sqlite", "postgres", "sqlite_cached"),
                         [](const auto& info) { return info.param; });

TEST_P(LedgerTest, SettlementIsStoredWithItsDeltasAndBalancedJournal) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("S1", "V1", "P1", 80000, 5000, 15000, "M1")),
            WriteStatus::kDurable);
  auto r = ledger->FindSettlement("S1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->medfee_sumamt, 100000);
  EXPECT_EQ(r->bill_json, "{\"setl_id\":\"S1\"}");
  auto acc = ledger->Accumulators("P1", "310", 2025);
  EXPECT_EQ(acc["inpatient.admissions"], 1);
  EXPECT_EQ(acc["inpatient.basic.paid"], 80000);
  EXPECT_EQ(ledger->JournalSum(), 0);
  EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), 85000);
  EXPECT_EQ(ledger->AccountBalance("acct:P1"), -5000);
  EXPECT_EQ(ledger->FindReply("H37990000001", "M1"), "{\"infcode\":0}");
  EXPECT_EQ(ledger->DeltasOf("S1").size(), 2u);
}

// DeltasOf and JournalOf read back what the write carried: deltas by account (zero ones are not
// kept), journal entries in the order posted (zero ones included); an account twice among the
// deltas refuses the write (kFailed) and changes nothing.
TEST_P(LedgerTest, DeltasAndJournalAreReadBackAsWritten) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite w = Settlement("S1", "V1", "P1", 80000, 0, 15000);
  w.accumulators = {{"z.last", 3}, {"a.first", 1}, {"m.zero", 0}, {"b:odd;name\t", -7}};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  using Deltas = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(ledger->DeltasOf("S1"), (Deltas{{"a.first", 1}, {"b:odd;name\t", -7}, {"z.last", 3}}));
  auto journal = ledger->JournalOf("S1");
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[0].account, "fund:379900:310:hifp");
  EXPECT_EQ(journal[0].amount, -80000);
  EXPECT_EQ(journal[1].account, "acct:P1");
  EXPECT_EQ(journal[1].amount, 0);
  EXPECT_EQ(journal[2].account, "hospital:H37990000001");
  EXPECT_EQ(journal[2].amount, 80000);
  EXPECT_TRUE(ledger->DeltasOf("S-none").empty());
  EXPECT_TRUE(ledger->JournalOf("S-none").empty());

  LedgerWrite twice = Settlement("S2", "V2", "P1", 100, 0, 0);
  twice.accumulators = {{"a.first", 1}, {"a.first", 2}};
  EXPECT_EQ(ledger->SubmitAndWait(twice), WriteStatus::kFailed);
  EXPECT_FALSE(ledger->FindSettlement("S2"));
  EXPECT_EQ(ledger->Accumulators("P1", "310", 2025)["a.first"], 1);
}

// Reads from many threads at once (each on its own reader connection) see every write whose
// callback has run, and each other's.
TEST_P(LedgerTest, ParallelReadersSeeCommittedWrites) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  constexpr int kThreads = 12, kEach = 25;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        const std::string psn = "P" + std::to_string(t);
        if (ledger->SubmitAndWait(Settlement("S" + id, "V" + id, psn, 100, 10, 0, "M" + id)) !=
            WriteStatus::kDurable) {
          ++wrong;
          continue;
        }
        if (!ledger->FindSettlement("S" + id)) ++wrong;
        if (!ledger->FindReply("H37990000001", "M" + id)) ++wrong;
        if (ledger->DeltasOf("S" + id).size() != 2u) ++wrong;
        if (ledger->JournalOf("S" + id).size() != 3u) ++wrong;
        if (ledger->AccountBalance("acct:" + psn) != -10 * (i + 1)) ++wrong;
        if (ledger->Accumulators(psn, "310", 2025)["inpatient.admissions"] != i + 1) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), int64_t(kThreads) * kEach * 110);
  EXPECT_EQ(ledger->JournalSum(), 0);
}

// Reads inside ReadTogether scopes (nested too, and from many threads at once) see every write
// durable before the scope began, and once the scope ends, the writes made while it was open.
TEST_P(LedgerTest, ReadsTogetherSeeCommittedWrites) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  constexpr int kThreads = 8, kEach = 20;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const std::string psn = "P" + std::to_string(t);
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        if (ledger->SubmitAndWait(Settlement("S" + id, "V" + id, psn, 100, 10, 0, "M" + id)) !=
            WriteStatus::kDurable)
          ++wrong;
        auto reads = ledger->ReadTogether();
        if (!ledger->FindSettlement("S" + id)) ++wrong;
        {
          auto nested = ledger->ReadTogether();
          if (ledger->AccountBalance("acct:" + psn) != -10 * (i + 1)) ++wrong;
        }
        if (ledger->Accumulators(psn, "310", 2025)["inpatient.admissions"] != i + 1) ++wrong;
        if (!ledger->FindReply("H37990000001", "M" + id)) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // A write made while a scope is open is seen once it has ended.
  {
    auto reads = ledger->ReadTogether();
    EXPECT_EQ(ledger->AccountBalance("acct:late"), 0);
    ASSERT_EQ(ledger->SubmitAndWait(Settlement("S-late", "V-late", "late", 100, 10, 0, "M-late")),
              WriteStatus::kDurable);
  }
  EXPECT_EQ(ledger->AccountBalance("acct:late"), -10);
  EXPECT_TRUE(ledger->FindSettlement("S-late"));
  EXPECT_EQ(ledger->JournalSum(), 0);
}

// A settlement's reply is its bill: kept once (in the settlement row) and replayed whole.
TEST_P(LedgerTest, SettlementReplyIsKeptOnceAndReplayedWhole) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite w = Settlement("S1", "V1", "P1", 800, 0, 200, "M1");
  w.settlement->bill_json = R"({"setlinfo":{"setl_id":"S1","medfee_sumamt":10.00}})";
  w.reply_json = w.settlement->bill_json;
  EXPECT_EQ(StoredReply(w), "@setl:S1");
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  std::string infno;
  EXPECT_EQ(ledger->FindReply("H37990000001", "M1", &infno), w.reply_json);
  EXPECT_EQ(infno, w.infno);
  // A reply that is not the bill is kept as it is.
  LedgerWrite other = Settlement("S2", "V2", "P1", 800, 0, 200, "M2");
  other.reply_json = "{}";
  ASSERT_EQ(ledger->SubmitAndWait(other), WriteStatus::kDurable);
  EXPECT_EQ(ledger->FindReply("H37990000001", "M2"), "{}");
}

// Bills are text until the ledger's first dictionary is trained and stored, then zstd frames; read
// back through every path — the settlement, the live settlement of its visit, the replayed reply
// — each is the very bill written, also after the ledger is reopened (the dictionary is loaded
// from the ledger itself).
TEST_P(LedgerTest, BillsAreCompressedWithTheLedgersDictionaryAndReadBackWhole) {
  auto ledger = Open({.train_after = 200});
  ASSERT_TRUE(ledger);
  std::mt19937 rng(5);
  std::vector<std::string> bills;
  auto settle = [&](Ledger& l) {
    const int n = int(bills.size());
    const std::string id = std::to_string(n);
    LedgerWrite w =
        Settlement("S" + id, "V" + id, "P" + std::to_string(n % 50), 100, 0, 10, "M" + id);
    w.settlement->bill_json = bill_samples::SampleBill(rng, n);
    w.reply_json = w.settlement->bill_json;  // kept once, in the row (@setl:)
    bills.push_back(w.settlement->bill_json);
    return w;
  };
  // Submitted in rounds of a hundred (group-committed), until bills are being framed; training
  // runs beside the writer, so how many stay text is not fixed.
  while (ledger->Stats().bill_frames < 300 && bills.size() < 20'000) {
    for (int i = 0; i < 99; ++i) ledger->Submit(settle(*ledger), [](WriteStatus) {});
    ASSERT_EQ(ledger->SubmitAndWait(settle(*ledger)), WriteStatus::kDurable);
  }
  const LedgerStats stats = ledger->Stats();
  ASSERT_GE(stats.bill_frames, 300u);
  EXPECT_GE(stats.bill_texts, 200u);
  EXPECT_EQ(stats.bill_frames + stats.bill_texts, bills.size());
  EXPECT_LT(stats.bill_frame_bytes * 4, stats.bill_json_bytes);
  ledger.reset();

  auto reopened = Open({.train_after = 200});
  ASSERT_TRUE(reopened);
  for (size_t n = 0; n < bills.size(); ++n) {
    const std::string id = std::to_string(n);
    auto r = reopened->FindSettlement("S" + id);
    ASSERT_TRUE(r) << n;
    ASSERT_EQ(r->bill_json, bills[n]) << n;
    auto live = reopened->LiveSettlementOfVisit("H37990000001", "V" + id);
    ASSERT_TRUE(live) << n;
    ASSERT_EQ(live->bill_json, bills[n]) << n;
    ASSERT_EQ(reopened->FindReply("H37990000001", "M" + id), bills[n]) << n;
  }
  // Written after reopening: framed at once with the stored dictionary.
  ASSERT_EQ(reopened->SubmitAndWait(settle(*reopened)), WriteStatus::kDurable);
  EXPECT_EQ(reopened->Stats().bill_frames, 1u);
  EXPECT_EQ(reopened->FindSettlement("S" + std::to_string(bills.size() - 1))->bill_json,
            bills.back());
  EXPECT_EQ(reopened->JournalSum(), 0);
}

// Bills that drift from the ledger's dictionary get a second one, stored in the ledger beside the
// first; after reopening, both are loaded and every bill, under either, reads back whole.
TEST_P(LedgerTest, DriftingBillsGetASecondDictionaryAndAllReadBack) {
  const BillCodecOptions options{.train_after = 200, .retrain_window = 200};
  auto ledger = Open(options);
  ASSERT_TRUE(ledger);
  std::mt19937 rng(8);
  std::vector<std::string> bills;
  auto settle = [&](bool drifted) {
    const int n = int(bills.size());
    const std::string id = std::to_string(n);
    LedgerWrite w = Settlement("S" + id, "V" + id, "P" + std::to_string(n % 50), 100, 0, 10);
    w.settlement->bill_json =
        drifted ? bill_samples::DriftedBill(rng, n) : bill_samples::SampleBill(rng, n);
    bills.push_back(w.settlement->bill_json);
    return w;
  };
  auto round = [&](bool drifted) {
    for (int i = 0; i < 49; ++i) ledger->Submit(settle(drifted), [](WriteStatus) {});
    return ledger->SubmitAndWait(settle(drifted));
  };
  // The first dictionary, and a window of bills framed under it.
  while ((ledger->Stats().bill_dictionaries < 1 || ledger->Stats().bill_frames < 400) &&
         bills.size() < 20'000)
    ASSERT_EQ(round(false), WriteStatus::kDurable);
  ASSERT_EQ(ledger->Stats().bill_dictionaries, 1u);
  // Then the bills change.
  while (ledger->Stats().bill_dictionaries < 2 && bills.size() < 40'000)
    ASSERT_EQ(round(true), WriteStatus::kDurable);
  ASSERT_EQ(ledger->Stats().bill_dictionaries, 2u);
  ASSERT_EQ(round(true), WriteStatus::kDurable);
  EXPECT_EQ(ledger->Stats().bill_frames + ledger->Stats().bill_texts, bills.size());
  ledger.reset();

  auto reopened = Open(options);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->Stats().bill_dictionaries, 2u);
  for (size_t n = 0; n < bills.size(); ++n) {
    auto r = reopened->FindSettlement("S" + std::to_string(n));
    ASSERT_TRUE(r) << n;
    ASSERT_EQ(r->bill_json, bills[n]) << n;
  }
  EXPECT_EQ(reopened->JournalSum(), 0);
}

TEST_P(LedgerTest, RefusedWritesChangeNothing) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S1", "V1", "P1", 800, 0, 200, "M1")),
            WriteStatus::kDurable);
  // A second settlement of the same visit.
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("S2", "V1", "P1", 800, 0, 200, "M2")),
            WriteStatus::kDuplicateVisit);
  // A reused msgid (another visit).
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("S3", "V3", "P1", 800, 0, 200, "M1")),
            WriteStatus::kDuplicateMsgid);
  // An unbalanced journal.
  LedgerWrite bad = Settlement("S4", "V4", "P1", 800, 0, 200);
  bad.journal.back().amount += 1;
  EXPECT_EQ(ledger->SubmitAndWait(bad), WriteStatus::kUnbalanced);
  // None of them left a trace.
  EXPECT_FALSE(ledger->FindSettlement("S2"));
  EXPECT_FALSE(ledger->FindSettlement("S3"));
  EXPECT_FALSE(ledger->FindSettlement("S4"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M2"));
  EXPECT_EQ(ledger->Accumulators("P1", "310", 2025)["inpatient.basic.paid"], 800);
  EXPECT_EQ(ledger->Accumulators("P1", "310", 2025)["inpatient.admissions"], 1);
  EXPECT_EQ(ledger->JournalSum(), 0);
  EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), 800);
}

// A new visit (a registration) is inserted, never upserted: one the store knows already — its row,
// whatever its state, or lines or a settlement under its key — is refused with its write (msgid
// and all), alone in its batch, and what the store had stays.
TEST_P(LedgerTest, ANewVisitIsRefusedWhenTheStoreHasItAlready) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  auto registration = [](const std::string& mdtrt_id, const std::string& psn_no,
                         const std::string& msgid) {
    LedgerWrite w;
    w.fixmedins_code = "H37990000001";
    w.msgid = msgid;
    w.infno = "2201";
    w.reply_json = "{}";
    w.visit = Visit(mdtrt_id, psn_no);
    w.visit_is_new = true;
    return w;
  };
  ASSERT_EQ(ledger->SubmitAndWait(registration("V1", "P1", "M1")), WriteStatus::kDurable);
  LedgerWrite line;
  line.fee_lines = {FeeLine("V1", "1", 500)};
  ASSERT_EQ(ledger->SubmitAndWait(line), WriteStatus::kDurable);
  EXPECT_EQ(ledger->SubmitAndWait(registration("V1", "P2", "M2")), WriteStatus::kDuplicateVisit);
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M2"));
  EXPECT_EQ(ledger->FindVisit("H37990000001", "V1")->psn_no, "P1");
  EXPECT_EQ(ledger->FeeLinesOf("H37990000001", "V1")->size(), 1u);
  // In one batch: the second registration of V2 meets the first; V3 and V4 go through.
  const auto statuses =
      SubmitAsOneBatch(*ledger, {registration("V2", "P1", "M3"), registration("V2", "P2", "M4"),
                                 registration("V3", "P2", "M5"), registration("V1", "P3", "M6"),
                                 registration("V4", "P3", "M7")});
  EXPECT_EQ(statuses, (std::vector<WriteStatus>{WriteStatus::kDurable, WriteStatus::kDuplicateVisit,
                                                WriteStatus::kDurable, WriteStatus::kDuplicateVisit,
                                                WriteStatus::kDurable}));
  EXPECT_EQ(ledger->FindVisit("H37990000001", "V2")->psn_no, "P1");
  EXPECT_EQ(ledger->FindVisit("H37990000001", "V1")->psn_no, "P1");
  EXPECT_TRUE(ledger->FindVisit("H37990000001", "V4"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M4"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M6"));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M7"));
  // Lines or a settlement under the visit's key, without the visit's row: not new either.
  LedgerWrite orphan_line;
  orphan_line.fee_lines = {FeeLine("V8", "1", 100)};
  ASSERT_EQ(ledger->SubmitAndWait(orphan_line), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S9", "V9", "P1", 100, 0, 0)), WriteStatus::kDurable);
  EXPECT_EQ(ledger->SubmitAndWait(registration("V8", "P1", "M8")), WriteStatus::kDuplicateVisit);
  EXPECT_EQ(ledger->SubmitAndWait(registration("V9", "P1", "M9")), WriteStatus::kDuplicateVisit);
  EXPECT_FALSE(ledger->FindVisit("H37990000001", "V8"));
  EXPECT_FALSE(ledger->FindVisit("H37990000001", "V9"));
  // Upserting (not new) still replaces the visit.
  LedgerWrite update;
  update.visit = Visit("V1", "P1");
  update.visit->status = "discharged";
  ASSERT_EQ(ledger->SubmitAndWait(update), WriteStatus::kDurable);
  EXPECT_EQ(ledger->FindVisit("H37990000001", "V1")->status, "discharged");
}

TEST_P(LedgerTest, CancellationRestoresAndAllowsResettlement) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite visit;
  visit.visit = Visit("V1", "P1");
  ASSERT_EQ(ledger->SubmitAndWait(visit), WriteStatus::kDurable);
  LedgerWrite first = Settlement("S1", "V1", "P1", 1000, 100, 50);
  ASSERT_EQ(ledger->SubmitAndWait(first), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Cancellation(first, "C1")), WriteStatus::kDurable);
  auto acc = ledger->Accumulators("P1", "310", 2025);
  EXPECT_EQ(acc["inpatient.basic.paid"], 0);
  EXPECT_EQ(acc["inpatient.admissions"], 0);
  EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), 0);
  EXPECT_FALSE(ledger->LiveSettlementOfVisit("H37990000001", "V1"));
  // Nothing deleted: both records stay.
  EXPECT_TRUE(ledger->FindSettlement("S1"));
  EXPECT_EQ(ledger->FindSettlement("C1")->cancels, "S1");
  // Cancelling twice is refused; settling the visit again is allowed.
  EXPECT_EQ(ledger->SubmitAndWait(Cancellation(first, "C2")), WriteStatus::kDuplicateVisit);
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("S2", "V1", "P1", 900, 0, 100)),
            WriteStatus::kDurable);
  EXPECT_EQ(ledger->LiveSettlementOfVisit("H37990000001", "V1")->setl_id, "S2");
  EXPECT_EQ(ledger->Accumulators("P1", "310", 2025)["inpatient.basic.paid"], 900);
  EXPECT_EQ(ledger->SettlementsOf("P1", "310", 2025).size(), 3u);
}

// A person's settlements of an insurance and year are found through the person's visits: every
// settlement, cancellation and cancelled original, in the order written, and nobody else's.
TEST_P(LedgerTest, SettlementsOfFindsAPersonsSettlementsThroughTheirVisits) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite visits;
  for (const auto& [mdtrt_id, psn_no] :
       {std::pair{"V1", "P1"}, {"V2", "P1"}, {"V3", "P2"}, {"V4", "P1"}}) {
    visits.visit = Visit(mdtrt_id, psn_no);
    ASSERT_EQ(ledger->SubmitAndWait(visits), WriteStatus::kDurable);
  }
  const LedgerWrite first = Settlement("S1", "V1", "P1", 1000, 100, 50);
  ASSERT_EQ(ledger->SubmitAndWait(first), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S2", "V2", "P1", 300, 0, 0)), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S3", "V3", "P2", 400, 0, 0)), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Cancellation(first, "C1")), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S4", "V1", "P1", 900, 0, 0)), WriteStatus::kDurable);
  LedgerWrite other_year = Settlement("S5", "V4", "P1", 200, 0, 0);
  other_year.settlement->year = 2026;
  ASSERT_EQ(ledger->SubmitAndWait(other_year), WriteStatus::kDurable);
  // A second live settlement of V1 and a second cancellation of S1 are refused by the same rule.
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("S6", "V1", "P1", 10, 0, 0)),
            WriteStatus::kDuplicateVisit);
  EXPECT_EQ(ledger->SubmitAndWait(Cancellation(first, "C2")), WriteStatus::kDuplicateVisit);

  std::vector<std::string> ids;
  for (const auto& s : ledger->SettlementsOf("P1", "310", 2025)) ids.push_back(s.setl_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S1", "S2", "C1", "S4"}));
  ASSERT_EQ(ledger->SettlementsOf("P1", "310", 2026).size(), 1u);
  EXPECT_EQ(ledger->SettlementsOf("P1", "310", 2026)[0].setl_id, "S5");
  ASSERT_EQ(ledger->SettlementsOf("P2", "310", 2025).size(), 1u);
  EXPECT_TRUE(ledger->SettlementsOf("P1", "390", 2025).empty());
  EXPECT_TRUE(ledger->SettlementsOf("P9", "310", 2025).empty());
  EXPECT_EQ(ledger->LiveSettlementOfVisit("H37990000001", "V1")->setl_id, "S4");
}

TEST_P(LedgerTest, ConcurrentWritersAreGroupCommitted) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  constexpr int kThreads = 8, kPerThread = 250;
  std::atomic<int> durable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        ledger->Submit(
            Settlement("S" + id, "V" + id, "P" + std::to_string(t), 100, 10, 1, "M" + id),
            [&](WriteStatus s) { durable += s == WriteStatus::kDurable; });
      }
    });
  for (auto& t : threads) t.join();
  ledger.reset();  // drains: every callback has run
  EXPECT_EQ(durable.load(), kThreads * kPerThread);
  auto reopened = Open();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->JournalSum(), 0);
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(reopened->Accumulators("P" + std::to_string(t), "310", 2025)["inpatient.basic.paid"],
              100 * kPerThread);
  EXPECT_EQ(reopened->AccountBalance("hospital:H37990000001"),
            int64_t(110) * kThreads * kPerThread);
}

TEST_P(LedgerTest, BatchesHoldManyWrites) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  // Submitted faster than one fsync each could keep up with: the writer must commit them in
  // batches.
  for (int i = 0; i < 2000; ++i)
    ledger->Submit(Settlement("S" + std::to_string(i), "V" + std::to_string(i), "P", 1, 0, 0),
                   [](WriteStatus) {});
  EXPECT_EQ(ledger->SubmitAndWait(Settlement("L", "VL", "P", 1, 0, 0)), WriteStatus::kDurable);
  LedgerStats stats = ledger->Stats();
  EXPECT_EQ(stats.writes, 2001u);
  EXPECT_LT(stats.batches, 2001u);
  EXPECT_GT(stats.largest_batch, 1u);
  EXPECT_EQ(ledger->Accumulators("P", "310", 2025)["inpatient.basic.paid"], 2001);
}

// Refusals of every kind scattered through batches (and a replay storm where every write of a
// batch is refused): each refused write is refused alone, with the status it would get alone, and
// every other write of its batch commits. Same statuses, same state on every backend.
TEST_P(LedgerTest, RefusalsInsideBatchesAreRefusedAlone) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S0", "V0", "P0", 500, 0, 0, "M0")),
            WriteStatus::kDurable);
  std::vector<LedgerWrite> writes;
  std::vector<WriteStatus> expected;
  std::map<std::string, int64_t> paid{{"P0", 500}, {"P1", 0}, {"P2", 0}};
  std::vector<std::string> absent;
  for (int i = 1; i <= 400; ++i) {
    const std::string n = std::to_string(i), psn = "P" + std::to_string(i % 3);
    const int64_t fund = 100 + i;
    switch (i % 10) {
      case 1:  // a setl_id used before
        writes.push_back(Settlement("S0", "VX" + n, psn, fund, 0, 0));
        expected.push_back(WriteStatus::kDuplicateVisit);
        break;
      case 3:  // a visit already settled
        writes.push_back(Settlement("X" + n, "V0", psn, fund, 0, 0));
        expected.push_back(WriteStatus::kDuplicateVisit);
        absent.push_back("X" + n);
        break;
      case 5:  // a msgid used before
        writes.push_back(Settlement("X" + n, "VX" + n, psn, fund, 0, 0, "M0"));
        expected.push_back(WriteStatus::kDuplicateMsgid);
        absent.push_back("X" + n);
        break;
      case 7: {  // an unbalanced journal
        LedgerWrite w = Settlement("X" + n, "VX" + n, psn, fund, 0, 0);
        w.journal.front().amount -= 1;
        writes.push_back(w);
        expected.push_back(WriteStatus::kUnbalanced);
        absent.push_back("X" + n);
        break;
      }
      case 8:  // the cancellation of the settlement two writes back (same batch, most likely)
        writes.push_back(Cancellation(writes[writes.size() - 2], "C" + n));
        expected.push_back(WriteStatus::kDurable);
        paid["P" + std::to_string((i - 2) % 3)] -= 100 + (i - 2);
        break;
      case 9:  // the cancellation of a settlement that does not exist: nothing live to cancel
        writes.push_back(Cancellation(Settlement("NONE" + n, "VX" + n, psn, fund, 0, 0), "X" + n));
        expected.push_back(WriteStatus::kDuplicateVisit);
        absent.push_back("X" + n);
        break;
      default:
        writes.push_back(Settlement("S" + n, "V" + n, psn, fund, 0, 0, "M" + n));
        expected.push_back(WriteStatus::kDurable);
        paid[psn] += fund;
    }
  }
  // A replay storm: every write reuses a msgid.
  for (int i = 0; i < 100; ++i) {
    const std::string n = std::to_string(1000 + i);
    writes.push_back(Settlement("X" + n, "VX" + n, "P1", 1, 0, 0, i % 2 ? "M0" : "M2"));
    expected.push_back(WriteStatus::kDuplicateMsgid);
    absent.push_back("X" + n);
  }
  std::vector<WriteStatus> got(writes.size(), WriteStatus::kFailed);
  for (size_t i = 0; i < writes.size(); ++i)
    ledger->Submit(writes[i], [&got, i](WriteStatus s) { got[i] = s; });
  ledger.reset();  // drains: every callback has run
  for (size_t i = 0; i < writes.size(); ++i)
    EXPECT_EQ(got[i], expected[i])
        << "write " << i << " (" << writes[i].settlement->setl_id << "): got "
        << WriteStatusName(got[i]) << ", expected " << WriteStatusName(expected[i]);
  auto reopened = Open();
  ASSERT_TRUE(reopened);
  for (const auto& id : absent) EXPECT_FALSE(reopened->FindSettlement(id)) << id;
  EXPECT_FALSE(reopened->FindSettlement("NONE9"));
  EXPECT_EQ(reopened->FindSettlement("C8")->cancels, "S6");
  EXPECT_FALSE(reopened->LiveSettlementOfVisit("H37990000001", "V6"));
  EXPECT_EQ(reopened->LiveSettlementOfVisit("H37990000001", "V0")->setl_id, "S0");
  EXPECT_EQ(reopened->JournalSum(), 0);
  int64_t hospital = 0;
  for (const auto& [psn, amount] : paid) {
    EXPECT_EQ(reopened->Accumulators(psn, "310", 2025)["inpatient.basic.paid"], amount) << psn;
    hospital += amount;
  }
  EXPECT_EQ(reopened->AccountBalance("hospital:H37990000001"), hospital);
}

// Every kind of refusal in one batch, most of them colliding with writes earlier in the same batch
// (a visit settled twice, cancelled and settled again, a msgid twice, a fee line uploaded twice or
// cancelled after its upload): each write gets the status it gets when applied alone, in order.
TEST_P(LedgerTest, RefusalsCollidingWithinOneBatchAreThoseOfOneByOne) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  for (const auto& w : MixedBatchSetup())
    ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  const MixedWrites mixed = MixedBatch();
  const auto got = SubmitAsOneBatch(*ledger, mixed.writes);
  ASSERT_EQ(got.size(), mixed.expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], mixed.expected[i]) << "write " << i << ": got " << WriteStatusName(got[i])
                                         << ", expected " << WriteStatusName(mixed.expected[i]);
  EXPECT_EQ(ledger->LiveSettlementOfVisit("H37990000001", "V1")->setl_id, "S3");
  EXPECT_EQ(ledger->LiveSettlementOfVisit("H37990000001", "V0")->setl_id, "S12");
  EXPECT_EQ(ledger->FindSettlement("C1")->cancels, "S1");
  EXPECT_FALSE(ledger->FindSettlement("C1b"));
  std::vector<std::string> lines;
  const SharedFeeLines v9 = ledger->FeeLinesOf("H37990000001", "V9");  // held while read
  for (const auto& f : *v9) lines.push_back(f.feedetl_sn + (f.cancelled ? "x" : ""));
  EXPECT_EQ(lines, (std::vector<std::string>{"1x", "2x", "3x", "3", "4x", "1", "4"}));
  EXPECT_EQ(ledger->JournalSum(), 0);
  // Filings: the refused write's is not there; one upserted twice in the batch is the later one.
  EXPECT_FALSE(ledger->FindFiling("FL3"));
  auto p9 = ledger->FilingsOf("P9");
  ASSERT_EQ(p9.size(), 2u);
  EXPECT_EQ(p9[0].filing_id, "FL1");
  EXPECT_TRUE(p9[0].revoked);
  EXPECT_EQ(p9[0].enddate, "2025-06-30");
  EXPECT_EQ(p9[1].filing_id, "FL2");
  ASSERT_EQ(ledger->FilingsOf("P2").size(), 1u);
  EXPECT_EQ(ledger->FilingsOf("P2")[0].filing_id, "FL4");
}

// Cross-region filings: read back by person in (begndate, filing_id) order, every field as
// written; an upsert by filing_id replaces the whole record (a revocation is such an upsert, the
// record stays); a filing written with a refused write is not kept; all of it survives a reopen.
TEST_P(LedgerTest, FilingsAreUpsertedByIdAndReadByPerson) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->FilingsOf("P1").empty());
  EXPECT_FALSE(ledger->FindFiling("F-b"));
  ASSERT_EQ(ledger->SubmitAndWait(Filings({
                Filing("F-b", "P1", "referral", "440000", "2025-03-01", "2025-03-31"),
                Filing("F-a", "P1", "long_term", "440300", "2025-03-01"),
                Filing("F-0", "P1", "emergency", "110105", "2024-12-30", "2025-01-05"),
                Filing("F-x", "P2"),
            })),
            WriteStatus::kDurable);
  auto p1 = ledger->FilingsOf("P1");
  ASSERT_EQ(p1.size(), 3u);
  EXPECT_EQ(p1[0].filing_id, "F-0");  // the earliest begndate first, then by id
  EXPECT_EQ(p1[1].filing_id, "F-a");
  EXPECT_EQ(p1[2].filing_id, "F-b");
  EXPECT_EQ(p1[0].filing_type, "emergency");
  EXPECT_EQ(p1[0].mdtrtarea_admvs, "110105");
  EXPECT_EQ(p1[0].begndate, "2024-12-30");
  EXPECT_EQ(p1[0].enddate, "2025-01-05");
  EXPECT_FALSE(p1[0].revoked);
  EXPECT_EQ(p1[1].enddate, "");
  EXPECT_EQ(p1[2].psn_no, "P1");
  ASSERT_EQ(ledger->FilingsOf("P2").size(), 1u);
  auto found = ledger->FindFiling("F-b");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->filing_type, "referral");
  EXPECT_EQ(found->mdtrtarea_admvs, "440000");

  // Replaced whole: another type, place and dates; then revoked.
  FilingRecord changed = Filing("F-b", "P1", "long_term", "330100", "2025-01-15");
  ASSERT_EQ(ledger->SubmitAndWait(Filings({changed})), WriteStatus::kDurable);
  p1 = ledger->FilingsOf("P1");
  ASSERT_EQ(p1.size(), 3u);
  EXPECT_EQ(p1[1].filing_id, "F-b");  // now ordered by its new begndate
  EXPECT_EQ(p1[1].filing_type, "long_term");
  EXPECT_EQ(p1[1].mdtrtarea_admvs, "330100");
  EXPECT_EQ(p1[1].enddate, "");
  changed.revoked = true;
  changed.enddate = "2025-02-28";
  ASSERT_EQ(ledger->SubmitAndWait(Filings({changed})), WriteStatus::kDurable);
  found = ledger->FindFiling("F-b");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->revoked);
  EXPECT_EQ(found->enddate, "2025-02-28");
  EXPECT_EQ(ledger->FilingsOf("P1").size(), 3u);

  // Refused with its write: an unbalanced journal keeps the filing out.
  LedgerWrite refused = Settlement("S1", "V1", "P1", 100, 0, 0);
  refused.journal.back().amount += 1;
  refused.filings = {Filing("F-refused", "P1")};
  EXPECT_EQ(ledger->SubmitAndWait(refused), WriteStatus::kUnbalanced);
  LedgerWrite dup = Settlement("S2", "V2", "P1", 100, 0, 0, "M1");
  ASSERT_EQ(ledger->SubmitAndWait(dup), WriteStatus::kDurable);
  dup = Settlement("S3", "V3", "P1", 100, 0, 0, "M1");
  dup.filings = {Filing("F-refused", "P1")};
  EXPECT_EQ(ledger->SubmitAndWait(dup), WriteStatus::kDuplicateMsgid);
  EXPECT_FALSE(ledger->FindFiling("F-refused"));

  ledger.reset();
  auto reopened = Open();
  ASSERT_TRUE(reopened);
  p1 = reopened->FilingsOf("P1");
  ASSERT_EQ(p1.size(), 3u);
  EXPECT_TRUE(p1[1].revoked);
  EXPECT_EQ(p1[2].filing_id, "F-a");
  EXPECT_EQ(reopened->FindFiling("F-x")->psn_no, "P2");
}

TEST_P(LedgerTest, PersonUpsertReplacesInsurancesAndIdentities) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_FALSE(ledger->FindPerson("P1"));
  EXPECT_EQ(ledger->PersonCount(), 0);
  LedgerWrite w;
  w.persons = {Person("P1", "370102196005010011"), Person("P2", "370102197001010022")};
  w.persons[1].identities.push_back(IdentityRecord{"disabled", "2020-01-01", "2030-12-31"});
  w.employers = {EmployerRecord{"E1", "青岚机械厂", "379902"}};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  EXPECT_EQ(ledger->PersonCount(), 2);
  auto p1 = ledger->FindPerson("P1");
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->psn_name, "张三");
  EXPECT_EQ(p1->brdy, "1960-05-01");
  ASSERT_EQ(p1->insurances.size(), 2u);
  EXPECT_EQ(p1->insurances[0].insutype, "310");
  EXPECT_EQ(p1->insurances[0].psn_insu_date, "1995-01-01");
  EXPECT_EQ(p1->insurances[0].emp_no, "E1");
  EXPECT_EQ(p1->insurances[1].insutype, "330");
  ASSERT_EQ(p1->identities.size(), 1u);
  EXPECT_EQ(p1->identities[0].psn_idet_type, "lowinc");
  EXPECT_EQ(p1->identities[0].endtime, "");
  EXPECT_EQ(ledger->FindPerson("P2")->identities.size(), 2u);
  EXPECT_EQ(ledger->FindEmployer("E1")->emp_name, "青岚机械厂");
  EXPECT_FALSE(ledger->FindEmployer("E2"));

  // The upsert replaces everything: fields, insurances (in the order given), identities.
  PersonRecord changed = Person("P1", "370102196005010011");
  changed.psn_name = "张三丰";
  changed.insurances = {
      InsuranceRecord{"390", "21", "2", "2024-01-01", "2025-02-01", "379902", "", "0"},
      InsuranceRecord{"310", "1102", "4", "1995-01-01", "", "379900", "E2", "1"}};
  changed.identities.clear();
  w = LedgerWrite{};
  w.persons = {changed};
  w.employers = {EmployerRecord{"E1", "青岚机械集团", "379903"}};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  p1 = ledger->FindPerson("P1");
  ASSERT_TRUE(p1);
  EXPECT_EQ(p1->psn_name, "张三丰");
  ASSERT_EQ(p1->insurances.size(), 2u);
  EXPECT_EQ(p1->insurances[0].insutype, "390");
  EXPECT_EQ(p1->insurances[0].psn_insu_stas, "2");
  EXPECT_EQ(p1->insurances[0].paus_insu_date, "2025-02-01");
  EXPECT_EQ(p1->insurances[1].insutype, "310");
  EXPECT_EQ(p1->insurances[1].psn_insu_stas, "4");
  EXPECT_EQ(p1->insurances[1].emp_no, "E2");
  EXPECT_EQ(p1->insurances[1].cvlserv_flag, "1");
  EXPECT_TRUE(p1->identities.empty());
  EXPECT_EQ(ledger->FindPerson("P2")->insurances.size(), 2u);  // the other person untouched
  EXPECT_EQ(ledger->FindPerson("P2")->identities.size(), 2u);
  EXPECT_EQ(ledger->PersonCount(), 2);
  auto e1 = ledger->FindEmployer("E1");
  EXPECT_EQ(e1->emp_name, "青岚机械集团");
  EXPECT_EQ(e1->admdvs, "379903");

  // One insutype twice in a person refuses the whole write.
  PersonRecord twice = Person("P3", "370102198001010033");
  twice.insurances.push_back(twice.insurances.front());
  w = LedgerWrite{};
  w.persons = {Person("P4", "370102198001010044"), twice};
  w.msgid = "M-twice";
  EXPECT_EQ(ledger->SubmitAndWait(w), WriteStatus::kFailed);
  EXPECT_FALSE(ledger->FindPerson("P3"));
  EXPECT_FALSE(ledger->FindPerson("P4"));
  EXPECT_FALSE(ledger->FindReply("", "M-twice"));
  EXPECT_EQ(ledger->PersonCount(), 2);
}

TEST_P(LedgerTest, FindPersonByCert) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite w;
  w.persons = {Person("P1", "370102196005010011"), Person("P2", "370102197001010022")};
  w.persons[1].psn_cert_type = "02";  // same kind of number, another certificate type
  w.persons[1].certno = "370102196005010011";
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  auto by_id = ledger->FindPersonByCert("01", "370102196005010011");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->psn_no, "P1");
  EXPECT_EQ(by_id->insurances.size(), 2u);
  EXPECT_EQ(by_id->identities.size(), 1u);
  EXPECT_EQ(ledger->FindPersonByCert("02", "370102196005010011")->psn_no, "P2");
  EXPECT_FALSE(ledger->FindPersonByCert("01", "370102197001010022"));
  EXPECT_FALSE(ledger->FindPersonByCert("01", "nobody"));
  // A new certificate number: found by the new one only.
  PersonRecord p1 = Person("P1", "37010219600501001X");
  w = LedgerWrite{};
  w.persons = {p1};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  EXPECT_FALSE(ledger->FindPersonByCert("01", "370102196005010011"));
  EXPECT_EQ(ledger->FindPersonByCert("01", "37010219600501001X")->psn_no, "P1");
}

TEST_P(LedgerTest, InstitutionsAreUpsertedAndListed) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->Institutions().empty());
  LedgerWrite w;
  w.institutions = {Institution("H37990000003", 3), Institution("H37990000001", 2),
                    Institution("P37990000002", 0)};
  w.institutions[2].fixmedins_type = "2";
  w.institutions[2].sm2_public_key = "";
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  auto all = ledger->Institutions();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].fixmedins_code, "H37990000001");
  EXPECT_EQ(all[1].fixmedins_code, "H37990000003");
  EXPECT_EQ(all[2].fixmedins_code, "P37990000002");
  EXPECT_EQ(all[1].hosp_lv, 3);
  EXPECT_EQ(all[2].fixmedins_type, "2");
  EXPECT_EQ(all[2].sm2_public_key, "");
  EXPECT_TRUE(all[0].active);
  auto h1 = ledger->FindInstitution("H37990000001");
  ASSERT_TRUE(h1);
  EXPECT_EQ(h1->fixmedins_name, "医院H37990000001");
  EXPECT_EQ(h1->credential_sm3, std::string(64, 'a'));
  EXPECT_EQ(h1->admdvs, "379902");
  EXPECT_FALSE(ledger->FindInstitution("H00000000000"));

  InstitutionRecord changed = Institution("H37990000001", 3);
  changed.active = false;
  changed.credential_sm3 = "";
  w = LedgerWrite{};
  w.institutions = {changed};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  h1 = ledger->FindInstitution("H37990000001");
  EXPECT_FALSE(h1->active);
  EXPECT_EQ(h1->hosp_lv, 3);
  EXPECT_EQ(h1->credential_sm3, "");
  EXPECT_EQ(ledger->Institutions().size(), 3u);
}

TEST_P(LedgerTest, SignInIsUpsertedBySignNo) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite w;
  w.fixmedins_code = "H37990000001";
  w.sign_in = SignInRecord{"SN1", "H37990000001", "OP7", "2025-03-01 07:59:00", false};
  w.msgid = "M9001";
  w.infno = "9001";
  w.reply_json = "{\"infcode\":0,\"output\":{\"signinoutb\":{\"sign_no\":\"SN1\"}}}";
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  auto s = ledger->FindSignIn("SN1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->fixmedins_code, "H37990000001");
  EXPECT_EQ(s->opter_no, "OP7");
  EXPECT_EQ(s->sign_time, "2025-03-01 07:59:00");
  EXPECT_FALSE(s->signed_out);
  EXPECT_FALSE(ledger->FindSignIn("SN2"));
  // Sign-out (9002) rewrites the record.
  w = LedgerWrite{};
  w.sign_in = SignInRecord{"SN1", "H37990000001", "OP7", "2025-03-01 07:59:00", true};
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  EXPECT_TRUE(ledger->FindSignIn("SN1")->signed_out);
}

TEST_P(LedgerTest, VisitIsUpsertedWhole) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite w;
  w.visit = Visit("V1", "P1");
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  auto v = ledger->FindVisit("H37990000001", "V1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->psn_no, "P1");
  EXPECT_EQ(v->ipt_otp_no, "ZYV1");
  EXPECT_EQ(v->status, "admitted");
  EXPECT_EQ(v->endtime, "");
  EXPECT_EQ(v->info_json, "{\"dise_codg\":\"K80.101\"}");
  EXPECT_FALSE(ledger->FindVisit("H37990000002", "V1"));
  EXPECT_FALSE(ledger->FindVisit("H37990000001", "V2"));
  // Discharge (2402): the whole record replaced.
  VisitRecord discharged = Visit("V1", "P1");
  discharged.endtime = "2025-03-09 10:00:00";
  discharged.status = "discharged";
  discharged.info_json = "{}";
  w.visit = discharged;
  ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  v = ledger->FindVisit("H37990000001", "V1");
  EXPECT_EQ(v->endtime, "2025-03-09 10:00:00");
  EXPECT_EQ(v->status, "discharged");
  EXPECT_EQ(v->info_json, "{}");
}

// The history the settlement-time review reads: a person's claims at every institution — visits
// with a live settlement, stays admitted or discharged — open or ended on or after the day asked.
// A registration whose settlement was cancelled, or that was never settled, or a cancelled visit
// claims nothing.
TEST_P(LedgerTest, ClaimedVisitsAreTheHistoryWithTheirSettledState) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  auto visit = [](const std::string& code, const std::string& id, const std::string& psn,
                  const std::string& begin, const std::string& end, const std::string& status) {
    VisitRecord v = Visit(id, psn);
    v.fixmedins_code = code;
    v.begntime = begin + " 08:00:00";
    v.endtime = end.empty() ? "" : end + " 10:00:00";
    v.status = status;
    LedgerWrite w;
    w.visit = v;
    return w;
  };
  for (auto w : {visit("H37990000001", "OLD", "P1", "2024-01-05", "2024-01-09", "discharged"),
                 visit("H37990000001", "V2", "P1", "2025-03-01", "2025-03-04", "discharged"),
                 visit("H37990000002", "V1", "P1", "2025-02-01", "2025-02-01", "registered"),
                 visit("H37990000002", "OPEN", "P1", "2024-12-30", "", "admitted"),
                 visit("H37990000002", "GONE", "P1", "2025-02-02", "2025-02-02", "cancelled"),
                 visit("H37990000001", "OTHER", "P2", "2025-02-03", "2025-02-03", "registered")})
    ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  LedgerWrite settled = Settlement("S1", "V2", "P1", 100, 0, 0);
  ASSERT_EQ(ledger->SubmitAndWait(settled), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V2", "1", 100), FeeLine("V2", "2", 200)})),
            WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({}, {FeeLine("V2", "1")})), WriteStatus::kDurable);
  // A settlement of the other institution's V1, then cancelled.
  LedgerWrite other = Settlement("S2", "V1", "P1", 50, 0, 0);
  other.fixmedins_code = "H37990000002";
  other.settlement->fixmedins_code = "H37990000002";
  other.journal = {{"fund:379900:310:hifp", -50}, {"hospital:H37990000002", 50}};
  ASSERT_EQ(ledger->SubmitAndWait(other), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Cancellation(other, "C2")), WriteStatus::kDurable);

  auto visits = ledger->ClaimedVisitsOf("P1", "2025-01-01");
  std::vector<std::string> seen;
  for (const auto& v : visits)
    seen.push_back(v.visit->fixmedins_code + "/" + v.visit->mdtrt_id + (v.settled ? ":s" : ""));
  EXPECT_EQ(seen, (std::vector<std::string>{"H37990000002/OPEN", "H37990000001/V2:s"}));
  ASSERT_EQ(visits[1].lines->size(), 1u);  // the live one
  EXPECT_EQ((*visits[1].lines)[0].feedetl_sn, "2");
  EXPECT_EQ((*visits[1].lines)[0].det_item_fee_sumamt, 200);
  ASSERT_NE(visits[0].lines, nullptr);
  EXPECT_TRUE(visits[0].lines->empty());
  EXPECT_EQ(ledger->ClaimedVisitsOf("P1", "2024-01-01").size(), 3u);  // and OLD
  EXPECT_TRUE(ledger->ClaimedVisitsOf("P3", "2024-01-01").empty());
}

TEST_P(LedgerTest, FeeLinesAreStoredInUploadOrder) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->FeeLinesOf("H37990000001", "V1")->empty());
  ASSERT_EQ(ledger->SubmitAndWait(
                FeeLines({FeeLine("V1", "3", 300), FeeLine("V1", "1", 100), FeeLine("V2", "1")})),
            WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "2", 200)})), WriteStatus::kDurable);
  auto lines = *ledger->FeeLinesOf("H37990000001", "V1");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].feedetl_sn, "3");
  EXPECT_EQ(lines[1].feedetl_sn, "1");
  EXPECT_EQ(lines[2].feedetl_sn, "2");
  EXPECT_EQ(lines[0].det_item_fee_sumamt, 300);
  EXPECT_EQ(lines[0].cnt, "2.5000");
  EXPECT_EQ(lines[0].pric, "4.000000");
  EXPECT_EQ(lines[0].medins_list_codg, "H-3");
  EXPECT_EQ(lines[0].prd_days, 3);
  EXPECT_EQ(lines[0].hosp_appr_flag, "1");
  EXPECT_EQ(lines[0].fee_ocur_time, "2025-03-01 09:00:00");
  EXPECT_FALSE(lines[0].cancelled);
  EXPECT_EQ(ledger->FeeLinesOf("H37990000001", "V2")->size(), 1u);
  EXPECT_TRUE(ledger->FeeLinesOf("H37990000002", "V1")->empty());
}

// Within one batch: a write reusing a live feedetl_sn is refused alone (none of its lines kept),
// the writes around it commit.
TEST_P(LedgerTest, DuplicateFeeLineIsRefusedAloneInABatch) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "1"), FeeLine("V1", "2")})),
            WriteStatus::kDurable);
  auto got = SubmitAsOneBatch(
      *ledger, {
                   FeeLines({FeeLine("V1", "3")}, {}, "M1"),
                   FeeLines({FeeLine("V1", "4"), FeeLine("V1", "2")}, {}, "M2"),  // 2 is live
                   FeeLines({FeeLine("V1", "5")}, {}, "M3"),
                   FeeLines({FeeLine("V1", "6"), FeeLine("V1", "6")}, {}, "M4"),  // 6 twice
                   FeeLines({FeeLine("V1", "4")}, {}, "M5"),  // free: the write with 4 was refused
                   FeeLines({FeeLine("V1", "5")}, {}, "M6"),  // taken two writes back
               });
  EXPECT_EQ(got, (std::vector<WriteStatus>{WriteStatus::kDurable, WriteStatus::kDuplicateFeeLine,
                                           WriteStatus::kDurable, WriteStatus::kDuplicateFeeLine,
                                           WriteStatus::kDurable, WriteStatus::kDuplicateFeeLine}));
  std::vector<std::string> sns;
  const SharedFeeLines v1 = ledger->FeeLinesOf("H37990000001", "V1");  // held while read
  for (const auto& f : *v1) sns.push_back(f.feedetl_sn);
  EXPECT_EQ(sns, (std::vector<std::string>{"1", "2", "3", "5", "4"}));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M1"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M2"));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M3"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M4"));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M5"));
  EXPECT_FALSE(ledger->FindReply("H37990000001", "M6"));
}

TEST_P(LedgerTest, CancelledFeeLineCanBeUploadedAgain) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "1"), FeeLine("V1", "2", 200)})),
            WriteStatus::kDurable);
  // 2205: cancel line 2.
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({}, {FeeLine("V1", "2")})), WriteStatus::kDurable);
  auto lines = *ledger->FeeLinesOf("H37990000001", "V1");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_FALSE(lines[0].cancelled);
  EXPECT_TRUE(lines[1].cancelled);
  // Upload 2 again, with another amount; then cancel it and re-upload in one write.
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "2", 250)})), WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "2", 260)}, {FeeLine("V1", "2")})),
            WriteStatus::kDurable);
  lines = *ledger->FeeLinesOf("H37990000001", "V1");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1].det_item_fee_sumamt, 200);
  EXPECT_TRUE(lines[1].cancelled);
  EXPECT_EQ(lines[2].det_item_fee_sumamt, 250);
  EXPECT_TRUE(lines[2].cancelled);
  EXPECT_EQ(lines[3].feedetl_sn, "2");
  EXPECT_EQ(lines[3].det_item_fee_sumamt, 260);
  EXPECT_FALSE(lines[3].cancelled);
  // The live line 2 is still a duplicate.
  EXPECT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "2")})), WriteStatus::kDuplicateFeeLine);
}

// Cancelling a line that is not live (never uploaded, already cancelled, another visit) is
// kNotFound, and nothing of that write is kept; the writes of the same batch commit.
TEST_P(LedgerTest, CancellingANonLiveFeeLineIsNotFound) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(
      ledger->SubmitAndWait(FeeLines({FeeLine("V1", "1"), FeeLine("V1", "2"), FeeLine("V1", "3")})),
      WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({}, {FeeLine("V1", "3")})), WriteStatus::kDurable);
  LedgerWrite with_visit = FeeLines({FeeLine("V1", "7")}, {FeeLine("V1", "1"), FeeLine("V1", "9")},
                                    "M2");  // 1 is live, 9 is not
  with_visit.visit = Visit("V1", "P1");
  with_visit.audit_operator = "OP7";
  with_visit.audit_action = "2205";
  auto got = SubmitAsOneBatch(
      *ledger, {
                   FeeLines({FeeLine("V1", "4")}, {}, "M1"), with_visit,
                   FeeLines({}, {FeeLine("V1", "3")}, "M3"),  // already cancelled
                   FeeLines({}, {FeeLine("V2", "2")}, "M4"),  // another visit
                   FeeLines({}, {FeeLine("V1", "2")}, "M5"),
                   FeeLines({}, {FeeLine("V1", "2")}, "M6"),  // cancelled just before
               });
  EXPECT_EQ(got, (std::vector<WriteStatus>{WriteStatus::kDurable, WriteStatus::kNotFound,
                                           WriteStatus::kNotFound, WriteStatus::kNotFound,
                                           WriteStatus::kDurable, WriteStatus::kNotFound}));
  auto lines = *ledger->FeeLinesOf("H37990000001", "V1");
  ASSERT_EQ(lines.size(), 4u);       // 1 2 3 4: no 7
  EXPECT_FALSE(lines[0].cancelled);  // the refused write's valid cancellation was undone
  EXPECT_TRUE(lines[1].cancelled);
  EXPECT_TRUE(lines[2].cancelled);
  EXPECT_EQ(lines[3].feedetl_sn, "4");
  EXPECT_FALSE(ledger->FindVisit("H37990000001", "V1"));
  EXPECT_TRUE(ledger->AuditLog(10).empty());
  for (const char* m : {"M2", "M3", "M4", "M6"}) EXPECT_FALSE(ledger->FindReply("H37990000001", m));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M1"));
  EXPECT_TRUE(ledger->FindReply("H37990000001", "M5"));
}

TEST_P(LedgerTest, ContributionPostsABalancedJournalUnderItsId) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->SubmitAndWait(Contribution("C202503-P1", "P1", 40000, 10000)),
            WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Contribution("C202504-P1", "P1", 40000, 10000)),
            WriteStatus::kDurable);
  ASSERT_EQ(ledger->SubmitAndWait(Contribution("C202503-P2", "P2", 30000, 8000)),
            WriteStatus::kDurable);
  auto cs = ledger->ContributionsOf("P1");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].contribution_id, "C202503-P1");
  EXPECT_EQ(cs[1].contribution_id, "C202504-P1");
  EXPECT_EQ(cs[0].emp_no, "E1");
  EXPECT_EQ(cs[0].period, "202503");
  EXPECT_EQ(cs[0].base, 500000);
  EXPECT_EQ(cs[0].employer_part, 40000);
  EXPECT_EQ(cs[0].employee_part, 10000);
  EXPECT_EQ(cs[0].to_account, 10000);
  EXPECT_EQ(cs[0].to_pool, 40000);
  EXPECT_EQ(cs[0].subsidy, 0);
  auto journal = ledger->JournalOf("C202503-P1");
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_EQ(journal[2].account, "acct:P1");
  EXPECT_EQ(journal[2].amount, 10000);
  EXPECT_EQ(ledger->AccountBalance("acct:P1"), 20000);
  EXPECT_EQ(ledger->AccountBalance("fund:379900:310:hifp"), 110000);
  EXPECT_EQ(ledger->JournalSum(), 0);
  // A reused id is refused like a reused msgid; an unbalanced contribution is refused.
  EXPECT_EQ(ledger->SubmitAndWait(Contribution("C202503-P1", "P1", 1, 1)),
            WriteStatus::kDuplicateMsgid);
  LedgerWrite bad = Contribution("C202505-P1", "P1", 40000, 10000);
  bad.journal.back().amount -= 1;
  EXPECT_EQ(ledger->SubmitAndWait(bad), WriteStatus::kUnbalanced);
  EXPECT_EQ(ledger->ContributionsOf("P1").size(), 2u);
  EXPECT_EQ(ledger->JournalOf("C202503-P1").size(), 4u);
  EXPECT_TRUE(ledger->JournalOf("C202505-P1").empty());
  EXPECT_EQ(ledger->AccountBalance("acct:P1"), 20000);
  // Spent at a settlement: the account pays.
  ASSERT_EQ(ledger->SubmitAndWait(Settlement("S1", "V1", "P1", 800, 5000, 100)),
            WriteStatus::kDurable);
  EXPECT_EQ(ledger->AccountBalance("acct:P1"), 15000);
  EXPECT_EQ(ledger->JournalSum(), 0);
  // In one batch: the duplicate refused alone.
  auto got = SubmitAsOneBatch(*ledger, {Contribution("C202505-P1", "P1", 100, 10),
                                        Contribution("C202503-P2", "P2", 100, 10),
                                        Contribution("C202505-P2", "P2", 100, 10)});
  EXPECT_EQ(got, (std::vector<WriteStatus>{WriteStatus::kDurable, WriteStatus::kDuplicateMsgid,
                                           WriteStatus::kDurable}));
  EXPECT_EQ(ledger->ContributionsOf("P2").size(), 2u);
  EXPECT_EQ(ledger->AccountBalance("acct:P2"), 8010);
}

TEST_P(LedgerTest, ReconcileCountsSettlementsAndCancellations) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  // Settlement `id` of H37990000001 at `time`, of clearing type `clr` (and insutype `insutype`).
  auto at = [](const std::string& id, const std::string& time, const std::string& clr, int64_t fund,
               int64_t acct, const std::string& insutype = "310") {
    LedgerWrite w = Settlement(id, "V" + id, "P1", fund, acct, 100);
    w.settlement->setl_time = time;
    w.settlement->clr_type = clr;
    w.settlement->insutype = insutype;
    return w;
  };
  LedgerWrite s2 = at("S2", "2025-03-02 00:00:00", "21", 2000, 200);
  std::vector<LedgerWrite> writes = {
      at("S1", "2025-03-01 23:59:59", "21", 1000, 100),  // a day early
      s2,
      at("S3", "2025-03-03 12:00:00", "21", 3000, 0),
      at("S4", "2025-03-04 23:59:59", "21", 4000, 400),
      at("S5", "2025-03-05 00:00:00", "21", 5000, 0),        // a day late
      at("S6", "2025-03-03 08:00:00", "11", 600, 60),        // outpatient
      at("S7", "2025-03-03 09:00:00", "21", 700, 0, "390"),  // another insutype
  };
  LedgerWrite other = at("S8", "2025-03-03 10:00:00", "21", 800, 0);
  other.fixmedins_code = other.settlement->fixmedins_code = "H37990000002";
  writes.push_back(other);
  for (const auto& w : writes) ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  // S2 cancelled on the 4th: its row counts -1 with negated amounts (on the cancellation's day).
  LedgerWrite c2 = Cancellation(s2, "C2");
  c2.settlement->setl_time = "2025-03-04 15:00:00";
  ASSERT_EQ(ledger->SubmitAndWait(c2), WriteStatus::kDurable);

  auto t = ledger->Reconcile("H37990000001", "310", "21", "2025-03-02", "2025-03-04");
  EXPECT_EQ(t.count, 2);  // S2 S3 S4 − C2
  EXPECT_EQ(t.fund_pay_sumamt, 2000 + 3000 + 4000 - 2000);
  EXPECT_EQ(t.acct_pay, 200 + 0 + 400 - 200);
  EXPECT_EQ(t.medfee_sumamt, (2300 + 3100 + 4500) - 2300);
  // The settlement and its cancellation on different days: each day has its own sign.
  t = ledger->Reconcile("H37990000001", "310", "21", "2025-03-02", "2025-03-02");
  EXPECT_EQ(t.count, 1);
  EXPECT_EQ(t.fund_pay_sumamt, 2000);
  t = ledger->Reconcile("H37990000001", "310", "21", "2025-03-04", "2025-03-04");
  EXPECT_EQ(t.count, 0);  // S4 − C2
  EXPECT_EQ(t.fund_pay_sumamt, 4000 - 2000);
  t = ledger->Reconcile("H37990000001", "310", "21", "2025-03-01", "2025-03-31");
  EXPECT_EQ(t.count, 4);
  EXPECT_EQ(t.fund_pay_sumamt, 1000 + 3000 + 4000 + 5000);
  t = ledger->Reconcile("H37990000001", "310", "11", "2025-03-01", "2025-03-31");
  EXPECT_EQ(t.count, 1);
  EXPECT_EQ(t.acct_pay, 60);
  t = ledger->Reconcile("H37990000001", "390", "21", "2025-03-01", "2025-03-31");
  EXPECT_EQ(t.count, 1);
  EXPECT_EQ(t.fund_pay_sumamt, 700);
  t = ledger->Reconcile("H37990000002", "310", "21", "2025-03-03", "2025-03-03");
  EXPECT_EQ(t.count, 1);
  EXPECT_EQ(t.medfee_sumamt, 900);
  t = ledger->Reconcile("H37990000001", "310", "21", "2025-04-01", "2025-04-30");
  EXPECT_EQ(t.count, 0);
  EXPECT_EQ(t.medfee_sumamt, 0);
  EXPECT_EQ(t.fund_pay_sumamt, 0);
  EXPECT_EQ(t.acct_pay, 0);
  auto stored = ledger->FindSettlement("C2");
  EXPECT_EQ(stored->clr_type, "21");
  EXPECT_EQ(stored->setl_time, "2025-03-04 15:00:00");
}

TEST_P(LedgerTest, AuditLogIsNewestFirst) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  EXPECT_TRUE(ledger->AuditLog(10).empty());
  for (int i = 1; i <= 5; ++i) {
    LedgerWrite w;
    w.fixmedins_code = i % 2 ? "H37990000001" : "";
    w.audit_operator = "op" + std::to_string(i);
    w.audit_action = "action " + std::to_string(i);
    ASSERT_EQ(ledger->SubmitAndWait(w), WriteStatus::kDurable);
  }
  // A refused write leaves no audit line; a write without an operator none either.
  LedgerWrite refused = Settlement("S1", "V1", "P1", 1, 0, 0);
  refused.journal.back().amount += 1;
  refused.audit_operator = "op-refused";
  EXPECT_EQ(ledger->SubmitAndWait(refused), WriteStatus::kUnbalanced);
  ASSERT_EQ(ledger->SubmitAndWait(FeeLines({FeeLine("V1", "1")})), WriteStatus::kDurable);
  auto log = ledger->AuditLog(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].operator_id, "op5");
  EXPECT_EQ(log[1].operator_id, "op4");
  EXPECT_EQ(log[2].operator_id, "op3");
  EXPECT_EQ(log[0].action, "action 5");
  EXPECT_EQ(log[0].fixmedins_code, "H37990000001");
  EXPECT_EQ(log[1].fixmedins_code, "");
  EXPECT_GT(log[0].entry_id, log[1].entry_id);
  EXPECT_GT(log[1].entry_id, log[2].entry_id);
  log = ledger->AuditLog(100);
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log.back().operator_id, "op1");
  EXPECT_TRUE(ledger->AuditLog(0).empty());
}

// Everything of every kind, written in one batch, is there after the ledger is closed and opened
// again.
TEST_P(LedgerTest, ReopenedLedgerSeesEverything) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
  LedgerWrite reg;
  reg.persons = {Person("P1", "370102196005010011")};
  reg.employers = {EmployerRecord{"E1", "青岚机械厂", "379902"}};
  reg.institutions = {Institution("H37990000001", 2)};
  reg.audit_operator = "admin";
  reg.audit_action = "register";
  LedgerWrite sign;
  sign.sign_in = SignInRecord{"SN1", "H37990000001", "OP7", "2025-03-01 07:59:00", false};
  LedgerWrite visit = FeeLines({FeeLine("V1", "1", 2300), FeeLine("V1", "2")}, {}, "M-2204");
  visit.visit = Visit("V1", "P1");
  LedgerWrite cancel_line = FeeLines({}, {FeeLine("V1", "2")});
  LedgerWrite settle = Settlement("S1", "V1", "P1", 2000, 200, 100, "M-2207");
  settle.settlement->clr_type = "21";
  settle.settlement->setl_time = "2025-03-09 10:00:00";
  ASSERT_EQ(SubmitAsOneBatch(*ledger, {reg, sign, visit, cancel_line,
                                       Contribution("C1", "P1", 400, 100), settle}),
            std::vector<WriteStatus>(6, WriteStatus::kDurable));
  ledger.reset();

  auto reopened = Open();
  ASSERT_TRUE(reopened);
  auto p = reopened->FindPerson("P1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->insurances.size(), 2u);
  EXPECT_EQ(p->identities.size(), 1u);
  EXPECT_EQ(reopened->FindPersonByCert("01", "370102196005010011")->psn_no, "P1");
  EXPECT_EQ(reopened->PersonCount(), 1);
  EXPECT_EQ(reopened->FindEmployer("E1")->emp_name, "青岚机械厂");
  EXPECT_EQ(reopened->FindInstitution("H37990000001")->hosp_lv, 2);
  EXPECT_EQ(reopened->Institutions().size(), 1u);
  EXPECT_EQ(reopened->FindSignIn("SN1")->opter_no, "OP7");
  EXPECT_EQ(reopened->FindVisit("H37990000001", "V1")->status, "admitted");
  auto lines = *reopened->FeeLinesOf("H37990000001", "V1");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_FALSE(lines[0].cancelled);
  EXPECT_TRUE(lines[1].cancelled);
  EXPECT_EQ(reopened->ContributionsOf("P1").size(), 1u);
  EXPECT_EQ(reopened->JournalOf("C1").size(), 4u);
  EXPECT_EQ(reopened->AccountBalance("acct:P1"), 100 - 200);
  EXPECT_EQ(reopened->FindSettlement("S1")->setl_time, "2025-03-09 10:00:00");
  EXPECT_EQ(reopened->Reconcile("H37990000001", "310", "21", "2025-03-09", "2025-03-09").count, 1);
  EXPECT_EQ(reopened->FindReply("H37990000001", "M-2204"), "{\"infcode\":0}");
  EXPECT_TRUE(reopened->FindReply("H37990000001", "M-2207"));
  auto log = reopened->AuditLog(10);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "register");
  EXPECT_EQ(reopened->JournalSum(), 0);
  // The live line 1 is still live after the reopen, the cancelled 2 free again.
  EXPECT_EQ(reopened->SubmitAndWait(FeeLines({FeeLine("V1", "1")})),
            WriteStatus::kDuplicateFeeLine);
  EXPECT_EQ(reopened->SubmitAndWait(FeeLines({FeeLine("V1", "2")})), WriteStatus::kDurable);
}

}  // namespace
}  // namespace yibao
