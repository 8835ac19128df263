// The CHS-DRG grouper: a settlement list's (医保结算清单) diagnoses and procedures → MDC → ADRG →
// DRG, or a reasoned failure, with a trace of every rule that fired. docs/formats/drg.md describes
// the order of the steps and the conventions; in short:
//   1. codes: each diagnosis/procedure normalised to 医保版 2.0 (1.0 and 国临 crosswalks); a main
//      diagnosis or main procedure that is a 灰码, or not a 2.0 code, makes the case ungroupable;
//   2. pre-MDC (MDCA): its ADRGs, their procedure lists matched against every procedure;
//   3. newborns (age ≤ 28 days): the newborn MDC's ADRGs (birth weight, age from the ADRG names);
//   4. HIV: a main diagnosis in the HIV MDC's table;
//   5. multiple trauma: a main diagnosis in the trauma MDC's table and diagnoses from ≥ 2 of its
//      body-site tables;
//   6. the MDC whose main-diagnosis table has the main diagnosis (several: the patient's sex
//      decides between sex-specific MDCs, else the case is ambiguous, "QY");
//   7. the MDC's ADRGs in spec order; a surgical main procedure that no surgical ADRG takes makes
//      the case "<MDC letter>QY" (歧义组);
//   8. the DRG by severity: the worst secondary diagnosis that is an MCC or CC and whose exclusion
//      table (CCE) does not list the main diagnosis.
//
// GroupCase is pure and thread-safe; with a reused GroupResult it allocates nothing once the
// result's vectors have grown to the largest case.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codes/icd_table.h"
#include "drg/drg_spec.h"

namespace yibao {

// One 医保结算清单 as the grouper needs it.
struct DrgCase {
  std::string id;          // the caller's key (setl_id, 病案号); echoed, not used
  int sex = 0;             // 1 male, 2 female, 0 unknown (GB/T 2261.1; 9 → 0)
  int age_years = -1;      // -1 unknown
  int age_days = -1;       // age in days, for infants under one year; -1 unknown
  int birth_weight_g = 0;  // newborn's birth weight in grams; 0 unknown
  int los_days = -1;       // length of stay; -1 unknown
  int discharge = 0;       // 离院方式: 1 医嘱离院 … 5 死亡, 9 其他; 0 unknown
  std::string main_dx;     // 主要诊断
  std::vector<std::string> secondary_dx;  // 其他诊断
  std::vector<std::string> procedures;    // 手术及操作, the main one (主要手术) first
};

// Conventions of the national scheme that its files do not carry; a region may change them.
struct GroupOptions {
  char newborn_mdc = 'P';
  int newborn_max_days = 28;  // 出生年龄 < 29 天
  char hiv_mdc = 'Y';
  char trauma_mdc = 'Z';
  int trauma_min_sites = 2;
  std::string male_mdcs = "M";     // MDCs only a male case may enter
  std::string female_mdcs = "NO";  // only a female case
  int max_los_days = 60;           // longer stays are not grouped (paid by bed-day); 0: no limit
};

// The spec, the ICD tables that normalise codes (nullptr: codes are taken as 2.0 codes as given,
// no 灰码 check) and the options. All must outlive the grouping calls.
struct DrgGrouper {
  const DrgSpec* spec = nullptr;
  const IcdTables* icd = nullptr;
  GroupOptions options;
  // ICD id → spec id, filled by Bind(): one hash probe per code instead of two. Optional.
  std::vector<uint32_t> dx_spec_id, proc_spec_id;

  // A grouper with the ICD ids bound to the spec's.
  static DrgGrouper Bind(const DrgSpec* spec, const IcdTables* icd, GroupOptions options = {});
};

enum class GroupStatus : uint8_t {
  kGrouped,      // a DRG
  kAmbiguous,    // QY: the main procedure does not belong with the main diagnosis, or two MDCs
  kUngroupable,  // 0000: invalid or incomplete data, or nothing in the scheme takes the case
};
const char* GroupStatusName(GroupStatus s);  // "grouped" | "ambiguous" | "ungroupable"

enum class GroupStepKind : uint8_t {
  kCode,      // a code was crosswalked, is unknown, or is a 灰码
  kCheck,     // a validity check that stopped the case
  kPreMdc,    // a pre-MDC ADRG matched (or none did)
  kNewborn,   // the newborn path
  kHiv,       // the HIV MDC
  kTrauma,    // the multiple-trauma MDC (sites counted)
  kMdc,       // the MDC of the main diagnosis
  kAdrg,      // an ADRG matched; one step per condition that held
  kQy,        // ambiguous
  kSeverity,  // an MCC/CC secondary diagnosis counted, or cancelled by its exclusion table
  kDrg,       // the DRG chosen
};
const char* GroupStepKindName(GroupStepKind k);

// Which code of the case a step is about.
enum class CodeRole : uint8_t { kNone, kMainDx, kSecondaryDx, kProcedure };

struct GroupStep {
  GroupStepKind kind = GroupStepKind::kCheck;
  bool fired = true;  // false: the rule was tried and did not apply (e.g. an MCC cancelled)
  uint16_t mdc = kDrgNone, adrg = kDrgNone, drg = kDrgNone;
  DrgSource source;  // the spec line of the rule; line 0 when none
  DrgConditionKind condition = DrgConditionKind::kMainDiagnosis;
  bool has_condition = false;
  CodeRole role = CodeRole::kNone;
  uint16_t index = 0;         // of the secondary diagnosis or procedure
  uint16_t table = kDrgNone;  // CCE table (kSeverity)
  int32_t value = 0;          // a count (sites) or a measure (weight, age)
  std::string_view note;      // a static English phrase
};

// A code of the case as the grouper read it.
struct ResolvedCode {
  std::string_view sent;  // as in the case
  std::string_view code;  // its 医保版 2.0 form (== sent without ICD tables)
  Crosswalk via = Crosswalk::kNone;
  bool known = false;  // in the ICD table (always true without ICD tables)
  bool gray = false;   // 灰码
  uint32_t spec_id = kDrgNoCode;
};

struct GroupResult {
  GroupStatus status = GroupStatus::kUngroupable;
  std::string drg;            // "BB11", "BQY", "QY" or "0000"
  std::string_view drg_name;  // from the spec; empty for QY and 0000
  uint16_t mdc = kDrgNone, adrg = kDrgNone, drg_index = kDrgNone;
  DrgSeverity severity = DrgSeverity::kNone;
  std::string reason;  // why QY or 0000; empty when grouped
  std::vector<GroupStep> trace;
  // Views into the case that was grouped: valid while it lives.
  ResolvedCode main_dx;
  std::vector<ResolvedCode> secondary;
  std::vector<ResolvedCode> procedures;
};

void GroupCase(const DrgGrouper& grouper, const DrgCase& c, GroupResult* result);
// Without ICD tables and with the default options.
void GroupCase(const DrgSpec& spec, const DrgCase& c, GroupResult* result);

// One line per step, for people: "ADRG BB1 4_ADRG_DETAIL.txt:3154 main-diagnosis S06.500 …".
std::string RenderTraceStep(const DrgSpec& spec, const GroupResult& r, const GroupStep& s);
// The result as one JSON object (docs/formats/drg.md).
void AppendGroupResultJson(const DrgSpec& spec, const DrgCase& c, const GroupResult& r,
                           std::string& out);

}  // namespace yibao
