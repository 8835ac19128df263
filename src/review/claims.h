// The claims export (docs/formats/claims.md) in memory: columnar, codes interned to dense ids,
// dates as day numbers, money as fen. Lines are contiguous per visit; every person's visits are
// indexable in date order, so that a review of one visit finds the person's history at once.
//
// ParseClaims is pure (texts in, store out); LoadClaimsDir reads the files. Load errors name the
// file, the line and the column.
//
// Thread safety: immutable after loading; share freely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/diagnostic.h"
#include "base/money.h"
#include "base/text.h"

namespace yibao {

inline constexpr uint32_t kNoCode = UINT32_MAX;

// Strings → dense ids in first-seen order. Open addressing over a power-of-two table; the names
// live in one character arena.
class CodeInterner {
 public:
  uint32_t Intern(std::string_view s);
  uint32_t Find(std::string_view s) const;  // kNoCode when never interned
  std::string_view Name(uint32_t id) const {
    return std::string_view(chars_).substr(ends_[id] - Len(id), Len(id));
  }
  uint32_t size() const { return uint32_t(ends_.size()); }

 private:
  uint32_t Len(uint32_t id) const { return ends_[id] - (id ? ends_[id - 1] : 0); }
  void Grow();
  std::string chars_;
  std::vector<uint32_t> ends_;
  std::vector<uint32_t> slots_;  // id + 1; 0 = empty
  std::vector<uint32_t> hashes_;
};

// A column of strings (mdtrt_id, feedetl_sn) without one allocation per value.
class StringColumn {
 public:
  void Add(std::string_view s) {
    chars_.append(s);
    ends_.push_back(chars_.size());
  }
  std::string_view operator[](size_t i) const {
    size_t b = i ? ends_[i - 1] : 0;
    return std::string_view(chars_).substr(b, ends_[i] - b);
  }
  size_t size() const { return ends_.size(); }

 private:
  std::string chars_;
  std::vector<uint64_t> ends_;
};

enum class InstitutionType : uint8_t { kHospital, kClinic, kPharmacy, kInternet };
const char* InstitutionTypeName(InstitutionType t);  // "hospital" | "clinic" | …
std::optional<InstitutionType> ParseInstitutionType(std::string_view s);

// Where care happened; a rule's `scenarios` name these (plus cross_province).
enum class CareScenario : uint8_t { kOutpatient, kInpatient, kPharmacy, kInternet };
const char* CareScenarioName(CareScenario s);
// From `med_type`: 2x and 52 inpatient, 41 pharmacy, 91 internet, anything else outpatient.
CareScenario ScenarioOfMedType(std::string_view med_type);
// A small unsigned decimal (codes such as med_type, insutype, admdvs); 0 when not all digits.
uint32_t SmallNumber(std::string_view s);

struct ClaimsPerson {
  std::string psn_no;
  uint8_t sex = 0;  // 1 male, 2 female, 0 unknown
  Date birthday;
  std::string insutype;
  std::string psn_type;
  std::string insuplc_admdvs;
  std::optional<Date> death;
};

struct ClaimsInstitution {
  std::string code;
  std::string name;
  int level = 0;  // 3/2/1/0
  InstitutionType type = InstitutionType::kHospital;
  std::string admdvs;
};

struct ClaimsVisit {
  uint32_t person = 0;
  uint32_t institution = 0;
  uint32_t med_type = 0;  // the code as a number (11, 21, 41 …); 0 when not numeric
  CareScenario scenario = CareScenario::kOutpatient;
  bool cross_province = false;  // insured place and place of treatment in different provinces
  Date begin, end;
  uint32_t dept = kNoCode;                // ClaimsStore::depts
  uint8_t discharge = 0;                  // dscg_way; 0 when empty
  uint32_t main_dx = kNoCode;             // ClaimsStore::diagnoses
  uint32_t dx_begin = 0, dx_end = 0;      // secondary diagnoses in ClaimsStore::visit_dx
  uint32_t proc_begin = 0, proc_end = 0;  // procedures in ClaimsStore::visit_proc, main first
  uint32_t insutype = 0;                  // 310, 390 …; 0 when not numeric
  uint32_t area = 0;                      // mdtrtarea_admvs as a number; 0 when empty
  Money total;                            // medfee_sumamt
  uint32_t drg = kNoCode;                 // ClaimsStore::drgs; kNoCode when not DRG-paid
  uint32_t line_begin = 0, line_end = 0;  // in ClaimsStore::lines
  bool inpatient() const { return scenario == CareScenario::kInpatient; }
  // Days of stay: discharge − admission, at least 1 (a same-day stay counts one day).
  int32_t stay_days() const { return end - begin > 0 ? end - begin : 1; }
};

struct ClaimLine {
  uint32_t item = 0;     // ClaimsStore::items
  Date date;             // fee_ocur_time
  int64_t cnt = 0;       // Quantity scale (1e-4)
  int64_t pric = 0;      // UnitPrice scale (micro-yuan)
  Money amount;          // det_item_fee_sumamt
  int64_t sin_dos = -1;  // Quantity scale; -1 not given
  int32_t freq = -1;     // used_frqu in Quantity scale; -1 not given
  int32_t prd_days = -1;
  uint32_t dept = kNoCode;  // bilg_dept_codg
  bool approved = false;    // hosp_appr_flag
};

struct ClaimsStore {
  std::vector<ClaimsPerson> persons;
  std::vector<ClaimsInstitution> institutions;
  std::vector<ClaimsVisit> visits;
  std::vector<ClaimLine> lines;
  StringColumn mdtrt_ids;  // per visit
  StringColumn line_sns;   // feedetl_sn, per line
  std::vector<uint32_t> visit_dx, visit_proc;
  CodeInterner items, diagnoses, procedures, depts, drgs;
  // Each person's visits by (begin, end, file order): person_visits[person_begin[p] ..
  // person_begin[p + 1]).
  std::vector<uint32_t> person_begin, person_visits;
  // Non-fatal findings about the data itself (a visit whose total differs from its lines).
  Diagnostics warnings;

  // Fills person_begin / person_visits from persons and visits (the loaders call it).
  void IndexPersons();
  std::pair<const uint32_t*, const uint32_t*> VisitsOf(uint32_t person) const {
    return {person_visits.data() + person_begin[person],
            person_visits.data() + person_begin[person + 1]};
  }
  std::string_view ItemCode(const ClaimLine& l) const { return items.Name(l.item); }
  std::string_view DxCode(uint32_t id) const { return diagnoses.Name(id); }
};

// The four claims files of an export (claims.md); catalogue and knowledge are loaded apart.
struct ClaimsTexts {
  NamedText persons, institutions, visits, fee_lines;
};

// Parses the export. Every error names file, line and column (at most kMaxDiagnosticsPerFile per
// file); a store with any error is not returned.
Result<ClaimsStore> ParseClaims(const ClaimsTexts& texts);

// Reads dir/persons.csv … dir/fee_lines.csv and parses them.
Result<ClaimsStore> LoadClaimsDir(const std::string& dir);

}  // namespace yibao
