#include "platform/settlement_service.h"

#include "interface/bill_json.h"
#include "interface/visit_json.h"

namespace yibao {
namespace {

ServiceReply Error(std::string message) {
  ServiceReply r;
  r.err_msg = std::move(message);
  return r;
}

ServiceReply Error(const Diagnostics& errors) {
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "; ") + e.ToString();
  return Error(msg);
}

// Everything the engine needs, resolved from a visit JSON against the region and the ledger.
struct Prepared {
  PreparedVisit visit;
  std::string person_key;
};

std::string PersonKey(const Visit& v) {
  return v.person.psn_no + "|" + v.person.insutype + "|" + std::to_string(v.end.year());
}

// The balanced journal of a bill: each fund pays out, the personal account (and a family member's)
// pays, and the hospital is owed what the funds and accounts paid; cash is between patient and
// hospital and does not touch the books.
std::vector<JournalEntry> JournalOf(const Bill& bill, const Visit& visit) {
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

}  // namespace

SettlementService::SettlementService(const Region& region, Ledger& ledger)
    : region_(region), ledger_(ledger) {}

std::string SettlementService::SettlementId(const std::string& fixmedins_code,
                                            const std::string& msgid) {
  // Unique because (institution, msgid) is, and it says where the settlement came from.
  return fixmedins_code + "-" + msgid;
}

void SettlementService::RunInOrder(const std::string& key, Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, first] = waiting_.try_emplace(key);
    if (!first) {  // another task of this person is running: queue behind it
      it->second.push_back(std::move(task));
      return;
    }
  }
  task([this, key] { Finished(key); });
}

void SettlementService::Finished(const std::string& key) {
  Task next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(key);
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.erase(it->second.begin());
  }
  // A task that finishes at once (a refusal) would otherwise start the next one from inside itself,
  // and a long queue of refusals would recurse that deep: the outermost Finished on this thread
  // runs them one after another instead.
  thread_local bool draining = false;
  thread_local std::vector<std::pair<std::string, Task>> ready;
  ready.emplace_back(key, std::move(next));
  if (draining) return;
  draining = true;
  while (!ready.empty()) {
    auto [k, task] = std::move(ready.back());
    ready.pop_back();
    task([this, k = k] { Finished(k); });
  }
  draining = false;
}

ServiceReply SettlementService::PreSettle(const std::string& visit_json) {
  auto input = ParseVisitJson(visit_json);
  if (!input) return Error(input.errors());
  if (!input->accumulators.empty())
    return Error("accumulators: not accepted here; the ledger keeps each person's accumulators");
  auto prepared = PrepareVisit(std::move(*input), region_, region_);
  if (!prepared) return Error(prepared.errors());
  const Visit& v = prepared->visit;
  prepared->accumulators = prepared->policy->Accumulators(
      ledger_.Accumulators(v.person.psn_no, v.person.insutype, v.end.year()));
  Settlement s;
  Diagnostics errors;
  if (!yibao::Settle(v, *prepared->catalogue, *prepared->policy, prepared->accumulators, &s,
                     &errors))
    return Error(errors);
  ServiceReply r;
  r.ok = true;
  WriteBillJson(s, v, prepared->accumulators, r.output_json);
  return r;
}

void SettlementService::Settle(const std::string& fixmedins_code, const std::string& msgid,
                               const std::string& visit_json,
                               std::function<void(ServiceReply)> done) {
  if (auto stored = ledger_.FindReply(fixmedins_code, msgid)) {
    ServiceReply r;
    r.ok = r.replayed = true;
    r.output_json = *stored;
    return done(r);
  }
  auto input = ParseVisitJson(visit_json);
  if (!input) return done(Error(input.errors()));
  if (!input->accumulators.empty())
    return done(
        Error("accumulators: not accepted here; the ledger keeps each person's accumulators"));
  if (input->visit.institution != fixmedins_code)
    return done(
        Error("fixmedins_code: the visit belongs to institution " + input->visit.institution));
  auto prepared = PrepareVisit(std::move(*input), region_, region_);
  if (!prepared) return done(Error(prepared.errors()));
  auto shared = std::make_shared<PreparedVisit>(std::move(*prepared));
  const std::string key = PersonKey(shared->visit);
  RunInOrder(key, [this, shared, fixmedins_code, msgid, done](std::function<void()> finished) {
    const Visit& v = shared->visit;
    auto fail = [&](ServiceReply r) {
      finished();
      done(std::move(r));
    };
    if (auto live = ledger_.LiveSettlementOfVisit(fixmedins_code, v.visit_id))
      return fail(
          Error("mdtrt_id: visit " + v.visit_id + " is already settled as " + live->setl_id));
    // The person's year as it stands after every earlier operation of this person.
    shared->accumulators = shared->policy->Accumulators(
        ledger_.Accumulators(v.person.psn_no, v.person.insutype, v.end.year()));
    Settlement s;
    Diagnostics errors;
    if (!yibao::Settle(v, *shared->catalogue, *shared->policy, shared->accumulators, &s, &errors))
      return fail(Error(errors));
    const Bill& b = s.bill;
    LedgerWrite w;
    w.fixmedins_code = fixmedins_code;
    SettlementRecord rec;
    rec.setl_id = SettlementId(fixmedins_code, msgid);
    rec.mdtrt_id = v.visit_id;
    rec.psn_no = v.person.psn_no;
    rec.fixmedins_code = fixmedins_code;
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
    std::string bill_json;
    WriteBillJson(s, v, shared->accumulators, bill_json);
    // The reply carries the setl_id in front of the bill so that a HIS can cancel it later.
    std::string output = "{\"setl_id\":";
    AppendJsonString(output, rec.setl_id);
    output += ",\"bill\":" + bill_json + "}";
    rec.bill_json = output;
    w.settlement = rec;
    for (size_t i = 0; i < s.deltas.size(); ++i)
      if (s.deltas[i] != 0) w.accumulators.push_back({shared->policy->accounts()[i], s.deltas[i]});
    w.journal = JournalOf(b, v);
    w.msgid = msgid;
    w.infno = "2207";
    w.reply_json = output;
    std::string setl_id = rec.setl_id;
    ledger_.Submit(std::move(w), [this, fixmedins_code, msgid, setl_id, output, done,
                                  finished](WriteStatus status) {
      ServiceReply r;
      if (status == WriteStatus::kDurable) {
        r.ok = true;
        r.output_json = output;
        r.setl_id = setl_id;
      } else if (status == WriteStatus::kDuplicateMsgid) {
        // The same msgid won a race with this one: answer as it was answered.
        r.ok = r.replayed = true;
        r.output_json = ledger_.FindReply(fixmedins_code, msgid).value_or("");
      } else {
        r = Error(std::string("ledger: ") + WriteStatusName(status));
      }
      finished();
      done(std::move(r));
    });
  });
}

void SettlementService::Cancel(const std::string& fixmedins_code, const std::string& msgid,
                               const std::string& setl_id, std::function<void(ServiceReply)> done) {
  if (auto stored = ledger_.FindReply(fixmedins_code, msgid)) {
    ServiceReply r;
    r.ok = r.replayed = true;
    r.output_json = *stored;
    return done(r);
  }
  auto original = ledger_.FindSettlement(setl_id);
  // Another institution's settlement is reported exactly like a missing one: nothing leaks.
  if (!original || original->fixmedins_code != fixmedins_code)
    return done(Error("setl_id: no settlement " + setl_id + " of institution " + fixmedins_code));
  if (!original->cancels.empty())
    return done(Error("setl_id: " + setl_id + " is itself a cancellation"));
  const std::string key =
      original->psn_no + "|" + original->insutype + "|" + std::to_string(original->year);
  RunInOrder(key, [this, original = *original, fixmedins_code, msgid,
                   done](std::function<void()> finished) {
    LedgerWrite w;
    w.fixmedins_code = fixmedins_code;
    SettlementRecord rec = original;
    rec.cancels = original.setl_id;
    rec.setl_id = SettlementId(fixmedins_code, msgid);
    for (int64_t* m : {&rec.medfee_sumamt, &rec.fund_pay_sumamt, &rec.psn_part_amt, &rec.acct_pay,
                       &rec.psn_cash_pay})
      *m = -*m;
    std::string output = "{\"setl_id\":";
    AppendJsonString(output, rec.setl_id);
    output += ",\"cancels\":";
    AppendJsonString(output, original.setl_id);
    output += "}";
    rec.bill_json = output;
    w.settlement = rec;
    for (const auto& [account, delta] : ledger_.DeltasOf(original.setl_id))
      w.accumulators.push_back({account, -delta});
    for (auto e : ledger_.JournalOf(original.setl_id)) {
      e.amount = -e.amount;
      w.journal.push_back(std::move(e));
    }
    w.msgid = msgid;
    w.infno = "2208";
    w.reply_json = output;
    std::string new_id = rec.setl_id;
    ledger_.Submit(std::move(w), [this, fixmedins_code, msgid, new_id, output, done,
                                  finished](WriteStatus status) {
      ServiceReply r;
      if (status == WriteStatus::kDurable) {
        r.ok = true;
        r.output_json = output;
        r.setl_id = new_id;
      } else if (status == WriteStatus::kDuplicateMsgid) {
        r.ok = r.replayed = true;
        r.output_json = ledger_.FindReply(fixmedins_code, msgid).value_or("");
      } else if (status == WriteStatus::kDuplicateVisit) {
        r = Error("setl_id: already cancelled");
      } else {
        r = Error(std::string("ledger: ") + WriteStatusName(status));
      }
      finished();
      done(std::move(r));
    });
  });
}

}  // namespace yibao
