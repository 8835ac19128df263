#include "interface/bill_json.h"

#include "interface/json_writer.h"

#include "interface/prepare.h"
#include "settle/trace_text.h"

namespace yibao {

namespace {

const char* ClassCode(ItemClass c) {
  switch (c) {
    case ItemClass::kA:
      return "01";
    case ItemClass::kB:
      return "02";
    case ItemClass::kC:
      return "03";
  }
  return "";
}

}  // namespace

void WriteBillJson(const Settlement& s, const Visit& visit, std::span<const int64_t> before,
                   std::string& out) {
  WriteBillJson(s, visit, before, {}, out);
}

void WriteBillJson(const Settlement& s, const Visit& visit, std::span<const int64_t> before,
                   std::string_view setl_id, std::string& out) {
  const Bill& b = s.bill;
  const Policy& policy = *b.policy;
  std::vector<std::string> trace = RenderTrace(b, visit);
  std::string proc;
  for (const auto& line : trace) {
    if (!proc.empty()) proc += '\n';
    proc += line;
  }

  // About 1.2 KB besides the trace, and 330 bytes a fee line: one allocation, not a dozen.
  out.reserve(out.size() + 1536 + proc.size() + 384 * b.lines.size());
  JsonWriter w(out);
  w.Open('{');
  w.Key("setlinfo");
  w.Open('{');
  if (!setl_id.empty()) w.Str("setl_id", setl_id);
  w.Str("mdtrt_id", visit.visit_id);
  w.Str("psn_no", visit.person.psn_no);
  w.Str("insutype", visit.person.insutype);
  w.Str("psn_type", visit.person.psn_type);
  w.Str("med_type", visit.med_type);
  w.Str("fixmedins_code", visit.institution);
  w.Str("insuplc_admdvs", visit.person.insured_admdvs);
  w.Str("mdtrtarea_admvs", visit.treatment_admdvs);
  w.Str("cross_region", CrossRegionName(visit.cross));
  w.Num("medfee_sumamt", b.medfee_sumamt);
  w.Num("fulamt_ownpay_amt", b.fulamt_ownpay_amt);
  w.Num("overlmt_selfpay", b.overlmt_selfpay);
  w.Num("preselfpay_amt", b.preselfpay_amt);
  w.Num("inscp_scp_amt", b.inscp_scp_amt);
  w.Num("act_pay_dedc", b.act_pay_dedc);
  w.Num("hifp_pay", b.hifp_pay);
  w.Num("cvlserv_pay", b.cvlserv_pay);
  w.Num("hifes_pay", b.hifes_pay);
  w.Num("hifmi_pay", b.hifmi_pay);
  w.Num("hifob_pay", b.hifob_pay);
  w.Num("maf_pay", b.maf_pay);
  w.Num("oth_pay", b.oth_pay);
  w.Num("fund_pay_sumamt", b.fund_pay_sumamt);
  w.Num("psn_part_amt", b.psn_part_amt);
  w.Num("acct_pay", b.acct_pay);
  w.Num("acct_mulaid_pay", b.acct_mulaid_pay);
  w.Num("psn_cash_pay", b.psn_cash_pay);
  w.Num("hosp_part_amt", b.hosp_part_amt);
  if (b.deposit.fen() > 0) {
    w.Num("deposit", b.deposit);
    w.Num("deposit_refund", b.deposit_refund);
  }
  w.Num("balc", visit.account_balance - (b.acct_pay - b.acct_mulaid_pay));
  w.Str("policy_region", policy.region);
  w.Str("policy_version", policy.version);
  w.Str("benefit", b.benefit ? b.benefit->id : "");
  w.Str("setl_proc_info", proc);
  w.Close('}');

  w.Key("setldetail");
  w.Open('[');
  for (const auto& f : b.funds) {
    const Tier& tier = b.benefit->tiers[size_t(f.tier)];
    w.Open('{');
    w.Str("fund_pay_type", tier.fund_pay_type);
    w.Str("fund_pay_type_name", tier.name);
    w.Str("fund", FundName(f.fund));
    w.Num("inscp_scp_amt", f.base);
    w.Num("dedc", f.deductible);
    if (f.room.fen() >= 0) w.Num("crt_payb_lmt_amt", f.room);
    w.Num("fund_payamt", f.payment);
    w.Raw("cap_reached", f.cap_reached ? "true" : "false");
    w.Close('}');
  }
  if (b.acct_pay.fen() != 0) {
    w.Open('{');
    w.Str("fund_pay_type", visit.person.insutype == "310" ? "310200" : "390300");
    w.Str("fund_pay_type_name", "个人账户");
    w.Str("fund", "acct");
    w.Num("fund_payamt", b.acct_pay);
    w.Close('}');
  }
  w.Close(']');

  w.Key("fee_details");
  w.Open('[');
  for (const auto& l : b.lines) {
    const FeeLine& line = visit.lines[l.line_index];
    w.Open('{');
    w.Str("feedetl_sn", line.serial);
    w.Str("med_list_codg", line.code);
    w.Str("med_list_name", l.item ? l.item->name : "");
    w.Str("chrgitm_lv", l.item ? ClassCode(l.item->item_class) : "");
    w.Num("det_item_fee_sumamt", l.amount);
    w.Num("fulamt_ownpay_amt", l.ownpay);
    w.Num("overlmt_amt", l.over_limit);
    w.Num("preselfpay_amt", l.pre_selfpay);
    w.Num("inscp_scp_amt", l.in_scope);
    w.Str("selfpay_prop", l.item ? l.item->selfpay_prop.ToString() : "");
    std::string memo = LineNoteText(l.note);
    if (l.restriction_waived)
      memo += (memo.empty() ? "" : "; ") + std::string("限制条件经审批同意");
    w.Str("memo", memo);
    w.Close('}');
  }
  w.Close(']');

  w.Key("accumulators");
  w.Open('{');
  std::vector<int64_t> after(before.begin(), before.end());
  for (size_t i = 0; i < after.size() && i < s.deltas.size(); ++i) after[i] += s.deltas[i];
  for (const auto& [name, value] : FormatAccumulators(policy, after)) w.Raw(name, value);
  w.Close('}');
  w.Key("accumulator_deltas");
  w.Open('{');
  for (const auto& [name, value] : FormatAccumulators(policy, s.deltas)) w.Raw(name, value);
  w.Close('}');
  w.Close('}');
}

void WriteLineClassificationJson(const Settlement& s, const Visit& visit,
                                 std::span<const uint32_t> line_indexes, std::string& out) {
  // The engine's lines are in visit order but may skip none; index them by line_index.
  std::vector<const LineSettlement*> by_index(visit.lines.size(), nullptr);
  for (const auto& l : s.bill.lines)
    if (l.line_index < by_index.size()) by_index[l.line_index] = &l;
  JsonWriter w(out);
  w.Open('[');
  for (uint32_t i : line_indexes) {
    if (i >= visit.lines.size() || !by_index[i]) continue;
    const LineSettlement& l = *by_index[i];
    const FeeLine& line = visit.lines[i];
    w.Open('{');
    w.Str("feedetl_sn", line.serial);
    w.Str("med_list_codg", line.code);
    w.Str("med_list_name", l.item ? l.item->name : "");
    w.Num("det_item_fee_sumamt", l.amount);
    w.Raw("cnt", line.count.ToString());
    w.Raw("pric", line.price.ToString());
    if (l.item && l.item->price_cap) w.Raw("pric_uplmt_amt", l.item->price_cap->ToString());
    w.Str("selfpay_prop", l.item ? l.item->selfpay_prop.ToString() : "");
    w.Num("fulamt_ownpay_amt", l.ownpay);
    w.Num("overlmt_amt", l.over_limit);
    w.Num("preselfpay_amt", l.pre_selfpay);
    w.Num("inscp_scp_amt", l.in_scope);
    w.Str("chrgitm_lv", l.item ? ClassCode(l.item->item_class) : "");
    w.Str("lmt_used_flag", l.item && !l.item->restriction.empty() ? "1" : "0");
    std::string memo = LineNoteText(l.note);
    if (l.restriction_waived)
      memo += (memo.empty() ? "" : "; ") + std::string("限制条件经审批同意");
    w.Str("memo", memo);
    w.Close('}');
  }
  w.Close(']');
}

}  // namespace yibao
