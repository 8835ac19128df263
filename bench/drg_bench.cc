// CHS-DRG grouping throughput on random realistic cases (bench/README.md): main diagnoses drawn
// from the MDC tables, 0–8 secondary diagnoses (a third of them MCC/CC), half the cases with a main
// procedure that an ADRG of the main diagnosis's MDC lists and 0–2 others; one thread, one reused
// GroupResult. Target: ≥ 200,000 cases/s per core, ICD normalisation (crosswalks, 灰码) included.
// BM_PayDrgYear: the whole of `yibao pay` after reading — group, pay by DRG (苏州 2023 RWs, a
// computed standard, outliers and the 5% cap) and aggregate the monthly statements — in blocks of
// 10,000 cases over 20 hospitals and 12 months.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <random>

#include "codes/icd_table.h"
#include "drg/drg_batch.h"
#include "drg/drg_spec.h"
#include "drg/drg_statement.h"
#include "drg/grouper.h"

namespace {

using namespace yibao;

struct World {
  DrgSpec spec;
  IcdTables icd;
  std::vector<DrgCase> cases;
};

const World& TheWorld() {
  static const World* w = [] {
    auto* world = new World;
    Result<DrgSpec> spec = LoadDrgSpec(std::string(YIBAO_SHARED_DATA) + "/chs-drg-1.1");
    Result<IcdTables> icd = IcdTables::LoadShared(std::string(YIBAO_SHARED_DATA) + "/icd");
    if (!spec.ok() || !icd.ok()) {
      std::cerr << "cannot load the shared data under " << YIBAO_SHARED_DATA << "\n";
      std::exit(1);
    }
    world->spec = std::move(spec.value());
    world->icd = std::move(icd.value());
    const DrgSpec& s = world->spec;
    std::vector<uint32_t> mains, severe;
    for (uint32_t id = 0; id < s.dx_codes.size(); ++id) {
      if (s.dx_mdc_mask[id] != 0) {
        auto n = world->icd.diagnoses.Id(s.dx_codes[id]);
        if (n && !world->icd.diagnoses.IsGray(*n)) mains.push_back(id);
      }
      if (s.dx_severity[id] != DrgSeverity::kNone) severe.push_back(id);
    }
    std::vector<uint32_t> procs;
    for (uint32_t id = 0; id < s.proc_codes.size(); ++id) {
      auto n = world->icd.procedures.Id(s.proc_codes[id]);
      if (n && !world->icd.procedures.IsGray(*n)) procs.push_back(id);
    }
    // Per MDC, the non-gray procedures its ADRGs list: a case's operations fit its diagnosis.
    std::vector<std::vector<uint32_t>> mdc_procs(s.mdcs.size());
    std::vector<uint8_t> ok_proc(s.proc_codes.size(), 0);
    for (uint32_t id : procs) ok_proc[id] = 1;
    for (const DrgAdrg& a : s.adrgs)
      for (const DrgAlternative& alt : a.any)
        for (const DrgCondition& k : alt.all)
          if (k.kind == DrgConditionKind::kMainProcedure)
            for (uint32_t id : s.sets[k.set].ids)
              if (ok_proc[id]) mdc_procs[a.mdc].push_back(id);
    std::mt19937_64 rng(42);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    for (int i = 0; i < 100000; ++i) {
      DrgCase c;
      c.sex = 1 + static_cast<int>(pick(2));
      c.age_years = static_cast<int>(pick(90));
      c.los_days = 1 + static_cast<int>(pick(30));
      c.main_dx = s.dx_codes[mains[pick(mains.size())]];
      size_t nsec = pick(9);
      for (size_t k = 0; k < nsec; ++k)
        c.secondary_dx.push_back(pick(3) == 0 ? s.dx_codes[severe[pick(severe.size())]]
                                              : s.dx_codes[mains[pick(mains.size())]]);
      uint32_t main = s.DiagnosisId(c.main_dx);
      const auto& own = mdc_procs[__builtin_ctz(s.dx_mdc_mask[main])];
      if (pick(2) && !own.empty()) {
        c.procedures.push_back(s.proc_codes[own[pick(own.size())]]);
        size_t np = pick(3);
        for (size_t k = 0; k < np; ++k)
          c.procedures.push_back(s.proc_codes[procs[pick(procs.size())]]);
      }
      world->cases.push_back(std::move(c));
    }
    return world;
  }();
  return *w;
}

void GroupCases(benchmark::State& state, bool with_icd) {
  const World& w = TheWorld();
  DrgGrouper g = DrgGrouper::Bind(&w.spec, with_icd ? &w.icd : nullptr);
  GroupResult r;
  size_t i = 0, grouped = 0;
  for (auto _ : state) {
    GroupCase(g, w.cases[i], &r);
    grouped += r.status == GroupStatus::kGrouped;
    if (++i == w.cases.size()) i = 0;
    benchmark::DoNotOptimize(r.drg.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["grouped_share"] =
      benchmark::Counter(static_cast<double>(grouped) / static_cast<double>(state.iterations()));
}

void BM_GroupCase(benchmark::State& state) { GroupCases(state, true); }
void BM_GroupCaseNoIcd(benchmark::State& state) { GroupCases(state, false); }
BENCHMARK(BM_GroupCase);
BENCHMARK(BM_GroupCaseNoIcd);

void BM_LoadDrgSpec(benchmark::State& state) {
  for (auto _ : state) {
    Result<DrgSpec> s = LoadDrgSpec(std::string(YIBAO_SHARED_DATA) + "/chs-drg-1.1");
    benchmark::DoNotOptimize(s.ok());
  }
}
BENCHMARK(BM_LoadDrgSpec)->Unit(benchmark::kMillisecond);

void BM_PayDrgYear(benchmark::State& state) {
  const World& w = TheWorld();
  DrgGrouper g = DrgGrouper::Bind(&w.spec, &w.icd);
  Result<DrgWeights> weights =
      LoadDrgWeights(std::string(YIBAO_SHARED_DATA) + "/drg-payment/苏州2023.csv");
  Result<DrgPaymentRule> rule = ParseDrgPaymentRule(
      "[drg_payment]\nbase_rate = \"11519\"\n[drg_payment.level_coefficient]\n\"3\" = \"1.01\"\n"
      "\"2\" = \"0.91\"\n\"1\" = \"0.85\"\n\"0\" = \"0.85\"\n",
      "bench.toml");
  if (!weights.ok() || !rule.ok()) {
    state.SkipWithError("cannot load the 苏州2023 table or the rule");
    return;
  }
  constexpr size_t kBlock = 10000;
  std::mt19937_64 rng(7);
  std::vector<DrgBatchCase> batch(kBlock);
  for (size_t i = 0; i < kBlock; ++i) {  // costs around a standard of ~10000, some outliers
    DrgBatchCase& b = batch[i];
    b.id = "C" + std::to_string(i);
    b.discharge = Date::FromYmd(2024, 1 + int(rng() % 12), 1 + int(rng() % 28));
    b.costs.institution = "H" + std::to_string(rng() % 20);
    b.costs.hospital_level = 1 + int(rng() % 3);
    b.costs.total = Money::Fen(int64_t(1000'00 + rng() % 40000'00));
    b.costs.fund_item = Money::Fen(b.costs.total.fen() * 7 / 10);
  }
  GroupResult r;
  size_t next = 0, paid_cases = 0;
  Money owed;
  for (auto _ : state) {
    for (DrgBatchCase& b : batch) {
      GroupCase(g, w.cases[next], &r);
      if (++next == w.cases.size()) next = 0;
      b.costs.drg = r.drg;
    }
    Diagnostics errors;
    std::vector<PaidCase> paid = PayDrgBatch(*rule, *weights, batch, &errors);
    std::vector<MonthlyStatement> st = BuildMonthlyStatements(paid, rule->schedule);
    paid_cases += paid.size();
    for (const MonthlyStatement& s : st) owed += s.owed;
    benchmark::DoNotOptimize(owed);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * kBlock));
  state.counters["paid_share"] =
      benchmark::Counter(double(paid_cases) / double(state.iterations() * kBlock));
}
BENCHMARK(BM_PayDrgYear)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
