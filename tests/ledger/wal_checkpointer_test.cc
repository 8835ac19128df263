// The SQLite ledger's checkpoints off the writer's thread: the log is copied back by the
// checkpointer's own thread once past its threshold, its last residue by the writer (so that the
// log restarts), all of it by the writer only past the inline bound; in each case the log stops
// growing, and nothing committed is lost on the way.
#include "ledger/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger_test_util.h"

namespace yibao {
namespace {

using namespace ledger_test;

sqlite3* Connect(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  return db;
}

// Commits `n` transactions of one 4 KiB row each (about one new page a commit).
void CommitRows(sqlite3* db, int n) {
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(
        sqlite3_exec(db, "INSERT INTO t VALUES (randomblob(4000))", nullptr, nullptr, nullptr),
        SQLITE_OK);
}

int64_t Rows(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, nullptr);
  sqlite3_step(s);
  const int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

TEST(WalCheckpointer, CheckpointsOnItsOwnThreadAndTheLogStopsGrowing) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  sqlite3* writer = Connect(path);
  ASSERT_EQ(sqlite3_exec(writer, "CREATE TABLE t (b BLOB)", nullptr, nullptr, nullptr), SQLITE_OK);
  {
    WalCheckpointer checkpointer(writer, Connect(path), /*threshold_pages=*/50,
                                 /*inline_pages=*/100000);
    for (int round = 0; round < 20; ++round) {
      CommitRows(writer, 40);
      // Give the thread its turn (the test asserts what happened, not when).
      for (int i = 0; i < 2000 && checkpointer.background_passes() <= uint64_t(round / 2); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT(checkpointer.background_passes(), 0u);
    EXPECT_GT(checkpointer.residue_passes(), 0u);
    EXPECT_EQ(checkpointer.inline_passes(), 0u);
  }
  // 800 commits of a page or more each; a log never checkpointed would hold them all (over 3 MiB
  // at 4 KiB pages). Restarted after each checkpoint, it stays near the threshold.
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 2u << 20);
  EXPECT_EQ(Rows(writer), 800);
  sqlite3_close(writer);
}

// A background pass that copies the whole log while the writer is idle lets the next commit
// restart it; the new log's first crossing of the threshold then starts a background pass again —
// a residue pass only ever follows a background pass of the same log.
TEST(WalCheckpointer, ARestartedLogStartsWithABackgroundPass) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  sqlite3* writer = Connect(path);
  ASSERT_EQ(sqlite3_exec(writer, "CREATE TABLE t (b BLOB)", nullptr, nullptr, nullptr), SQLITE_OK);
  WalCheckpointer checkpointer(writer, Connect(path), /*threshold_pages=*/50,
                               /*inline_pages=*/100000);
  // Past the threshold (the log's length from its file: a 32-byte header, then frames of a 24-byte
  // header and a 4 KiB page), then idle until the pass is done, however slow the machine.
  int commits = 0;
  auto log_pages = [&] {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path + "-wal", ec);
    return ec || size < 32 ? 0 : int((size - 32) / (24 + 4096));
  };
  for (; commits < 400 && log_pages() <= 50; ++commits) CommitRows(writer, 1);
  for (int i = 0; i < 15000 && checkpointer.background_passes() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_EQ(checkpointer.background_passes(), 1u);
  // The pass ran with the writer idle: it copied all of the log, and the next commit restarts it.
  for (int i = 0; i < 200 && checkpointer.background_passes() < 2; ++i) {
    CommitRows(writer, 1);
    ++commits;
    ASSERT_TRUE(checkpointer.residue_passes() == 0 || checkpointer.background_passes() >= 2)
        << "a residue pass on a restarted log, with no background pass of its own";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(checkpointer.inline_passes(), 0u);
  EXPECT_EQ(Rows(writer), commits);
  sqlite3_close(writer);
}

TEST(WalCheckpointer, TheWriterCheckpointsPastTheInlineBound) {
  TempDir dir;
  const std::string path = dir.File("c.db");
  sqlite3* writer = Connect(path);
  ASSERT_EQ(sqlite3_exec(writer, "CREATE TABLE t (b BLOB)", nullptr, nullptr, nullptr), SQLITE_OK);
  {
    // The thread's threshold is never reached; the writer's own bound is.
    WalCheckpointer checkpointer(writer, Connect(path), /*threshold_pages=*/1 << 30,
                                 /*inline_pages=*/60);
    CommitRows(writer, 400);
    EXPECT_GT(checkpointer.inline_passes(), 0u);
    EXPECT_EQ(checkpointer.background_passes(), 0u);
  }
  EXPECT_LT(std::filesystem::file_size(path + "-wal"), 1u << 20);
  EXPECT_EQ(Rows(writer), 400);
  sqlite3_close(writer);
}

}  // namespace
}  // namespace yibao
