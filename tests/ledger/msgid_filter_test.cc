// The msgid filter (ledger/msgid_filter.h): a msgid is called surely absent only when the store
// cannot hold it — above the store's ceiling when first asked, and never announced since — however
// the writes and the first question interleave, and within its bound.
#include "ledger/msgid_filter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace yibao {
namespace {

std::string Msgid(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "M%05d", n);
  return buf;
}

// A store of msgids by institution, asked for its ceiling the way a backend is.
struct FakeStore {
  std::mutex mu;
  std::map<std::string, std::set<std::string>> msgids;
  std::atomic<int> asked{0};
  bool can_tell = true;

  MsgidFilter::Ceiling Ceiling() {
    return [this](const std::string& code, std::string* ceiling) {
      ++asked;
      if (!can_tell) return false;
      std::lock_guard lock(mu);
      auto& m = msgids[code];
      *ceiling = m.empty() ? "" : *m.rbegin();
      return true;
    };
  }
  void Store(const std::string& code, const std::string& msgid) {
    std::lock_guard lock(mu);
    msgids[code].insert(msgid);
  }
};

TEST(MsgidFilter, AbsentOnlyAboveTheStoresCeilingAndNeverAnnounced) {
  FakeStore store;
  store.Store("H1", Msgid(500));
  MsgidFilter f(store.Ceiling(), 256);
  EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(400)));  // at or below the ceiling: the store answers
  EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(500)));
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(600)));
  f.Announce("H1", Msgid(600));
  EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(600)));
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(601)));
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(599)));  // above the floor, never written
  // Institutions apart: H2's store is empty, so everything of H2 not announced is absent.
  EXPECT_TRUE(f.SurelyAbsent("H2", Msgid(400)));
  EXPECT_EQ(store.asked, 2) << "the store is asked once per institution";
}

// A write announced before the institution's first question, and stored after the store's ceiling
// was read (the ceiling is stale): the announcement alone must keep it from being called absent.
TEST(MsgidFilter, WritesAnnouncedBeforeTheFirstQuestionCount) {
  FakeStore store;
  store.Store("H1", Msgid(100));
  MsgidFilter f(store.Ceiling(), 256);
  f.Announce("H1", Msgid(200));
  f.Announce("H1", Msgid(50));                     // below the ceiling-to-be: the store answers
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(300)));   // learns the floor M00100 (M00200 not stored)
  EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(200)));  // announced: may be stored any moment
  EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(50)));
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(150)));
}

// Past its bound the list is halved and the floor rises to the middle: what was forgotten goes to
// the store again, and no msgid announced is ever called absent.
TEST(MsgidFilter, TheFloorRisesWithinItsBound) {
  FakeStore store;
  MsgidFilter f(store.Ceiling(), 4);
  ASSERT_TRUE(f.SurelyAbsent("H1", Msgid(1)));  // learns the empty store's ceiling ""
  std::vector<int> order = {7, 3, 9, 1, 12, 5, 10, 2, 8, 11, 4, 6};
  std::set<int> announced;
  for (int n : order) {
    f.Announce("H1", Msgid(n));
    announced.insert(n);
    for (int m = 0; m <= 14; ++m)
      if (announced.count(m)) EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(m))) << n << " " << m;
  }
  EXPECT_TRUE(f.SurelyAbsent("H1", Msgid(13)));  // above everything announced
  EXPECT_EQ(store.asked, 1);
}

TEST(MsgidFilter, AStoreThatCannotTellAnswersEverything) {
  FakeStore store;
  store.can_tell = false;
  MsgidFilter f(store.Ceiling(), 4);
  for (int n = 0; n < 10; ++n) EXPECT_FALSE(f.SurelyAbsent("H1", Msgid(1000 + n)));
  EXPECT_EQ(store.asked, 1) << "asked once, then left to the store";
  // Many writes before any question: past the bound nothing may be forgotten, so the institution
  // is left to the store for good.
  FakeStore other;
  MsgidFilter g(other.Ceiling(), 4);
  for (int n = 0; n < 6; ++n) g.Announce("H2", Msgid(n));
  EXPECT_FALSE(g.SurelyAbsent("H2", Msgid(99)));
  EXPECT_EQ(other.asked, 0);
}

// One writer announcing and then storing msgids of many institutions in a scrambled order, readers
// asking all the time (so institutions are first asked while writes are in flight): a msgid stored
// before a question began is never called absent.
TEST(MsgidFilter, ReadersRacingTheWriterNeverMissAStoredMsgid) {
  FakeStore store;
  MsgidFilter f(store.Ceiling(), 8);
  constexpr int kWrites = 20'000, kInstitutions = 40;
  auto code_of = [](int i) { return "H" + std::to_string(i % kInstitutions); };
  auto msgid_of = [](int i) { return Msgid((i * 7919) % kWrites); };  // a permutation
  std::atomic<int> stored{0};  // writes 0 … stored-1 are in the store
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      while (!stop.load()) {
        const int done = stored.load();
        if (done == 0) continue;
        const int i = int(rng() % uint32_t(done));
        if (f.SurelyAbsent(code_of(i), msgid_of(i))) ++wrong;
        f.SurelyAbsent(code_of(done), msgid_of(done));  // perhaps the first question
      }
    });
  for (int i = 0; i < kWrites; ++i) {
    f.Announce(code_of(i), msgid_of(i));
    store.Store(code_of(i), msgid_of(i));
    stored = i + 1;
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong, 0);
  for (int i = 0; i < kWrites; ++i) ASSERT_FALSE(f.SurelyAbsent(code_of(i), msgid_of(i))) << i;
}

}  // namespace
}  // namespace yibao
