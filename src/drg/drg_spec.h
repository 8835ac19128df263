// The CHS-DRG grouping specification as data: MDCs with their main-diagnosis tables, ADRGs with
// their inclusion rules, DRGs with their severity split, the MCC/CC lists and the CCE exclusion
// tables. Loaded from the text layout of the national scheme as transcribed by OpenDRG
// (../shared/data/chs-drg-1.1/, Apache-2.0): seven files 1_MDC.txt … 7_CCE.txt. The loader knows
// the layout, not the version: a regional variant or a later national version in the same layout
// loads the same way, and any line it cannot interpret is an error naming file and line.
//
// Conventions the files do not state but the scheme documents (docs/formats/drg.md, "Reading the
// specification"):
//   - the first MDC of 1_MDC.txt is the pre-MDC category (MDCA): it has no main-diagnosis table
//     and its ADRGs are tried for every case before any MDC;
//   - an ADRG code's second letter A–J marks a surgical ADRG (外科手术组), K–Q a non-OR procedure
//     ADRG (操作组), R–Z a medical ADRG (内科组); "全部手术" means a main procedure that some
//     surgical ADRG of the scheme lists;
//   - a DRG code's fourth character is its split: 1 MCC, 3 CC, 5 neither, 9 not split;
//   - an ADRG name may carry a birth-weight ("出生体重＜1500g", "1500-1999g", ">2499g") or an
//     age ("出生年龄＜29 天", "29 天≤出生年龄＜1 周岁") condition, which the rule lists do not
//     repeat; these are parsed from the name and become conditions of the ADRG.
//
// Codes are interned into the spec's own dense ids (diagnoses and procedures separately), so that
// grouping is integer work; a case's codes are resolved once (grouper.h, ResolveCase).
//
// Thread safety: immutable after loading; share freely.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/diagnostic.h"
#include "base/text.h"

namespace yibao {

inline constexpr uint32_t kDrgNoCode = UINT32_MAX;
inline constexpr uint16_t kDrgNone = UINT16_MAX;

enum class DrgSeverity : uint8_t { kNone = 0, kCc = 1, kMcc = 2 };
const char* DrgSeverityName(DrgSeverity s);  // "none" | "CC" | "MCC"

// Where a rule came from: one of the seven files (index into DrgSpec::files) and a 1-based line.
struct DrgSource {
  uint8_t file = 0;
  int line = 0;
};

// A sorted, duplicate-free list of diagnosis or procedure ids.
struct DrgCodeSet {
  bool procedures = false;
  std::string label;  // the instruction line that opened it, e.g. "包含以下主要诊断："
  DrgSource source;
  std::vector<uint32_t> ids;
  bool Contains(uint32_t id) const;
};

enum class DrgConditionKind : uint8_t {
  kMainDiagnosis,  // 包含以下主要诊断 / 主要诊断：
  kAnyDiagnosis,   // 主要诊断或其他诊断中包含以下诊断 / 包含以下诊断
  kMainProcedure,  // 包含以下主要手术或操作 (pre-MDC: any procedure, see grouper.h)
  kSomeProcedure,  // 同时包含以下手术 … 和 …, 手术表 N: some procedure of the case is listed
  kSurgery,    // 全部手术 / 包含全部手术, or implied by a surgical ADRG without lists
  kMdcTable,   // 符合 MDCx 主诊表
  kNoSurgery,  // 且无手术
  kBirthWeightGrams,  // from the ADRG name: lo ≤ weight ≤ hi
  kAgeDays,           // from the ADRG name: lo ≤ age in days ≤ hi
};
const char* DrgConditionKindName(DrgConditionKind k);

struct DrgCondition {
  DrgConditionKind kind = DrgConditionKind::kMainDiagnosis;
  uint32_t set = 0;        // index into DrgSpec::sets (code kinds) or DrgSpec::mdcs (kMdcTable)
  int32_t lo = 0, hi = 0;  // kBirthWeightGrams, kAgeDays
  DrgSource source;
};

// All conditions must hold.
struct DrgAlternative {
  std::vector<DrgCondition> all;
};

struct DrgDrg {
  std::string code;  // "BB11"
  std::string name;
  uint16_t adrg = kDrgNone;
  char split = '9';  // '1' MCC, '3' CC, '5' neither, '9' not split
  DrgSource source;
};

struct DrgAdrg {
  std::string code;  // "BB1"
  std::string name;
  uint16_t mdc = kDrgNone;
  bool surgical = false;              // second letter A–J
  std::vector<DrgAlternative> any;    // the ADRG matches when one alternative holds
  std::vector<DrgCondition> implied;  // from the name: birth weight, age (all must hold)
  std::vector<uint16_t> drgs;         // indices into DrgSpec::drgs, in file order
  DrgSource source;                   // its line in 2_ADRG.txt
  DrgSource detail;                   // its header in 4_ADRG_DETAIL.txt
};

struct DrgSite {  // a named part of an MDC table (MDCZ: 头颈部创伤, 胸部创伤, …)
  std::string name;
  uint32_t set = 0;
};

struct DrgMdc {
  std::string code;  // "MDCB"
  char letter = 0;   // 'B'
  std::string name;
  bool pre_mdc = false;
  uint32_t table = UINT32_MAX;  // main-diagnosis table (a set); UINT32_MAX when none
  std::vector<DrgSite> sites;
  std::vector<uint16_t> adrgs;  // in detail-file order (surgical first)
  DrgSource source;
};

struct DrgCceTable {
  std::string name;  // "7-1"
  DrgSource source;
  std::vector<uint32_t> main_diagnoses;  // sorted
};

// The seven texts of one scheme.
struct DrgSpecTexts {
  NamedText mdc;     // 1_MDC.txt
  NamedText adrg;    // 2_ADRG.txt
  NamedText drg;     // 3_DRG.txt
  NamedText detail;  // 4_ADRG_DETAIL.txt
  NamedText mcc;     // 5_MCC.txt
  NamedText cc;      // 6_CC.txt
  NamedText cce;     // 7_CCE.txt
};

// Facts of the published files that do not stop a load.
struct DrgSpecAnomalies {
  size_t wrapped_name_lines = 0;    // CCE/MCC/CC names continued on the next line
  size_t page_noise_lines = 0;      // page numbers and repeated column headers
  size_t glued_codes = 0;           // a code glued to the name before it
  size_t duplicate_rows = 0;        // an MCC/CC row repeated verbatim
  size_t cc_also_mcc = 0;           // codes in both lists (MCC wins)
  size_t duplicate_list_codes = 0;  // a code repeated within one list
  size_t empty_adrgs = 0;           // ADRGs with no rule lines (a surgical one means 全部手术)
  size_t multi_mdc_diagnoses = 0;   // diagnoses in more than one MDC table
};

class DrgSpec {
 public:
  std::vector<std::string> files;  // the seven file names as given, for diagnostics and traces
  std::vector<DrgMdc> mdcs;
  std::vector<DrgAdrg> adrgs;
  std::vector<DrgDrg> drgs;
  std::vector<DrgCodeSet> sets;
  std::vector<DrgCceTable> cce;
  DrgSpecAnomalies anomalies;

  // Per diagnosis id.
  std::vector<std::string> dx_codes;
  std::vector<DrgSeverity> dx_severity;
  std::vector<uint16_t> dx_cce;  // exclusion table of an MCC/CC, kDrgNone when none ("无")
  std::vector<DrgSource> dx_severity_source;
  std::vector<uint32_t> dx_mdc_mask;  // bit i: in mdcs[i]'s main-diagnosis table
  // Per diagnosis id: the CCE tables that list it as a main diagnosis, sorted (flat, by offset).
  std::vector<uint32_t> dx_cce_begin;  // size dx_codes.size() + 1
  std::vector<uint16_t> dx_cce_tables;
  // Per procedure id.
  std::vector<std::string> proc_codes;
  std::vector<uint8_t> proc_surgical;  // listed by some surgical ADRG: what "全部手术" means

  uint32_t DiagnosisId(std::string_view code) const;  // kDrgNoCode when the spec never names it
  uint32_t ProcedureId(std::string_view code) const;
  uint16_t FindMdc(std::string_view code) const;  // "MDCB" or "B"
  uint16_t FindAdrg(std::string_view code) const;
  uint16_t FindDrg(std::string_view code) const;
  uint16_t pre_mdc() const { return pre_mdc_; }
  // Whether main diagnosis `main` is in CCE table `table`, i.e. cancels its MCC/CC.
  bool Excludes(uint16_t table, uint32_t main) const;
  std::string Where(DrgSource s) const;  // "4_ADRG_DETAIL.txt:3154"

 private:
  friend class DrgSpecParser;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using IdMap = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;
  IdMap dx_ids_, proc_ids_, adrg_ids_, drg_ids_, mdc_ids_;
  uint16_t pre_mdc_ = kDrgNone;
};

// Pure: no file is read.
Result<DrgSpec> ParseDrgSpec(const DrgSpecTexts& texts);
// Reads dir/1_MDC.txt … dir/7_CCE.txt.
Result<DrgSpec> LoadDrgSpec(const std::string& dir);

}  // namespace yibao
