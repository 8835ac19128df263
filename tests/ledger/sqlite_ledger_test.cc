// The SQLite ledger: durability across kill -9 of the process that writes. The backend-independent
// tests (atomic writes, refusals that change nothing, group commit) run on every backend in
// ledger_suite_test.cc.
#include "ledger/sqlite_ledger.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace yibao
