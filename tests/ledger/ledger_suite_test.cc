// The Ledger contract, on every backend: atomic writes, refusals that change nothing, cancellation,
// group commit. "sqlite" runs on a temporary file; "postgres" on a fresh database of a throwaway
// PostgreSQL 15 cluster (pg_cluster.h), started on first use and removed when the binary exits.
#include <gtest/gtest.h>

#include <map>

#include "ledger/pg_ledger.h"
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
    if (GetParam() == "sqlite") {
      path_ = dir_.File("ledger.db");
      return;
    }
    // No silent skip: without a PostgreSQL server every postgres test fails and says why.
    auto cluster = SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << FormatDiagnostics(cluster.errors());
    auto conninfo = (*cluster)->CreateDatabase("ledger_" + std::to_string(databases_++));
    ASSERT_TRUE(conninfo.ok()) << FormatDiagnostics(conninfo.errors());
    conninfo_ = *conninfo;
  }

  // Opens the test's store (the same one each time: reopening sees what was written).
  std::unique_ptr<Ledger> Open() {
    auto l = GetParam() == "sqlite" ? OpenSqliteLedger(path_) : OpenPgLedger(conninfo_);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : FormatDiagnostics(l.errors()));
    return l.ok() ? std::move(*l) : nullptr;
  }

 private:
  static inline int databases_ = 0;
  TempDir dir_;
  std::string path_, conninfo_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::Values("sqlite", "postgres"),
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

TEST_P(LedgerTest, CancellationRestoresAndAllowsResettlement) {
  auto ledger = Open();
  ASSERT_TRUE(ledger);
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

}  // namespace
}  // namespace yibao
