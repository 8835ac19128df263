// The national hospital interface (DOMAIN.md §11): the transactions a HIS written for the national
// platform calls, over the ledger. docs/formats/transactions.md lists their fields.
//
//   9001 签到 / 9002 签退          sign_no issued against the institution's credential
//   1101 人员信息获取              the register's person, insurances, identities, account balance
//   2201 门诊挂号 · 2203 就诊信息   an outpatient visit (mdtrt_id issued here)
//   2204 费用明细上传 · 2205 撤销   fee lines, each classified at once (甲乙丙, 先行自付, 限价)
//   2206 预结算 · 2207 结算 · 2208 结算撤销
//   2401 入院 · 2301 费用上传 · 2302 撤销 · 2402 出院
//   2303 预结算 · 2304 结算 · 2305 结算撤销
//   3101 事前 · 3102 事中 审核       the rule base over the encounters sent (his_review.cc)
//   3201 对总账 · 5203 结算信息查询
//
// Every call but 9001 must carry the sign_no of a live sign-in of the same institution (not signed
// out, not older than the sign-in lifetime, the institution still active); with
// `require_signature` every call must carry an SM2 signature (docs/formats/signature.md) that
// verifies with the institution's registered key. An institution sees and changes only its own
// visits and settlements: another's is reported exactly as a missing one.
//
// Writes (registrations, fee lines, settlements, cancellations, sign-ins) are idempotent by
// (fixmedins_code, msgid): the stored reply is returned and nothing else happens. Everything that
// touches one person runs in that person's order (PersonQueue), and each reply leaves only when its
// ledger write is durable. Bad input answers infcode −1 with the field named and changes nothing.
//
// Thread safety: handlers run on the server's I/O threads and never wait on disk: ledger writes
// are submitted and the reply is sent from their callback. Reads are the ledger's (short,
// indexed).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "ledger/ledger.h"
#include "platform/his_common.h"
#include "platform/history_encounters.h"
#include "platform/person_queue.h"
#include "platform/region_holder.h"
#include "platform/review_base.h"
#include "platform/settlement_review.h"
#include "platform/visit_assembly.h"
#include "server/clock.h"
#include "server/dispatch.h"

namespace yibao {

class Sm2PublicKey;
struct PreparedVisit;
struct SettleInput;
struct SettlementPlan;

struct HisOptions {
  bool require_signature = false;
  // A sign-in (9001) is good for this long, then the HIS signs in again; zero: until 9002.
  std::chrono::seconds sign_in_lifetime = std::chrono::hours(24);
  // How long the gate trusts its cached view of a sign-in before reading the ledger again, so a
  // sign-out by another server process or a deactivated institution closes the gate within it.
  std::chrono::seconds sign_in_recheck = std::chrono::seconds(30);
  // The rule base of 3101/3102 (review_base.h); null: those transactions are refused.
  std::shared_ptr<const ReviewBase> review;
  // 事中 review inside 2206/2207 and 2303/2304 with that rule base (settlement_review.h).
  SettlementReviewMode settlement_review = SettlementReviewMode::kEnforce;
  // That review's encounters of history visits kept for the person's next settlement, in weight
  // (an encounter and each of its orders count 1; history_encounters.h).
  size_t history_encounters = 800'000;
};

class HisService {
 public:
  // All must outlive the service.
  HisService(RegionHolder& region, Ledger& ledger, const Clock& clock, HisOptions options = {});
  ~HisService();

  // Registers every transaction above.
  void Register(Dispatcher& dispatcher);

  // The transactions, callable directly (tests); each answers through `reply` exactly once.
  void SignIn(const Envelope& env, Reply reply);
  void SignOut(const Envelope& env, Reply reply);
  void PersonInfo(const Envelope& env, Reply reply);
  void RegisterOutpatient(const Envelope& env, Reply reply);
  void UploadVisitInfo(const Envelope& env, Reply reply);
  void UploadFees(const Envelope& env, Reply reply);         // 2204 and 2301
  void CancelFeesByBatch(const Envelope& env, Reply reply);  // 2205
  void CancelFeesByLine(const Envelope& env, Reply reply);   // 2302
  void Admit(const Envelope& env, Reply reply);              // 2401
  void Discharge(const Envelope& env, Reply reply);          // 2402
  void PreSettle(const Envelope& env, Reply reply);          // 2206 and 2303
  void Settle(const Envelope& env, Reply reply);             // 2207 and 2304
  void Review(const Envelope& env, Reply reply);             // 3101 事前 and 3102 事中
  void CancelSettlement(const Envelope& env, Reply reply);   // 2208 and 2305
  void Reconcile(const Envelope& env, Reply reply);          // 3201
  void QuerySettlement(const Envelope& env, Reply reply);    // 5203

 private:
  // The reads of a (pre-)settlement, in one ledger snapshot: the visit and its live lines checked
  // against `in`, (when `settling`) no live settlement yet, the visit priced and reviewed. Empty
  // when `plan` is filled; else the refusal, naming the field.
  std::string PlanSettlement(const std::string& fixmedins_code, const SettleInput& in,
                             bool inpatient, bool settling, SettlementPlan& plan);
  // A write in progress, inside its person's order: who asked, and how it ends. Exactly one of
  // Fail() or Commit(…, reply, finished) ends it.
  struct Call {
    std::string fixmedins_code, msgid, infno;
    Reply reply;
    std::function<void()> finished;  // lets the person's next operation start
    void Fail(const std::string& why) const {
      finished();
      reply(TransactionResult::Fail(why));
    }
    LedgerWrite NewWrite() const {  // keyed for the msgid table
      LedgerWrite w;
      w.fixmedins_code = fixmedins_code;
      w.msgid = msgid;
      w.infno = infno;
      return w;
    }
  };

  // The shape every write that touches one person shares: the gate, a replayed msgid answered, the
  // input parsed (errors answered with their field); then `body(input, call)` in the person's
  // order.
  template <typename Input, typename PsnOf, typename Body>
  void PersonWrite(const Envelope& env, Reply reply, Result<Input> (*parse)(std::string_view),
                   PsnOf psn_of, Body body) {
    if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
    if (Replayed(env, reply)) return;
    auto parsed = parse(env.input_json);
    if (!parsed) return reply(FailWith(parsed.errors()));
    auto in = std::make_shared<const Input>(std::move(*parsed));
    const std::string psn_no = psn_of(*in);
    Call call{env.fixmedins_code, env.msgid, env.infno, std::move(reply), {}};
    persons_.Run(psn_no,
                 [in, call = std::move(call), body](std::function<void()> finished) mutable {
                   call.finished = std::move(finished);
                   body(*in, call);
                 });
  }

  // 2201 / 2401 after their checks: issues the mdtrt_id, stores the visit, answers
  // {output_key: {mdtrt_id, psn_no, ipt_otp_no}}.
  void OpenVisit(const Envelope& env, Reply reply, VisitRecord v, VisitDetails details,
                 const char* output_key);

  // The gate every call but 9001 passes: sign_no, signature. Empty = admitted.
  std::string Admission(const Envelope& env);
  // Whether (pre-)settlement runs the 事中 review.
  bool ReviewsSettlements() const {
    return options_.review && options_.settlement_review != SettlementReviewMode::kOff;
  }
  std::string CheckSignature(const Envelope& env);
  // The stored reply of (fixmedins_code, msgid), answered; true when there was one.
  bool Replayed(const Envelope& env, Reply& reply);
  // Submits `write` and answers `output` once it is durable (or the stored reply when the msgid won
  // a race; or the refusal). `finished` (may be empty) runs before the reply.
  // `on_durable` (may be empty) runs only when the write is durable, before the reply.
  void Commit(LedgerWrite write, std::string output, Reply reply,
              std::function<void()> finished = {}, std::function<void()> on_durable = {});
  std::string Now() const;

  RegionHolder& region_;
  Ledger& ledger_;
  const Clock& clock_;
  HisOptions options_;
  PersonQueue persons_;
  HistoryEncounters history_encounters_;

  std::mutex mu_;
  struct LiveSignIn {
    std::string fixmedins_code;
    std::chrono::system_clock::time_point signed_in;
    std::chrono::system_clock::time_point checked;  // last confirmed against the ledger
  };
  // Reads the sign-in and its institution from the ledger: the live sign-in, or why it is not.
  std::optional<LiveSignIn> ReadSignIn(const std::string& sign_no, std::string* why);
  std::unordered_map<std::string, LiveSignIn> sign_ins_;  // live sign_no → its institution
  std::unordered_map<std::string, std::shared_ptr<const Sm2PublicKey>> keys_;  // hex → key
};

}  // namespace yibao
