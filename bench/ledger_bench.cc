// Durable writes per second through the SQLite ledger's group commit: K client threads, each
// submitting a settlement write and waiting for it to be durable before the next (as server handlers
// will), on a file in the working directory's file system (fsync cost is the point).
//
//   build-bench/bench/ledger_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "ledger/sqlite_ledger.h"

namespace yibao {
namespace {

LedgerWrite Write(const std::string& id, int person) {
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
  w.accumulators = {{"outpatient.basic.paid", 6000}, {"outpatient.basic.deductible", 100}};
  w.journal = {{"fund:379900:310:hifp", -6000}, {"acct:" + r.psn_no, -1000}, {"hospital:H37990000001", 7000}};
  w.msgid = "M" + id;
  w.infno = "2207";
  w.reply_json = std::string(1500, 'y');
  return w;
}

void BM_DurableSettlementWrites(benchmark::State& state) {
  const int clients = int(state.range(0));
  const std::string path = "ledger-bench-" + std::to_string(::getpid()) + ".db";
  std::filesystem::remove(path);
  auto ledger = OpenSqliteLedger(path);
  if (!ledger.ok()) {
    state.SkipWithError("cannot open the ledger");
    return;
  }
  std::atomic<long> next{0};
  long total = 0;
  for (auto _ : state) {
    const long per_client = 2000 / clients + 1;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
      threads.emplace_back([&, c] {
        for (long i = 0; i < per_client; ++i) {
          long id = next++;
          (*ledger)->SubmitAndWait(Write(std::to_string(id), int(id % 1000)));
        }
      });
    for (auto& t : threads) t.join();
    total += per_client * clients;
  }
  LedgerStats stats = (*ledger)->Stats();
  state.SetItemsProcessed(total);
  state.counters["writes/batch"] = double(stats.writes) / double(stats.batches ? stats.batches : 1);
  state.counters["largest_batch"] = double(stats.largest_batch);
  ledger->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}
BENCHMARK(BM_DurableSettlementWrites)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace yibao

BENCHMARK_MAIN();
