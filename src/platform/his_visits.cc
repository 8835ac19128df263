// Visits and fee lines of the national flow: 2201 / 2203 (outpatient), 2401 / 2402 (inpatient),
// 2204 / 2301 fee upload with each line classified, 2205 / 2302 fee cancellation.
#include <algorithm>

#include "interface/bill_json.h"
#include "interface/json_writer.h"
#include "interface/transaction_input.h"
#include "platform/his_common.h"
#include "platform/his_service.h"
#include "platform/visit_assembly.h"

namespace yibao {
namespace {

bool IsInpatient(const VisitRecord& v) {
  return v.status == "admitted" || v.status == "discharged";
}

// Western diagnoses (diag_type 1 or unset), main first, then by diag_srt_no.
std::vector<std::string> OrderedDiagnoses(std::vector<DiagnosisInput> d) {
  std::stable_sort(d.begin(), d.end(), [](const DiagnosisInput& a, const DiagnosisInput& b) {
    bool am = a.maindiag_flag == "1", bm = b.maindiag_flag == "1";
    if (am != bm) return am;
    return a.diag_srt_no < b.diag_srt_no;
  });
  std::vector<std::string> out;
  for (const auto& x : d)
    if (x.diag_type.empty() || x.diag_type == "1") out.push_back(x.diag_code);
  return out;
}

// Checks that the person may be registered under `insutype`: in the register, insured, active.
std::string CheckInsured(Ledger& ledger, const std::string& prefix, const std::string& psn_no,
                         const std::string& insutype, const std::string& cert_type,
                         const std::string& cert_no) {
  auto person = ledger.FindPerson(psn_no);
  if (!person) return prefix + ".psn_no: no insured person " + psn_no;
  const InsuranceRecord* ins = FindInsurance(*person, insutype);
  if (!ins) return prefix + ".insutype: person " + psn_no + " is not insured under " + insutype;
  if (ins->psn_insu_stas != "1")
    return prefix + ".insutype: insurance " + insutype + " of person " + psn_no +
           " is not in force (psn_insu_stas " + ins->psn_insu_stas + ")";
  if ((cert_type == "02" || cert_type == "03") && !cert_no.empty() && cert_no != person->certno)
    return prefix + ".mdtrt_cert_no: does not match the person's certificate";
  return {};
}

}  // namespace

// The visit `mdtrt_id` of this institution and person, or an error naming `field`. Another
// institution's visit is reported exactly as a missing one.
static std::string FindOwnVisit(Ledger& ledger, const std::string& fixmedins_code,
                                const std::string& mdtrt_id, const std::string& psn_no,
                                const std::string& field, std::optional<VisitRecord>& out) {
  out = ledger.FindVisit(fixmedins_code, mdtrt_id);
  if (!out || out->psn_no != psn_no || out->status == "cancelled")
    return field + ": no visit " + mdtrt_id + " of person " + psn_no + " at institution " +
           fixmedins_code;
  return {};
}

static std::string CheckNotSettled(Ledger& ledger, const VisitRecord& v, const std::string& field) {
  if (auto live = ledger.LiveSettlementOfVisit(v.fixmedins_code, v.mdtrt_id))
    return field + ": visit " + v.mdtrt_id + " is settled (" + live->setl_id +
           "); cancel the settlement first (2208 / 2305)";
  return {};
}

// ---- 2201 / 2401 -------------------------------------------------------------------------------

void HisService::RegisterOutpatient(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  if (Replayed(env, reply)) return;
  auto in = ParseOutpatientRegistrationInput(env.input_json);
  if (!in) return reply(FailWith(in.errors()));
  if (auto e = CheckInsured(ledger_, "data", in->psn_no, in->insutype, in->mdtrt_cert_type,
                            in->mdtrt_cert_no);
      !e.empty())
    return reply(TransactionResult::Fail(e));
  VisitRecord v;
  v.psn_no = in->psn_no;
  v.insutype = in->insutype;
  v.med_type = "11";
  v.ipt_otp_no = in->ipt_otp_no;
  v.begntime = in->begntime;
  v.status = "registered";
  VisitDetails d;
  d.dept_codg = in->dept_code;
  OpenVisit(env, std::move(reply), std::move(v), std::move(d), "data");
}

void HisService::Admit(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  if (Replayed(env, reply)) return;
  auto in = ParseAdmissionInput(env.input_json);
  if (!in) return reply(FailWith(in.errors()));
  if (auto e = CheckInsured(ledger_, "mdtrtinfo", in->psn_no, in->insutype, in->mdtrt_cert_type,
                            in->mdtrt_cert_no);
      !e.empty())
    return reply(TransactionResult::Fail(e));
  if (in->med_type.empty() || in->med_type[0] != '2')
    return reply(TransactionResult::Fail("mdtrtinfo.med_type: " + in->med_type +
                                         " is not an inpatient medical type (2x)"));
  VisitRecord v;
  v.psn_no = in->psn_no;
  v.insutype = in->insutype;
  v.med_type = in->med_type;
  v.ipt_otp_no = in->ipt_no;
  v.begntime = in->begntime;
  v.status = "admitted";
  VisitDetails d;
  d.dept_codg = in->adm_dept_codg;
  d.dise_codg = in->dise_codg;
  d.diagnoses = OrderedDiagnoses(in->diseinfo);
  if (d.diagnoses.empty() && !in->dscg_maindiag_code.empty())
    d.diagnoses.push_back(in->dscg_maindiag_code);
  OpenVisit(env, std::move(reply), std::move(v), std::move(d), "result");
}

void HisService::OpenVisit(const Envelope& env, Reply reply, VisitRecord v, VisitDetails d,
                           const char* output_key) {
  // The platform's visit id: the registering message's id, unique per institution, so a replayed
  // registration names the same visit.
  v.fixmedins_code = env.fixmedins_code;
  v.mdtrt_id = PlatformId(env.fixmedins_code, env.msgid);
  d.mdtrtarea_admvs = env.mdtrtarea_admvs;
  v.info_json = VisitDetailsJson(d);
  std::string out;
  JsonWriter j(out);
  j.Open('{');
  j.Key(output_key);
  j.Open('{');
  j.Str("mdtrt_id", v.mdtrt_id);
  j.Str("psn_no", v.psn_no);
  j.Str("ipt_otp_no", v.ipt_otp_no);
  if (v.status == "registered") j.Str("exp_content", "");
  j.Close('}');
  j.Close('}');
  LedgerWrite w;
  w.fixmedins_code = env.fixmedins_code;
  w.msgid = env.msgid;
  w.infno = env.infno;
  w.visit = std::move(v);
  w.visit_is_new = true;  // a msgid names one visit: a store that has it refuses (kDuplicateVisit)
  Commit(std::move(w), std::move(out), std::move(reply));
}

// ---- 2203 / 2402 -------------------------------------------------------------------------------

void HisService::UploadVisitInfo(const Envelope& env, Reply reply) {
  PersonWrite(
      env, std::move(reply), ParseVisitInfoInput,
      [](const VisitInfoInput& in) { return in.psn_no; },
      [this](const VisitInfoInput& in, const Call& c) {
        std::optional<VisitRecord> v;
        if (auto e = FindOwnVisit(ledger_, c.fixmedins_code, in.mdtrt_id, in.psn_no,
                                  "mdtrtinfo.mdtrt_id", v);
            !e.empty())
          return c.Fail(e);
        if (v->status != "registered")
          return c.Fail("mdtrtinfo.mdtrt_id: " + in.mdtrt_id +
                        " is not an outpatient visit (2201)");
        if (auto e = CheckNotSettled(ledger_, *v, "mdtrtinfo.mdtrt_id"); !e.empty())
          return c.Fail(e);
        auto details = ParseVisitDetailsJson(v->info_json);
        if (!details) return c.Fail(FailWith(details.errors()).err_msg);
        v->med_type = in.med_type;
        if (!in.begntime.empty()) v->begntime = in.begntime;
        details->dise_codg = in.dise_codg;
        details->diagnoses = OrderedDiagnoses(in.diseinfo);
        v->info_json = VisitDetailsJson(*details);
        LedgerWrite w = c.NewWrite();
        w.visit = *v;
        Commit(std::move(w), "{}", c.reply, c.finished);
      });
}

void HisService::Discharge(const Envelope& env, Reply reply) {
  PersonWrite(
      env, std::move(reply), ParseDischargeInput,
      [](const DischargeInput& in) { return in.psn_no; },
      [this](const DischargeInput& in, const Call& c) {
        std::optional<VisitRecord> v;
        if (auto e = FindOwnVisit(ledger_, c.fixmedins_code, in.mdtrt_id, in.psn_no,
                                  "dscginfo.mdtrt_id", v);
            !e.empty())
          return c.Fail(e);
        if (!IsInpatient(*v))
          return c.Fail("dscginfo.mdtrt_id: " + in.mdtrt_id + " is not an admission (2401)");
        if (v->insutype != in.insutype)
          return c.Fail("dscginfo.insutype: the admission is under " + v->insutype);
        if (auto e = CheckNotSettled(ledger_, *v, "dscginfo.mdtrt_id"); !e.empty())
          return c.Fail(e);
        if (in.endtime < v->begntime)
          return c.Fail("dscginfo.endtime: " + in.endtime + " is before the admission " +
                        v->begntime);
        auto details = ParseVisitDetailsJson(v->info_json);
        if (!details) return c.Fail(FailWith(details.errors()).err_msg);
        if (!in.diseinfo.empty()) details->diagnoses = OrderedDiagnoses(in.diseinfo);
        if (!in.dise_codg.empty()) details->dise_codg = in.dise_codg;
        if (!in.dscg_dept_codg.empty()) details->dept_codg = in.dscg_dept_codg;
        details->dscg_way = in.dscg_way;
        v->endtime = in.endtime;
        v->status = "discharged";
        v->info_json = VisitDetailsJson(*details);
        LedgerWrite w = c.NewWrite();
        w.visit = *v;
        Commit(std::move(w), "{}", c.reply, c.finished);
      });
}

// ---- 2204 / 2301 -------------------------------------------------------------------------------

namespace {

// 2204 / 2301's reads and classification, in one ledger snapshot: the visit checked, the uploaded
// lines checked against its live ones, the visit priced with all of them. Fills `w` with the new
// lines and `out` with the reply; else returns the refusal. The snapshot ends when this returns
// (an open read transaction holds back the ledger's checkpoints).
std::string ClassifyUpload(Ledger& ledger, std::shared_ptr<const Region> region,
                           const std::string& fixmedins_code, const FeeUploadInput& in,
                           bool inpatient, LedgerWrite& w, std::string& out) {
  auto reads = ledger.ReadTogether();
  const FeeDetailInput& first = in.feedetail.front();
  std::optional<VisitRecord> v;
  if (auto e = FindOwnVisit(ledger, fixmedins_code, first.mdtrt_id, first.psn_no,
                            "feedetail[0].mdtrt_id", v);
      !e.empty())
    return e;
  if (inpatient != IsInpatient(*v))
    return "feedetail[0].mdtrt_id: " + first.mdtrt_id + " is " +
           (inpatient ? "an outpatient visit: upload with 2204" : "an admission: upload with 2301");
  if (auto e = CheckNotSettled(ledger, *v, "feedetail[0].mdtrt_id"); !e.empty()) return e;
  const SharedFeeLines stored = ledger.FeeLinesOf(fixmedins_code, first.mdtrt_id);
  std::vector<const FeeLineRecord*> lines;  // the live lines stored, then the uploaded ones
  for (const FeeLineRecord& l : *stored)
    if (!l.cancelled) lines.push_back(&l);
  const size_t old = lines.size();
  std::vector<FeeLineRecord> uploaded;
  uploaded.reserve(in.feedetail.size());  // `lines` points into it
  for (size_t i = 0; i < in.feedetail.size(); ++i) {
    const FeeDetailInput& f = in.feedetail[i];
    for (size_t k = 0; k < old; ++k)
      if (lines[k]->feedetl_sn == f.feedetl_sn)
        return "feedetail[" + std::to_string(i) + "].feedetl_sn: " + f.feedetl_sn +
               " is already uploaded for this visit";
    FeeLineRecord r;
    r.fixmedins_code = fixmedins_code;
    r.mdtrt_id = f.mdtrt_id;
    r.feedetl_sn = f.feedetl_sn;
    r.chrg_bchno = f.chrg_bchno;
    r.med_list_codg = f.med_list_codg;
    r.medins_list_codg = f.medins_list_codg;
    r.cnt = f.cnt_text;
    r.pric = f.pric_text;
    r.det_item_fee_sumamt = f.det_item_fee_sumamt.fen();
    r.hosp_appr_flag = f.hosp_appr_flag;
    r.prd_days = f.prd_days;
    r.fee_ocur_time = f.fee_ocur_time;
    lines.push_back(&uploaded.emplace_back(std::move(r)));
  }
  // Classify by settling the visit with every live line: what 2204 answers is exactly what
  // settlement will do with each line (an unknown code or a broken restriction shows now).
  auto priced = PriceVisit(ledger, std::move(region), *v, lines, "",
                           v->endtime.empty() ? "" : v->endtime.substr(0, 10), false);
  if (!priced) return FailWith(priced.errors()).err_msg;
  std::vector<uint32_t> fresh;
  for (size_t i = old; i < lines.size(); ++i) fresh.push_back(uint32_t(i));
  out = "{\"result\":";
  WriteLineClassificationJson((*priced)->settlement, (*priced)->prepared.visit, fresh, out);
  out += '}';
  w.fee_lines = std::move(uploaded);
  return {};
}

}  // namespace

void HisService::UploadFees(const Envelope& env, Reply reply) {
  const bool inpatient = env.infno == "2301";
  PersonWrite(
      env, std::move(reply), ParseFeeUploadInput,
      [](const FeeUploadInput& in) { return in.feedetail.front().psn_no; },
      [this, inpatient](const FeeUploadInput& in, const Call& c) {
        LedgerWrite w = c.NewWrite();
        std::string out;
        if (auto e =
                ClassifyUpload(ledger_, region_.Current(), c.fixmedins_code, in, inpatient, w, out);
            !e.empty())
          return c.Fail(e);
        Commit(std::move(w), std::move(out), c.reply, c.finished);
      });
}

void HisService::CancelFeesByBatch(const Envelope& env, Reply reply) {
  PersonWrite(
      env, std::move(reply), ParseFeeCancelByBatchInput,
      [](const FeeCancelByBatchInput& in) { return in.psn_no; },
      [this](const FeeCancelByBatchInput& in, const Call& c) {
        std::optional<VisitRecord> v;
        if (auto e =
                FindOwnVisit(ledger_, c.fixmedins_code, in.mdtrt_id, in.psn_no, "data.mdtrt_id", v);
            !e.empty())
          return c.Fail(e);
        if (IsInpatient(*v))
          return c.Fail("data.mdtrt_id: an admission: cancel its fees with 2302");
        if (auto e = CheckNotSettled(ledger_, *v, "data.mdtrt_id"); !e.empty()) return c.Fail(e);
        LedgerWrite w = c.NewWrite();
        for (const FeeLineRecord& l : *ledger_.FeeLinesOf(c.fixmedins_code, in.mdtrt_id))
          if (!l.cancelled && (in.chrg_bchno == "0000" || l.chrg_bchno == in.chrg_bchno))
            w.fee_lines_cancelled.push_back(l);
        if (w.fee_lines_cancelled.empty())
          return c.Fail("data.chrg_bchno: no live fee lines in batch " + in.chrg_bchno);
        Commit(std::move(w), "{}", c.reply, c.finished);
      });
}

void HisService::CancelFeesByLine(const Envelope& env, Reply reply) {
  PersonWrite(
      env, std::move(reply), ParseFeeCancelByLineInput,
      [](const FeeCancelByLineInput& in) { return in.lines.front().psn_no; },
      [this](const FeeCancelByLineInput& in, const Call& c) {
        const auto& first = in.lines.front();
        std::optional<VisitRecord> v;
        if (auto e = FindOwnVisit(ledger_, c.fixmedins_code, first.mdtrt_id, first.psn_no,
                                  "data[0].mdtrt_id", v);
            !e.empty())
          return c.Fail(e);
        if (!IsInpatient(*v))
          return c.Fail("data[0].mdtrt_id: an outpatient visit: cancel its fees with 2205");
        if (auto e = CheckNotSettled(ledger_, *v, "data[0].mdtrt_id"); !e.empty()) return c.Fail(e);
        std::vector<FeeLineRecord> live;
        for (const FeeLineRecord& l : *ledger_.FeeLinesOf(c.fixmedins_code, first.mdtrt_id))
          if (!l.cancelled) live.push_back(l);
        LedgerWrite w = c.NewWrite();
        for (size_t i = 0; i < in.lines.size(); ++i) {
          const std::string& sn = in.lines[i].feedetl_sn;
          if (sn == "0000") {  // every live line (the parser allows it only alone)
            w.fee_lines_cancelled = live;
            break;
          }
          auto it = std::find_if(live.begin(), live.end(),
                                 [&](const FeeLineRecord& l) { return l.feedetl_sn == sn; });
          if (it == live.end())
            return c.Fail("data[" + std::to_string(i) + "].feedetl_sn: no live fee line " + sn);
          w.fee_lines_cancelled.push_back(*it);
        }
        if (w.fee_lines_cancelled.empty()) return c.Fail("data[0].feedetl_sn: no live fee lines");
        Commit(std::move(w), "{}", c.reply, c.finished);
      });
}

}  // namespace yibao
