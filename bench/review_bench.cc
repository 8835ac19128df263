// Review throughput (docs/REVIEW.md, "Performance"): a deterministic synthetic region built in
// memory — 45,000 persons, about 224,000 visits and 2.07 million fee lines (outpatient visits of
// 3–10 lines, pharmacy refills with supply days, stays with daily bed, nursing, meal and drug
// lines), 700 items of which a third carry knowledge-base limits and a fifth of the drugs
// catalogue restrictions that the random prescribing ignores (about 119,000 findings: far
// more work for the engine than a real region) — reviewed with the bundled rule base
// (rules/national), the knowledge tables and the CHS-DRG
// grouper. Reports:
//   BM_LoadClaims        parsing the export's CSV text into the store (fee lines/s)
//   BM_BatchAfter/T      the 事后 batch over the whole store on T threads (fee lines/s;
//                        target ≥ 2,000,000 on the 2-core machine)
//   BM_During{Outpatient,Inpatient}   one 事中 review of a visit with the person's history (µs)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "catalogue/catalogue_csv.h"
#include "codes/icd_table.h"
#include "drg/drg_spec.h"
#include "review/claims.h"
#include "review/engine.h"
#include "review/knowledge.h"
#include "review/rule_set.h"

namespace {

using namespace yibao;

struct Rng {  // splitmix64: the same region on every machine
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return uint32_t(Next() % n); }
};

constexpr int kPersons = 45'000;
constexpr int kDrugs = 500, kServices = 200;

std::string Drug(int i) { return fmt::format("X{:022d}", 1000 + i); }
std::string Service(int i) { return fmt::format("{:015d}", 100000000000LL + i); }

struct World {
  std::string persons, institutions, visits, lines, catalogue_csv;
  std::array<std::string, kKnowledgeTableCount> knowledge_csv;
  ClaimsStore store;
  std::unique_ptr<Catalogue> catalogue;
  KnowledgeBase knowledge;
  std::unique_ptr<DrgSpec> spec;
  std::unique_ptr<IcdTables> icd;
  DrgGrouper grouper;
  std::unique_ptr<RuleSet> rules;
  std::unique_ptr<BoundRules> bound;
  uint32_t outpatient = 0, inpatient = 0;  // typical visits with history, for 事中
};

void BuildText(World& w) {
  Rng rng{7};
  w.persons = "psn_no,gend,brdy,insutype,psn_type,insuplc_admdvs,death_date\n";
  for (int p = 0; p < kPersons; ++p)
    w.persons +=
        fmt::format("P{},{},{}-{:02d}-15,{},,379900,{}\n", p, 1 + p % 2, 1935 + rng.Below(88),
                    1 + rng.Below(12), p % 4 ? "390" : "310", p % 500 == 0 ? "2025-06-30" : "");
  w.institutions = "fixmedins_code,fixmedins_name,hosp_lv,fixmedins_type,admdvs\n";
  for (int i = 0; i < 60; ++i)
    w.institutions += fmt::format("H{},机构{},{},{},379900\n", i, i,
                                  i < 5    ? 3
                                  : i < 20 ? 2
                                  : i < 45 ? 1
                                           : 0,
                                  i < 20   ? "hospital"
                                  : i < 45 ? "clinic"
                                           : "pharmacy");
  // Catalogue: every drug; a fifth restricted in some way.
  w.catalogue_csv = "code,name,kind,class,sex,age_min,setting,min_level,indications,insutypes\n";
  for (int d = 0; d < kDrugs; ++d) {
    std::string r = ",,,,,";
    switch (d % 25) {
      case 1:
        r = "F,,,,,";
        break;
      case 2:
        r = ",18,,,,";
        break;
      case 3:
        r = ",,inpatient,,,";
        break;
      case 4:
        r = ",,,2,,";
        break;
      case 5:
        r = ",,,,E11|I50,";
        break;
    }
    w.catalogue_csv += fmt::format("{},药{},drug,甲,{}\n", Drug(d), d, r);
  }
  auto& items = w.knowledge_csv[size_t(KnowledgeTable::kItems)];
  items =
      "code,category,per_day,max_sin_dos,max_daily_freq,max_daily_qty,max_visit_qty,"
      "max_course_days,max_annual_amount,procurement_price,max_markup,secondary_ratio\n";
  for (int d = 0; d < kDrugs; ++d)
    items += d % 3 ? fmt::format("{},drug,,2,3,,,30,3000,1.5,0.15,\n", Drug(d))
                   : fmt::format("{},drug,,,,,,,,,,\n", Drug(d));
  const char* cats[] = {"bed", "nursing", "meal", "exam", "treatment", "surgery"};
  for (int s = 0; s < kServices; ++s)
    items += fmt::format("{},{},{},,,{},,,,,,{}\n", Service(s), cats[std::min(s, 5)], s < 2 ? 1 : 0,
                         s >= 3 && s < 60 ? "2" : "", s == 5 ? "0.5" : "");
  w.knowledge_csv[size_t(KnowledgeTable::kIncludes)] =
      "code,included_code\n" + Service(10) + "," + Service(11) + "\n";
  w.knowledge_csv[size_t(KnowledgeTable::kRequires)] =
      "code,required_any\n" + Service(12) + "," + Service(5) + "\n";
  w.knowledge_csv[size_t(KnowledgeTable::kBundles)] =
      "bundle_code,component_codes,min_components\n" + Service(20) + "," + Service(21) + ";" +
      Service(22) + ";" + Service(23) + ",2\n";
  w.knowledge_csv[size_t(KnowledgeTable::kSubstitution)] =
      "billed_code,usual_code,evidence_any\n" + Service(30) + "," + Service(31) + ",S06\n";
  w.knowledge_csv[size_t(KnowledgeTable::kStepTherapy)] =
      "code,first_line_codes,window_days\n" + Drug(7) + "," + Drug(8) + ",30\n";
  w.knowledge_csv[size_t(KnowledgeTable::kDiagnosisEvidence)] =
      "dx_prefix,evidence_any\nJ96," + Service(40) + "\n";
  w.knowledge_csv[size_t(KnowledgeTable::kMildDiagnoses)] = "dx_prefix,max_inpatient_days\nJ06,3\n";

  w.visits =
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dept_codg,dscg_way,dise_codg,"
      "diag_codes,oprn_codes,insutype,mdtrtarea_admvs,medfee_sumamt,drg_code\n";
  w.lines =
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt,sin_dos,"
      "used_frqu,prd_days,bilg_dept_codg,hosp_appr_flag\n";
  const char* dx[] = {"I10.x00", "E11.900", "J18.900", "J06.900", "K80.000", "I25.100", "M54.500"};
  // The days of 2025 (and a little of 2026 for stays that run over the year's end).
  std::vector<Date> days;
  const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int y = 2025; y <= 2026; ++y)
    for (int m = 1; m <= 12; ++m)
      for (int d = 1; d <= month_days[m - 1]; ++d) days.push_back(Date::FromYmd(y, m, d));
  uint64_t visit_no = 0;
  std::string lines;
  for (int p = 0; p < kPersons; ++p) {
    int n = 2 + int(rng.Below(7));  // 2..8 visits a year, 5 on average
    int day = int(rng.Below(40));
    for (int k = 0; k < n && day < 365; ++k, day += 20 + int(rng.Below(40))) {
      std::string id = fmt::format("M{:09d}", visit_no++);
      bool stay = rng.Below(10) == 0;
      bool pharmacy = !stay && rng.Below(4) == 0;
      int inst = stay       ? int(rng.Below(20))
                 : pharmacy ? 45 + int(rng.Below(15))
                            : int(rng.Below(45));
      int los = stay ? 3 + int(rng.Below(10)) : 0;
      Date begin = days[size_t(day)];
      Date end = days[size_t(day + los)];
      Money total;
      int sn = 0;
      auto line = [&](const std::string& code, int cnt, const char* pric, Date d, const char* dos,
                      const char* freq, int supply) {
        Money amt = LineAmount(*UnitPrice::Parse(pric), Quantity::Units(cnt));
        total += amt;
        lines +=
            fmt::format("{},{},{},{},{},{},{},{},{},{},A03,\n", id, ++sn, d.ToString(), code, cnt,
                        pric, amt.ToString(), dos, freq, supply ? std::to_string(supply) : "");
      };
      const char* main = dx[rng.Below(7)];
      if (stay) {
        for (int d = 0; d < los; ++d) {
          Date at = days[size_t(day + d)];
          line(Service(0), 1, "60", at, "", "", 0);
          line(Service(1), 1, "25", at, "", "", 0);
          line(Service(2), 1, "20", at, "", "", 0);
          line(Drug(int(rng.Below(kDrugs))), 2, "1.2", at, "1", "2", 0);
          if (d % 2 == 0) line(Service(3 + int(rng.Below(50))), 1, "45", at, "", "", 0);
        }
      } else {
        int m = 3 + int(rng.Below(8));
        for (int j = 0; j < m; ++j) {
          if (j % 2 == 0)
            line(Drug(int(rng.Below(kDrugs))), 28, "1.1", begin, "1", "2", 28);
          else
            line(Service(3 + int(rng.Below(100))), 1, "30", begin, "", "", 0);
        }
      }
      w.visits +=
          fmt::format("{},P{},H{},{},{},{},A03,{},{},,,{},379900,{},{}\n", id, p, inst,
                      stay       ? "21"
                      : pharmacy ? "41"
                                 : "11",
                      begin.ToString(), end.ToString(), stay ? "1" : "", main,
                      p % 4 ? "390" : "310", total.ToString(), stay && inst < 5 ? "ES35" : "");
    }
  }
  w.lines += lines;
}

const World& TheWorld() {
  static World* w = [] {
    auto* world = new World;
    BuildText(*world);
    auto store = ParseClaims(ClaimsTexts{{"persons.csv", world->persons},
                                         {"institutions.csv", world->institutions},
                                         {"visits.csv", world->visits},
                                         {"fee_lines.csv", world->lines}});
    if (!store) {
      std::cerr << FormatDiagnostics(store.errors()) << "\n";
      std::exit(1);
    }
    world->store = std::move(*store);
    auto cat = ParseCatalogueCsv(world->catalogue_csv, "catalogue.csv", "379900");
    if (!cat) {
      std::cerr << FormatDiagnostics(cat.errors()) << "\n";
      std::exit(1);
    }
    world->catalogue = std::make_unique<Catalogue>(std::move(*cat));
    KnowledgeTexts kt;
    for (int t = 0; t < kKnowledgeTableCount; ++t) {
      kt.present[size_t(t)] = true;
      kt.tables[size_t(t)] = {KnowledgeTableFile(KnowledgeTable(t)),
                              world->knowledge_csv[size_t(t)]};
    }
    auto kb = ParseKnowledge(kt);
    if (!kb) {
      std::cerr << FormatDiagnostics(kb.errors()) << "\n";
      std::exit(1);
    }
    world->knowledge = std::move(*kb);
    std::string data = std::string(YIBAO_SOURCE_DIR) + "/../shared/data";
    auto spec = LoadDrgSpec(data + "/chs-drg-1.1");
    auto icd = IcdTables::LoadShared(data + "/icd");
    const DrgGrouper* grouper = nullptr;
    if (spec && icd) {
      world->spec = std::make_unique<DrgSpec>(std::move(*spec));
      world->icd = std::make_unique<IcdTables>(std::move(*icd));
      world->grouper = DrgGrouper::Bind(world->spec.get(), world->icd.get());
      grouper = &world->grouper;
    }
    auto base = LoadRuleDir(std::string(YIBAO_SOURCE_DIR) + "/rules/national");
    if (!base) {
      std::cerr << FormatDiagnostics(base.errors()) << "\n";
      std::exit(1);
    }
    world->rules = std::make_unique<RuleSet>(
        RuleSet::Compile(std::move(*base), &world->knowledge, world->catalogue.get(), grouper));
    world->bound = std::make_unique<BoundRules>(Bind(*world->rules, world->store));
    // Typical visits for 事中: the last outpatient visit and the last stay of persons with
    // several visits before them.
    const ClaimsStore& s = world->store;
    for (uint32_t p = 0; p < s.persons.size() && !(world->outpatient && world->inpatient); ++p) {
      auto [b, e] = s.VisitsOf(p);
      if (e - b < 5) continue;
      uint32_t last = *(e - 1);
      if (s.visits[last].inpatient() && !world->inpatient) world->inpatient = last;
      if (s.visits[last].scenario == CareScenario::kOutpatient && !world->outpatient)
        world->outpatient = last;
    }
    std::cerr << fmt::format("region: {} persons, {} visits, {} fee lines, {} rules{}\n",
                             s.persons.size(), s.visits.size(), s.lines.size(),
                             world->rules->rules().size(), grouper ? "" : " (no DRG grouper)");
    return world;
  }();
  return *w;
}

void BM_LoadClaims(benchmark::State& state) {
  const World& w = TheWorld();
  for (auto _ : state) {
    auto store = ParseClaims(ClaimsTexts{{"persons.csv", w.persons},
                                         {"institutions.csv", w.institutions},
                                         {"visits.csv", w.visits},
                                         {"fee_lines.csv", w.lines}});
    benchmark::DoNotOptimize(store.ok());
  }
  state.counters["fee_lines/s"] = benchmark::Counter(double(w.store.lines.size()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_LoadClaims)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

void BM_BatchAfter(benchmark::State& state) {
  const World& w = TheWorld();
  BatchOptions o;
  o.threads = int(state.range(0));
  size_t findings = 0;
  for (auto _ : state) {
    BatchResult r = ReviewBatch(*w.bound, o);
    findings = r.findings.size();
  }
  state.counters["fee_lines/s"] = benchmark::Counter(double(w.store.lines.size()),
                                                     benchmark::Counter::kIsIterationInvariantRate);
  state.counters["findings"] = double(findings);
}
BENCHMARK(BM_BatchAfter)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

void During(benchmark::State& state, uint32_t visit) {
  const World& w = TheWorld();
  std::vector<Finding> out;
  for (auto _ : state) {
    out.clear();
    ReviewVisit(*w.bound, visit, ReviewStage::kDuring, &out);
    benchmark::DoNotOptimize(out.data());
  }
  const ClaimsVisit& v = w.store.visits[visit];
  auto [b, e] = w.store.VisitsOf(v.person);
  state.counters["lines"] = double(v.line_end - v.line_begin);
  state.counters["history_visits"] = double(e - b);
}
void BM_DuringOutpatient(benchmark::State& state) { During(state, TheWorld().outpatient); }
void BM_DuringInpatient(benchmark::State& state) { During(state, TheWorld().inpatient); }
BENCHMARK(BM_DuringOutpatient)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DuringInpatient)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
