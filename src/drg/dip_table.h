// The DIP score table (按病种分值付费 目录库): main diagnosis × procedure combination → score, as a
// CSV the bureau edits (docs/formats/dip.md). Two kinds of rows:
//   - core groups (核心病种): a main-diagnosis code or code prefix (K80.1, K80.100) and a procedure
//     combination (51.2300+51.2200, or empty for 保守治疗);
//   - comprehensive groups (综合病种) for cases outside the core list: a diagnosis category (ICD-10
//     类目, the first three characters, K80) and a procedure class (保守治疗 / 诊断性操作 /
//     治疗性操作 / 相关手术).
// Each row has its score (病种分值, ≤ 4 decimals) and the group's mean cost (次均费用, yuan;
// optionally per hospital level) against which outliers are judged.
//
// Matching (DipScoreTable::Match), the main diagnosis and codes compared in upper case:
//   1. core rows whose diagnosis key is a prefix of the main diagnosis, longest key first; among
//      them the row whose combination is exactly the case's set of procedures, else the row with
//      the largest combination that contains the main procedure and only procedures of the case
//      (ties: first in the file);
//   2. else the comprehensive row of the main diagnosis's category and the case's procedure class;
//   3. else no group: the case is paid by item (dip_payment.h).
//
// Thread safety: immutable after loading.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"

namespace yibao {

inline constexpr int64_t kDipScoreScale = 10'000;  // scores and points × 10^4

// Ordered: a case takes the highest class of its procedures.
enum class DipProcedureClass : uint8_t { kConservative, kDiagnostic, kTherapeutic, kSurgery };

const char* DipProcedureClassName(DipProcedureClass c);  // "保守治疗", "诊断性操作", …
// The Chinese names above or conservative / diagnostic / therapeutic / surgery.
bool ParseDipProcedureClass(std::string_view text, DipProcedureClass* out);

struct DipGroup {
  std::string code;  // 病种编码
  std::string name;
  bool core = true;
  std::string diagnosis;  // core: code or prefix; comprehensive: 类目 (3 characters)
  std::vector<std::string> procedures;  // core: the combination, sorted; empty: 保守治疗
  DipProcedureClass procedure_class = DipProcedureClass::kConservative;  // comprehensive
  int64_t score = 0;                                                     // × 10^4
  Money mean_cost;              // 次均费用; 0: none (no outlier test)
  Money mean_cost_by_level[4];  // [1..3] per hospital level; 0: use mean_cost
  int line = 0;
};

struct DipScoreTable {
  std::string file;
  std::vector<DipGroup> groups;  // in file order
  std::map<std::string, std::vector<uint32_t>, std::less<>> core_by_diagnosis;
  std::map<std::pair<std::string, int>, uint32_t> comprehensive;  // (类目, class) → group

  // nullptr when no group applies; `how` says which rule matched (for the explanation).
  const DipGroup* Match(std::string_view main_dx, const std::vector<std::string>& procedures,
                        DipProcedureClass procedure_class, std::string* how) const;
  // The mean cost a case at `level` is judged against.
  Money MeanCost(const DipGroup& g, int level) const;
};

// Pure; UTF-8 text. Errors "file:line: column: message" (at most kMaxDiagnosticsPerFile).
Result<DipScoreTable> ParseDipScoreTable(std::string_view text, std::string_view file_name);
Result<DipScoreTable> LoadDipScoreTable(const std::string& path);

// Upper-cased ASCII copy (ICD codes arrive in either case).
std::string DipCode(std::string_view code);

}  // namespace yibao
