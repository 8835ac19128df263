// A visit (就诊) and its fee lines (费用明细), as the settlement core sees them.
//
// The interface layer (src/interface) maps the national field names onto these readable ones; the
// national name of each field is in its comment. Everything the engine needs about the person and
// the institution is copied into the visit, so settlement is a pure function of its arguments.
#pragma once

#include <string>
#include <vector>

#include "base/date.h"
#include "base/money.h"
#include "base/quantity.h"
#include "catalogue/catalogue.h"

namespace yibao {

// Where the person is treated relative to the insured place (参保地) and what filing (备案) they
// have. Derived by ClassifyCrossRegion() from the two admdvs codes and the filing.
enum class CrossRegion : uint8_t {
  kLocal,           // 本统筹区
  kInProvince,      // 省内异地 (another pool, same province)
  kCrossFiled,      // 跨省, 长期居住/工作 filed (异地长期居住人员): home standard
  kCrossReferral,   // 跨省, 转诊 filed
  kCrossEmergency,  // 跨省, 急诊抢救 (counts as filed)
  kCrossUnfiled,    // 跨省, 其他临时外出 without filing
  kInProvinceUnfiled,  // 省内异地 without filing (some provinces reduce this too)
};
const char* CrossRegionName(CrossRegion c);  // "local", "in_province", "cross_filed", ...
bool ParseCrossRegion(std::string_view name, CrossRegion& out);

enum class Filing : uint8_t { kNone, kLongTerm, kReferral, kEmergency };  // 备案类型

// Pooling at city level compares the first 4 digits of the admdvs, at province level the first 2.
CrossRegion ClassifyCrossRegion(std::string_view insured_admdvs, std::string_view treatment_admdvs,
                                Filing filing, bool province_pooling);

struct FeeLine {
  std::string serial;     // `feedetl_sn`
  std::string code;       // `med_list_codg`
  Quantity count;         // `cnt`
  UnitPrice price;        // `pric`
  Money amount;           // `det_item_fee_sumamt` = pric × cnt, half-up
  bool approved = false;  // `hosp_appr_flag` = 1: restriction met / approved (限制使用审批)
  int days = 0;           // course length in days (`prd_days`), 0 = not given
};

struct Person {
  std::string psn_no;    // `psn_no`
  Sex sex = Sex::kAny;   // `gend`
  Date birthday;         // `brdy`
  std::string insutype;  // `insutype`: 310, 390, ...
  std::string psn_type;  // a person type declared by the region (in_service, retired, ...)
  std::vector<std::string> identities;  // `psn_idet_type`: destitute, dibao, ... (region-declared)
  std::string insured_admdvs;           // `insuplc_admdvs`
};

struct Visit {
  std::string visit_id;  // `mdtrt_id`
  Person person;
  std::string med_type;  // `med_type`: 11 普通门诊, 14 门诊慢特病, 21 普通住院, 41 药店购药, ...
  std::string institution;       // `fixmedins_code`
  int institution_level = 0;     // 0 基层/未定级, 1 一级, 2 二级, 3 三级
  std::string treatment_admdvs;  // `mdtrtarea_admvs`
  CrossRegion cross = CrossRegion::kLocal;
  Date begin;  // `begntime`
  Date end;    // `endtime` (discharge for inpatient); the policy in force on it applies
  std::vector<std::string> diagnoses;  // main diagnosis first (`dise_codg` / `diag_code`)
  std::string department;              // `dept_codg`
  std::string chronic_disease;         // `opsp_dise_code` for 门诊慢特病, else empty
  bool use_account = false;            // `acct_used_flag`
  Money account_balance;               // personal account balance (`balc`)
  Money family_account_balance;        // balance available from family mutual aid (家庭共济)
  Money deposit;  // 预交金 paid at admission; 0 = none (for the refund line)
  std::vector<FeeLine> lines;
};

}  // namespace yibao
