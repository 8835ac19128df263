// The ledger: what must survive a crash — the register (persons and their insurance, employers,
// institutions and their credentials, sign-ins, cross-region filings), visits and their fee lines,
// settlements (and their reversing records), the persons' annual accumulators, the double-entry
// fund journal (personal accounts, pooled funds, hospitals, contributors), the replies kept for
// idempotent `msgid`s, and the operator audit log. The table names and columns follow the national
// interface's fields.
//
// One interface, two backends (SQLite, PostgreSQL 15). Writes are submitted as whole
// LedgerWrites and applied by a single writer that commits every waiting write in one transaction
// (LevelDB-style group commit: one fsync for all of them). A write's callback runs only after the
// transaction holding it is durable, so a caller that replies from the callback never acknowledges
// anything a crash could lose. Each write is all-or-nothing: a write that breaks a constraint (a
// second settlement of one visit, a reused msgid, an unbalanced journal) is refused alone, and the
// others of its batch still commit.
//
// When one write breaks several rules, the refusal is that of the first part in this order:
// journal balance, settlement, contribution, fee-line cancellations, fee lines, the register and
// the visit, msgid (the same on every backend).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yibao {

// One settlement or cancellation as the ledger keeps it. Amounts in fen.
struct SettlementRecord {
  std::string setl_id;  // unique; a cancellation has its own id
  std::string cancels;  // for a cancellation: the setl_id it reverses; empty otherwise
  std::string mdtrt_id;
  std::string psn_no;
  std::string fixmedins_code;
  std::string insutype;
  std::string med_type;
  int year = 0;  // the insurance year of the accumulators it changed
  std::string policy_region;
  std::string policy_version;
  int64_t medfee_sumamt = 0;
  int64_t fund_pay_sumamt = 0;
  int64_t psn_part_amt = 0;
  int64_t acct_pay = 0;
  int64_t psn_cash_pay = 0;
  std::string clr_type;   // 清算类别: 11 门诊, 21 住院, 41 药店 (from med_type), for 3201
  std::string setl_time;  // "YYYY-MM-DD HH:MM:SS" (UTC+8) when the platform settled it
  std::string bill_json;  // the whole bill as returned to the HIS (for 5203 and replays)
};

struct AccumulatorDelta {
  std::string account;
  int64_t delta = 0;
};

struct JournalEntry {
  std::string account;  // e.g. "fund:379900:310:hifp", "acct:<psn_no>", "hospital:<fixmedins_code>"
  int64_t amount = 0;   // fen; the entries of one write sum to zero
};

// ---- The register -----------------------------------------------------------------------------

// One insurance of a person (参保信息).
struct InsuranceRecord {
  std::string insutype;  // 310 职工基本医疗保险, 390 城乡居民基本医疗保险, …
  std::string psn_type;  // 人员类别: a person-type id of the region
  std::string psn_insu_stas;   // 参保状态: "1" 正常参保, "2" 暂停, "4" 终止
  std::string psn_insu_date;   // 参保日期 YYYY-MM-DD
  std::string paus_insu_date;  // 暂停日期, empty if none
  std::string insuplc_admdvs;  // 参保地
  std::string emp_no;          // 单位编号 (employees), empty for residents
  std::string cvlserv_flag;    // 公务员标志 "0"/"1"
  bool operator==(const InsuranceRecord&) const = default;
};

// An identity (人员身份: 特困, 低保, …) with its validity.
struct IdentityRecord {
  std::string psn_idet_type;  // an identity id of the region
  std::string begntime;       // YYYY-MM-DD
  std::string endtime;        // YYYY-MM-DD, empty = open
  bool operator==(const IdentityRecord&) const = default;
};

struct PersonRecord {
  std::string psn_no;         // 人员编号 (platform id)
  std::string psn_cert_type;  // 证件类型: "01" 居民身份证
  std::string certno;         // 证件号码 (kept; masked in every log)
  std::string psn_name;
  std::string gend;  // "1" 男, "2" 女
  std::string brdy;  // YYYY-MM-DD
  std::string naty;  // 民族
  std::vector<InsuranceRecord> insurances;
  std::vector<IdentityRecord> identities;
  bool operator==(const PersonRecord&) const = default;
};

struct EmployerRecord {
  std::string emp_no;
  std::string emp_name;
  std::string admdvs;
  bool operator==(const EmployerRecord&) const = default;
};

struct InstitutionRecord {
  std::string fixmedins_code;
  std::string fixmedins_name;
  std::string fixmedins_type;  // "1" 医疗机构, "2" 零售药店
  int hosp_lv = 0;             // 0 未定级, 1, 2, 3
  std::string admdvs;
  std::string
      credential_sm3;  // hex SM3 of the institution's sign-in credential; empty = cannot sign in
  std::string sm2_public_key;  // hex (04‖x‖y) of the key its messages are signed with; may be empty
  bool active = true;
  bool operator==(const InstitutionRecord&) const = default;
};

// A sign-in (9001): later calls of the institution carry `sign_no`.
struct SignInRecord {
  std::string sign_no;
  std::string fixmedins_code;
  std::string opter_no;
  std::string sign_time;  // "YYYY-MM-DD HH:MM:SS"
  bool signed_out = false;
  bool operator==(const SignInRecord&) const = default;
};

// A cross-region filing (异地就医备案) of a person: where they may be treated outside the insured
// pool under a filed status, and from when to when. Upserted whole by filing_id; never deleted (a
// filing withdrawn is `revoked`). Which filing a visit settles under: platform/filing_choice.h.
struct FilingRecord {
  std::string filing_id;  // 备案编号, unique
  std::string psn_no;
  // "long_term" 异地长期居住/常驻工作, "referral" 转诊转院, "emergency" 急诊抢救 (often filed
  // afterwards: 补办).
  std::string filing_type;
  // The filed place of treatment: a province code (440000) covers the province, a city code
  // (440300) the city, any other code itself.
  std::string mdtrtarea_admvs;
  std::string begndate;  // YYYY-MM-DD
  std::string enddate;   // YYYY-MM-DD, empty = open
  bool revoked = false;
  bool operator==(const FilingRecord&) const = default;
};

// ---- Visits and fee lines -----------------------------------------------------------------------

// A visit (就诊) as registered (2201 / 2401) and completed (2203 / 2402). Upserted whole.
struct VisitRecord {
  std::string fixmedins_code;
  std::string mdtrt_id;  // 就诊 ID, issued by the platform at registration
  std::string psn_no;
  std::string insutype;
  std::string med_type;
  std::string ipt_otp_no;  // the hospital's own outpatient/inpatient number
  std::string begntime;    // "YYYY-MM-DD HH:MM:SS"
  std::string endtime;     // discharge (2402) or the visit's day for outpatient; empty while open
  std::string status;      // "registered", "admitted", "discharged", "cancelled"
  std::string info_json;   // the rest (diagnoses, department, 备案, …) as the platform keeps it
  bool operator==(const VisitRecord&) const = default;
};

// One uploaded fee line (2204 / 2301). Amounts kept exactly as sent (decimal text) and in fen.
struct FeeLineRecord {
  std::string fixmedins_code;
  std::string mdtrt_id;
  std::string feedetl_sn;  // unique within the visit among live lines
  std::string chrg_bchno;  // 收费批次号
  std::string med_list_codg;
  std::string medins_list_codg;
  std::string cnt;                  // decimal text, ≤ 4 decimals
  std::string pric;                 // decimal text, ≤ 6 decimals
  int64_t det_item_fee_sumamt = 0;  // fen
  std::string hosp_appr_flag;
  int prd_days = 0;
  std::string fee_ocur_time;
  bool cancelled = false;
  bool operator==(const FeeLineRecord&) const = default;
};

// Fee lines shared read-only: the read cache hands out the vector it keeps instead of a copy.
using SharedFeeLines = std::shared_ptr<const std::vector<FeeLineRecord>>;

// A visit shared read-only, like its lines: the read cache hands out the record it keeps.
using SharedVisit = std::shared_ptr<const VisitRecord>;

// A visit with whether it has a live (not cancelled) settlement and its live fee lines (in upload
// order): see Ledger::ClaimedVisitsOf. A record or a vector a reader holds never changes: a write
// replaces it.
struct PersonVisit {
  SharedVisit visit;  // from a Ledger never null
  bool settled = false;
  SharedFeeLines lines;  // from a Ledger never null (AttachLines gives each visit its vector)
  bool operator==(const PersonVisit& o) const {
    auto same_lines = [](const SharedFeeLines& a, const SharedFeeLines& b) {
      return a == b || (a && b ? *a == *b : (a ? a->empty() : b->empty()));
    };
    const bool same_visit = visit == o.visit || (visit && o.visit && *visit == *o.visit);
    return same_visit && settled == o.settled && same_lines(lines, o.lines);
  }
};
// Gives each of `visits` its lines from `lines` (upload order kept); the backends' helper.
void AttachLines(std::vector<PersonVisit>& visits, std::vector<FeeLineRecord> lines);

// A contribution (缴费) credited: the amounts and where they went.
struct ContributionRecord {
  std::string contribution_id;  // unique
  std::string psn_no;
  std::string emp_no;  // empty for residents
  std::string insutype;
  std::string period;         // YYYYMM (employees) or YYYY (residents)
  int64_t base = 0;           // 缴费基数, fen
  int64_t employer_part = 0;  // fen
  int64_t employee_part = 0;
  int64_t subsidy = 0;     // 财政补助 (residents)
  int64_t to_account = 0;  // credited to the personal account
  int64_t to_pool = 0;     // to the pooled fund
};

// What 3201 (对总账) compares: the institution's settlements of one insurance type and clearing
// type whose setl_time falls in [begin, end] (dates "YYYY-MM-DD", both included: the first 10
// characters of setl_time are compared), cancellations included with their signs: a cancellation
// counts -1 and its stored (negated) amounts are added as they are.
struct ReconciliationTotals {
  int64_t count = 0;  // settlements minus cancellations
  int64_t medfee_sumamt = 0;
  int64_t fund_pay_sumamt = 0;
  int64_t acct_pay = 0;
};

struct AuditEntry {
  int64_t entry_id = 0;
  std::string fixmedins_code;
  std::string operator_id;
  std::string action;
};

struct LedgerWrite {
  std::string fixmedins_code;  // the institution the write is for (msgid scope, audit)
  std::optional<SettlementRecord> settlement;
  std::vector<AccumulatorDelta> accumulators;  // applied to (psn_no, insutype, year) of the record
  // Posted under the settlement's id, else the contribution's (JournalOf reads either back).
  std::vector<JournalEntry> journal;
  // Register and visits: each upserted (replaced whole) unless noted.
  // A person upsert replaces the person's insurances and identities too (read back in the order
  // given); one insutype twice in a person refuses the write (kFailed).
  std::vector<PersonRecord> persons;
  std::vector<EmployerRecord> employers;
  std::vector<InstitutionRecord> institutions;
  std::vector<FilingRecord> filings;  // upserted whole by filing_id
  std::optional<SignInRecord> sign_in;
  std::optional<VisitRecord> visit;
  // The visit is a new one (a registration or an admission): inserted, not upserted. If the store
  // has anything of it already — the visit (any status), a fee line or a settlement row —
  // kDuplicateVisit. The read cache then knows it has no fee lines and no settlement without asking
  // the store. (Such a write carries none of the visit's lines or settlements itself.)
  bool visit_is_new = false;
  // Fee lines: inserted; a live line of the visit with the same feedetl_sn → kDuplicateFeeLine.
  std::vector<FeeLineRecord> fee_lines;
  // (fixmedins_code, mdtrt_id, feedetl_sn) of live lines to mark cancelled; one not live (never
  // uploaded, or cancelled already) → kNotFound. Applied before the write's fee_lines, so one write
  // can cancel a line and upload its feedetl_sn again.
  std::vector<FeeLineRecord> fee_lines_cancelled;
  // Inserted; a contribution_id used before → kDuplicateMsgid (a replayed contribution is refused
  // like a replayed msgid). Without a settlement in the write, the journal is posted under its id.
  std::optional<ContributionRecord> contribution;
  // Idempotency: the reply to (fixmedins_code, msgid) is stored with the write that produced it.
  std::string msgid;
  std::string infno;
  std::string reply_json;
  // Operator audit (who did what); empty operator = none.
  std::string audit_operator;
  std::string audit_action;
};

enum class WriteStatus {
  kDurable,         // committed and synced
  kDuplicateVisit,  // this visit already has a live settlement (or the cancelled one is cancelled),
                    // or a new visit (visit_is_new) is in the store already
  kDuplicateMsgid,  // the msgid was used before by this institution, or the contribution_id
  kUnbalanced,      // the journal entries do not sum to zero
  kDuplicateFeeLine,  // a live fee line of the visit already has this feedetl_sn
  kNotFound,          // a fee line to cancel is not live
  // The store could not commit (I/O error; the whole batch), or the write broke a rule with no
  // status of its own (one insutype twice in a person; that write alone). Nothing of it is kept.
  kFailed,
};
const char* WriteStatusName(WriteStatus s);

// What the msgid table keeps for a write's reply. A settlement's reply is its bill, which the
// settlement row holds already: the table then keeps "@setl:<setl_id>" instead of a second copy
// (half the bytes written per settlement), and the backends' FindReply resolves it. Replies are
// JSON objects, so the marker cannot be mistaken for one.
std::string StoredReply(const LedgerWrite& w);
inline constexpr std::string_view kReplyIsSettlement = "@setl:";

struct LedgerStats {
  uint64_t writes = 0;
  uint64_t batches = 0;  // transactions committed
  uint64_t largest_batch = 0;
  uint64_t commit_micros = 0;  // time spent applying and committing batches (durable included)
  // Reads answered by the read cache (read_cache.h) and those it passed to the backend; 0 without.
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  // Settlement bills stored as zstd frames and as text (ledger/bill_codec.h), and the bytes of
  // the framed bills before and after. Counted when encoded: a write that a refusal in its batch
  // made the backend apply again counts again.
  uint64_t bill_frames = 0;
  uint64_t bill_texts = 0;
  uint64_t bill_json_bytes = 0;
  uint64_t bill_frame_bytes = 0;
  // Dictionaries the ledger holds for its bills (a second and later ones: retrained on drift).
  uint64_t bill_dictionaries = 0;
  // PostgreSQL: batches committed as set-based statements (ledger/pg_bulk.h), and those a refused
  // write sent back to be applied write by write; 0 on SQLite.
  uint64_t bulk_batches = 0;
  uint64_t bulk_rolled_back = 0;
  // PostgreSQL: ANALYZEs run as the ledger's tables grew, and the checks or ANALYZEs that failed
  // (ledger/pg_statistics.h); 0 on SQLite.
  uint64_t tables_analysed = 0;
  uint64_t analyse_failures = 0;
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Queues `write`; `done` is called exactly once, from the writer thread, after the batch holding
  // it is durable (or the write was refused). Do not block in `done`.
  virtual void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) = 0;
  // Submit and wait.
  WriteStatus SubmitAndWait(LedgerWrite write);

  // Reads see every write whose callback has run.
  //
  // ReadTogether: the calling thread's reads, until the returned scope ends, are one read
  // transaction on one connection — one snapshot, taken at the first read, and on SQLite one
  // page-cache refresh instead of one per read (after any commit, each new read transaction
  // reloads every page it touches). Open it only where every write those reads must see is
  // durable already, keep it short (an open read transaction holds back SQLite's checkpoint),
  // and end it on the thread that opened it. Scopes nest; the outermost one counts. A backend
  // without a use for it (PostgreSQL) leaves each read on its own.
  class ReadScope {
   public:
    ReadScope() = default;
    explicit ReadScope(Ledger* ledger) : ledger_(ledger) {}
    ReadScope(ReadScope&& o) noexcept : ledger_(std::exchange(o.ledger_, nullptr)) {}
    ReadScope& operator=(ReadScope&&) = delete;
    ~ReadScope() {
      if (ledger_) ledger_->EndReadScope();
    }

   private:
    Ledger* ledger_ = nullptr;
  };
  ReadScope ReadTogether() { return BeginReadScope() ? ReadScope(this) : ReadScope(); }

  virtual std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                                      const std::string& insutype, int year) = 0;
  virtual std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) = 0;
  // The live (not cancelled) settlement of a visit, if any.
  virtual std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                                const std::string& mdtrt_id) = 0;
  // The reply stored for (fixmedins_code, msgid); `infno` (if given) receives the transaction it
  // answered, so a msgid reused for another transaction can be told apart from a retry.
  virtual std::optional<std::string> FindReply(const std::string& fixmedins_code,
                                               const std::string& msgid,
                                               std::string* infno = nullptr) = 0;
  // The greatest msgid stored for `fixmedins_code` in byte order ("" if none) into `ceiling`;
  // false when this backend cannot tell it cheaply in byte order (the read cache then asks
  // FindReply for every msgid). The read cache's msgid filter starts from it (read_cache.h).
  virtual bool MsgidCeiling(const std::string& fixmedins_code, std::string* ceiling) {
    (void)fixmedins_code;
    (void)ceiling;
    return false;
  }
  virtual int64_t JournalSum() = 0;  // over all accounts: always 0
  virtual int64_t AccountBalance(const std::string& journal_account) = 0;
  // The person's settlements, cancellations and cancelled originals of (insutype, year), in the
  // order written. They are found through the person's visits, so a settlement is listed only when
  // the ledger holds its visit (as it does for every settlement the service makes).
  virtual std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                                      const std::string& insutype, int year) = 0;
  virtual std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) = 0;
  virtual std::vector<JournalEntry> JournalOf(const std::string& setl_id) = 0;
  virtual LedgerStats Stats() = 0;

  // The register.
  virtual std::optional<PersonRecord> FindPerson(const std::string& psn_no) = 0;
  // By (psn_cert_type, certno); should several persons have it, the one with the lowest psn_no.
  virtual std::optional<PersonRecord> FindPersonByCert(const std::string& psn_cert_type,
                                                       const std::string& certno) = 0;
  virtual std::optional<EmployerRecord> FindEmployer(const std::string& emp_no) = 0;
  virtual std::optional<InstitutionRecord> FindInstitution(const std::string& fixmedins_code) = 0;
  virtual std::vector<InstitutionRecord> Institutions() = 0;  // by fixmedins_code (byte order)
  virtual std::optional<SignInRecord> FindSignIn(const std::string& sign_no) = 0;
  virtual int64_t PersonCount() = 0;
  // The person's filings, revoked ones included, by (begndate, filing_id) in byte order.
  virtual std::vector<FilingRecord> FilingsOf(const std::string& psn_no) = 0;
  virtual std::optional<FilingRecord> FindFiling(const std::string& filing_id) = 0;

  // Visits (any status) and their fee lines (in upload order; cancelled ones included, flagged).
  // The lines are never null, and shared read-only: the read cache hands out the vector it keeps.
  virtual std::optional<VisitRecord> FindVisit(const std::string& fixmedins_code,
                                               const std::string& mdtrt_id) = 0;
  virtual SharedFeeLines FeeLinesOf(const std::string& fixmedins_code,
                                    const std::string& mdtrt_id) = 0;
  // The person's claims for the 事中 review at settlement: the visits of `psn_no` at any
  // institution that have a live settlement, and the stays admitted or discharged (settled or
  // not), still open or ended on or after `since` (YYYY-MM-DD); by (begntime, fixmedins_code,
  // mdtrt_id), each with whether it is settled and with its live fee lines (two statements,
  // however many visits). A registration never settled claims nothing and is left out.
  virtual std::vector<PersonVisit> ClaimedVisitsOf(const std::string& psn_no,
                                                   const std::string& since) = 0;
  virtual std::vector<ContributionRecord> ContributionsOf(
      const std::string& psn_no) = 0;  // in order

  // 3201: totals of an institution's settlements (see ReconciliationTotals).
  virtual ReconciliationTotals Reconcile(const std::string& fixmedins_code,
                                         const std::string& insutype, const std::string& clr_type,
                                         const std::string& begin_date,
                                         const std::string& end_date) = 0;
  // The newest `limit` audit entries, newest first (entry order: the ledger reads no clock).
  virtual std::vector<AuditEntry> AuditLog(size_t limit) = 0;

 protected:
  // ReadTogether's two halves; true from Begin when End must be called.
  virtual bool BeginReadScope() { return false; }
  virtual void EndReadScope() {}
};

}  // namespace yibao
