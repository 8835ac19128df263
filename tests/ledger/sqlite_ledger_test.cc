// The SQLite ledger: atomic writes, refusals that change nothing, group commit, and durability
// across kill -9.
#include "ledger/sqlite_ledger.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

namespace yibao {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("yibao-ledger-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A settlement write as the platform will make it: the record, its accumulator deltas and a
// balanced journal (funds pay out, the personal account pays, the hospital is owed both).
LedgerWrite Settlement(const std::string& setl_id, const std::string& mdtrt_id,
                       const std::string& psn_no, int64_t fund, int64_t acct, int64_t cash,
                       const std::string& msgid = "") {
  LedgerWrite w;
  w.fixmedins_code = "H37990000001";
  SettlementRecord r;
  r.setl_id = setl_id;
  r.mdtrt_id = mdtrt_id;
  r.psn_no = psn_no;
  r.fixmedins_code = w.fixmedins_code;
  r.insutype = "310";
  r.med_type = "21";
  r.year = 2025;
  r.policy_region = "379900";
  r.policy_version = "2025.1";
  r.medfee_sumamt = fund + acct + cash;
  r.fund_pay_sumamt = fund;
  r.psn_part_amt = acct + cash;
  r.acct_pay = acct;
  r.psn_cash_pay = cash;
  r.bill_json = "{\"setl_id\":\"" + setl_id + "\"}";
  w.settlement = r;
  w.accumulators = {{"inpatient.admissions", 1}, {"inpatient.basic.paid", fund}};
  w.journal = {{"fund:379900:310:hifp", -fund},
               {"acct:" + psn_no, -acct},
               {"hospital:H37990000001", fund + acct}};
  w.msgid = msgid;
  w.infno = "2304";
  w.reply_json = "{\"infcode\":0}";
  return w;
}

// The exact negation of a settlement write, as its own record.
LedgerWrite Cancellation(const LedgerWrite& original, const std::string& setl_id) {
  LedgerWrite w = original;
  SettlementRecord& r = *w.settlement;
  r.cancels = r.setl_id;
  r.setl_id = setl_id;
  for (int64_t* m :
       {&r.medfee_sumamt, &r.fund_pay_sumamt, &r.psn_part_amt, &r.acct_pay, &r.psn_cash_pay})
    *m = -*m;
  for (auto& d : w.accumulators) d.delta = -d.delta;
  for (auto& e : w.journal) e.amount = -e.amount;
  w.msgid.clear();
  return w;
}

std::unique_ptr<Ledger> Open(const std::string& path) {
  auto l = OpenSqliteLedger(path);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : FormatDiagnostics(l.errors()));
  return l.ok() ? std::move(*l) : nullptr;
}

TEST(SqliteLedger, SettlementIsStoredWithItsDeltasAndBalancedJournal) {
  TempDir dir;
  auto ledger = Open(dir.File("ledger.db"));
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

TEST(SqliteLedger, RefusedWritesChangeNothing) {
  TempDir dir;
  auto ledger = Open(dir.File("ledger.db"));
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

TEST(SqliteLedger, CancellationRestoresAndAllowsResettlement) {
  TempDir dir;
  auto ledger = Open(dir.File("ledger.db"));
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

TEST(SqliteLedger, ConcurrentWritersAreGroupCommitted) {
  TempDir dir;
  auto ledger = Open(dir.File("ledger.db"));
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
  auto reopened = Open(dir.File("ledger.db"));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->JournalSum(), 0);
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(reopened->Accumulators("P" + std::to_string(t), "310", 2025)["inpatient.basic.paid"],
              100 * kPerThread);
  EXPECT_EQ(reopened->AccountBalance("hospital:H37990000001"),
            int64_t(110) * kThreads * kPerThread);
}

TEST(SqliteLedger, BatchesHoldManyWrites) {
  TempDir dir;
  auto ledger = Open(dir.File("ledger.db"));
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

// kill -9 at random moments while a child process settles continuously; after each restart every
// acknowledged settlement is there, nothing is half there, and the books balance.
TEST(SqliteLedger, SurvivesKillNine) {
  TempDir dir;
  const std::string db = dir.File("ledger.db");
  const std::string acks = dir.File("acks.txt");
  std::mt19937 rng(20251123);
  int next_id = 0;
  for (int round = 0; round < 20; ++round) {
    const int first_id = next_id;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: settle from 4 threads as fast as the ledger acknowledges, writing each
      // acknowledgement (after the callback, i.e. after durability) to the ack file.
      auto l = OpenSqliteLedger(db);
      if (!l.ok()) _exit(2);
      std::ofstream out(acks, std::ios::app);
      std::mutex out_mu;
      std::atomic<int> id{first_id};
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
          for (;;) {
            int i = id++;
            std::string s = std::to_string(i);
            WriteStatus st = (*l)->SubmitAndWait(
                Settlement("S" + s, "V" + s, "P" + std::to_string(i % 7), 1000 + i % 13, i % 5, 7));
            if (st == WriteStatus::kDurable) {
              std::lock_guard<std::mutex> lock(out_mu);
              out << s << '\n' << std::flush;
            }
          }
        });
      for (auto& t : threads) t.join();
      _exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    next_id = first_id + 1'000'000;  // ids of the next round never collide

    auto ledger = Open(db);
    ASSERT_TRUE(ledger);
    std::ifstream in(acks);
    std::string line;
    int acknowledged = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++acknowledged;
      auto r = ledger->FindSettlement("S" + line);
      ASSERT_TRUE(r) << "round " << round << ": acknowledged settlement S" << line << " is missing";
      ASSERT_EQ(ledger->DeltasOf("S" + line).size(), 2u) << "half-written S" << line;
    }
    EXPECT_EQ(ledger->JournalSum(), 0) << "round " << round;
    // Accumulators equal a replay of the settlements (sum of their stored deltas), and the journal
    // holds exactly the entries of the settlements that exist.
    int64_t hospital = 0;
    for (int p = 0; p < 7; ++p) {
      std::string psn = "P" + std::to_string(p);
      int64_t paid = 0, admissions = 0;
      for (const auto& r : ledger->SettlementsOf(psn, "310", 2025)) {
        for (const auto& [account, delta] : ledger->DeltasOf(r.setl_id)) {
          if (account == "inpatient.basic.paid") paid += delta;
          if (account == "inpatient.admissions") admissions += delta;
        }
        hospital += r.fund_pay_sumamt + r.acct_pay;
      }
      auto acc = ledger->Accumulators(psn, "310", 2025);
      EXPECT_EQ(acc["inpatient.basic.paid"], paid) << psn << " round " << round;
      EXPECT_EQ(acc["inpatient.admissions"], admissions) << psn << " round " << round;
    }
    EXPECT_EQ(ledger->AccountBalance("hospital:H37990000001"), hospital) << "round " << round;
    EXPECT_GT(acknowledged, 0) << "round " << round << ": the child acknowledged nothing";
  }
}

}  // namespace
}  // namespace yibao
