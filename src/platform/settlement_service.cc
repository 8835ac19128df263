#include "platform/settlement_service.h"

#include "interface/bill_json.h"
#include "interface/visit_json.h"
#include "platform/settlement_write.h"

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

}  // namespace

SettlementService::SettlementService(const Region& region, Ledger& ledger)
    : region_(region), ledger_(ledger) {}

std::string SettlementService::SettlementId(const std::string& fixmedins_code,
                                            const std::string& msgid) {
  // Unique because (institution, msgid) is, and it says where the settlement came from.
  return fixmedins_code + "-" + msgid;
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
  persons_.Run(key, [this, shared, fixmedins_code, msgid, done](std::function<void()> finished) {
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
    SettlementContext context{SettlementId(fixmedins_code, msgid), fixmedins_code, msgid, "2207",
                              ""};
    std::string bill_json;
    WriteBillJson(s, v, shared->accumulators, bill_json);
    // The reply carries the setl_id in front of the bill so that a HIS can cancel it later.
    std::string output = "{\"setl_id\":";
    AppendJsonString(output, context.setl_id);
    output += ",\"bill\":" + bill_json + "}";
    LedgerWrite w = SettlementWrite(s, v, context, output);
    std::string setl_id = context.setl_id;
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
  persons_.Run(key, [this, original = *original, fixmedins_code, msgid,
                     done](std::function<void()> finished) {
    SettlementContext context{SettlementId(fixmedins_code, msgid), fixmedins_code, msgid, "2208",
                              ""};
    std::string output = "{\"setl_id\":";
    AppendJsonString(output, context.setl_id);
    output += ",\"cancels\":";
    AppendJsonString(output, original.setl_id);
    output += "}";
    LedgerWrite w = CancellationWrite(original, ledger_.DeltasOf(original.setl_id),
                                      ledger_.JournalOf(original.setl_id), context, output);
    std::string new_id = context.setl_id;
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
