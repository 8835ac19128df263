#include "settle/settle.h"

#include <algorithm>
#include <array>

namespace yibao {
namespace {

std::string LineField(size_t i, const char* field) {
  return "fee_details[" + std::to_string(i) + "]." + field;
}

bool AnyPrefix(const std::vector<std::string>& prefixes, std::string_view code) {
  for (const auto& p : prefixes)
    if (code.substr(0, p.size()) == p) return true;
  return false;
}

bool IsInpatient(const Visit& v, const Benefit& b) { return b.counts_admissions; }

// The first restriction of `r` that this visit does not meet, or kNone.
LineNote FailedRestriction(const PaymentRestriction& r, const Visit& v, const Benefit& benefit,
                           int age) {
  if (!r.insutypes.empty() &&
      std::find(r.insutypes.begin(), r.insutypes.end(), v.person.insutype) == r.insutypes.end())
    return LineNote::kInsutype;
  if (r.sex != Sex::kAny && r.sex != v.person.sex) return LineNote::kSex;
  if ((r.min_age >= 0 && age < r.min_age) || (r.max_age >= 0 && age > r.max_age))
    return LineNote::kAge;
  if ((r.setting == CareSetting::kInpatientOnly && !IsInpatient(v, benefit)) ||
      (r.setting == CareSetting::kOutpatientOnly && IsInpatient(v, benefit)))
    return LineNote::kSetting;
  if (r.min_level > 0 && v.institution_level < r.min_level) return LineNote::kLevel;
  if (!r.indications.empty()) {
    bool met = false;
    for (const auto& d : v.diagnoses) met = met || AnyPrefix(r.indications, d);
    if (!met) return LineNote::kIndication;
  }
  if (!r.specialties.empty() && !AnyPrefix(r.specialties, v.department))
    return LineNote::kSpecialty;
  if (r.step_therapy)
    return LineNote::kStepTherapy;  // only the hospital can attest first-line failure
  if (r.needs_approval) return LineNote::kApproval;
  return LineNote::kNone;
}

// Splits one fee line into 全自费 / 超限价 / 先行自付 / 政策范围内.
void ClassifyLine(const FeeLine& line, const CatalogueItem& item, const Visit& visit,
                  const Benefit& benefit, int age, LineSettlement& out) {
  out.amount = line.amount;
  if (item.item_class == ItemClass::kC) {
    out.ownpay = line.amount;
    out.note = LineNote::kClassC;
    return;
  }
  LineNote failed = FailedRestriction(item.restriction, visit, benefit, age);
  if (failed != LineNote::kNone) {
    if (!line.approved) {
      out.ownpay = line.amount;
      out.note = failed;
      return;
    }
    out.restriction_waived = true;
  }
  // Quantity and course limits: the excess share of the line is 全自费 (approval does not lift
  // them).
  Money remaining = line.amount;
  const PaymentRestriction& r = item.restriction;
  if (r.max_qty_per_visit.scaled() > 0 && line.count > r.max_qty_per_visit) {
    out.ownpay =
        MulDivHalfUp(line.amount, (line.count - r.max_qty_per_visit).scaled(), line.count.scaled());
    out.note = LineNote::kQuantity;
  } else if (r.max_days > 0 && line.days > r.max_days) {
    out.ownpay = MulDivHalfUp(line.amount, line.days - r.max_days, line.days);
    out.note = LineNote::kCourse;
  }
  remaining -= out.ownpay;
  if (item.price_cap && line.price > *item.price_cap) {
    Money over = out.ownpay.is_zero()
                     ? LineAmount(line.price - *item.price_cap, line.count)
                     : MulDivHalfUp(remaining, (line.price - *item.price_cap).micro_yuan(),
                                    line.price.micro_yuan());
    out.over_limit = Min(over, remaining);
    remaining -= out.over_limit;
  }
  if (!item.selfpay_prop.is_zero()) out.pre_selfpay = item.selfpay_prop.Apply(remaining);
  out.in_scope = remaining - out.pre_selfpay;
}

// The ratio after the visit's adjustments: +points and personal share × factor in file order
// (each result kept within 0..100%), then the lowest matching ceiling, whatever its position in the
// file — a ceiling is a bound on the result, not a step.
Ratio Adjusted(Ratio r, const Tier& tier, std::span<const int16_t> adjustments) {
  for (int16_t i : adjustments) {
    const Adjustment& a = tier.adjustments[size_t(i)];
    if (a.points) r = r + *a.points;
    if (a.personal_share_factor) r = r.Complement().Times(*a.personal_share_factor).Complement();
    r = r.Clamp(Ratio::Zero(), Ratio::One());
  }
  for (int16_t i : adjustments) {
    const Adjustment& a = tier.adjustments[size_t(i)];
    if (a.ceiling && *a.ceiling < r) r = *a.ceiling;
  }
  return r;
}

// The smallest base amount x (fen) with ratio.Apply(x) ≥ payment: where within a band the cap is
// hit.
Money AmountCovering(Money payment, Ratio ratio) {
  if (payment.fen() <= 0 || ratio.ppm() <= 0) return Money();
  __int128 num = __int128(payment.fen()) * Ratio::kOne - Ratio::kOne / 2;
  __int128 x = (num + ratio.ppm() - 1) / ratio.ppm();
  return Money::Fen(int64_t(x));
}

class Engine {
 public:
  Engine(const Visit& v, const Catalogue& c, const Policy& p, std::span<const int64_t> acc,
         Settlement* out, Diagnostics* errors)
      : visit_(v),
        catalogue_(c),
        policy_(p),
        acc_(acc),
        out_(*out),
        bill_(out->bill),
        errors_(*errors) {}

  bool Run();

 private:
  bool Fail(std::string field, std::string message) {
    errors_.push_back(Diagnostic{"", 0, std::move(field), std::move(message)});
    return false;
  }
  int64_t Acc(int slot) const {
    return slot < 0 ? 0 : acc_[size_t(slot)] + out_.deltas[size_t(slot)];
  }
  void Add(int slot, int64_t v) {
    if (slot >= 0) out_.deltas[size_t(slot)] += v;
  }
  void Step(TraceStep s) { bill_.trace.push_back(s); }

  // The first entry whose conditions the visit meets (first-match lists: deductibles, ratios).
  template <typename Rule>
  const Rule* FirstMatch(const std::vector<Rule>& rules) const {
    for (const Rule& r : rules)
      if (r.when.Matches(visit_, age_, admission_)) return &r;
    return nullptr;
  }
  // A gap in the policy refuses the visit and says which rule is missing for whom.
  bool NoRule(const char* what, const Tier& tier) {
    return Fail("med_type", "policy " + policy_.file + " has no " + what + " of tier " + tier.id +
                                " for this visit (level " +
                                std::to_string(visit_.institution_level) + ", psn_type " +
                                visit_.person.psn_type + ")");
  }

  bool CheckVisit();
  bool ClassifyLines();
  bool PayTier(int index);
  void PayAccountAndCash();

  const Visit& visit_;
  const Catalogue& catalogue_;
  const Policy& policy_;
  std::span<const int64_t> acc_;
  Settlement& out_;
  Bill& bill_;
  Diagnostics& errors_;
  const Benefit* benefit_ = nullptr;
  int age_ = 0;
  int admission_ = 0;
  // What the person still bears, by BaseComponent (in_scope, pre_selfpay, over_limit, ownpay).
  std::array<Money, kBaseComponentCount> left_{};
  std::array<Money, kMaxTiersPerBenefit> overflow_{};  // per tier: base left unpaid above its cap
};

bool Engine::CheckVisit() {
  if (acc_.size() != policy_.accounts().size())
    return Fail("accumulators", "expected " + std::to_string(policy_.accounts().size()) +
                                    " accumulator slots for policy " + policy_.version);
  if (visit_.person.insutype != policy_.insutype)
    return Fail("insutype", "visit insurance type " + visit_.person.insutype +
                                " does not match the policy's " + policy_.insutype);
  if (visit_.end < visit_.begin) return Fail("endtime", "before begntime");
  if (visit_.end < policy_.effective_from || policy_.effective_to < visit_.end)
    return Fail("endtime",
                "policy " + policy_.version + " is not in force on " + visit_.end.ToString());
  benefit_ = policy_.BenefitFor(visit_.med_type);
  if (!benefit_)
    return Fail("med_type",
                "no benefit of policy " + policy_.version + " settles med_type " + visit_.med_type);
  if (benefit_->tiers.size() > overflow_.size())
    return Fail("med_type", "benefit has too many tiers");
  if (!benefit_->diseases.empty() && std::find(benefit_->diseases.begin(), benefit_->diseases.end(),
                                               visit_.chronic_disease) == benefit_->diseases.end())
    return Fail("opsp_dise_code", "disease \"" + visit_.chronic_disease + "\" is not on the " +
                                      benefit_->name + " list");
  bool cross_province =
      visit_.cross == CrossRegion::kCrossFiled || visit_.cross == CrossRegion::kCrossReferral ||
      visit_.cross == CrossRegion::kCrossEmergency || visit_.cross == CrossRegion::kCrossUnfiled;
  if (cross_province && benefit_->restrict_cross_province &&
      std::find(benefit_->cross_province_diseases.begin(), benefit_->cross_province_diseases.end(),
                visit_.chronic_disease) == benefit_->cross_province_diseases.end())
    return Fail("opsp_dise_code",
                "disease \"" + visit_.chronic_disease +
                    "\" cannot be settled directly across provinces; claim at the insured place");
  if (visit_.lines.empty()) return Fail("fee_details", "no fee lines");
  if (visit_.institution_level < 0 || visit_.institution_level > 3)
    return Fail("hosp_lv", "institution level must be 0..3");
  age_ = AgeInYears(visit_.person.birthday, visit_.begin);
  if (age_ < 0) return Fail("brdy", "birthday after the visit");
  admission_ = benefit_->counts_admissions ? int(Acc(benefit_->admission_slot)) + 1 : 0;
  return true;
}

bool Engine::ClassifyLines() {
  bill_.lines.resize(visit_.lines.size());  // value-initialised: each line starts at zero
  Money total;
  for (size_t i = 0; i < visit_.lines.size(); ++i) {
    const FeeLine& line = visit_.lines[i];
    const CatalogueItem* item = catalogue_.Find(line.code, visit_.end);
    if (!item)
      return Fail(LineField(i, "med_list_codg"),
                  "\"" + line.code + "\" is not in the catalogue of " + catalogue_.admdvs() +
                      " on " + visit_.end.ToString());
    if (line.amount.is_negative())
      return Fail(LineField(i, "det_item_fee_sumamt"), "negative amount");
    if (line.amount != LineAmount(line.price, line.count))
      return Fail(LineField(i, "det_item_fee_sumamt"),
                  line.amount.ToString() +
                      " ≠ pric × cnt = " + LineAmount(line.price, line.count).ToString());
    if (total.fen() > Money::kMaxAbsFen - line.amount.fen())
      return Fail(LineField(i, "det_item_fee_sumamt"), "visit total out of range");
    total += line.amount;
    LineSettlement& ls = bill_.lines[i];
    ls.line_index = uint32_t(i);
    ls.item = item;
    ClassifyLine(line, *item, visit_, *benefit_, age_, ls);
    bill_.fulamt_ownpay_amt += ls.ownpay;
    bill_.overlmt_selfpay += ls.over_limit;
    bill_.preselfpay_amt += ls.pre_selfpay;
    bill_.inscp_scp_amt += ls.in_scope;
  }
  bill_.medfee_sumamt = total;
  left_ = {bill_.inscp_scp_amt, bill_.preselfpay_amt, bill_.overlmt_selfpay,
           bill_.fulamt_ownpay_amt};
  Step({.kind = TraceKind::kTotals});
  return true;
}

bool Engine::PayTier(int ti) {
  const Tier& tier = benefit_->tiers[size_t(ti)];
  const int16_t t16 = int16_t(ti);
  overflow_[size_t(ti)] = Money();
  if (!tier.eligible.Matches(visit_, age_, admission_)) {
    Step({.kind = TraceKind::kTierSkipped, .tier = t16, .line = tier.line});
    return true;
  }
  // Base: the parts of the bill this tier pays on, as the earlier tiers left them.
  uint8_t components = tier.base_components;
  Money base;
  if (tier.overflow_of >= 0) {
    components = kInScope;
    base = Min(overflow_[size_t(tier.overflow_of)], left_[0]);
  } else {
    for (int c = 0; c < kBaseComponentCount; ++c)
      if (components & (1u << c)) base += left_[size_t(c)];
  }
  Step({.kind = TraceKind::kTierBase,
        .tier = t16,
        .ref = int16_t(tier.overflow_of),
        .line = tier.line,
        .n = components,
        .a = base});

  // Adjustments that apply to this visit, in file order.
  std::array<int16_t, kMaxAdjustmentsPerTier> adj{};
  size_t n_adj = 0;
  for (size_t i = 0; i < tier.adjustments.size() && n_adj < adj.size(); ++i)
    if (tier.adjustments[i].when.Matches(visit_, age_, admission_)) adj[n_adj++] = int16_t(i);
  std::span<const int16_t> adjustments(adj.data(), n_adj);

  // Deductible (起付线).
  Money deductible;
  if (!tier.deductibles.empty()) {
    const DeductibleRule* rule = FirstMatch(tier.deductibles);
    if (!rule) return NoRule("deductible", tier);
    Money due = rule->amount;
    if (rule->is_share_of_total) {
      due = Max(rule->share_min,
                Min(rule->share_max, rule->share_of_total.Apply(bill_.medfee_sumamt)));
    } else if (rule->period == DeductiblePeriod::kAdmission && admission_ > 1) {
      if (!rule->by_admission.empty()) {
        const auto& step =
            rule->by_admission[std::min(size_t(admission_), rule->by_admission.size()) - 1];
        due = step.is_factor ? step.factor.Apply(rule->amount) : step.fixed;
      }
      if (!rule->later_change.is_zero()) {
        due = Money::Fen(due.fen() + rule->later_change.fen() * (admission_ - 1));
        due = Max(due, rule->floor);
      }
    } else if (rule->period == DeductiblePeriod::kAdmission && !rule->by_admission.empty()) {
      const auto& step = rule->by_admission[0];
      due = step.is_factor ? step.factor.Apply(rule->amount) : step.fixed;
    }
    for (int16_t i : adjustments) {
      const Adjustment& a = tier.adjustments[size_t(i)];
      if (!a.deductible_factor) continue;
      Money before = due;
      due = a.deductible_factor->Apply(due);
      Step({.kind = TraceKind::kDeductibleFactor,
            .tier = t16,
            .ref = i,
            .line = a.line,
            .a = before,
            .b = due});
    }
    Money paid_before;
    if (rule->period == DeductiblePeriod::kYear) {
      paid_before = Money::Fen(Acc(tier.deductible_slot));
      deductible = Min(base, Max(Money(), due - paid_before));
      Add(tier.deductible_slot, deductible.fen());
    } else {
      deductible = Min(base, due);
    }
    Step({.kind = TraceKind::kDeductible,
          .tier = t16,
          .ref = int16_t(rule->period),
          .line = rule->line,
          .n = admission_,
          .a = due,
          .b = deductible,
          .c = paid_before});
  }

  // Annual room: for every cap account, the first matching cap applies.
  bool limited = false;
  Money room;
  std::array<int, kMaxCapsPerTier> cap_slots{};
  size_t n_caps = 0;
  std::array<int16_t, kMaxCapsPerTier>
      decided{};  // indices of the caps that applied (first per account)
  size_t n_decided = 0;
  for (size_t i = 0; i < tier.caps.size(); ++i) {
    const CapRule& cap = tier.caps[i];
    bool seen = false;
    for (size_t k = 0; k < n_decided; ++k) {
      const CapRule& other = tier.caps[size_t(decided[k])];
      seen = seen || (other.account == cap.account && other.per_visit == cap.per_visit);
    }
    if (seen || !cap.when.Matches(visit_, age_, admission_) || n_decided == decided.size())
      continue;
    decided[n_decided++] = int16_t(i);
    if (cap.unlimited) continue;
    Money used = cap.per_visit ? Money() : Money::Fen(Acc(cap.slot));
    Money this_room = Max(Money(), cap.amount - used);
    room = limited ? Min(room, this_room) : this_room;
    limited = true;
    if (!cap.per_visit && n_caps < cap_slots.size()) cap_slots[n_caps++] = cap.slot;
    Step({.kind = TraceKind::kCap,
          .tier = t16,
          .ref = int16_t(i),
          .line = cap.line,
          .n = cap.per_visit ? 1 : 0,
          .a = cap.amount,
          .b = used,
          .c = this_room});
  }
  // Year caps that do not bind still count what this tier pays.
  for (size_t k = 0; k < n_decided; ++k) {
    const CapRule& cap = tier.caps[size_t(decided[k])];
    if (cap.unlimited && !cap.per_visit && n_caps < cap_slots.size())
      cap_slots[n_caps++] = cap.slot;
  }

  // Ratio bands over [lo, hi): the part of the base above the deductible, placed on the year's (or
  // this visit's) cumulative scale.
  const RatioRule* ratio = FirstMatch(tier.ratios);
  if (!ratio) return NoRule("ratio", tier);
  for (int16_t i : adjustments) {
    const Adjustment& a = tier.adjustments[size_t(i)];
    if (a.points || a.personal_share_factor || a.ceiling)
      Step({.kind = TraceKind::kAdjustment, .tier = t16, .ref = i, .line = a.line});
  }
  Money position =
      tier.measure == SegmentMeasure::kYear ? Money::Fen(Acc(tier.position_slot)) : Money();
  Money lo, hi;
  if (tier.origin == SegmentOrigin::kZero) {
    lo = position + deductible;
    hi = position + base;
    Add(tier.position_slot, base.fen());
  } else {
    lo = position;
    hi = position + (base - deductible);
    Add(tier.position_slot, (base - deductible).fen());
  }
  Money paid;
  bool reached = false;
  for (const Band& band : ratio->bands) {
    Money from = Max(lo, band.from);
    Money to = band.open ? hi : Min(hi, band.upto);
    if (to <= from) continue;
    Ratio r = Adjusted(band.ratio, tier, adjustments);
    Money pay = r.Apply(to - from);
    if (limited && paid + pay >= room) {  // reached inside (or exactly at the end of) this band
      pay = room - paid;
      Money crossing = from + Min(to - from, AmountCovering(pay, r));
      paid += pay;
      Step({.kind = TraceKind::kBand,
            .tier = t16,
            .line = band.line,
            .a = from,
            .b = crossing,
            .c = pay,
            .r = band.ratio,
            .r2 = r});
      overflow_[size_t(ti)] = hi - crossing;
      Step({.kind = TraceKind::kCapReached, .tier = t16, .a = crossing, .b = hi - crossing});
      reached = true;
      break;
    }
    paid += pay;
    Step({.kind = TraceKind::kBand,
          .tier = t16,
          .line = band.line,
          .a = from,
          .b = to,
          .c = pay,
          .r = band.ratio,
          .r2 = r});
  }
  if (!reached && limited && room.is_zero() && hi > lo) {
    // Nothing left in the year's room before this visit: the whole base above the deductible is
    // over.
    overflow_[size_t(ti)] = hi - lo;
    Step({.kind = TraceKind::kCapReached, .tier = t16, .a = lo, .b = hi - lo});
    reached = true;
  }
  for (size_t k = 0; k < n_caps; ++k) Add(cap_slots[k], paid.fen());

  // Draw the payment from what the person bore, in component order.
  Money rest = paid;
  for (int c = 0; c < kBaseComponentCount && rest.fen() > 0; ++c) {
    if (!(components & (1u << c))) continue;
    Money take = Min(rest, left_[size_t(c)]);
    left_[size_t(c)] -= take;
    rest -= take;
  }
  if (!rest.is_zero())
    return Fail("policy", "internal: tier " + tier.id + " paid more than its base");
  *bill_.FundField(tier.fund) += paid;
  if (tier.fund == Fund::kHifp) bill_.act_pay_dedc += deductible;
  bill_.funds.push_back(
      FundPayment{ti, tier.fund, base, deductible, paid, limited ? room : Money::Fen(-1), reached});
  Step({.kind = TraceKind::kTierPaid, .tier = t16, .line = tier.line, .a = paid});
  return true;
}

void Engine::PayAccountAndCash() {
  bill_.fund_pay_sumamt = bill_.hifp_pay + bill_.cvlserv_pay + bill_.hifes_pay + bill_.hifmi_pay +
                          bill_.hifob_pay + bill_.maf_pay + bill_.oth_pay;
  bill_.psn_part_amt = bill_.medfee_sumamt - bill_.fund_pay_sumamt - bill_.hosp_part_amt;
  const AccountUse& use = benefit_->account;
  if (visit_.use_account && use.allowed) {
    Money payable;
    for (int c = 0; c < kBaseComponentCount; ++c)
      if (use.components & (1u << c)) payable += left_[size_t(c)];
    Money own = Min(payable, Max(Money(), visit_.account_balance));
    Step({.kind = TraceKind::kAccount, .a = own, .b = visit_.account_balance});
    Money aid;
    if (use.family_mutual_aid && payable > own && visit_.family_account_balance.fen() > 0) {
      aid = Min(payable - own, visit_.family_account_balance);
      Step({.kind = TraceKind::kMutualAid, .a = aid, .b = visit_.family_account_balance});
    }
    bill_.acct_pay = own + aid;
    bill_.acct_mulaid_pay = aid;
  }
  bill_.psn_cash_pay = bill_.psn_part_amt - bill_.acct_pay;
  Step({.kind = TraceKind::kCash, .a = bill_.psn_cash_pay});
  if (visit_.deposit.fen() > 0) {
    bill_.deposit = visit_.deposit;
    bill_.deposit_refund = visit_.deposit - bill_.psn_cash_pay;
    Step({.kind = TraceKind::kDeposit, .a = bill_.deposit, .b = bill_.deposit_refund});
  }
}

bool Engine::Run() {
  bill_.Clear();
  bill_.policy = &policy_;
  out_.deltas.assign(policy_.accounts().size(), 0);
  if (!CheckVisit()) return false;
  bill_.benefit = benefit_;
  // Room for every step and fund up front: a fresh Settlement then allocates a few blocks, not one
  // per growth step, and a reused one nothing at all.
  bill_.trace.reserve(8 + 10 * benefit_->tiers.size());
  bill_.funds.reserve(benefit_->tiers.size());
  Step({.kind = TraceKind::kBenefit,
        .line = benefit_->line,
        .n = int32_t(benefit_ - policy_.benefits.data())});
  if (!ClassifyLines()) return false;
  for (size_t i = 0; i < benefit_->tiers.size(); ++i)
    if (!PayTier(int(i))) return false;
  PayAccountAndCash();
  if (benefit_->counts_admissions) Add(benefit_->admission_slot, 1);
  std::string broken = CheckBillIdentities(bill_);
  if (!broken.empty()) return Fail("bill", "internal: " + broken);
  return true;
}

}  // namespace

const char* LineNoteText(LineNote n) {
  switch (n) {
    case LineNote::kNone:
      return "";
    case LineNote::kClassC:
      return "丙类, 全自费";
    case LineNote::kInsutype:
      return "限险种支付, 本险种不予支付";
    case LineNote::kSex:
      return "限性别支付";
    case LineNote::kAge:
      return "限年龄支付";
    case LineNote::kSetting:
      return "限住院/门诊支付";
    case LineNote::kLevel:
      return "限医疗机构等级支付";
    case LineNote::kIndication:
      return "限适应症支付, 诊断不符";
    case LineNote::kSpecialty:
      return "限科室支付";
    case LineNote::kStepTherapy:
      return "限二线用药, 无审批标志";
    case LineNote::kApproval:
      return "需审批, 无审批标志";
    case LineNote::kQuantity:
      return "超出单次限量部分全自费";
    case LineNote::kCourse:
      return "超出疗程天数部分全自费";
  }
  return "";
}

void Bill::Clear() {
  policy = nullptr;
  benefit = nullptr;
  medfee_sumamt = fulamt_ownpay_amt = overlmt_selfpay = preselfpay_amt = inscp_scp_amt = Money();
  act_pay_dedc = hifp_pay = cvlserv_pay = hifes_pay = hifmi_pay = hifob_pay = maf_pay = Money();
  oth_pay = fund_pay_sumamt = psn_part_amt = acct_pay = acct_mulaid_pay = psn_cash_pay = Money();
  hosp_part_amt = deposit = deposit_refund = Money();
  lines.clear();
  funds.clear();
  trace.clear();
}

Money* Bill::FundField(Fund f) {
  switch (f) {
    case Fund::kHifp:
      return &hifp_pay;
    case Fund::kCvlserv:
      return &cvlserv_pay;
    case Fund::kHifes:
      return &hifes_pay;
    case Fund::kHifmi:
      return &hifmi_pay;
    case Fund::kHifob:
      return &hifob_pay;
    case Fund::kMaf:
      return &maf_pay;
    case Fund::kOther:
      return &oth_pay;
  }
  return &oth_pay;
}

bool Settle(const Visit& visit, const Catalogue& catalogue, const Policy& policy,
            std::span<const int64_t> accumulators, Settlement* out, Diagnostics* errors) {
  Engine engine(visit, catalogue, policy, accumulators, out, errors);
  return engine.Run();
}

std::string CheckBillIdentities(const Bill& b) {
  auto nonneg = [](Money m) { return !m.is_negative(); };
  if (b.fulamt_ownpay_amt + b.overlmt_selfpay + b.preselfpay_amt + b.inscp_scp_amt !=
      b.medfee_sumamt)
    return "catalogue split does not sum to medfee_sumamt";
  Money lines;
  for (const auto& l : b.lines) {
    if (l.ownpay + l.over_limit + l.pre_selfpay + l.in_scope != l.amount)
      return "a line's split does not sum to its amount";
    if (!nonneg(l.ownpay) || !nonneg(l.over_limit) || !nonneg(l.pre_selfpay) || !nonneg(l.in_scope))
      return "negative part of a line";
    lines += l.amount;
  }
  if (lines != b.medfee_sumamt) return "lines do not sum to medfee_sumamt";
  Money funds =
      b.hifp_pay + b.cvlserv_pay + b.hifes_pay + b.hifmi_pay + b.hifob_pay + b.maf_pay + b.oth_pay;
  if (funds != b.fund_pay_sumamt) return "funds do not sum to fund_pay_sumamt";
  Money details;
  for (const auto& f : b.funds) {
    details += f.payment;
    if (f.room.fen() >= 0 && f.payment > f.room)
      return "a fund paid beyond its remaining annual room";
  }
  if (details != b.fund_pay_sumamt) return "setldetail does not sum to fund_pay_sumamt";
  if (b.psn_part_amt != b.medfee_sumamt - b.fund_pay_sumamt - b.hosp_part_amt)
    return "psn_part_amt ≠ medfee_sumamt − fund_pay_sumamt";
  if (b.psn_part_amt != b.acct_pay + b.psn_cash_pay)
    return "psn_part_amt ≠ acct_pay + psn_cash_pay";
  if (b.acct_mulaid_pay > b.acct_pay) return "acct_mulaid_pay above acct_pay";
  for (Money m : {b.medfee_sumamt, b.fulamt_ownpay_amt, b.overlmt_selfpay, b.preselfpay_amt,
                  b.inscp_scp_amt, b.act_pay_dedc, b.hifp_pay, b.cvlserv_pay, b.hifes_pay,
                  b.hifmi_pay, b.hifob_pay, b.maf_pay, b.oth_pay, b.fund_pay_sumamt, b.psn_part_amt,
                  b.acct_pay, b.acct_mulaid_pay, b.psn_cash_pay})
    if (m.is_negative()) return "a negative amount";
  return "";
}

Settlement Reversal(const Settlement& original) {
  Settlement r = original;
  Bill& b = r.bill;
  for (Money* m : {&b.medfee_sumamt,   &b.fulamt_ownpay_amt, &b.overlmt_selfpay, &b.preselfpay_amt,
                   &b.inscp_scp_amt,   &b.act_pay_dedc,      &b.hifp_pay,        &b.cvlserv_pay,
                   &b.hifes_pay,       &b.hifmi_pay,         &b.hifob_pay,       &b.maf_pay,
                   &b.oth_pay,         &b.fund_pay_sumamt,   &b.psn_part_amt,    &b.acct_pay,
                   &b.acct_mulaid_pay, &b.psn_cash_pay,      &b.hosp_part_amt,   &b.deposit,
                   &b.deposit_refund})
    *m = -*m;
  for (auto& l : b.lines) {
    l.amount = -l.amount;
    l.ownpay = -l.ownpay;
    l.over_limit = -l.over_limit;
    l.pre_selfpay = -l.pre_selfpay;
    l.in_scope = -l.in_scope;
  }
  for (auto& f : b.funds) {
    f.base = -f.base;
    f.deductible = -f.deductible;
    f.payment = -f.payment;
  }
  for (auto& d : r.deltas) d = -d;
  return r;
}

void ApplyDeltas(std::span<int64_t> accumulators, std::span<const int64_t> deltas) {
  for (size_t i = 0; i < accumulators.size() && i < deltas.size(); ++i)
    accumulators[i] += deltas[i];
}

}  // namespace yibao
