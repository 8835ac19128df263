// The records of a generated region while a block of persons is being made: persons,
// institutions, visits and their fee lines, with the labels of injected abuse attached to the
// visit or line that carries them. Written out by output.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "gen/families.h"
#include "gen/knowledge.h"

namespace yibao::gen {

struct StayProfile;

enum class InstitutionKind : uint8_t { kHospital, kClinic, kPharmacy, kInternet };
const char* InstitutionKindName(InstitutionKind k);  // as in institutions.csv

struct Institution {
  std::string code;  // H/P + admdvs + 5 digits
  std::string name;
  int level = 0;  // 3/2/1/0
  InstitutionKind kind = InstitutionKind::kHospital;
  std::string admdvs;
  bool drg_paid = false;  // the institution's stays are paid by CHS-DRG
};

struct Person {
  std::string psn_no;
  int gend = 1;  // 1 male, 2 female
  Date brdy;
  std::string_view insutype;  // "310" employee, "390" resident
  std::string_view psn_type;  // in_service, retired, child, student, adult
  std::string insuplc_admdvs;
  bool maternity = false;  // also insured for maternity (510)
  bool dead = false;
  Date death_date;
  // Where the person usually goes: a clinic (基层), a hospital, a pharmacy.
  uint32_t home_clinic = 0, home_hospital = 0, home_pharmacy = 0;
};

// med_type values of claims.md.
enum : uint8_t {
  kMedOutpatient = 11,
  kMedChronic = 14,
  kMedInpatient = 21,
  kMedPharmacy = 41,
  kMedMaternityOutpatient = 51,
  kMedInternet = 91,
};

inline constexpr int8_t kNoLabel = -1;

struct Line {
  int32_t day = 0;  // fee_ocur_time as Date::days()
  ItemId item = kNoItem;
  int64_t cnt = 0;          // × 10^4
  int64_t price = 0;        // micro-yuan
  int64_t sin_dos = -1;     // × 10^4, -1 empty
  int16_t used_frqu = -1;   // times per day, -1 empty
  int16_t prd_days = -1;    // -1 empty
  uint8_t dept = 0;         // index into kDepartments
  bool approved = false;    // hosp_appr_flag
  int8_t label = kNoLabel;  // a Family injected on this line
};

struct Visit {
  uint32_t person = 0;  // index in the block
  uint32_t inst = 0;
  uint8_t med_type = kMedOutpatient;
  Date begin, end;
  uint8_t dept = 0;
  uint8_t dscg_way = 0;                 // 0 = empty (outpatient)
  std::vector<std::string_view> dx;     // main first (static strings)
  std::vector<std::string_view> procs;  // main first
  std::string_view insutype;
  std::string drg;
  std::vector<Line> lines;
  std::vector<Family> labels;            // visit-level labels
  uint32_t seq = 0;                      // creation order, for a stable sort
  bool touched = false;                  // carries (or is) an injection: other families keep off it
  bool planned = false;                  // a planned stay (Z51.x chemotherapy)
  const StayProfile* profile = nullptr;  // the stay's condition profile

  bool inpatient() const { return med_type == kMedInpatient; }
  int los() const { return end - begin; }
};

// Departments (dept_codg): the national A-code structure (A03 内科 …); names only in docs.
inline constexpr std::string_view kDepartments[] = {
    "",        // 0: none (pharmacy)
    "A02",     // 1 全科医疗科
    "A03.01",  // 2 呼吸内科
    "A03.02",  // 3 消化内科
    "A03.03",  // 4 神经内科
    "A03.04",  // 5 心血管内科
    "A03.06",  // 6 肾病学
    "A03.07",  // 7 内分泌
    "A04.01",  // 8 普通外科
    "A04.07",  // 9 骨科
    "A05.01",  // 10 妇科
    "A05.02",  // 11 产科
    "A07",     // 12 儿科
    "A10",     // 13 眼科
    "A12",     // 14 口腔科
    "A13",     // 15 皮肤科
    "A19",     // 16 肿瘤科
    "A21",     // 17 康复医学科
    "A50",     // 18 中医科
    "A03",     // 19 内科
    "A04",     // 20 外科
};
inline constexpr uint8_t kDeptRehab = 17;

uint8_t DepartmentIndex(std::string_view code);  // 0 when unknown

}  // namespace yibao::gen
