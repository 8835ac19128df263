#include "platform/settlement_write.h"

namespace yibao {

std::string ClearingType(std::string_view med_type) {
  if (!med_type.empty() && med_type[0] == '2') return "21";
  if (!med_type.empty() && med_type[0] == '4') return "41";
  return "11";
}

std::vector<JournalEntry> JournalOfBill(const Bill& bill, const Visit& visit) {
  std::vector<JournalEntry> out;
  const std::string prefix = "fund:" + bill.policy->region + ":" + bill.policy->insutype + ":";
  for (const auto& f : bill.funds)
    if (!f.payment.is_zero()) out.push_back({prefix + FundName(f.fund), -f.payment.fen()});
  Money own = bill.acct_pay - bill.acct_mulaid_pay;
  if (!own.is_zero()) out.push_back({"acct:" + visit.person.psn_no, -own.fen()});
  if (!bill.acct_mulaid_pay.is_zero())
    out.push_back({"acct-family-of:" + visit.person.psn_no, -bill.acct_mulaid_pay.fen()});
  Money owed = bill.fund_pay_sumamt + bill.acct_pay;
  if (!owed.is_zero()) out.push_back({"hospital:" + visit.institution, owed.fen()});
  return out;
}

LedgerWrite SettlementWrite(const Settlement& s, const Visit& v, const SettlementContext& c,
                            std::string reply_output) {
  const Bill& b = s.bill;
  LedgerWrite w;
  w.fixmedins_code = c.fixmedins_code;
  SettlementRecord& rec = w.settlement.emplace();
  rec.setl_id = c.setl_id;
  rec.mdtrt_id = v.visit_id;
  rec.psn_no = v.person.psn_no;
  rec.fixmedins_code = c.fixmedins_code;
  rec.insutype = v.person.insutype;
  rec.med_type = v.med_type;
  rec.year = v.end.year();
  rec.policy_region = b.policy->region;
  rec.policy_version = b.policy->version;
  rec.medfee_sumamt = b.medfee_sumamt.fen();
  rec.fund_pay_sumamt = b.fund_pay_sumamt.fen();
  rec.psn_part_amt = b.psn_part_amt.fen();
  rec.acct_pay = b.acct_pay.fen();
  rec.psn_cash_pay = b.psn_cash_pay.fen();
  rec.clr_type = ClearingType(v.med_type);
  rec.setl_time = c.setl_time;
  rec.bill_json = reply_output;
  for (size_t i = 0; i < s.deltas.size(); ++i)
    if (s.deltas[i] != 0) w.accumulators.push_back({b.policy->accounts()[i], s.deltas[i]});
  w.journal = JournalOfBill(b, v);
  w.msgid = c.msgid;
  w.infno = c.infno;
  w.reply_json = std::move(reply_output);
  return w;
}

LedgerWrite CancellationWrite(const SettlementRecord& original,
                              const std::vector<std::pair<std::string, int64_t>>& deltas,
                              const std::vector<JournalEntry>& journal, const SettlementContext& c,
                              std::string reply_output) {
  LedgerWrite w;
  w.fixmedins_code = c.fixmedins_code;
  SettlementRecord& rec = w.settlement.emplace(original);
  rec.cancels = original.setl_id;
  rec.setl_id = c.setl_id;
  rec.setl_time = c.setl_time;
  for (int64_t* m : {&rec.medfee_sumamt, &rec.fund_pay_sumamt, &rec.psn_part_amt, &rec.acct_pay,
                     &rec.psn_cash_pay})
    *m = -*m;
  rec.bill_json = reply_output;
  for (const auto& [account, delta] : deltas) w.accumulators.push_back({account, -delta});
  for (auto e : journal) {
    e.amount = -e.amount;
    w.journal.push_back(std::move(e));
  }
  w.msgid = c.msgid;
  w.infno = c.infno;
  w.reply_json = std::move(reply_output);
  return w;
}

}  // namespace yibao
