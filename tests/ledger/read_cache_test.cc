// The read cache (ledger/read_cache.h) keeps the Ledger contract (the whole contract suite also
// runs through it: ledger_suite_test.cc, "*_cached"). Here: after any sequence of writes, refused
// ones included, every cached read equals the store's own; and reads racing the writer never
// leave a value older than a write whose callback has run.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "ledger/cache_shards.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "ledger_test_util.h"

namespace yibao {
namespace {

using namespace ledger_test;

std::unique_ptr<Ledger> OpenOrDie(const std::string& path) {
  auto l = OpenSqliteLedger(path);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : FormatDiagnostics(l.errors()));
  return l.ok() ? std::move(*l) : nullptr;
}

// The keys the random writes below use.
const std::vector<std::string> kPersons = {"P1", "P2", "P3"};
const std::vector<std::string> kVisits = {"V1", "V2", "V3", "V4", "V5", "V6"};
const std::vector<std::string> kSerials = {"1", "2", "3", "4", "5"};
const std::vector<std::string> kInstitutions = {"H37990000001", "H37990000002"};
const std::vector<std::string> kSignIns = {"S1", "S2"};
const std::vector<std::string> kEmployers = {"E1", "E2"};
constexpr int kMsgids = 60;  // msgids M0 … M59 (their byte order is not their numbers')

std::vector<std::string> Accounts() {
  std::vector<std::string> a = {"fund:379900:310:hifp", "hospital:H37990000001", "emp:E1"};
  for (const auto& p : kPersons) a.push_back("acct:" + p);
  return a;
}

// Every read the cache answers, through `cached` and straight from `store`, must agree.
void ExpectSameReads(Ledger& cached, Ledger& store, int step) {
  SCOPED_TRACE("after write " + std::to_string(step));
  // The 事中 review's history first (before the reads below fill the caches it is made from), for
  // every person and a few starting days: the latest first, so that a person missing from the
  // cache is filled by a call that asks for less than a later one.
  for (const auto& p : kPersons)
    for (const char* since : {"2025-06-01", "2025-03-01", ""})
      EXPECT_EQ(cached.ClaimedVisitsOf(p, since), store.ClaimedVisitsOf(p, since))
          << p << " since " << since;
  for (const auto& p : kPersons) {
    EXPECT_EQ(cached.FindPerson(p), store.FindPerson(p)) << p;
    EXPECT_EQ(cached.FilingsOf(p), store.FilingsOf(p)) << p;
    for (int year : {2025, 2026})
      EXPECT_EQ(cached.Accumulators(p, "310", year), store.Accumulators(p, "310", year)) << p;
  }
  for (const auto& v : kVisits) {
    EXPECT_EQ(cached.FindVisit("H37990000001", v), store.FindVisit("H37990000001", v)) << v;
    EXPECT_EQ(*cached.FeeLinesOf("H37990000001", v), *store.FeeLinesOf("H37990000001", v)) << v;
    auto a = cached.LiveSettlementOfVisit("H37990000001", v);
    auto b = store.LiveSettlementOfVisit("H37990000001", v);
    EXPECT_EQ(a.has_value(), b.has_value()) << v;
    if (a && b) {
      EXPECT_EQ(a->setl_id, b->setl_id) << v;
    }
  }
  for (const auto& a : Accounts())
    EXPECT_EQ(cached.AccountBalance(a), store.AccountBalance(a)) << a;
  for (const auto& i : kInstitutions)
    EXPECT_EQ(cached.FindInstitution(i), store.FindInstitution(i));
  for (const auto& s : kSignIns) EXPECT_EQ(cached.FindSignIn(s), store.FindSignIn(s)) << s;
  // Replies by msgid: the filter (msgid_filter.h) must never call a stored msgid absent.
  for (const auto& i : kInstitutions)
    for (int m = 0; m <= kMsgids; ++m) {
      std::string a_infno, b_infno;
      const std::string msgid = "M" + std::to_string(m);
      EXPECT_EQ(cached.FindReply(i, msgid, &a_infno), store.FindReply(i, msgid, &b_infno))
          << i << " " << msgid;
      EXPECT_EQ(a_infno, b_infno) << i << " " << msgid;
    }
  for (const auto& e : kEmployers) {
    auto a = cached.FindEmployer(e);
    auto b = store.FindEmployer(e);
    EXPECT_EQ(a.has_value(), b.has_value()) << e;
    if (a && b) {
      EXPECT_EQ(a->emp_name, b->emp_name) << e;
    }
  }
}

// One random write of any kind the cache follows; many are refused (a fee line uploaded twice, a
// line cancelled that is not live, a visit settled twice, a settlement cancelled twice).
LedgerWrite RandomWrite(std::mt19937& rng, int step, std::vector<LedgerWrite>& settled) {
  auto pick = [&rng](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto coin = [&rng](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(rng) < percent;
  };
  const std::string tag = std::to_string(step);
  switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
    case 0: {  // a visit upserted (perhaps for another person than before), or inserted as new
      LedgerWrite w;
      VisitRecord v = Visit(pick(kVisits), pick(kPersons));
      v.status = pick({"registered", "admitted", "discharged"});
      v.begntime = pick({"2025-01-10 08:00:00", "2025-03-01 08:00:00", "2025-05-20 09:30:00"});
      v.endtime = pick({"", "2025-02-01 10:00:00", "2025-06-01 10:00:00", "2025-07-15 12:00:00"});
      v.info_json = "{\"n\":" + tag + "}";
      w.visit = v;
      w.visit_is_new = coin(30);  // refused unless the visit is not in the store yet
      return w;
    }
    case 1:
    case 2: {  // fee lines uploaded, some cancelled first
      const std::string visit = pick(kVisits);
      std::vector<FeeLineRecord> up, cancel;
      if (coin(60)) up.push_back(FeeLine(visit, pick(kSerials), 100 + step));
      if (coin(30)) up.push_back(FeeLine(visit, pick(kSerials), 200 + step));
      if (coin(40)) cancel.push_back(FeeLine(visit, pick(kSerials)));
      return FeeLines(up, cancel);
    }
    case 3:
    case 4: {  // a visit settled, with a zero delta among its deltas
      LedgerWrite w = Settlement("SETL" + tag, pick(kVisits), pick(kPersons), 1000 + step, 10, 5);
      w.settlement->year = coin(50) ? 2025 : 2026;
      w.accumulators.push_back({"outpatient.visits", coin(50) ? 0 : 1});
      settled.push_back(w);
      return w;
    }
    case 5: {  // a settlement cancelled (perhaps again)
      if (settled.empty()) return FeeLines({FeeLine(pick(kVisits), pick(kSerials))});
      std::uniform_int_distribution<size_t> at(0, settled.size() - 1);
      return Cancellation(settled[at(rng)], "CANCEL" + tag);
    }
    case 6: {  // a person upserted, or an employer
      LedgerWrite w;
      PersonRecord p = Person(pick(kPersons), "37990019600501" + tag);
      p.psn_name = "P" + tag;
      if (coin(50)) p.insurances.pop_back();
      w.persons.push_back(p);
      if (coin(50)) w.employers.push_back(EmployerRecord{pick(kEmployers), "E" + tag, "379900"});
      return w;
    }
    case 7: {  // an institution upserted, or a sign-in
      LedgerWrite w;
      if (coin(50)) {
        w.institutions.push_back(Institution(pick(kInstitutions), 1 + step % 3));
      } else {
        w.sign_in =
            SignInRecord{pick(kSignIns), pick(kInstitutions), tag, "2025-03-01 08:00:00", coin(30)};
      }
      return w;
    }
    case 8:  // a filing upserted
      return Filings({Filing("F" + std::to_string(step % 4), pick(kPersons), "long_term", "440300",
                             "2025-01-0" + std::to_string(1 + step % 9))});
    default:  // a contribution (journal only)
      return Contribution("C" + tag, pick(kPersons), 3000, 1000 + step);
  }
}

TEST(ReadCache, AgreesWithTheStoreAfterRandomWrites) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TempDir dir;
    const std::string path = dir.File("ledger.db");
    // Small caches, so that entries also leave and come back.
    ReadCacheOptions small;
    small.persons = small.visits = small.accumulators = small.balances = small.register_entries = 4;
    small.claims = 8;
    small.msgids_recent = 4;  // the floor rises often
    small.fee_lines = 12;     // 6 a shard: a visit of more than 5 lines is not kept
    small.shards = 2;
    auto cached = WithReadCache(OpenOrDie(path), small);
    auto store = OpenOrDie(path);  // a second connection to the same file, not cached
    std::mt19937 rng(seed);
    std::vector<LedgerWrite> settled;
    int durable = 0, refused = 0;
    for (int step = 0; step < 300; ++step) {
      // Some reads first, so that what the write changes is (sometimes) cached.
      if (step % 3 == 0) ExpectSameReads(*cached, *store, step);
      LedgerWrite w = RandomWrite(rng, step, settled);
      if (step % 2 == 0) {  // with a msgid, perhaps one used before (the write is then refused)
        w.fixmedins_code = kInstitutions[rng() % kInstitutions.size()];
        w.msgid = "M" + std::to_string(rng() % kMsgids);
        w.infno = std::to_string(2201 + step % 7);
        if (w.reply_json.empty()) w.reply_json = "{\"step\":" + std::to_string(step) + "}";
      }
      (cached->SubmitAndWait(std::move(w)) == WriteStatus::kDurable ? durable : refused)++;
      ExpectSameReads(*cached, *store, step);
      if (HasFailure()) return;
    }
    EXPECT_GT(durable, 100);
    EXPECT_GT(refused, 20);
    const LedgerStats stats = cached->Stats();
    EXPECT_GT(stats.cache_hits, 0u);
    EXPECT_GT(stats.cache_misses, 0u);
  }
}

// The history hands out the cache's own vectors of lines (shared, not copied): a write landing
// afterwards must leave what a reader holds as it was, and the cache must still be filled by the
// next read (one Land for each Pend, however many lines of one visit a write carries).
TEST(ReadCache, LinesAReaderHoldsDoNotChangeUnderIt) {
  TempDir dir;
  auto cached = WithReadCache(OpenOrDie(dir.File("ledger.db")));
  VisitRecord v = Visit("V1", "P1");
  v.status = "admitted";
  LedgerWrite w;
  w.visit = v;
  ASSERT_EQ(cached->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
  ASSERT_EQ(cached->SubmitAndWait(FeeLines({FeeLine("V1", "1", 100), FeeLine("V1", "2", 200)})),
            WriteStatus::kDurable);
  cached->ClaimedVisitsOf("P1", "");                    // the person's keys, from the store
  const auto held = cached->ClaimedVisitsOf("P1", "");  // now from the caches: their own vector
  ASSERT_EQ(held.size(), 1u);
  const std::vector<FeeLineRecord> before = *held[0].lines;
  ASSERT_EQ(before.size(), 2u);
  // Cancel one, upload two more (one of them the cancelled serial again), in one write.
  ASSERT_EQ(cached->SubmitAndWait(
                FeeLines({FeeLine("V1", "1", 150), FeeLine("V1", "3", 300)}, {FeeLine("V1", "1")})),
            WriteStatus::kDurable);
  EXPECT_EQ(*held[0].lines, before) << "a write changed lines a reader was holding";
  const auto after = cached->ClaimedVisitsOf("P1", "");
  ASSERT_EQ(after.size(), 1u);
  ASSERT_EQ(after[0].lines->size(), 3u);
  EXPECT_EQ((*after[0].lines)[0].feedetl_sn, "2");
  EXPECT_EQ((*after[0].lines)[1].det_item_fee_sumamt, 150);
  EXPECT_EQ(cached->FeeLinesOf("H37990000001", "V1")->size(), 4u);  // the cancelled one flagged
  // Now the live list is a vector of its own: held too while the next write lands.
  const std::vector<FeeLineRecord> live_before = *after[0].lines;
  ASSERT_EQ(cached->SubmitAndWait(FeeLines({FeeLine("V1", "4", 400)}, {FeeLine("V1", "2")})),
            WriteStatus::kDurable);
  EXPECT_EQ(*after[0].lines, live_before) << "a write changed a live list a reader was holding";
  const auto last = cached->ClaimedVisitsOf("P1", "");
  ASSERT_EQ(last.size(), 1u);
  std::vector<std::string> serials;
  for (const auto& l : *last[0].lines) serials.push_back(l.feedetl_sn);
  EXPECT_EQ(serials, (std::vector<std::string>{"1", "3", "4"}));
  // The entry was kept by the write (its key is no longer pending): these reads are hits.
  const uint64_t misses = cached->Stats().cache_misses;
  cached->FeeLinesOf("H37990000001", "V1");
  cached->ClaimedVisitsOf("P1", "");
  EXPECT_EQ(cached->Stats().cache_misses, misses);
}

// A new msgid's replay check is answered without the store (msgid_filter.h): the ceiling of what
// the store held before the cache opened is read once, and only msgids at or below it, or written
// since, are looked up.
TEST(ReadCache, ANewMsgidIsAnsweredWithoutTheStore) {
  TempDir dir;
  const std::string path = dir.File("ledger.db"), code = "H37990000001";
  auto reply_write = [&](const std::string& msgid) {
    LedgerWrite w;
    w.fixmedins_code = code;
    w.msgid = msgid;
    w.infno = "2201";
    w.reply_json = "{\"msgid\":\"" + msgid + "\"}";
    return w;
  };
  {
    auto before = OpenOrDie(path);  // what an earlier process stored
    for (const char* m : {"H37990000001202503011000000001", "H37990000001202503011000000007"})
      ASSERT_EQ(before->SubmitAndWait(reply_write(m)), WriteStatus::kDurable);
  }
  auto cached = WithReadCache(OpenOrDie(path));
  auto misses = [&] { return cached->Stats().cache_misses; };
  const std::string old_msgid = "H37990000001202503011000000007";
  std::string infno;
  EXPECT_EQ(cached->FindReply(code, old_msgid, &infno), R"({"msgid":")" + old_msgid + "\"}");
  EXPECT_EQ(infno, "2201");
  // Above the ceiling and never written: no store read.
  const uint64_t m0 = misses();
  const std::string next = "H37990000001202503011000010000";
  EXPECT_EQ(cached->FindReply(code, next), std::nullopt);
  EXPECT_EQ(misses(), m0) << "a new msgid should not read the store";
  // Written through the cache: found (from the store).
  ASSERT_EQ(cached->SubmitAndWait(reply_write(next)), WriteStatus::kDurable);
  EXPECT_EQ(cached->FindReply(code, next), R"({"msgid":")" + next + "\"}");
  EXPECT_EQ(misses(), m0 + 1);
  // Below the ceiling and never written: the store says so.
  EXPECT_EQ(cached->FindReply(code, "H37990000001202503011000000003"), std::nullopt);
  EXPECT_EQ(misses(), m0 + 2);
}

// A registration's visit is new: once durable, the fee upload's first reads (its lines, whether it
// is settled) are answered without the store, and agree with it; a refused one teaches nothing.
TEST(ReadCache, ANewVisitsFirstReadsAreAnsweredWithoutTheStore) {
  TempDir dir;
  const std::string path = dir.File("ledger.db"), code = "H37990000001";
  auto store = OpenOrDie(path);
  LedgerWrite old;  // an earlier process's visit, with a line
  old.visit = Visit("V1", "P1");
  old.fee_lines = {FeeLine("V1", "1", 500)};
  ASSERT_EQ(store->SubmitAndWait(old), WriteStatus::kDurable);
  store.reset();
  auto cached = WithReadCache(OpenOrDie(path));
  auto misses = [&] { return cached->Stats().cache_misses; };
  auto registration = [&](const std::string& mdtrt_id) {
    LedgerWrite w;
    w.fixmedins_code = code;
    w.visit = Visit(mdtrt_id, "P2");
    w.visit_is_new = true;
    return w;
  };
  ASSERT_EQ(cached->SubmitAndWait(registration("V2")), WriteStatus::kDurable);
  const uint64_t m0 = misses();
  EXPECT_TRUE(cached->FeeLinesOf(code, "V2")->empty());
  EXPECT_FALSE(cached->LiveSettlementOfVisit(code, "V2"));
  EXPECT_EQ(misses(), m0) << "a new visit's lines and settlement should not read the store";
  // Its lines, uploaded next, land on the list the registration started.
  LedgerWrite upload;
  upload.fee_lines = {FeeLine("V2", "1", 700)};
  ASSERT_EQ(cached->SubmitAndWait(upload), WriteStatus::kDurable);
  ASSERT_EQ(cached->FeeLinesOf(code, "V2")->size(), 1u);
  EXPECT_EQ(misses(), m0);
  // Refused (V1 is in the store): nothing primed, the store answers and its line is there.
  EXPECT_EQ(cached->SubmitAndWait(registration("V1")), WriteStatus::kDuplicateVisit);
  ASSERT_EQ(cached->FeeLinesOf(code, "V1")->size(), 1u);
  EXPECT_EQ(cached->FindVisit(code, "V1")->psn_no, "P1");
}

// Readers (in read scopes and out of them) fill the cache while the writer changes the same
// entries; with one shard of one entry per cache (fee lines: room for one visit's) every read
// misses, so every read's fill races the writer. After each write's callback, a read must show that
// write: never a value filled from before it, and never a write counted twice.
TEST(ReadCache, FillsRacingTheWriterNeverKeepAStaleValue) {
  TempDir dir;
  ReadCacheOptions tiny;
  tiny.persons = tiny.visits = tiny.accumulators = tiny.balances = tiny.register_entries = 1;
  tiny.claims = 2;  // one person's keys (1 + one visit)
  // The other visit's 10 lines weigh 11, as much as the room: reading it evicts the visit under
  // test (whose lines go to a new visit every 30 writes, so that it has at most 10 and fits).
  tiny.fee_lines = 11;
  tiny.shards = 1;
  auto ledger = WithReadCache(OpenOrDie(dir.File("ledger.db")), tiny);
  const std::string psn = "P1", code = "H37990000001", visit = "V0";
  auto lines_visit = [](int i) { return "L" + std::to_string(i / 30); };
  {
    LedgerWrite w;
    w.visit = Visit(visit, psn);
    ASSERT_EQ(ledger->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
    std::vector<FeeLineRecord> ten;
    for (int l = 0; l < 10; ++l) ten.push_back(FeeLine("other", std::to_string(l)));
    ASSERT_EQ(ledger->SubmitAndWait(FeeLines(ten)), WriteStatus::kDurable);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> next{1};  // the settlement about to be written
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&, t] {
      std::mt19937 rng(t);
      while (!stop.load()) {
        auto scope = (rng() % 2) ? ledger->ReadTogether() : Ledger::ReadScope();
        // The other key first: in a scope it begins the snapshot, which the key under test is
        // then read from (the fill must count from the scope's start, not from its own read).
        switch (rng() % 6) {
          case 0:
            ledger->Accumulators("other", "310", 2025);  // evicts
            std::this_thread::yield();
            ledger->Accumulators(psn, "310", 2025);
            break;
          case 1:
            ledger->AccountBalance("acct:other");
            std::this_thread::yield();
            ledger->AccountBalance("acct:" + psn);
            break;
          case 2:
            ledger->FeeLinesOf(code, "other");
            std::this_thread::yield();
            ledger->FeeLinesOf(code, lines_visit(next.load()));
            break;
          case 3:
            ledger->FindVisit(code, "other");
            std::this_thread::yield();
            ledger->FindVisit(code, visit);
            break;
          case 4:
            ledger->ClaimedVisitsOf("other", "");
            std::this_thread::yield();
            ledger->ClaimedVisitsOf(psn, "");
            break;
          default:
            ledger->LiveSettlementOfVisit(code, "other");
            std::this_thread::yield();
            ledger->LiveSettlementOfVisit(code, "S" + std::to_string(next.load()));
        }
      }
    });
  std::map<std::string, size_t> lines;
  for (int i = 1; i <= 400; ++i) {
    LedgerWrite w = Settlement("SETL" + std::to_string(i), "S" + std::to_string(i), psn, 100, 1, 0);
    w.accumulators = {{"n", 1}};
    if (i % 3 == 0) {
      w.fee_lines = {FeeLine(lines_visit(i), std::to_string(i))};
      ++lines[lines_visit(i)];
    }
    VisitRecord v = Visit(visit, psn);
    v.info_json = std::to_string(i);
    w.visit = v;
    ASSERT_EQ(ledger->SubmitAndWait(std::move(w)), WriteStatus::kDurable);
    ASSERT_EQ(ledger->Accumulators(psn, "310", 2025)["n"], i);
    ASSERT_EQ(ledger->AccountBalance("acct:" + psn), -i);
    ASSERT_EQ(ledger->FeeLinesOf(code, lines_visit(i))->size(), lines[lines_visit(i)])
        << "after write " << i;
    ASSERT_EQ(ledger->FindVisit(code, visit)->info_json, std::to_string(i));
    const auto claims = ledger->ClaimedVisitsOf(psn, "");  // the stay, admitted
    ASSERT_EQ(claims.size(), 1u) << "after write " << i;
    ASSERT_EQ(claims[0].visit->info_json, std::to_string(i)) << "after write " << i;
    ASSERT_TRUE(ledger->LiveSettlementOfVisit(code, "S" + std::to_string(i)));
    next = i + 1;
  }
  stop = true;
  for (auto& r : readers) r.join();
}

// The bound: by weight, least recently used out first; an entry heavier than the room (at once or
// after a write makes it so) is not kept.
TEST(CacheShards, KeepsWithinItsWeightLeastRecentlyUsedFirstOut) {
  CacheShards<std::vector<int>> cache(10, 1,
                                      [](const std::vector<int>& v) { return 1 + v.size(); });
  std::vector<int> out;
  cache.Fill("a", {1, 2, 3}, 0);     // 4
  cache.Fill("b", {1, 2}, 0);        // 3
  cache.Fill("c", {1}, 0);           // 2: 9 in all
  EXPECT_TRUE(cache.Get("a", out));  // a is now the most recently used
  cache.Fill("d", {1}, 0);           // 11 > 10: b (least recently used) goes
  EXPECT_FALSE(cache.Get("b", out));
  EXPECT_TRUE(cache.Get("a", out));
  EXPECT_TRUE(cache.Get("c", out));
  EXPECT_TRUE(cache.Get("d", out));
  cache.Fill("huge", std::vector<int>(10), 0);  // 11: never kept, and evicts nothing
  EXPECT_FALSE(cache.Get("huge", out));
  EXPECT_EQ(cache.Size(), 3u);
  // A write that makes an entry heavier evicts the least recently used: a (used before c and d).
  cache.Pend("d");
  cache.LandChange("d", 1, [](std::vector<int>& v) { v.insert(v.end(), {2, 3, 4}); });  // 5
  EXPECT_FALSE(cache.Get("a", out));
  ASSERT_TRUE(cache.Get("d", out));
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3, 4}));
  // A fill is refused while its key is pending, and after a write landed since its reader began.
  cache.Pend("e");
  cache.Fill("e", {}, 1);
  EXPECT_FALSE(cache.Get("e", out));
  cache.LandErase("e", 2);
  cache.Fill("e", {}, 1);  // read before epoch 2 landed
  EXPECT_FALSE(cache.Get("e", out));
  cache.Fill("e", {}, 2);
  EXPECT_TRUE(cache.Get("e", out));
}

}  // namespace
}  // namespace yibao
