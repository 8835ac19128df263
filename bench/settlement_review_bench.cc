// The added latency of the 事中 review inside settlement (platform/settlement_review.h), in
// process, over a SQLite ledger seeded with the sample region: one outpatient visit of an employee
// who already has N settled outpatient visits this year (5 fee lines each, at two institutions).
// Reports:
//   BM_PriceVisit/N/C      what settlement reads and computes without the review (the ledger's
//                          person, institution, accumulators, account; assembling; the engine)
//   BM_PriceAndReview/N/C  the same plus ReviewAtSettlement: the person's history from the ledger
//                          (two statements, or the read cache's), the encounters, binding the rule
//                          base, the rules
// C = 1: the ledger is read through the read cache (ledger/read_cache.h), and the history's
// encounters built once are used again (platform/history_encounters.h), as `yibao serve` does.
// The difference is the review's cost per settlement with N visits of history. No writer runs
// meanwhile, so SQLite's own page cache stays warm: the store's side is cheaper than in a server.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "platform/register_seed.h"
#include "platform/review_base.h"
#include "platform/settlement_review.h"
#include "platform/visit_assembly.h"
#include "region/region.h"

namespace {

using namespace yibao;
namespace fs = std::filesystem;

constexpr const char* kPerson = "37990000000000000001";  // 张伟, employee (310)
constexpr const char* kHospitals[] = {"H37990000001", "H37990000012"};

// Items the bundled rules let pass (priced at or below cap and procurement price, courses within
// the daily quantities).
struct Line {
  const char* code;
  const char* cnt;
  const char* pric;
  int64_t fen;
  int prd_days;
};
constexpr Line kLines[] = {
    {"001102000010000", "1", "10", 1000, 0}, {"XJ01CAB007A002010101373", "24", "0.08", 192, 3},
    {"002501010150000", "1", "20", 2000, 0}, {"XA10BAG462A001010190618", "30", "0.025", 75, 10},
    {"001101000010000", "1", "1", 100, 0},
};

VisitRecord OutpatientVisit(const std::string& hospital, const std::string& id, int day) {
  VisitRecord v;
  v.fixmedins_code = hospital;
  v.mdtrt_id = id;
  v.psn_no = kPerson;
  v.insutype = "310";
  v.med_type = "11";
  v.ipt_otp_no = "MZ" + id;
  v.begntime = fmt::format("2025-{:02d}-{:02d} 09:00:00", 1 + day / 28, 1 + day % 28);
  v.endtime = v.begntime;
  v.status = "registered";
  VisitDetails d;
  d.dept_codg = "A03";
  d.diagnoses = {"E11.900"};
  v.info_json = VisitDetailsJson(d);
  return v;
}

std::vector<FeeLineRecord> Lines(const VisitRecord& v) {
  std::vector<FeeLineRecord> out;
  int sn = 0;
  for (const Line& l : kLines) {
    FeeLineRecord r;
    r.fixmedins_code = v.fixmedins_code;
    r.mdtrt_id = v.mdtrt_id;
    r.feedetl_sn = std::to_string(++sn);
    r.chrg_bchno = "1";
    r.med_list_codg = l.code;
    r.medins_list_codg = l.code;
    r.cnt = l.cnt;
    r.pric = l.pric;
    r.det_item_fee_sumamt = l.fen;
    r.hosp_appr_flag = "0";
    r.prd_days = l.prd_days;
    r.fee_ocur_time = v.begntime;
    out.push_back(r);
  }
  return out;
}

struct World {
  fs::path dir;
  std::shared_ptr<const Region> region;
  std::shared_ptr<const ReviewBase> review;
  std::unique_ptr<Ledger> ledger;
  VisitRecord current;
  std::vector<FeeLineRecord> lines;
  std::vector<const FeeLineRecord*> line_refs;  // into `lines`, as settlement passes them
  std::unique_ptr<HistoryEncounters> kept;      // with the read cache only, as the server has it
};

// A ledger whose person has `history` settled visits before the one to settle; read through the
// read cache if `cached`.
World& TheWorld(int history, bool cached) {
  static std::map<std::pair<int, bool>, std::unique_ptr<World>> worlds;
  auto& w = worlds[{history, cached}];
  if (w) return *w;
  w = std::make_unique<World>();
  w->dir = fs::temp_directory_path() /
           fmt::format("yibao-srbench-{}-{}-{}", ::getpid(), history, int(cached));
  fs::remove_all(w->dir);
  fs::create_directories(w->dir);
  auto region = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
  if (!region) std::abort();
  w->region = std::make_shared<const Region>(std::move(*region));
  auto ledger = OpenSqliteLedger((w->dir / "ledger.db").string());
  if (!ledger) std::abort();
  w->ledger = cached ? WithReadCache(std::move(*ledger)) : std::move(*ledger);
  if (cached) w->kept = std::make_unique<HistoryEncounters>();
  if (!SeedLedger(*w->region, *w->ledger)) std::abort();
  auto review = LoadReviewBase(std::string(YIBAO_SOURCE_DIR) + "/rules/national",
                               std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan/knowledge",
                               w->region->catalogue);
  if (!review) std::abort();
  w->review = *review;
  for (int i = 0; i < history; ++i) {
    const std::string hospital = kHospitals[i % 2];
    VisitRecord v = OutpatientVisit(hospital, fmt::format("H{}", i), i * 5);
    LedgerWrite visit;
    visit.visit = v;
    visit.fee_lines = Lines(v);
    if (w->ledger->SubmitAndWait(visit) != WriteStatus::kDurable) std::abort();
    // A live settlement row is what makes the visit a claim; its amounts do not matter here.
    LedgerWrite s;
    s.fixmedins_code = hospital;
    SettlementRecord r;
    r.setl_id = "S" + v.mdtrt_id;
    r.mdtrt_id = v.mdtrt_id;
    r.psn_no = kPerson;
    r.fixmedins_code = hospital;
    r.insutype = "310";
    r.med_type = "11";
    r.year = 2025;
    r.medfee_sumamt = 3367;
    r.psn_cash_pay = 3367;
    r.clr_type = "11";
    r.bill_json = "{}";
    s.settlement = r;
    s.journal = {{std::string("cash:") + kPerson, -3367}, {"hospital:" + hospital, 3367}};
    if (w->ledger->SubmitAndWait(s) != WriteStatus::kDurable) std::abort();
  }
  w->current = OutpatientVisit(kHospitals[0], "NOW", 300);
  w->lines = Lines(w->current);
  for (const FeeLineRecord& l : w->lines) w->line_refs.push_back(&l);
  LedgerWrite visit;
  visit.visit = w->current;
  visit.fee_lines = w->lines;
  if (w->ledger->SubmitAndWait(visit) != WriteStatus::kDurable) std::abort();
  return *w;
}

std::shared_ptr<PricedVisit> Price(World& w) {
  auto priced = PriceVisit(*w.ledger, w.region, w.current, w.line_refs, "", "", true);
  if (!priced) {
    std::cerr << FormatDiagnostics(priced.errors());
    std::abort();
  }
  return *priced;
}

void BM_PriceVisit(benchmark::State& state) {
  World& w = TheWorld(int(state.range(0)), state.range(1) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(Price(w));
}

void BM_PriceAndReview(benchmark::State& state) {
  World& w = TheWorld(int(state.range(0)), state.range(1) != 0);
  size_t findings = 0, encounters = 0;
  for (auto _ : state) {
    auto priced = Price(w);
    auto review =
        ReviewAtSettlement(*w.ledger, *w.review, *priced, w.current, w.line_refs, w.kept.get());
    if (!review) std::abort();
    findings = review->findings.size();
    encounters = review->request.store.visits.size();
  }
  state.counters["findings"] = double(findings);
  state.counters["encounters"] = double(encounters);
}

BENCHMARK(BM_PriceVisit)->ArgsProduct({{0, 5, 20}, {0, 1}})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PriceAndReview)->ArgsProduct({{0, 5, 20}, {0, 1}})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
