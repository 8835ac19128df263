// Feeds arbitrary bytes to the CHS-DRG readers: the seven specification texts (a region's own
// variant arrives as files like these) and the case readers (JSON Lines and CSV from hospitals).
// Whatever parses is then grouped, so that the grouper meets odd specs and odd cases too: every
// result must be a DRG of the spec or QY/0000 with a reason, and every diagnostic must name a file
// and line.
//
// The first byte picks the reader: 0 the spec (the rest cut at NUL bytes into seven texts),
// 1 JSON cases, 2 CSV cases (both grouped against a small fixed spec).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "drg/drg_case.h"
#include "drg/drg_spec.h"
#include "drg/grouper.h"

namespace {

using namespace yibao;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> SplitAtNul(std::string_view s, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t nul = s.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(s.substr(0, nul));
    s.remove_prefix(nul + 1);
  }
  parts.push_back(s);
  parts.resize(max_parts);
  return parts;
}

void CheckResult(const DrgSpec& s, const GroupResult& r) {
  Check(!r.trace.empty());
  if (r.status == GroupStatus::kGrouped) {
    Check(r.drg_index < s.drgs.size() && s.drgs[r.drg_index].code == r.drg);
    Check(r.adrg < s.adrgs.size() && r.mdc < s.mdcs.size());
  } else {
    Check(!r.reason.empty() && !r.drg.empty());
  }
  for (const GroupStep& st : r.trace) (void)RenderTraceStep(s, r, st);
}

const DrgSpec& FixedSpec() {
  static const DrgSpec* spec = [] {
    static const char kMdc[] = "MDCA 先期分组\nMDCB 神经系统\nMDCZ 多发严重创伤\n";
    static const char kAdrg[] = "AA1 心脏移植\nBB1 开颅术\nBR1 颅内出血\nZZ1 多发创伤无手术\n";
    static const char kDrg[] =
        "AA19 心脏移植\nBB19 开颅术\nBR11 伴严重\nBR13 伴\nBR15 不伴\nZZ19 多发\n";
    static const char kDetail[] =
        "MDCA 先期分组\nAA1 心脏移植\n包含以下主要手术或操作：\n37.5100 心脏移植术\n"
        "MDCB 神经系统\nMDCB 主诊表\n包含以下主要诊断：\nI61.000 脑出血\nS06.500 硬膜下出血\n"
        "BB1 开颅术\n包含以下主要手术或操作：\n01.2400 开颅术\n"
        "BR1 颅内出血\n包含以下主要诊断：\nI61.000 脑出血\nS06.500 硬膜下出血\n"
        "MDCZ 多发严重创伤\nMDCZ 主诊表\n头颈部创伤\n包含以下主要诊断：\nS06.500 硬膜下出血\n"
        "胸部创伤\n包含以下主要诊断：\nS27.000 创伤性气胸\n"
        "ZZ1 多发创伤无手术\n符合 MDCZ 主诊表，且无手术\n";
    static const char kMcc[] = "J96.000 急性呼吸衰竭 表 7-1\n";
    static const char kCc[] = "J18.900 肺炎 表 7-2\nS27.000 创伤性气胸 无\n";
    static const char kCce[] =
        "表 7-1\n包含以下主要诊断：\nJ96.000 急性呼吸衰竭\n表 7-2\nI61.000 脑出血\n";
    Result<DrgSpec> r = ParseDrgSpec(DrgSpecTexts{{"1", kMdc},
                                                  {"2", kAdrg},
                                                  {"3", kDrg},
                                                  {"4", kDetail},
                                                  {"5", kMcc},
                                                  {"6", kCc},
                                                  {"7", kCce}});
    Check(r.ok());
    return new DrgSpec(std::move(r.value()));
  }();
  return *spec;
}

void FuzzSpec(std::string_view data) {
  std::vector<std::string_view> p = SplitAtNul(data, 7);
  Result<DrgSpec> r = ParseDrgSpec(DrgSpecTexts{{"1_MDC.txt", p[0]},
                                                {"2_ADRG.txt", p[1]},
                                                {"3_DRG.txt", p[2]},
                                                {"4_ADRG_DETAIL.txt", p[3]},
                                                {"5_MCC.txt", p[4]},
                                                {"6_CC.txt", p[5]},
                                                {"7_CCE.txt", p[6]}});
  if (!r.ok()) {
    Check(!r.errors().empty());
    for (const Diagnostic& d : r.errors()) Check(!d.file.empty() && d.line >= 0);
    return;
  }
  const DrgSpec& s = r.value();
  Check(s.dx_mdc_mask.size() == s.dx_codes.size());
  Check(s.dx_cce_begin.size() == s.dx_codes.size() + 1);
  for (const DrgAdrg& a : s.adrgs) Check(!a.any.empty() && !a.drgs.empty());
  // Group cases made of the spec's own codes.
  GroupResult result;
  for (size_t i = 0; i < s.dx_codes.size() && i < 16; ++i) {
    DrgCase c;
    c.main_dx = s.dx_codes[i];
    c.age_years = static_cast<int>(i % 3);
    c.age_days = static_cast<int>(i * 7 % 40);
    c.birth_weight_g = static_cast<int>(i * 300);
    if (i + 1 < s.dx_codes.size()) c.secondary_dx.push_back(s.dx_codes[i + 1]);
    if (i < s.proc_codes.size()) c.procedures.push_back(s.proc_codes[i]);
    GroupCase(s, c, &result);
    CheckResult(s, result);
  }
}

void FuzzCases(std::string_view data, bool csv) {
  const DrgSpec& s = FixedSpec();
  GroupResult result;
  Diagnostics errors;
  auto sink = [&](Result<DrgCase>&& c, size_t done) {
    Check(done <= data.size());
    if (!c.ok()) {
      Check(!c.errors().empty());
      return;
    }
    GroupCase(s, *c, &result);
    CheckResult(s, result);
    std::string json;
    AppendGroupResultJson(s, *c, result, json);
  };
  if (csv)
    (void)ForEachDrgCaseCsv(data, "cases.csv", sink, &errors);
  else
    (void)ForEachDrgCaseJson(data, "cases.jsonl", sink, &errors);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzSpec(rest);
      break;
    case 1:
      FuzzCases(rest, false);
      break;
    case 2:
      FuzzCases(rest, true);
      break;
  }
  return 0;
}
