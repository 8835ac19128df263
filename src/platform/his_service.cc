// The gate (sign-in, signature, msgid replay), sign-in/out, person info, reconciliation and query.
// Visits and fee lines: his_visits.cc; settlement: his_settlement.cc.
#include "platform/his_service.h"

#include <random>

#include "crypto/envelope_signature.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "interface/json_writer.h"
#include "interface/transaction_input.h"
#include "platform/his_common.h"

namespace yibao {

HisService::HisService(RegionHolder& region, Ledger& ledger, const Clock& clock, HisOptions options)
    : region_(region),
      ledger_(ledger),
      clock_(clock),
      options_(options),
      history_encounters_(options.history_encounters) {}

HisService::~HisService() = default;

void HisService::Register(Dispatcher& d) {
  auto bind = [this](void (HisService::*f)(const Envelope&, Reply)) {
    return [this, f](const Envelope& env, Reply reply) { (this->*f)(env, std::move(reply)); };
  };
  const std::pair<const char*, void (HisService::*)(const Envelope&, Reply)> table[] = {
      {"9001", &HisService::SignIn},
      {"9002", &HisService::SignOut},
      {"1101", &HisService::PersonInfo},
      {"2201", &HisService::RegisterOutpatient},
      {"2203", &HisService::UploadVisitInfo},
      {"2204", &HisService::UploadFees},
      {"2205", &HisService::CancelFeesByBatch},
      {"2206", &HisService::PreSettle},
      {"2207", &HisService::Settle},
      {"2208", &HisService::CancelSettlement},
      {"2401", &HisService::Admit},
      {"2301", &HisService::UploadFees},
      {"2302", &HisService::CancelFeesByLine},
      {"2402", &HisService::Discharge},
      {"2303", &HisService::PreSettle},
      {"2304", &HisService::Settle},
      {"2305", &HisService::CancelSettlement},
      {"3101", &HisService::Review},
      {"3102", &HisService::Review},
      {"3201", &HisService::Reconcile},
      {"5203", &HisService::QuerySettlement},
  };
  for (const auto& [infno, f] : table) (void)d.Register(infno, bind(f));
}

std::string PlatformId(const std::string& fixmedins_code, const std::string& msgid) {
  // A msgid that starts with the institution's code (the national convention) is unique across
  // institutions already; any other is made so by the code and a digest of it. ≤ 30 characters.
  if (msgid.size() <= 30 && msgid.compare(0, fixmedins_code.size(), fixmedins_code) == 0)
    return msgid;
  const std::string digest = Hex(Sm3(msgid));
  return fixmedins_code + digest.substr(0, 30 - std::min<size_t>(fixmedins_code.size(), 29));
}

std::string HisService::Now() const { return FormatTime(clock_.Now()); }

std::optional<HisService::LiveSignIn> HisService::ReadSignIn(const std::string& sign_no,
                                                             std::string* why) {
  auto s = ledger_.FindSignIn(sign_no);
  if (!s || s->signed_out) return std::nullopt;
  auto inst = ledger_.FindInstitution(s->fixmedins_code);
  if (!inst || !inst->active) {
    *why = "sign_no: institution " + s->fixmedins_code + " is not active";
    return std::nullopt;
  }
  auto at = ParseTime(s->sign_time);
  if (!at) return std::nullopt;  // a sign-in the platform did not write
  return LiveSignIn{s->fixmedins_code, *at, clock_.Now()};
}

std::string HisService::Admission(const Envelope& env) {
  std::string refused =
      "sign_no: not a live sign-in of institution " + env.fixmedins_code + "; sign in (9001)";
  if (env.sign_no.empty()) return "sign_no: required; sign in first (9001)";
  const auto now = clock_.Now();
  std::optional<LiveSignIn> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sign_ins_.find(env.sign_no);
    if (it != sign_ins_.end() && now - it->second.checked < options_.sign_in_recheck)
      live = it->second;
  }
  if (!live) {
    live = ReadSignIn(env.sign_no, &refused);
    std::lock_guard<std::mutex> lock(mu_);
    if (live)
      sign_ins_[env.sign_no] = *live;
    else
      sign_ins_.erase(env.sign_no);
  }
  if (!live || live->fixmedins_code != env.fixmedins_code) return refused;
  if (options_.sign_in_lifetime.count() > 0 && now - live->signed_in >= options_.sign_in_lifetime)
    return "sign_no: the sign-in of " + FormatTime(live->signed_in) + " has expired (good for " +
           std::to_string(options_.sign_in_lifetime.count() / 3600) + " h); sign in again (9001)";
  return options_.require_signature ? CheckSignature(env) : std::string();
}

std::string HisService::CheckSignature(const Envelope& env) {
  if (env.signtype != "SM2") return "signtype: this region requires SM2-signed messages";
  if (env.sign.empty()) return "sign: required (SM2 signature, docs/formats/signature.md)";
  auto inst = ledger_.FindInstitution(env.fixmedins_code);
  if (!inst || inst->sm2_public_key.empty())
    return "sign: institution " + env.fixmedins_code + " has no registered SM2 key";
  std::shared_ptr<const Sm2PublicKey> key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = keys_.find(inst->sm2_public_key);
    if (it != keys_.end()) key = it->second;
  }
  if (!key) {
    auto parsed = Sm2PublicKey::FromHex(inst->sm2_public_key);
    if (!parsed) return "sign: the registered key of " + env.fixmedins_code + " is unusable";
    key = std::make_shared<const Sm2PublicKey>(std::move(*parsed));
    std::lock_guard<std::mutex> lock(mu_);
    keys_[inst->sm2_public_key] = key;
  }
  const std::string canonical = CanonicalSigningString(env.signed_fields, env.input_json);
  if (!VerifyEnvelope(*key, canonical, env.sign))
    return "sign: does not verify with the registered key of " + env.fixmedins_code;
  return {};
}

namespace {

// What a message whose (fixmedins_code, msgid) is in the ledger gets: a retry, the reply it missed;
// the same msgid on another transaction is a HIS error.
std::optional<TransactionResult> StoredReplyOf(Ledger& ledger, const std::string& fixmedins_code,
                                               const std::string& msgid, const std::string& infno) {
  std::string stored_infno;
  auto stored = ledger.FindReply(fixmedins_code, msgid, &stored_infno);
  if (!stored) return std::nullopt;
  if (stored_infno != infno)
    return TransactionResult::Fail("msgid: " + msgid + " was already used for transaction " +
                                   stored_infno + "; every message needs its own msgid");
  return TransactionResult::Ok(std::move(*stored));
}

}  // namespace

bool HisService::Replayed(const Envelope& env, Reply& reply) {
  auto r = StoredReplyOf(ledger_, env.fixmedins_code, env.msgid, env.infno);
  if (!r) return false;
  reply(std::move(*r));
  return true;
}

void HisService::Commit(LedgerWrite write, std::string output, Reply reply,
                        std::function<void()> finished, std::function<void()> on_durable) {
  std::string fixmedins_code = write.fixmedins_code, msgid = write.msgid, infno = write.infno;
  write.reply_json = output;  // what a replay of this msgid gets
  ledger_.Submit(std::move(write), [this, fixmedins_code, msgid, infno, output = std::move(output),
                                    reply, finished, on_durable](WriteStatus status) {
    TransactionResult r;
    switch (status) {
      case WriteStatus::kDurable:
        if (on_durable) on_durable();
        r = TransactionResult::Ok(output);
        break;
      case WriteStatus::kDuplicateMsgid: {  // the same msgid won a race: answer as it was answered
        auto stored = StoredReplyOf(ledger_, fixmedins_code, msgid, infno);
        r = stored
                ? std::move(*stored)
                : TransactionResult::Fail("msgid: " + msgid +
                                          " was already used; every message needs its own msgid");
        break;
      }
      case WriteStatus::kDuplicateVisit:
        r = TransactionResult::Fail(
            "mdtrt_id: the visit already has a live settlement, or it is already cancelled, or "
            "a visit with this id exists already");
        break;
      case WriteStatus::kDuplicateFeeLine:
        r = TransactionResult::Fail("feedetl_sn: already uploaded for this visit");
        break;
      case WriteStatus::kNotFound:
        r = TransactionResult::Fail("feedetl_sn: no live fee line to cancel");
        break;
      default:
        r = TransactionResult::Fail(std::string("ledger: ") + WriteStatusName(status) +
                                    "; nothing was kept — retry with the same msgid");
    }
    if (finished) finished();
    reply(std::move(r));
  });
}

// ---- 9001 / 9002 -------------------------------------------------------------------------------

void HisService::SignIn(const Envelope& env, Reply reply) {
  if (Replayed(env, reply)) return;
  auto input = ParseSignInInput(env.input_json);
  if (!input) return reply(FailWith(input.errors()));
  auto inst = ledger_.FindInstitution(env.fixmedins_code);
  // One answer for an unknown institution and a wrong credential: nothing to probe.
  if (!inst || !inst->active || inst->credential_sm3.empty() ||
      Hex(Sm3(input->credential)) != inst->credential_sm3)
    return reply(TransactionResult::Fail("signIn.credential: sign-in refused for institution " +
                                         env.fixmedins_code));
  if (options_.require_signature)
    if (auto e = CheckSignature(env); !e.empty()) return reply(TransactionResult::Fail(e));

  // 24 hex digits from the OS's random source: a sign_no cannot be guessed.
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sign_no;
  for (int i = 0; i < 3; ++i) {
    uint64_t x = (uint64_t(rd()) << 32) | rd();
    for (int j = 0; j < 8; ++j, x >>= 4) sign_no.push_back(kHex[x & 15]);
  }
  const auto signed_in = clock_.Now();
  const std::string now = FormatTime(signed_in);
  LedgerWrite w;
  w.fixmedins_code = env.fixmedins_code;
  w.sign_in = SignInRecord{sign_no, env.fixmedins_code, input->opter_no, now, false};
  w.msgid = env.msgid;
  w.infno = env.infno;
  w.audit_operator = "his:" + env.fixmedins_code + ":" + input->opter_no;
  w.audit_action = "9001 sign-in";
  std::string output;
  JsonWriter j(output);
  j.Open('{');
  j.Key("signinoutb");
  j.Open('{');
  j.Str("sign_time", now);
  j.Str("sign_no", sign_no);
  j.Close('}');
  j.Close('}');
  std::string fixmedins_code = env.fixmedins_code;
  // Cached only once durable: a sign_no the ledger does not hold must not open the gate.
  // The time is kept as written (whole seconds), so the cache and the ledger agree on expiry.
  const auto kept = ParseTime(now).value_or(signed_in);
  Commit(std::move(w), std::move(output), std::move(reply), {},
         [this, sign_no, fixmedins_code, kept] {
           std::lock_guard<std::mutex> lock(mu_);
           sign_ins_[sign_no] = LiveSignIn{fixmedins_code, kept, clock_.Now()};
         });
}

void HisService::SignOut(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  if (Replayed(env, reply)) return;
  auto input = ParseSignOutInput(env.input_json);
  if (!input) return reply(FailWith(input.errors()));
  auto s = ledger_.FindSignIn(input->sign_no);
  if (!s || s->signed_out || s->fixmedins_code != env.fixmedins_code)
    return reply(TransactionResult::Fail("signOut.sign_no: not a live sign-in of institution " +
                                         env.fixmedins_code));
  {
    std::lock_guard<std::mutex> lock(mu_);
    sign_ins_.erase(input->sign_no);
  }
  s->signed_out = true;
  const std::string now = Now();
  LedgerWrite w;
  w.fixmedins_code = env.fixmedins_code;
  w.sign_in = *s;
  w.msgid = env.msgid;
  w.infno = env.infno;
  w.audit_operator = "his:" + env.fixmedins_code + ":" + s->opter_no;
  w.audit_action = "9002 sign-out";
  std::string output;
  JsonWriter j(output);
  j.Open('{');
  j.Key("signoutoutb");
  j.Open('{');
  j.Str("sign_time", now);
  j.Close('}');
  j.Close('}');
  Commit(std::move(w), std::move(output), std::move(reply));
}

// ---- 1101 --------------------------------------------------------------------------------------

void HisService::PersonInfo(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  auto input = ParsePersonQueryInput(env.input_json);
  if (!input) return reply(FailWith(input.errors()));
  std::optional<PersonRecord> person;
  if (!input->psn_no.empty()) {
    person = ledger_.FindPerson(input->psn_no);
  } else if (!input->certno.empty()) {
    person = ledger_.FindPersonByCert(input->psn_cert_type.empty() ? "01" : input->psn_cert_type,
                                      input->certno);
  } else if (input->mdtrt_cert_type == "02" || input->mdtrt_cert_type == "03") {
    // 居民身份证 and 社会保障卡 both identify the person by the ID number.
    person = ledger_.FindPersonByCert("01", input->mdtrt_cert_no);
  } else {
    return reply(TransactionResult::Fail(
        "data.mdtrt_cert_type: " + input->mdtrt_cert_type +
        " is not supported here (01 电子凭证 needs the national e-voucher service); "
        "use 02 or 03 with the ID number, or psn_no"));
  }
  if (!person) return reply(TransactionResult::Fail("data: no such insured person"));
  if (!input->psn_name.empty() && input->psn_name != person->psn_name)
    return reply(TransactionResult::Fail("data.psn_name: does not match the register"));
  const std::string on =
      input->begntime.empty() ? Now().substr(0, 10) : input->begntime.substr(0, 10);
  const Money balance = Money::Fen(ledger_.AccountBalance("acct:" + person->psn_no));

  std::string out;
  JsonWriter j(out);
  j.Open('{');
  j.Key("baseinfo");
  j.Open('{');
  j.Str("psn_no", person->psn_no);
  j.Str("psn_cert_type", person->psn_cert_type);
  j.Str("certno", person->certno);
  j.Str("psn_name", person->psn_name);
  j.Str("gend", person->gend);
  j.Str("naty", person->naty);
  j.Str("brdy", person->brdy);
  j.Raw("age", std::to_string(AgeOn(person->brdy, on)));
  j.Close('}');
  j.Key("insuinfo");
  j.Open('[');
  for (const auto& i : person->insurances) {
    j.Open('{');
    j.Num("balc", balance.is_negative() ? Money::Zero() : balance);
    j.Str("insutype", i.insutype);
    j.Str("psn_type", i.psn_type);
    j.Str("psn_insu_stas", i.psn_insu_stas);
    j.Str("psn_insu_date", i.psn_insu_date);
    j.Str("paus_insu_date", i.paus_insu_date);
    j.Str("cvlserv_flag", i.cvlserv_flag.empty() ? "0" : i.cvlserv_flag);
    j.Str("insuplc_admdvs", i.insuplc_admdvs);
    std::string emp_name;
    if (!i.emp_no.empty())
      if (auto e = ledger_.FindEmployer(i.emp_no)) emp_name = e->emp_name;
    j.Str("emp_name", emp_name);
    j.Close('}');
  }
  j.Close(']');
  j.Key("idetinfo");
  j.Open('[');
  for (const auto& id : person->identities) {
    j.Open('{');
    j.Str("psn_idet_type", id.psn_idet_type);
    j.Str("begntime", id.begntime);
    j.Str("endtime", id.endtime);
    j.Close('}');
  }
  j.Close(']');
  j.Close('}');
  reply(TransactionResult::Ok(std::move(out)));
}

// ---- 3201 / 5203 -------------------------------------------------------------------------------

void HisService::Reconcile(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  auto input = ParseReconciliationInput(env.input_json);
  if (!input) return reply(FailWith(input.errors()));
  ReconciliationTotals t = ledger_.Reconcile(env.fixmedins_code, input->insutype, input->clr_type,
                                             input->stmt_begndate, input->stmt_enddate);
  std::string diff;
  auto compare = [&](const char* field, Money theirs, int64_t ours) {
    if (theirs.fen() != ours)
      diff += std::string(diff.empty() ? "" : "; ") + field + " " + theirs.ToString() +
              " ≠ platform " + Money::Fen(ours).ToString();
  };
  compare("medfee_sumamt", input->medfee_sumamt, t.medfee_sumamt);
  compare("fund_pay_sumamt", input->fund_pay_sumamt, t.fund_pay_sumamt);
  compare("acct_pay", input->acct_pay, t.acct_pay);
  if (input->fixmedins_setl_cnt != t.count)
    diff += std::string(diff.empty() ? "" : "; ") + "fixmedins_setl_cnt " +
            std::to_string(input->fixmedins_setl_cnt) + " ≠ platform " + std::to_string(t.count);
  std::string out;
  JsonWriter j(out);
  j.Open('{');
  j.Key("stmtinfo");
  j.Open('{');
  j.Str("setl_optins", input->setl_optins.empty() ? region_.Current()->admdvs : input->setl_optins);
  j.Str("stmt_rslt", diff.empty() ? "0" : "1");
  j.Str("stmt_rslt_dscr", diff.empty() ? "平" : "不平: " + diff);
  j.Close('}');
  j.Close('}');
  reply(TransactionResult::Ok(std::move(out)));
}

void HisService::QuerySettlement(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  auto input = ParseSettlementRefInput(env.input_json);
  if (!input) return reply(FailWith(input.errors()));
  auto s = ledger_.FindSettlement(input->setl_id);
  // Another institution's settlement is reported exactly like a missing one.
  if (!s || s->fixmedins_code != env.fixmedins_code || s->psn_no != input->psn_no ||
      (!input->mdtrt_id.empty() && s->mdtrt_id != input->mdtrt_id))
    return reply(TransactionResult::Fail("data.setl_id: no settlement " + input->setl_id +
                                         " of this person at institution " + env.fixmedins_code));
  reply(TransactionResult::Ok(s->bill_json));
}

}  // namespace yibao
