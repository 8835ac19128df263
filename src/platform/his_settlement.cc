// Settlement of the national flow: 2206 / 2303 pre-settle, 2207 / 2304 settle, 2208 / 2305 cancel.
#include "interface/bill_json.h"
#include "interface/json_writer.h"
#include "interface/transaction_input.h"
#include "platform/his_common.h"
#include "platform/his_service.h"
#include "platform/settlement_write.h"
#include "platform/visit_assembly.h"

namespace yibao {

// Everything a (pre-)settlement needs from the ledger, checked against the request.
struct SettleState {
  std::optional<VisitRecord> visit;
  SharedFeeLines all_lines;                 // the visit's, as the ledger shares them
  std::vector<const FeeLineRecord*> lines;  // those settled: live, of the batch asked for
};

// A (pre-)settlement as the ledger's reads make it: the visit priced, and reviewed when the
// service reviews settlements.
struct SettlementPlan {
  SettleState state;
  std::shared_ptr<PricedVisit> priced;
  std::optional<SettlementReview> review;
};

namespace {

bool IsInpatientInfno(std::string_view infno) { return infno[1] == '3'; }  // 23xx

std::string LoadForSettlement(Ledger& ledger, const std::string& fixmedins_code,
                              const SettleInput& in, bool inpatient, SettleState& s) {
  s.visit = ledger.FindVisit(fixmedins_code, in.mdtrt_id);
  if (!s.visit || s.visit->psn_no != in.psn_no || s.visit->status == "cancelled")
    return "data.mdtrt_id: no visit " + in.mdtrt_id + " of person " + in.psn_no +
           " at institution " + fixmedins_code;
  const VisitRecord& v = *s.visit;
  if (v.insutype != in.insutype)
    return "data.insutype: the visit is registered under " + v.insutype;
  if (inpatient) {
    if (v.status == "admitted")
      return "data.mdtrt_id: " + in.mdtrt_id + " is not discharged yet (2402 first)";
    if (v.status != "discharged")
      return "data.mdtrt_id: " + in.mdtrt_id + " is an outpatient visit: settle with 2207";
    if (in.mid_setl_flag == "1") return "data.mid_setl_flag: 中途结算 is not supported";
  } else if (v.status != "registered") {
    return "data.mdtrt_id: " + in.mdtrt_id + " is an admission: settle with 2304";
  }
  if (!in.psn_setlway.empty() && in.psn_setlway != "01")
    return "data.psn_setlway: only 01 (按项目结算) is supported";
  int64_t total = 0;
  s.all_lines = ledger.FeeLinesOf(fixmedins_code, in.mdtrt_id);
  for (const FeeLineRecord& l : *s.all_lines) {
    if (l.cancelled) continue;
    if (!inpatient && !in.chrg_bchno.empty() && in.chrg_bchno != "0000" &&
        l.chrg_bchno != in.chrg_bchno)
      continue;
    total += l.det_item_fee_sumamt;
    s.lines.push_back(&l);
  }
  if (s.lines.empty()) return "data.mdtrt_id: no live fee lines to settle (2204 / 2301 first)";
  if (total != in.medfee_sumamt.fen())
    return "data.medfee_sumamt: " + in.medfee_sumamt.ToString() +
           " does not equal the uploaded fee lines' total " + Money::Fen(total).ToString();
  return {};
}

std::string EndDate(const VisitRecord& v, bool inpatient) {
  return inpatient ? v.endtime.substr(0, 10) : v.begntime.substr(0, 10);
}

}  // namespace

std::string HisService::PlanSettlement(const std::string& fixmedins_code, const SettleInput& in,
                                       bool inpatient, bool settling, SettlementPlan& plan) {
  if (!inpatient && in.med_type.empty()) return "data.med_type: required";
  // All of it read in one snapshot, ended when this returns: an open read transaction holds back
  // the ledger's checkpoints, so it does not stay open while the bill is written and submitted.
  auto reads = ledger_.ReadTogether();
  SettleState& s = plan.state;
  if (auto e = LoadForSettlement(ledger_, fixmedins_code, in, inpatient, s); !e.empty()) return e;
  if (settling)
    if (auto live = ledger_.LiveSettlementOfVisit(fixmedins_code, in.mdtrt_id))
      return "data.mdtrt_id: visit " + in.mdtrt_id + " is already settled as " + live->setl_id;
  auto priced = PriceVisit(ledger_, region_.Current(), *s.visit, s.lines, in.med_type,
                           EndDate(*s.visit, inpatient), in.acct_used_flag);
  if (!priced) return FailWith(priced.errors()).err_msg;
  plan.priced = std::move(*priced);
  if (ReviewsSettlements()) {
    auto review = ReviewAtSettlement(ledger_, *options_.review, *plan.priced, *s.visit, s.lines,
                                     &history_encounters_);
    if (!review) return FailWith(review.errors()).err_msg;
    plan.review = std::move(*review);
  }
  return {};
}

void HisService::PreSettle(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  auto in = ParseSettleInput(env.input_json);
  if (!in) return reply(FailWith(in.errors()));
  SettlementPlan plan;
  if (auto e = PlanSettlement(env.fixmedins_code, *in, IsInpatientInfno(env.infno), false, plan);
      !e.empty())
    return reply(TransactionResult::Fail(e));
  const PricedVisit& p = *plan.priced;
  std::string out;
  WriteBillJson(p.settlement, p.prepared.visit, p.prepared.accumulators, out);
  // What settlement's review would say, refusals included, so the HIS can mend lines first.
  if (plan.review) AppendReviewResult(*options_.review, *plan.review, out);
  reply(TransactionResult::Ok(std::move(out)));
}

void HisService::Settle(const Envelope& env, Reply reply) {
  const bool inpatient = IsInpatientInfno(env.infno);
  PersonWrite(
      env, std::move(reply), ParseSettleInput, [](const SettleInput& in) { return in.psn_no; },
      [this, inpatient](const SettleInput& in, const Call& c) {
        // Read after every earlier operation of this person is durable: the year as it stands.
        SettlementPlan plan;
        if (auto e = PlanSettlement(c.fixmedins_code, in, inpatient, true, plan); !e.empty())
          return c.Fail(e);
        const PricedVisit& p = *plan.priced;
        const auto& review = plan.review;
        if (review && review->refuses &&
            options_.settlement_review == SettlementReviewMode::kEnforce) {
          std::string findings = "{}";
          AppendReviewResult(*options_.review, *review, findings);
          c.finished();
          return c.reply(TransactionResult{-1, RefusalMessage(*options_.review, *review),
                                           std::move(findings)});
        }
        SettlementContext context{PlatformId(c.fixmedins_code, c.msgid), c.fixmedins_code, c.msgid,
                                  c.infno, Now()};
        std::string out;
        WriteBillJson(p.settlement, p.prepared.visit, p.prepared.accumulators, context.setl_id,
                      out);
        if (review) AppendReviewResult(*options_.review, *review, out);
        LedgerWrite w = SettlementWrite(p.settlement, p.prepared.visit, context, out);
        Commit(std::move(w), std::move(out), c.reply, c.finished);
      });
}

void HisService::CancelSettlement(const Envelope& env, Reply reply) {
  const bool inpatient = IsInpatientInfno(env.infno);
  PersonWrite(
      env, std::move(reply), ParseSettlementRefInput,
      [](const SettlementRefInput& in) { return in.psn_no; },
      [this, inpatient](const SettlementRefInput& in, const Call& c) {
        if (in.mdtrt_id.empty()) return c.Fail("data.mdtrt_id: required");
        auto original = ledger_.FindSettlement(in.setl_id);
        // Another institution's settlement is reported exactly like a missing one: nothing leaks.
        if (!original || original->fixmedins_code != c.fixmedins_code ||
            original->psn_no != in.psn_no || original->mdtrt_id != in.mdtrt_id)
          return c.Fail("data.setl_id: no settlement " + in.setl_id + " of visit " + in.mdtrt_id +
                        " at institution " + c.fixmedins_code);
        if (!original->cancels.empty())
          return c.Fail("data.setl_id: " + in.setl_id + " is itself a cancellation");
        if (inpatient != (original->clr_type == "21"))
          return c.Fail(
              std::string("data.setl_id: settled as ") +
              (inpatient ? "outpatient: cancel with 2208" : "inpatient: cancel with 2305"));
        SettlementContext context{PlatformId(c.fixmedins_code, c.msgid), c.fixmedins_code, c.msgid,
                                  c.infno, Now()};
        std::string out;
        JsonWriter j(out);
        j.Open('{');
        j.Key("setlinfo");
        j.Open('{');
        j.Str("setl_id", context.setl_id);
        j.Str("init_setl_id", original->setl_id);
        j.Str("mdtrt_id", original->mdtrt_id);
        j.Str("psn_no", original->psn_no);
        j.Num("medfee_sumamt", Money::Fen(-original->medfee_sumamt));
        j.Num("fund_pay_sumamt", Money::Fen(-original->fund_pay_sumamt));
        j.Num("psn_part_amt", Money::Fen(-original->psn_part_amt));
        j.Num("acct_pay", Money::Fen(-original->acct_pay));
        j.Num("psn_cash_pay", Money::Fen(-original->psn_cash_pay));
        j.Str("setl_time", context.setl_time);
        j.Close('}');
        j.Close('}');
        LedgerWrite w = CancellationWrite(*original, ledger_.DeltasOf(original->setl_id),
                                          ledger_.JournalOf(original->setl_id), context, out);
        Commit(std::move(w), std::move(out), c.reply, c.finished);
      });
}

}  // namespace yibao
