// The one-bill settlement (一单制结算) of a visit: how its total splits, to the fen, between the
// funds and the person, line by line and fund by fund, with the trace of how each figure arose.
//
// Identities that always hold (checked by Settle before it returns a bill):
//   medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt
//   fund_pay_sumamt = hifp + cvlserv + hifes + hifmi + hifob + maf + oth
//   psn_part_amt = medfee_sumamt − fund_pay_sumamt = acct_pay + psn_cash_pay
//   acct_mulaid_pay ≤ acct_pay (family mutual aid is part of the account payment); nothing
//   negative.
#pragma once

#include <cstdint>
#include <vector>

#include "base/money.h"
#include "catalogue/catalogue.h"
#include "policy/policy.h"
#include "settle/trace.h"

namespace yibao {

// Why (part of) a line is 全自费; kNone when nothing is.
enum class LineNote : uint8_t {
  kNone,
  kClassC,       // 丙类
  kInsutype,     // restricted to other insurance types
  kSex,          // restricted to the other sex
  kAge,          // outside the age range
  kSetting,      // inpatient-only / outpatient-only
  kLevel,        // institution level too low
  kIndication,   // no diagnosis within the indication (限适应症)
  kSpecialty,    // department not allowed
  kStepTherapy,  // 二线用药 without the approval flag
  kApproval,     // needs approval (需审批) and has none
  kQuantity,     // quantity above the per-visit limit: the excess is 全自费
  kCourse,       // course longer than the limit: the excess days are 全自费
};
const char* LineNoteText(LineNote n);  // Chinese explanation for the trace and the 2204 reply

struct LineSettlement {
  uint32_t line_index = 0;  // into Visit::lines
  const CatalogueItem* item = nullptr;
  Money amount;       // `det_item_fee_sumamt`
  Money ownpay;       // `fulamt_ownpay_amt`
  Money over_limit;   // `overlmt_amt`
  Money pre_selfpay;  // `preselfpay_amt`
  Money in_scope;     // `inscp_scp_amt`
  LineNote note = LineNote::kNone;
  bool restriction_waived = false;  // a restriction failed but the line carried the approval flag
};

// One entry of `setldetail`.
struct FundPayment {
  int tier = -1;  // index into the benefit's tiers
  Fund fund = Fund::kHifp;
  Money base;        // what this tier paid on (`inscp_scp_amt` of the detail)
  Money deductible;  // deductible borne by the person in this tier
  Money payment;     // `fund_payamt`
  Money room;  // remaining annual room before this visit (`crt_payb_lmt_amt`); −1 fen = no cap
  bool cap_reached = false;
};

struct Bill {
  const Policy* policy = nullptr;
  const Benefit* benefit = nullptr;

  Money medfee_sumamt;      // 医疗费总额
  Money fulamt_ownpay_amt;  // 全自费金额
  Money overlmt_selfpay;    // 超限价自费费用
  Money preselfpay_amt;     // 先行自付金额
  Money inscp_scp_amt;      // 符合政策范围金额
  Money act_pay_dedc;       // 实际支付起付线 (basic fund)
  Money hifp_pay;           // 基本医疗保险统筹基金支出
  Money cvlserv_pay;        // 公务员医疗补助资金支出
  Money hifes_pay;          // 企业补充医疗保险基金支出
  Money hifmi_pay;          // 居民大病保险资金支出
  Money hifob_pay;          // 职工大额医疗费用补助基金支出
  Money maf_pay;            // 医疗救助基金支出
  Money oth_pay;            // 其他支出
  Money fund_pay_sumamt;    // 基金支付总额
  Money psn_part_amt;       // 个人负担总金额
  Money acct_pay;           // 个人账户支出 (including family mutual aid)
  Money acct_mulaid_pay;    // 个人账户共济支付金额
  Money psn_cash_pay;       // 个人现金支出
  Money hosp_part_amt;   // 医院负担金额 (always 0 here: no hospital share in these policies)
  Money deposit;         // 预交金 given with the visit
  Money deposit_refund;  // deposit − cash due (negative: still owed)

  std::vector<LineSettlement> lines;
  std::vector<FundPayment> funds;
  Trace trace;

  void Clear();  // keeps capacity, so a reused Bill allocates nothing in steady state
  Money* FundField(Fund f);
};

// A settlement: the bill plus what it changes in the person's accumulators (indexed by the policy's
// account slots). Cancelling applies the exact negation.
struct Settlement {
  Bill bill;
  std::vector<int64_t> deltas;
};

}  // namespace yibao
