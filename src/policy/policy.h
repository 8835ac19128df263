// A benefit policy (待遇清单) of one pooling region and insurance type, valid over a date range,
// compiled from a policy file (docs/formats/policy.md; loader policy_toml.h).
//
// Shape: a policy has benefits (住院, 普通门诊统筹, 门诊慢特病, 药店购药 …), chosen by the visit's
// med_type. A benefit pays through an ordered chain of tiers — basic pooled fund, then 大额/大病,
// then 医疗救助 — each drawing on what the previous tiers left. A tier is: a base (which parts of
// the bill it pays on), a deductible, ratio bands (segments), adjustments (retiree +N points, a
// multiplier on the personal share, cross-province reductions, identity bonuses), and annual caps.
// Where a parameter varies (by hospital level, person type, identity, admission number, region
// status, disease, age), the file lists entries with conditions; the first entry that matches the
// visit applies (adjustments: every matching entry applies, in file order).
//
// Accumulators: everything stateful about a person's year (deductible paid, fund paid against each
// cap, cumulative base for segments, admissions) lives in named accounts that the policy declares
// (by default derived from the benefit and tier ids). The policy compiles names to dense slots so
// the engine reads and writes a flat int64 array.
//
// Thread safety: immutable after loading.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/money.h"
#include "base/ratio.h"
#include "visit/visit.h"

namespace yibao {

// Limits on a policy's shape (a limit on everything): the engine keeps per-visit state in fixed
// arrays of these sizes, so the loader refuses any policy beyond them rather than let a rule be
// silently ignored.
constexpr size_t kMaxTiersPerBenefit = 16;
constexpr size_t kMaxAdjustmentsPerTier = 32;
constexpr size_t kMaxCapsPerTier = 16;

// The fund a tier pays from, i.e. the bill field it adds to.
enum class Fund : uint8_t {
  kHifp,     // `hifp_pay` 基本医疗保险统筹基金
  kCvlserv,  // `cvlserv_pay` 公务员医疗补助
  kHifes,    // `hifes_pay` 企业补充医疗保险
  kHifmi,    // `hifmi_pay` 城乡居民大病保险
  kHifob,    // `hifob_pay` 职工大额医疗费用补助
  kMaf,      // `maf_pay` 医疗救助
  kOther,    // `oth_pay` 其他基金
};
const char* FundName(Fund f);   // "hifp", "hifmi", ...
const char* FundLabel(Fund f);  // "统筹基金", "大病保险", ...
int FundStage(Fund f);          // settlement order: 0 basic, 1 supplementary, 2 assistance, 3 other
bool ParseFund(std::string_view name, Fund& out);

// Parts of the bill a tier can pay on; what a tier pays is drawn from them in this order.
enum BaseComponent : uint8_t {
  kInScope = 1,     // 政策范围内 (`inscp_scp_amt`) not yet paid by an earlier tier
  kPreSelfpay = 2,  // 乙类先行自付 (`preselfpay_amt`)
  kOverLimit = 4,   // 超限价自付 (`overlmt_selfpay`)
  kOwnpay = 8,      // 全自费 (`fulamt_ownpay_amt`)
};
constexpr int kBaseComponentCount = 4;

// Conditions of an entry. Empty fields match everything; list fields match any of their values.
struct Condition {
  uint8_t level_mask = 0;  // bit L set = institution level L (0..3); 0 = any level
  std::vector<std::string> psn_types;
  std::vector<std::string> identities;  // the person has any of them
  std::vector<CrossRegion> cross;
  std::vector<std::string> med_types;
  std::vector<std::string> diseases;  // 门诊慢特病 disease codes
  int age_min = -1;                   // completed years, inclusive
  int age_max = -1;
  std::vector<int> admissions;  // n-th admission of the year (the last value also matches above it)

  bool empty() const;
  bool Matches(const Visit& visit, int age, int admission_number) const;
  std::string Describe() const;  // "level=3 psn_type=retired"
};

enum class DeductiblePeriod : uint8_t {
  kVisit,      // every visit pays it again
  kAdmission,  // every admission; may fall for the 2nd, 3rd … admission of the year
  kYear,       // once a year, accumulated; a level-dependent annual amount gives 累计补差
};

struct DeductibleRule {
  Condition when;
  DeductiblePeriod period = DeductiblePeriod::kAdmission;
  Money amount;
  // Admission k (1-based) pays by_admission[k-1] (the last repeats): a factor of `amount` ("70%")
  // or a fixed amount. Empty: `amount` every time.
  struct Step {
    bool is_factor = false;
    Ratio factor;
    Money fixed;
  };
  std::vector<Step> by_admission;
  Money later_change;  // added per later admission (e.g. −100), bounded below by `floor`
  Money floor;
  // A share of the visit's total fee instead of a fixed amount (e.g. 20%, floor 2000, cap 10000).
  bool is_share_of_total = false;
  Ratio share_of_total;
  Money share_min, share_max;
  int line = 0;
};

struct Band {
  Money from;
  Money upto;  // exclusive upper bound; open = no bound
  bool open = false;
  Ratio ratio;
  int line = 0;
};

struct RatioRule {
  Condition when;
  std::vector<Band> bands;
  int line = 0;
};

struct Adjustment {
  Condition when;
  std::string label;                           // "退休 +5", "跨省未备案 −20"
  std::optional<Ratio> points;                 // added to every band ratio
  std::optional<Ratio> personal_share_factor;  // personal share (1 − r) × factor
  std::optional<Ratio> deductible_factor;      // deductible × factor
  std::optional<Ratio> ceiling;                // the adjusted ratio never exceeds this
  int line = 0;
};

struct CapRule {
  Condition when;
  std::string account;  // accumulator of fund paid that this cap limits
  int slot = -1;
  bool per_visit = false;  // a limit per visit rather than per year (no accumulator)
  bool unlimited = false;  // "none": this person has no cap on this account
  Money amount;
  int line = 0;
};

enum class SegmentMeasure : uint8_t {
  kYear,
  kVisit
};  // bands over the year's cumulative base or this visit's
enum class SegmentOrigin : uint8_t {
  kZero,
  kDeductible
};  // bounds count from zero (incl. the deductible) or from the deductible

struct Tier {
  std::string id;    // unique within the policy: "<benefit>.<tier>"
  std::string name;  // shown in the trace
  Fund fund = Fund::kHifp;
  std::string fund_pay_type;  // `fund_pay_type` code in setldetail
  Condition eligible;         // the tier pays only for visits matching this
  uint8_t base_components = kInScope;
  int overflow_of = -1;  // index of an earlier tier of the benefit: base = what its cap left unpaid
  std::vector<DeductibleRule> deductibles;
  std::vector<RatioRule> ratios;
  std::vector<Adjustment> adjustments;
  std::vector<CapRule> caps;
  SegmentMeasure measure = SegmentMeasure::kYear;
  SegmentOrigin origin = SegmentOrigin::kZero;
  int deductible_slot = -1;  // accumulator: deductible paid this year (year period)
  int position_slot = -1;    // accumulator: cumulative base measured by the bands (year measure)
  int line = 0;
};

struct AccountUse {
  bool allowed = true;  // the personal account may pay for this benefit
  uint8_t components = kInScope | kPreSelfpay | kOverLimit | kOwnpay;
  bool family_mutual_aid = false;  // 家庭共济: a family member's account may pay the rest
};

struct Benefit {
  std::string id;
  std::string name;
  std::vector<std::string> med_types;
  bool counts_admissions = false;  // inpatient: each settlement is one admission of the year
  int admission_slot = -1;
  std::vector<std::string> diseases;  // 门诊慢特病 list; empty = no disease needed
  std::vector<std::string> cross_province_diseases;  // settle directly across provinces only these
  bool restrict_cross_province = false;
  std::vector<Tier> tiers;
  AccountUse account;
  int line = 0;
};

class Policy {
 public:
  std::string file;
  std::string region;    // admdvs of the pooling region (参保地)
  std::string insutype;  // 310, 390, ...
  std::string name;
  std::string version;
  Date effective_from = Date::Min();
  Date effective_to = Date::Max();
  std::vector<Benefit> benefits;

  const Benefit* BenefitFor(std::string_view med_type) const;

  // Accumulator accounts, compiled to dense slots.
  int Slot(std::string_view account) const;  // -1 if unknown
  int AddSlot(const std::string& account);   // at load time only
  const std::vector<std::string>& accounts() const { return accounts_; }

  // A person's accumulators by account name → the dense array (unknown names are ignored: they
  // belong to another policy version or insurance type), and back (zero entries omitted).
  std::vector<int64_t> Accumulators(const std::map<std::string, int64_t>& by_name) const;
  std::map<std::string, int64_t> AccumulatorsByName(std::span<const int64_t> slots) const;

 private:
  std::vector<std::string> accounts_;
};

}  // namespace yibao
