#include "interface/bill_table.h"

#include <fmt/format.h>

#include "settle/trace_text.h"

namespace yibao {

std::string RenderBillTable(const Settlement& s, const Visit& visit) {
  const Bill& b = s.bill;
  std::string out;
  auto row = [&](const char* label, const char* field, Money m) {
    out += fmt::format("  {:<22} {:<20} {:>14}\n", label, field, m.ToString());
  };
  out += fmt::format("结算单  就诊 {}  人员 {}  险种 {}  医疗类别 {}  机构 {} (等级 {})\n",
                     visit.visit_id, visit.person.psn_no, visit.person.insutype, visit.med_type,
                     visit.institution, visit.institution_level);
  out += fmt::format("政策 {} {} 版本 {}\n", b.policy->region, b.policy->name, b.policy->version);
  row("医疗费总额", "medfee_sumamt", b.medfee_sumamt);
  row("  全自费", "fulamt_ownpay_amt", b.fulamt_ownpay_amt);
  row("  超限价自付", "overlmt_selfpay", b.overlmt_selfpay);
  row("  先行自付", "preselfpay_amt", b.preselfpay_amt);
  row("  符合政策范围", "inscp_scp_amt", b.inscp_scp_amt);
  row("起付线", "act_pay_dedc", b.act_pay_dedc);
  for (const auto& f : b.funds) {
    const Tier& t = b.benefit->tiers[size_t(f.tier)];
    out += fmt::format("  {:<22} {:<20} {:>14}{}\n", t.name, FundName(f.fund) + std::string("_pay"),
                       f.payment.ToString(), f.cap_reached ? "  (达到限额)" : "");
  }
  row("基金支付总额", "fund_pay_sumamt", b.fund_pay_sumamt);
  row("个人负担总额", "psn_part_amt", b.psn_part_amt);
  row("  个人账户", "acct_pay", b.acct_pay);
  if (b.acct_mulaid_pay.fen() != 0) row("    其中家庭共济", "acct_mulaid_pay", b.acct_mulaid_pay);
  row("  现金", "psn_cash_pay", b.psn_cash_pay);
  if (b.deposit.fen() > 0) {
    row("预交金", "deposit", b.deposit);
    row("应退(负数为补缴)", "deposit_refund", b.deposit_refund);
  }
  out += "\n明细:\n";
  out += fmt::format("  {:<5} {:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n", "序号", "项目编码",
                     "金额", "全自费", "超限价", "先行自付", "范围内", "说明");
  for (const auto& l : b.lines) {
    const FeeLine& line = visit.lines[l.line_index];
    std::string note = LineNoteText(l.note);
    if (l.restriction_waived) note += "限制条件经审批";
    out += fmt::format("  {:<5} {:<24} {:>10} {:>10} {:>10} {:>10} {:>10}  {} {}\n", line.serial,
                       line.code, l.amount.ToString(), l.ownpay.ToString(), l.over_limit.ToString(),
                       l.pre_selfpay.ToString(), l.in_scope.ToString(), l.item ? l.item->name : "",
                       note);
  }
  out += "\n计算过程 (setl_proc_info):\n";
  for (const auto& line : RenderTrace(b, visit)) out += "  " + line + "\n";
  return out;
}

}  // namespace yibao
