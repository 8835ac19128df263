// The PostgreSQL ledger: durability across kill -9 of the process that writes (the server keeps
// running and rolls back the killed client's open transaction). The backend-independent tests run
// on every backend in ledger_suite_test.cc.
#include "ledger/pg_ledger.h"

#include <gtest/gtest.h>

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
