// In-process settlement throughput on the bundled sample region (regions/qinglan).
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench
//   settle_bench build-bench/bench/settle_bench --benchmark_repetitions=3
//   --benchmark_report_aggregates_only=true build-bench/bench/settle_bench --alloc_report   #
//   allocations per call, by case and phase build-bench/bench/settle_bench --dump_bills     # the
//   three bills (JSON) and traces (text)
//
// Cases (case:N), built once outside the timing loops through the real JSON edge:
//   0  10-line 普通门诊: employee in service, med_type 11, 二级 hospital: 诊查费, 挂号费 (丙),
//   甲/乙类
//      drugs, one 乙类 drug above its payment standard, lab tests, an X-ray; deductible already
//      met.
//   1  60-line 住院 of an employee retiree at a 三级 hospital: beds above the standard, nursing,
//   drugs,
//      exams, surgery, capped consumables, a quantity and a course limit, a failed 限适应症 and a
//      需审批 without approval; basic fund + 大额 tier.
//   2  22-line 住院 of a resident 低保 paid by all three layers: 基本 → 大病 → 医疗救助.
// Benchmarks:
//   BM_Settle/case:N/reuse:1   Settle into one Settlement reused across iterations (a server
//   thread) BM_Settle/case:N/reuse:0   Settle into a fresh Settlement each iteration
//   BM_SettleTrace/case:N      Settle + RenderTrace: what rendering the trace as text costs
//   BM_EndToEnd/case:N         ParseVisitJson + PrepareVisit + Settle + WriteBillJson (which
//   renders
//                              the trace into setl_proc_info): what a server does per request
// Counters: items_per_second = visits/s; lines/s = fee lines/s; allocs/visit = global operator new
// calls per iteration (this binary replaces operator new to count them). Each case is checked at
// start to still exercise what it should (e.g. all three funds paying for case 2).
// Design target: ≥ 500,000 outpatient visits/s per core for BM_Settle/case:0.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "interface/bill_json.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "region/region.h"
#include "settle/settle.h"
#include "settle/trace_text.h"

// ── Allocation counting ────────────────────────────────────────────────────────────────────────
// Every global operator new of this thread goes through here. Under gdb, `break
// yibao_bench_alloc_hook` with --alloc_report shows where each steady-state allocation comes from.
namespace {
thread_local uint64_t t_allocs = 0;
thread_local bool t_trace_allocs = false;
}  // namespace

extern "C" __attribute__((noinline)) void yibao_bench_alloc_hook(size_t size) {
  asm volatile("" ::"r"(size) : "memory");
}

static inline void* CountedAlloc(size_t size, size_t align) {
  ++t_allocs;
  if (t_trace_allocs) yibao_bench_alloc_hook(size);
  if (size == 0) size = 1;
  void* p = align > alignof(std::max_align_t)
                ? std::aligned_alloc(align, (size + align - 1) / align * align)
                : std::malloc(size);
  return p;
}

void* operator new(size_t n) {
  if (void* p = CountedAlloc(n, 0)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  if (void* p = CountedAlloc(n, 0)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n, 0); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n, 0); }
void* operator new(size_t n, std::align_val_t a) {
  if (void* p = CountedAlloc(n, size_t(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t a) {
  if (void* p = CountedAlloc(n, size_t(a))) return p;
  throw std::bad_alloc();
}
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlloc(n, size_t(a));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return CountedAlloc(n, size_t(a));
}
// GCC sees the inlined new above and free() here and warns of a mismatch; they do match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace yibao {
namespace {

// ── The visits ─────────────────────────────────────────────────────────────────────────────────

struct Line {
  const char* code;
  const char* cnt;
  const char* pric;
  bool approved = false;
  int days = 0;
};

std::string LinesJson(const std::vector<Line>& lines) {
  std::string s = "  \"fee_details\": [\n";
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    s += "    {\"feedetl_sn\": \"" + std::to_string(i + 1) + "\", \"med_list_codg\": \"" + l.code +
         "\", \"cnt\": " + l.cnt + ", \"pric\": \"" + l.pric + "\"";
    if (l.approved) s += ", \"hosp_appr_flag\": \"1\"";
    if (l.days) s += ", \"prd_days\": " + std::to_string(l.days);
    s += i + 1 < lines.size() ? "},\n" : "}\n";
  }
  return s + "  ]\n}\n";
}

// (a) 普通门诊, employee in service, 二级 hospital, acute bronchitis; the 400 annual deductible is
// already met this year, so the 门诊统筹 pays 60% of the in-scope amount (within the 3000 cap).
std::string OutpatientJson() {
  std::vector<Line> lines = {
      {"001102000010000", "1", "10"},  // 普通门诊诊查费 甲 (standard 10)
      {"001101000010000", "1", "1"},   // 普通挂号费 丙
      {"XJ01CRD021A001010104119", "12",
       "1.20"},  // 阿莫西林克拉维酸钾片 乙 10%, standard 0.90: 超限价
      {"XR05CBJ756A001010148284", "20", "0.35"},  // 盐酸氨溴索片 乙 10%
      {"ZA01BAD0481010111843", "24", "0.55"},     // 连花清瘟胶囊 乙 10%
      {"XN02BED931A001010182609", "10", "0.12"},  // 对乙酰氨基酚片 甲
      {"002501010150000", "1", "20"},             // 血细胞分析 甲 (standard 20)
      {"002504010300000", "1", "30"},             // C反应蛋白 甲
      {"002101020150000", "1", "60"},             // DR 胸部正位 甲 (standard 60)
      {"001213000010000", "2", "15"},             // 雾化吸入 甲
  };
  return std::string(R"({
  "mdtrt_id": "QLBENCH0000001",
  "psn_no": "37990000000000000101",
  "gend": "1",
  "brdy": "1985-09-21",
  "insutype": "310",
  "psn_type": "in_service",
  "insuplc_admdvs": "379900",
  "mdtrtarea_admvs": "379900",
  "med_type": "11",
  "fixmedins_code": "H37990000006",
  "begntime": "2025-03-11 10:05:00",
  "endtime": "2025-03-11 10:50:00",
  "dise_codg": "J20.900",
  "diag_codes": ["J06.900"],
  "dept_codg": "A03",
  "acct_used_flag": "1",
  "acct_balc": "860.00",
  "accumulators": {"employee.outpatient.deductible": "400.00", "employee.outpatient.paid": "320.00"},
)") + LinesJson(lines);
}

// (b) 住院 of an employee retiree at a 三级 hospital, laparoscopic cholecystectomy, 10 days, lines
// as a HIS sends them (one per day for beds, nursing, 诊查费 and infusion).
std::string InpatientJson() {
  std::vector<Line> lines;
  for (int d = 0; d < 10; ++d) {
    lines.push_back({"001107000010002", "1", "50"});  // 两人间 乙 10%, standard 40: 超限价
    lines.push_back({"001201000040000", "1", "20"});  // Ⅱ级护理 甲
    lines.push_back({"001109000010000", "1", "20"});  // 住院诊查费 甲
    if (d < 4) lines.push_back({"001204000060000", "2", "8"});  // 静脉输液 甲
  }
  std::vector<Line> rest = {
      {"XJ01DCB077B002010115103", "16", "9.80"},  // 注射用头孢呋辛钠 甲
      {"XJ01DDC084B002010116476", "10", "18.5"},  // 注射用头孢他啶 乙, inpatient only
      {"XB05BBJ176B001010130664", "24", "3.50"},  // 氯化钠注射液 甲
      {"XB05BAK183B001010132037", "12", "3.80"},  // 葡萄糖注射液 甲
      {"XA02BCA840B002010164760", "10", "6.50", false, 10},  // 注射用奥美拉唑钠 乙, course > 7 days
      {"XR05CBK763B001010149657", "12", "4.20"},             // 盐酸氨溴索注射液 乙
      {"XB01ABB427B001010183753", "16", "24.00"},  // 低分子量肝素钙 乙, max 14 per visit
      {"XB05BAB197B001010134783", "6", "45"},  // 复方氨基酸 需审批, no approval: 全自费
      {"XN07XXJ106A022010116934", "20", "6.20"},  // 丁苯酞软胶囊 限 I63, no such diagnosis: 全自费
      {"XC09DXA350A001010168650", "14", "6.80"},  // 沙库巴曲缬沙坦钠片 乙, 限 I10 (met)
      {"XA10AEH539B001010105721", "1", "72"},     // 甘精胰岛素 乙, standard 68: 超限价
      {"XA12AXD581A001010113959", "30", "0.90"},  // 碳酸钙D3片 丙
      {"002103000010000", "1", "150"},            // CT 平扫 乙
      {"002104000010000", "1", "380"},            // MRI 平扫 乙
      {"002203000010000", "1", "120"},            // 彩色多普勒 甲, standard 100: 超限价
      {"003107010010000", "2", "25"},             // 心电图 甲
      {"002501010150000", "3", "20"},             // 血细胞分析 甲
      {"002503050010000", "2", "45"},             // 肝功能 甲
      {"002503070010000", "2", "30"},             // 肾功能 甲
      {"002502030010000", "1", "60"},             // 凝血四项 甲
      {"003310040040000", "1", "2200"},           // 腹腔镜下胆囊切除术 甲
      {"003301000060000", "1", "1200"},           // 全身麻醉 甲
      {"C1001013380060106574", "1", "3100"},  // 腔镜直线切割吻合器 乙 30%, standard 2800
      {"C1002013510070110673", "6", "180"},  // 可吸收止血纱布 乙 30%, max 4: excess 全自费
      {"C1005014160050131168", "3", "15"},     // 静脉留置针 乙 10%, standard 12
      {"C1101045200060163960", "20", "2.50"},  // 输液器 甲
  };
  lines.insert(lines.end(), rest.begin(), rest.end());  // 10 × 3 + 4 + 26 = 60 lines
  return std::string(R"({
  "mdtrt_id": "QLBENCH0000002",
  "psn_no": "37990000000000000102",
  "gend": "2",
  "brdy": "1955-04-18",
  "insutype": "310",
  "psn_type": "retired",
  "insuplc_admdvs": "379900",
  "mdtrtarea_admvs": "379900",
  "med_type": "21",
  "fixmedins_code": "H37990000001",
  "begntime": "2025-05-06 08:30:00",
  "endtime": "2025-05-16 10:00:00",
  "dise_codg": "K80.101",
  "diag_codes": ["I10.x00", "E11.900"],
  "dept_codg": "A04",
  "acct_used_flag": "1",
  "acct_balc": "2300.00",
  "deposit": "8000",
)") + LinesJson(lines);
}

// (c) 住院 of a resident 低保 at a 三级 hospital (lung cancer), second admission of the year: the
// basic fund, then 大病保险 above the (halved) 大病 deductible, then 医疗救助.
std::string ResidentDibaoJson() {
  std::vector<Line> lines = {
      {"001107000040000", "6", "180"},            // ICU 床位
      {"001107000010001", "29", "30"},            // 三人间
      {"001201000020000", "6", "130"},            // 特级护理
      {"001201000030000", "29", "30"},            // Ⅰ级护理
      {"001109000010000", "35", "20"},            // 住院诊查费
      {"XL01CDE588B001010115332", "12", "1200"},  // 紫杉醇注射液 甲, 限 C
      {"XL01XAH609B001010119451", "6", "450"},    // 卡铂 甲
      {"XL01EBC644A001010126316", "60", "16.5"},  // 吉非替尼 乙, standard 13.60 after 07-01
      {"XA04AAG742A001010145538", "20", "8.6"},   // 昂丹司琼片 乙
      {"XL03AAH749B001010146911", "8", "180"},    // 粒细胞刺激因子 乙
      {"002308000010000", "1", "7800", true},     // PET/CT 乙 30%, approved
      {"002103000020000", "2", "220"},            // CT 增强 乙
      {"C1001013380060106574", "2", "2800"},      // 吻合器 乙 30%
      {"XB05BAB197B001010134783", "20", "45", true},  // 复方氨基酸 approved
      {"001204000060000", "60", "8"},                 // 静脉输液
      {"002501010150000", "10", "20"},                // 血细胞分析
      {"002503050010000", "4", "45"},                 // 肝功能
      {"002504030020000", "2", "38"},                 // CEA 乙
      {"XA11AAK253A001010145767", "2", "68"},         // 多维元素片 丙
      {"003307030010000", "1", "6800"},               // 肺叶切除术 甲, 三级 only
      {"003301000060000", "1", "1500"},               // 全身麻醉
      {"001110000010000", "3", "150"},                // 院内会诊
  };
  return std::string(R"({
  "mdtrt_id": "QLBENCH0000003",
  "psn_no": "37990000000000000103",
  "gend": "1",
  "brdy": "1961-11-08",
  "insutype": "390",
  "psn_type": "resident_elderly",
  "psn_idet_type": ["dibao"],
  "insuplc_admdvs": "379900",
  "mdtrtarea_admvs": "379900",
  "med_type": "21",
  "fixmedins_code": "H37990000002",
  "begntime": "2025-06-03 09:00:00",
  "endtime": "2025-07-08 10:00:00",
  "dise_codg": "C34.900",
  "diag_codes": ["J44.900"],
  "dept_codg": "A02",
  "deposit": "20000",
  "accumulators": {"inpatient.admissions": "1", "resident.hifp.paid": "21000.00",
                   "inpatient.basic.base": "32000.00", "resident.critical.deductible": "2500.00",
                   "resident.critical.base": "2500.00"},
)") + LinesJson(lines);
}

// ── Fixture: the region and the prepared visits, built once ────────────────────────────────────

struct Case {
  std::string json;
  PreparedVisit prepared;
};

struct World {
  std::unique_ptr<Region> region;
  Case outpatient, inpatient, dibao;
};

[[noreturn]] void Die(const std::string& what, const Diagnostics& ds) {
  std::fprintf(stderr, "settle_bench: %s:\n%s\n", what.c_str(), FormatDiagnostics(ds).c_str());
  std::exit(1);
}

// What each case must exercise, checked once at start so that a change to the sample region cannot
// silently turn a benchmark into a different one.
bool Exercises(int which, const Settlement& s, size_t lines) {
  const Bill& b = s.bill;
  auto has_note = [&](LineNote n) {
    for (const auto& l : b.lines)
      if (l.note == n) return true;
    return false;
  };
  switch (which) {
    case 0:
      return lines == 10 && b.hifp_pay.fen() > 0 && b.overlmt_selfpay.fen() > 0 &&
             b.preselfpay_amt.fen() > 0 && has_note(LineNote::kClassC);
    case 1:
      return lines == 60 && b.hifp_pay.fen() > 0 && b.overlmt_selfpay.fen() > 0 &&
             has_note(LineNote::kIndication) && has_note(LineNote::kApproval) &&
             has_note(LineNote::kQuantity);
    default:
      return b.hifp_pay.fen() > 0 && b.hifmi_pay.fen() > 0 && b.maf_pay.fen() > 0;
  }
}

Case MakeCase(const Region& region, std::string json, int which, const char* name) {
  auto input = ParseVisitJson(json);
  if (!input) Die(std::string(name) + ": parse", input.errors());
  auto prepared = PrepareVisit(std::move(*input), region, region);
  if (!prepared) Die(std::string(name) + ": prepare", prepared.errors());
  Case c{std::move(json), std::move(*prepared)};
  Settlement s;
  Diagnostics errors;
  if (!Settle(c.prepared.visit, *c.prepared.catalogue, *c.prepared.policy, c.prepared.accumulators,
              &s, &errors))
    Die(std::string(name) + ": settle", errors);
  if (!Exercises(which, s, c.prepared.visit.lines.size())) {
    std::fprintf(stderr, "settle_bench: %s no longer exercises what it should (see --dump_bills)\n",
                 name);
    std::exit(1);
  }
  return c;
}

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World;
    auto region = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
    if (!region) Die("load regions/qinglan", region.errors());
    w->region = std::make_unique<Region>(std::move(*region));
    w->outpatient = MakeCase(*w->region, OutpatientJson(), 0, "outpatient");
    w->inpatient = MakeCase(*w->region, InpatientJson(), 1, "inpatient");
    w->dibao = MakeCase(*w->region, ResidentDibaoJson(), 2, "resident dibao");
    return w;
  }();
  return *world;
}

const Case& CaseOf(int which) {
  const World& w = TheWorld();
  return which == 0 ? w.outpatient : which == 1 ? w.inpatient : w.dibao;
}

void SettleOnce(const PreparedVisit& pv, Settlement* s, Diagnostics* errors) {
  bool ok = Settle(pv.visit, *pv.catalogue, *pv.policy, pv.accumulators, s, errors);
  if (!ok) Die("settle failed in the loop", *errors);
}

void Finish(benchmark::State& state, size_t lines, uint64_t allocs) {
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["lines/s"] =
      benchmark::Counter(double(lines), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["allocs/visit"] = double(allocs) / double(state.iterations());
}

// ── Benchmarks ─────────────────────────────────────────────────────────────────────────────────

// Settle only. range(0): 0 outpatient, 1 inpatient, 2 resident dibao; range(1): 1 = reuse one
// Settlement.
void BM_Settle(benchmark::State& state) {
  const PreparedVisit& pv = CaseOf(int(state.range(0))).prepared;
  const bool reuse = state.range(1) != 0;
  Diagnostics errors;
  Settlement kept;
  SettleOnce(pv, &kept, &errors);  // warm: capacities reached
  uint64_t a0 = t_allocs;
  if (reuse) {
    for (auto _ : state) {
      SettleOnce(pv, &kept, &errors);
      benchmark::DoNotOptimize(kept);
      benchmark::ClobberMemory();
    }
  } else {
    for (auto _ : state) {
      Settlement s;
      SettleOnce(pv, &s, &errors);
      benchmark::DoNotOptimize(s);
      benchmark::ClobberMemory();
    }
  }
  Finish(state, pv.visit.lines.size(), t_allocs - a0);
}
BENCHMARK(BM_Settle)
    ->ArgNames({"case", "reuse"})
    ->Args({0, 1})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({2, 1})
    ->Args({2, 0});

// Settle + RenderTrace (setl_proc_info as text), reusing the Settlement.
void BM_SettleTrace(benchmark::State& state) {
  const PreparedVisit& pv = CaseOf(int(state.range(0))).prepared;
  Diagnostics errors;
  Settlement kept;
  SettleOnce(pv, &kept, &errors);
  uint64_t a0 = t_allocs;
  size_t steps = 0;
  for (auto _ : state) {
    SettleOnce(pv, &kept, &errors);
    std::vector<std::string> text = RenderTrace(kept.bill, pv.visit);
    steps = text.size();
    benchmark::DoNotOptimize(text);
  }
  Finish(state, pv.visit.lines.size(), t_allocs - a0);
  state.counters["trace_lines"] = double(steps);
}
BENCHMARK(BM_SettleTrace)->ArgName("case")->Arg(0)->Arg(1)->Arg(2);

// What a server does per request: JSON text → ParseVisitJson → PrepareVisit → Settle →
// WriteBillJson. The Settlement and the output buffer are the worker thread's, reused.
void BM_EndToEnd(benchmark::State& state) {
  const World& w = TheWorld();
  const Case& c = CaseOf(int(state.range(0)));
  Settlement s;
  std::string out;
  Diagnostics errors;
  size_t bytes = 0;
  auto once = [&] {
    auto input = ParseVisitJson(c.json);
    if (!input) Die("parse", input.errors());
    auto prepared = PrepareVisit(std::move(*input), *w.region, *w.region);
    if (!prepared) Die("prepare", prepared.errors());
    SettleOnce(*prepared, &s, &errors);
    out.clear();
    WriteBillJson(s, prepared->visit, prepared->accumulators, out);
    bytes = out.size();
  };
  once();
  uint64_t a0 = t_allocs;
  for (auto _ : state) {
    once();
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  Finish(state, c.prepared.visit.lines.size(), t_allocs - a0);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(c.json.size()));
  state.counters["bill_bytes"] = double(bytes);
}
BENCHMARK(BM_EndToEnd)->ArgName("case")->Arg(0)->Arg(1);

// ── Machine line and the allocation report ─────────────────────────────────────────────────────

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  return "unknown";
}

// One steady-state call of each case with tracing on: prints the count and, under gdb with a
// breakpoint on yibao_bench_alloc_hook, stops at every allocation.
int AllocReport() {
  const char* names[] = {"outpatient10", "inpatient60", "resident_dibao"};
  for (int k = 0; k < 3; ++k) {
    const PreparedVisit& pv = CaseOf(k).prepared;
    Settlement s;
    Diagnostics errors;
    SettleOnce(pv, &s, &errors);
    SettleOnce(pv, &s, &errors);
    uint64_t a0 = t_allocs;
    std::fprintf(stderr, "== %s: steady-state Settle (reused Settlement) begins\n", names[k]);
    t_trace_allocs = true;
    SettleOnce(pv, &s, &errors);
    t_trace_allocs = false;
    uint64_t reuse = t_allocs - a0;
    a0 = t_allocs;
    std::fprintf(stderr, "== %s: Settle into a fresh Settlement begins\n", names[k]);
    t_trace_allocs = true;
    {
      Settlement fresh;
      SettleOnce(pv, &fresh, &errors);
    }
    t_trace_allocs = false;
    uint64_t fresh = t_allocs - a0;
    a0 = t_allocs;
    {
      Settlement t;
      SettleOnce(pv, &t, &errors);
      a0 = t_allocs;
      std::vector<std::string> text = RenderTrace(t.bill, pv.visit);
      benchmark::DoNotOptimize(text);
    }
    uint64_t render = t_allocs - a0;
    std::printf(
        "%-15s lines=%3zu  allocs/settle reuse=%llu fresh=%llu  RenderTrace=%llu  "
        "trace_steps=%zu\n",
        names[k], pv.visit.lines.size(), (unsigned long long)reuse, (unsigned long long)fresh,
        (unsigned long long)render, s.bill.trace.size());
  }
  // The server path per request, by phase (a worker's Settlement and output buffer reused).
  const World& w = TheWorld();
  for (int k = 0; k < 2; ++k) {
    const Case& c = CaseOf(k);
    Settlement s;
    Diagnostics errors;
    std::string out;
    uint64_t n[4] = {};
    for (int round = 0; round < 2; ++round) {  // the second round is the steady state
      uint64_t a0 = t_allocs;
      auto input = ParseVisitJson(c.json);
      n[0] = t_allocs - a0;
      a0 = t_allocs;
      auto prepared = PrepareVisit(std::move(*input), *w.region, *w.region);
      n[1] = t_allocs - a0;
      a0 = t_allocs;
      SettleOnce(*prepared, &s, &errors);
      n[2] = t_allocs - a0;
      a0 = t_allocs;
      out.clear();
      WriteBillJson(s, prepared->visit, prepared->accumulators, out);
      n[3] = t_allocs - a0;
    }
    std::printf(
        "%-15s end to end allocs: ParseVisitJson=%llu PrepareVisit=%llu Settle=%llu "
        "WriteBillJson=%llu\n",
        names[k], (unsigned long long)n[0], (unsigned long long)n[1], (unsigned long long)n[2],
        (unsigned long long)n[3]);
  }
  return 0;
}

// The three bills as JSON and their traces as text, to check what the cases exercise.
int DumpBills() {
  for (int k = 0; k < 3; ++k) {
    const PreparedVisit& pv = CaseOf(k).prepared;
    Settlement s;
    Diagnostics errors;
    SettleOnce(pv, &s, &errors);
    std::string out;
    WriteBillJson(s, pv.visit, pv.accumulators, out);
    std::printf("%s\n", out.c_str());
    for (const std::string& t : RenderTrace(s.bill, pv.visit)) std::printf("  %s\n", t.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace yibao

int main(int argc, char** argv) {
  std::string model = yibao::CpuModel();
  std::printf("machine: nproc=%ld (hardware_concurrency=%u), cpu=\"%s\"\n",
              sysconf(_SC_NPROCESSORS_ONLN), std::thread::hardware_concurrency(), model.c_str());
  std::fflush(stdout);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--alloc_report") == 0) return yibao::AllocReport();
    if (std::strcmp(argv[i], "--dump_bills") == 0) return yibao::DumpBills();
  }
  benchmark::AddCustomContext("cpu_model", model);
  benchmark::AddCustomContext("nproc", std::to_string(sysconf(_SC_NPROCESSORS_ONLN)));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  yibao::TheWorld();  // load and check outside any timing
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
