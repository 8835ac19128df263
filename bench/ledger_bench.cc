// Durable writes per second through the ledger's group commit: K client threads, each submitting a
// settlement write and waiting for it to be durable before the next (as server handlers will).
//
// BM_DurableSettlementWrites: SQLite, on a file in the working directory's file system (fsync cost
// is the point). BM_PgDurableSettlementWrites: PostgreSQL 15 at $YIBAO_PG_CONNINFO (each run in a
// fresh schema, dropped afterwards) or, when unset, in a throwaway cluster under /tmp (fsync and
// synchronous_commit on; tests/ledger/pg_cluster.h). A tmpfs /tmp makes fsync free: such runs are
// labelled so.
//
// BM_SettlementReads: the reads one settlement makes (visit, fee lines, live settlement, person,
// institution, personal account, accumulators; in one read scope), on SQLite while a writer commits
// other persons' settlements all the time, as under load; Arg(1) through the read cache
// (ledger/read_cache.h), Arg(0) without. Reports CPU per settlement's reads.
//
// build-bench/bench/ledger_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "ledger/pg_ledger.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
// The tests' throwaway-cluster helper, compiled in here: bench/CMakeLists.txt builds one source per
// benchmark binary.
#include "ledger/pg_cluster.h"

namespace yibao {
namespace {

// What a settlement write carries besides its row and stored reply (BM_SettlementWriteParts).
enum class Postings { kNone, kTypical, kManyAccumulators };

LedgerWrite Write(const std::string& id, int person, Postings postings = Postings::kTypical) {
  LedgerWrite w;
  w.fixmedins_code = "H37990000001";
  SettlementRecord r;
  r.setl_id = "S" + id;
  r.mdtrt_id = "V" + id;
  r.psn_no = "P" + std::to_string(person);
  r.fixmedins_code = w.fixmedins_code;
  r.insutype = "310";
  r.med_type = "11";
  r.year = 2025;
  r.policy_region = "379900";
  r.policy_version = "2025.1";
  r.medfee_sumamt = 10000;
  r.fund_pay_sumamt = 6000;
  r.psn_part_amt = 4000;
  r.acct_pay = 1000;
  r.psn_cash_pay = 3000;
  r.bill_json = std::string(1500, 'x');  // about the size of a real bill reply
  w.settlement = r;
  if (postings != Postings::kNone) {
    w.accumulators = {{"outpatient.basic.paid", 6000}, {"outpatient.basic.deductible", 100}};
    w.journal = {{"fund:379900:310:hifp", -6000},
                 {"acct:" + r.psn_no, -1000},
                 {"hospital:H37990000001", 7000}};
  }
  if (postings == Postings::kManyAccumulators)
    for (int k = 0; k < 6; ++k)
      w.accumulators.push_back({"outpatient.item." + std::to_string(k), 100});
  w.msgid = "M" + id;
  w.infno = "2207";
  w.reply_json = std::string(1500, 'y');
  return w;
}

// CPU time (user + system, clock ticks) of each thread of this process, by thread id.
std::map<long, long> ThreadTicks() {
  std::map<long, long> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(e.path() / "stat");
    std::string line;
    std::getline(in, line);
    const size_t close = line.rfind(')');  // the name may hold spaces
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: utime, stime
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    out[std::stol(e.path().filename().string())] = utime + stime;
  }
  return out;
}

// K clients, each submitting a write and waiting for it to be durable, about 2000 writes an
// iteration. Also reports the CPU the ledger's writer thread spent per write ("writer_us/write":
// the thread that lives through the run with the most CPU — the clients are new each iteration),
// which is much less noisy than writes/s on a shared machine.
void RunClients(benchmark::State& state, Ledger& ledger, int clients,
                Postings postings = Postings::kTypical) {
  std::atomic<long> next{0};
  long total = 0;
  const std::map<long, long> ticks_before = ThreadTicks();
  for (auto _ : state) {
    const long per_client = 2000 / clients + 1;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&] {
        for (long i = 0; i < per_client; ++i) {
          long id = next++;
          ledger.SubmitAndWait(Write(std::to_string(id), int(id % 1000), postings));
        }
      });
    for (auto& t : threads) t.join();
    total += per_client * clients;
  }
  long writer_ticks = 0;
  for (const auto& [tid, ticks] : ThreadTicks()) {
    auto before = ticks_before.find(tid);
    if (before != ticks_before.end()) writer_ticks = std::max(writer_ticks, ticks - before->second);
  }
  state.counters["writer_us/write"] =
      double(writer_ticks) * 1e6 / double(::sysconf(_SC_CLK_TCK)) / double(total ? total : 1);
  LedgerStats stats = ledger.Stats();
  state.SetItemsProcessed(total);
  state.counters["writes/batch"] = double(stats.writes) / double(stats.batches ? stats.batches : 1);
  state.counters["largest_batch"] = double(stats.largest_batch);
}

// A fresh SQLite ledger file in the working directory (whose file system's fsync is the point),
// removed with its WAL when the benchmark ends. Declare it before the ledger, so that the ledger
// closes first.
class BenchLedgerFile {
 public:
  explicit BenchLedgerFile(const std::string& name)
      : path_(name + "-" + std::to_string(::getpid()) + ".db") {
    Remove();
  }
  ~BenchLedgerFile() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

void BM_DurableSettlementWrites(benchmark::State& state) {
  BenchLedgerFile file("ledger-bench");
  auto ledger = OpenSqliteLedger(file.path());
  if (!ledger.ok()) {
    state.SkipWithError("cannot open the ledger");
    return;
  }
  RunClients(state, **ledger, int(state.range(0)));
}
BENCHMARK(BM_DurableSettlementWrites)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// What the writer's time per settlement is made of, 64 clients on SQLite: Arg(0) the settlement
// row and its stored reply alone (the floor of a durable settlement in this layout); Arg(1) with
// two accumulator deltas and three journal entries (each entry also moves its account's balance),
// as above; Arg(2) with eight accumulator deltas, as an inpatient stay under a detailed policy.
void BM_SettlementWriteParts(benchmark::State& state) {
  BenchLedgerFile file("ledger-bench-parts");
  auto ledger = OpenSqliteLedger(file.path());
  if (!ledger.ok()) {
    state.SkipWithError("cannot open the ledger");
    return;
  }
  RunClients(state, **ledger, 64, Postings(state.range(0)));
}
BENCHMARK(BM_SettlementWriteParts)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// $YIBAO_PG_CONNINFO, or a database of the throwaway cluster (started once, stopped at exit).
Result<std::string> PgBenchConninfo() {
  static std::mutex mu;
  static std::optional<Result<std::string>> conninfo;
  std::lock_guard<std::mutex> lock(mu);
  if (!conninfo) {
    const char* env = std::getenv("YIBAO_PG_CONNINFO");
    if (env && *env) {
      conninfo = std::string(env);
    } else {
      auto cluster = SharedPgCluster();
      conninfo = cluster.ok() ? (*cluster)->CreateDatabase("ledger_bench")
                              : Result<std::string>(cluster.errors());
    }
  }
  return *conninfo;
}

bool PgExec(const std::string& conninfo, const std::string& sql, std::string* err) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  if (!ok) *err = PQerrorMessage(c);
  PQfinish(c);
  return ok;
}

// `conninfo` (keyword/value or URI) with `schema` first on the search_path.
std::string WithSearchPath(const std::string& conninfo, const std::string& schema) {
  if (conninfo.starts_with("postgres://") || conninfo.starts_with("postgresql://"))
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema;
  return conninfo + " options='-csearch_path=" + schema + "'";
}

void BM_PgDurableSettlementWrites(benchmark::State& state) {
  auto base = PgBenchConninfo();
  if (!base.ok()) {
    state.SkipWithError(FormatDiagnostics(base.errors()).c_str());
    return;
  }
  static int runs = 0;
  const std::string schema = "bench_" + std::to_string(::getpid()) + "_" + std::to_string(runs++);
  std::string err;
  if (!PgExec(*base, "SET client_min_messages = warning; CREATE SCHEMA " + schema, &err)) {
    state.SkipWithError(("cannot create schema " + schema + ": " + err).c_str());
    return;
  }
  auto ledger = OpenPgLedger(WithSearchPath(*base, schema));
  if (!ledger.ok()) {
    state.SkipWithError(FormatDiagnostics(ledger.errors()).c_str());
  } else {
    RunClients(state, **ledger, int(state.range(0)));
    ledger->reset();
  }
  struct statfs fs;
  if (!std::getenv("YIBAO_PG_CONNINFO") && ::statfs("/tmp", &fs) == 0 && fs.f_type == TMPFS_MAGIC)
    state.SetLabel("/tmp is a tmpfs: fsync is free, figures not comparable");
  PgExec(*base, "SET client_min_messages = warning; DROP SCHEMA " + schema + " CASCADE", &err);
}
BENCHMARK(BM_PgDurableSettlementWrites)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The reads of one settlement, with a writer committing other persons' settlements meanwhile.
void BM_SettlementReads(benchmark::State& state) {
  constexpr int kPersons = 2000;
  BenchLedgerFile file("ledger-bench-reads");
  auto opened = OpenSqliteLedger(file.path());
  if (!opened.ok()) {
    state.SkipWithError("cannot open the ledger");
    return;
  }
  std::unique_ptr<Ledger> ledger = std::move(*opened);
  if (state.range(0) == 1) ledger = WithReadCache(std::move(ledger));
  {
    LedgerWrite w;
    InstitutionRecord h;
    h.fixmedins_code = "H37990000001";
    h.fixmedins_name = "bench";
    h.hosp_lv = 3;
    h.admdvs = "379900";
    w.institutions.push_back(h);
    ledger->SubmitAndWait(std::move(w));
  }
  for (int p = 0; p < kPersons; ++p) {
    LedgerWrite w;
    PersonRecord person;
    person.psn_no = "P" + std::to_string(p);
    person.certno = "3799001960050100" + std::to_string(p);
    person.insurances.push_back(
        InsuranceRecord{"310", "11", "1", "2000-01-01", "", "379900", "E1", "0"});
    w.persons.push_back(person);
    VisitRecord v;
    v.fixmedins_code = "H37990000001";
    v.mdtrt_id = "R" + std::to_string(p);
    v.psn_no = person.psn_no;
    v.insutype = "310";
    v.med_type = "11";
    v.begntime = "2025-03-01 08:00:00";
    v.status = "registered";
    v.info_json = std::string(300, 'i');
    w.visit = v;
    for (int l = 0; l < 8; ++l) {
      FeeLineRecord f;
      f.fixmedins_code = v.fixmedins_code;
      f.mdtrt_id = v.mdtrt_id;
      f.feedetl_sn = std::to_string(l);
      f.chrg_bchno = "B1";
      f.med_list_codg = "XA01AAA001" + std::to_string(l);
      f.medins_list_codg = "H-" + std::to_string(l);
      f.cnt = "2";
      f.pric = "4.5";
      f.det_item_fee_sumamt = 900;
      f.fee_ocur_time = "2025-03-01 09:00:00";
      w.fee_lines.push_back(f);
    }
    ledger->SubmitAndWait(std::move(w));
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {  // keeps commits coming, as under load
    for (long id = 0; !stop.load(); ++id)
      ledger->SubmitAndWait(Write("w" + std::to_string(id), int(id % kPersons)));
  });
  long reads = 0;
  int64_t sink = 0;
  const auto cpu_before = ThreadTicks();
  for (auto _ : state) {
    const std::string p = std::to_string(reads++ % kPersons);
    auto scope = ledger->ReadTogether();
    auto visit = ledger->FindVisit("H37990000001", "R" + p);
    auto lines = ledger->FeeLinesOf("H37990000001", "R" + p);
    auto live = ledger->LiveSettlementOfVisit("H37990000001", "R" + p);
    auto person = ledger->FindPerson("P" + p);
    auto institution = ledger->FindInstitution("H37990000001");
    sink += ledger->AccountBalance("acct:P" + p);
    sink += ledger->Accumulators("P" + p, "310", 2025).size();
    sink += int64_t(lines->size()) + (visit ? 1 : 0) + (live ? 1 : 0) + (person ? 1 : 0) +
            (institution ? 1 : 0);
  }
  stop = true;
  writer.join();
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(reads);
  const LedgerStats stats = ledger->Stats();
  state.counters["cache_hit_%"] =
      100.0 * double(stats.cache_hits) /
      double(std::max<uint64_t>(1, stats.cache_hits + stats.cache_misses));
}
BENCHMARK(BM_SettlementReads)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace yibao

BENCHMARK_MAIN();
