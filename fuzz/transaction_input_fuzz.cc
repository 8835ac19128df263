// libFuzzer target: the `input` object of every national transaction
// (interface/transaction_input.h) in one target. The first byte picks the parser (byte % 13, so
// 'A'..'M' are the 13 parsers in the order of the switch below, which is how the seed corpus is
// written); the rest is the JSON. Any bytes must give a value or one diagnostic whose message is
// valid UTF-8, never a crash, and parsing the same bytes twice must give the same answer (the
// parsers reuse a per-thread buffer). What parses must keep the header's promises: required fields
// present, times and dates normalised, the lines of one call belonging to one visit with unique
// serials and det_item_fee_sumamt = pric × cnt.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/text.h"
#include "interface/transaction_input.h"

namespace yibao {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "transaction_input_fuzz: %s\n", what);
    std::abort();
  }
}

void Required(const std::string& s, const char* what) { Check(!s.empty(), what); }

// "" or a real "YYYY-MM-DD HH:MM:SS".
void CheckTime(const std::string& s) {
  if (s.empty()) return;
  Check(s.size() == 19 && s[10] == ' ' && Date::Parse(s).has_value(), "time not normalised");
}
void CheckDate(const std::string& s) {
  if (s.empty()) return;
  Check(s.size() == 10 && Date::Parse(s).has_value(), "date not normalised");
}

void CheckDiagnoses(const std::vector<DiagnosisInput>& ds) {
  Check(ds.size() <= kMaxDiagnoses, "too many diagnoses");
  for (const DiagnosisInput& d : ds) {
    Check(d.diag_srt_no >= 1, "diag_srt_no below 1");
    Required(d.diag_code, "diag_code empty");
    CheckTime(d.diag_time);
  }
}

void CheckValue(const SignInInput& in) {
  Required(in.opter_no, "opter_no empty");
  Required(in.credential, "credential empty");
}
void CheckValue(const SignOutInput& in) { Required(in.sign_no, "sign_no empty"); }
void CheckValue(const PersonQueryInput& in) {
  Check(!in.psn_no.empty() || (!in.mdtrt_cert_type.empty() && !in.mdtrt_cert_no.empty()) ||
            (!in.psn_cert_type.empty() && !in.certno.empty()),
        "1101 without an identification");
  CheckTime(in.begntime);
}
void CheckValue(const OutpatientRegistrationInput& in) {
  Required(in.psn_no, "psn_no empty");
  Required(in.insutype, "insutype empty");
  Required(in.ipt_otp_no, "ipt_otp_no empty");
  Required(in.begntime, "begntime empty");
  CheckTime(in.begntime);
}
void CheckValue(const VisitInfoInput& in) {
  Required(in.mdtrt_id, "mdtrt_id empty");
  Required(in.psn_no, "psn_no empty");
  Required(in.med_type, "med_type empty");
  CheckTime(in.begntime);
  CheckDate(in.birctrl_matn_date);
  CheckDiagnoses(in.diseinfo);
}
void CheckValue(const FeeUploadInput& in) {
  const auto& ls = in.feedetail;
  Check(!ls.empty() && ls.size() <= kMaxTransactionFeeLines, "line count out of bounds");
  std::set<std::string_view> serials;
  for (const FeeDetailInput& l : ls) {
    Required(l.feedetl_sn, "feedetl_sn empty");
    Required(l.chrg_bchno, "chrg_bchno empty");
    Required(l.med_list_codg, "med_list_codg empty");
    Required(l.medins_list_codg, "medins_list_codg empty");
    Check(l.mdtrt_id == ls[0].mdtrt_id && l.psn_no == ls[0].psn_no, "lines of two visits");
    Check(serials.insert(l.feedetl_sn).second, "duplicate feedetl_sn accepted");
    Check(l.cnt.scaled() > 0, "cnt not positive");
    Check(l.pric.micro_yuan() >= 0, "negative price");
    Check(LineAmount(l.pric, l.cnt) == l.det_item_fee_sumamt, "sumamt != pric x cnt");
    auto cnt = Quantity::Parse(l.cnt_text);
    auto pric = UnitPrice::Parse(l.pric_text);
    Check(cnt && *cnt == l.cnt && pric && *pric == l.pric, "text differs from the value");
    Check(l.prd_days >= 0, "negative prd_days");
    Required(l.fee_ocur_time, "fee_ocur_time empty");
    CheckTime(l.fee_ocur_time);
  }
}
void CheckValue(const FeeCancelByBatchInput& in) {
  Required(in.mdtrt_id, "mdtrt_id empty");
  Required(in.chrg_bchno, "chrg_bchno empty");
  Required(in.psn_no, "psn_no empty");
}
void CheckValue(const FeeCancelByLineInput& in) {
  const auto& ls = in.lines;
  Check(!ls.empty() && ls.size() <= kMaxTransactionFeeLines, "line count out of bounds");
  std::set<std::string_view> serials;
  for (const auto& l : ls) {
    Required(l.feedetl_sn, "feedetl_sn empty");
    Check(l.mdtrt_id == ls[0].mdtrt_id && l.psn_no == ls[0].psn_no, "lines of two visits");
    Check(serials.insert(l.feedetl_sn).second, "duplicate feedetl_sn accepted");
    Check(ls.size() == 1 || l.feedetl_sn != "0000", "\"0000\" combined with other lines");
  }
}
void CheckValue(const SettleInput& in) {
  Required(in.psn_no, "psn_no empty");
  Required(in.mdtrt_id, "mdtrt_id empty");
  Required(in.insutype, "insutype empty");
  Check(!in.medfee_sumamt.is_negative(), "negative medfee_sumamt");
  Check(in.mid_setl_flag != "1", "mid-stay settlement accepted");
}
void CheckValue(const SettlementRefInput& in) {
  Required(in.setl_id, "setl_id empty");
  Required(in.psn_no, "psn_no empty");
}
void CheckValue(const AdmissionInput& in) {
  Required(in.psn_no, "psn_no empty");
  Required(in.insutype, "insutype empty");
  Required(in.med_type, "med_type empty");
  Required(in.ipt_no, "ipt_no empty");
  Required(in.begntime, "begntime empty");
  CheckTime(in.begntime);
  CheckDiagnoses(in.diseinfo);
}
void CheckValue(const DischargeInput& in) {
  Required(in.mdtrt_id, "mdtrt_id empty");
  Required(in.psn_no, "psn_no empty");
  Required(in.insutype, "insutype empty");
  Required(in.endtime, "endtime empty");
  CheckTime(in.endtime);
  CheckDate(in.die_date);
  CheckDiagnoses(in.diseinfo);
}
void CheckValue(const ReconciliationInput& in) {
  Required(in.insutype, "insutype empty");
  Required(in.clr_type, "clr_type empty");
  CheckDate(in.stmt_begndate);
  CheckDate(in.stmt_enddate);
  Check(!in.stmt_begndate.empty() && in.stmt_begndate <= in.stmt_enddate, "bad statement period");
}

template <typename T>
void Run(Result<T> (*parse)(std::string_view), std::string_view json) {
  Result<T> r = parse(json);
  Result<T> again = parse(json);
  Check(r.ok() == again.ok(), "two parses of the same bytes disagree");
  if (!r.ok()) {
    Check(r.errors().size() == 1, "not exactly one diagnostic");
    const Diagnostic& d = r.errors()[0];
    Check(!d.message.empty(), "diagnostic without a message");
    Check(IsValidUtf8(d.message) && IsValidUtf8(d.field), "diagnostic not valid UTF-8");
    Check(d.ToString() == again.errors()[0].ToString(), "two parses give different errors");
    return;
  }
  CheckValue(*r);
}

}  // namespace
}  // namespace yibao

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace yibao;
  if (size == 0) return 0;
  std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 13) {
    case 0:
      Run(ParseSignInInput, json);
      break;
    case 1:
      Run(ParseSignOutInput, json);
      break;
    case 2:
      Run(ParsePersonQueryInput, json);
      break;
    case 3:
      Run(ParseOutpatientRegistrationInput, json);
      break;
    case 4:
      Run(ParseVisitInfoInput, json);
      break;
    case 5:
      Run(ParseFeeUploadInput, json);
      break;
    case 6:
      Run(ParseFeeCancelByBatchInput, json);
      break;
    case 7:
      Run(ParseFeeCancelByLineInput, json);
      break;
    case 8:
      Run(ParseSettleInput, json);
      break;
    case 9:
      Run(ParseSettlementRefInput, json);
      break;
    case 10:
      Run(ParseAdmissionInput, json);
      break;
    case 11:
      Run(ParseDischargeInput, json);
      break;
    default:
      Run(ParseReconciliationInput, json);
      break;
  }
  return 0;
}
