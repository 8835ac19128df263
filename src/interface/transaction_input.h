// The `input` of each national-interface transaction (DOMAIN.md §11), parsed and checked at the
// edge: every field has the interface's name, every problem names its path ("feedetail[3].cnt:
// more than 4 decimals"), and nothing is rounded. The transactions' meaning lives in
// src/platform; here is only their shape. docs/formats/transactions.md lists every field.
//
// Conventions for every parser below:
//  - `json` is the exact bytes of the envelope's `input` object.
//  - Scalars may be JSON strings or numbers (the number's token is kept as text); null = absent.
//  - Unknown fields are ignored (HIS systems send many optional national fields), though they must
//    be well-formed JSON; a required field that is missing or empty is an error naming it.
//  - Codes are checked for their national format where yibao has a checker (src/codes).
//  - Times are "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD" (normalised to the long form; a 'T' between
//    day and time is accepted too); dates are "YYYY-MM-DD" (a long form is accepted and cut to the
//    day). Both must be real (years 1900..2200).
//  - Amounts are yuan with at most 2 decimals, kept as fen; cnt ≤ 4 decimals, pric ≤ 6 decimals,
//    both kept as their exact decimal text too.
//  - Thread-safe; bounded (limits below). Every string has a maximum length in characters
//    (docs/formats/transactions.md); ids (psn_no, mdtrt_id, feedetl_sn, …) are visible ASCII
//    without spaces, dictionary values (med_type, insutype, flags, …) letters and digits, and free
//    text (names, descriptions) has no control characters other than tab and newline.
//  - Errors: one Diagnostic (the first problem) whose field is the path inside `input`
//    ("data.psn_no", "feedetail[3].det_item_fee_sumamt", "diseinfo[0].diag_code"; "" when the
//    input as a whole is wrong) and whose message says what is wrong and what is expected. A
//    required field that is missing, null or "" gives the message "required"; a known field given
//    twice in one object gives "repeated field"; a required member object ("data", "mdtrtinfo",
//    …) that is missing gives "<name>: required".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"
#include "base/quantity.h"

namespace yibao {

constexpr size_t kMaxTransactionFeeLines = 10'000;     // per 2204 / 2301 call
constexpr size_t kMaxDiagnoses = 64;                   // diseinfo entries per call
constexpr size_t kMaxTransactionInputBytes = 8 << 20;  // the envelope's own limit

// 9001 签到: input.signIn.
struct SignInInput {
  std::string opter_no;    // required
  std::string mac;         // optional
  std::string ip;          // optional
  std::string credential;  // required: the institution's sign-in credential (yibao; see docs)
};
Result<SignInInput> ParseSignInInput(std::string_view json);

// 9002 签退: input.signOut.
struct SignOutInput {
  std::string sign_no;   // required
  std::string opter_no;  // optional
};
Result<SignOutInput> ParseSignOutInput(std::string_view json);

// 1101 人员信息获取: input.data. Either psn_no, or mdtrt_cert_type + mdtrt_cert_no, or
// psn_cert_type + certno must be given (none: "data.psn_no: required (or …)"; half a pair: the
// missing half is named, e.g. "data.mdtrt_cert_no: required with mdtrt_cert_type").
struct PersonQueryInput {
  std::string mdtrt_cert_type;  // "01" 电子凭证, "02" 居民身份证, "03" 社会保障卡
  std::string mdtrt_cert_no;
  std::string card_sn;
  std::string begntime;  // optional; the insurance in force on this day (default today)
  std::string psn_cert_type;
  std::string certno;
  std::string psn_name;
  std::string psn_no;
};
Result<PersonQueryInput> ParsePersonQueryInput(std::string_view json);

// A diagnosis (input.diseinfo[i]) of 2203 / 2401 / 2402.
struct DiagnosisInput {
  std::string diag_type;      // "1" 西医诊断, "2" 中医主病诊断, "3" 中医主证诊断
  std::string maindiag_flag;  // "1" main diagnosis
  int diag_srt_no = 0;        // order, ≥ 1 (required)
  std::string diag_code;      // required; ICD-10 医保版 format-checked when diag_type is "1" or
                              // empty (中医 codes of types 2 / 3 are only length-checked)
  std::string diag_name;
  std::string diag_dept;
  std::string dise_dor_no;
  std::string dise_dor_name;
  std::string diag_time;  // normalised "YYYY-MM-DD HH:MM:SS"
};

// 2201 门诊挂号: input.data.
struct OutpatientRegistrationInput {
  std::string psn_no;    // required
  std::string insutype;  // required
  std::string begntime;  // required
  std::string mdtrt_cert_type;
  std::string mdtrt_cert_no;
  std::string ipt_otp_no;  // required: the hospital's outpatient number
  std::string atddr_no;
  std::string dr_name;
  std::string dept_code;
  std::string dept_name;
  std::string caty;
};
Result<OutpatientRegistrationInput> ParseOutpatientRegistrationInput(std::string_view json);

// 2203 门诊就诊信息上传: input.mdtrtinfo and input.diseinfo[].
struct VisitInfoInput {
  std::string mdtrt_id;  // required
  std::string psn_no;    // required
  std::string med_type;  // required (11 普通门诊, 14 门诊慢特病, …)
  std::string begntime;
  std::string main_cond_dscr;
  std::string dise_codg;  // 病种编码 (门慢特 disease for med_type 14…) or the main ICD code
  std::string dise_name;
  std::string birctrl_type;
  std::string birctrl_matn_date;         // YYYY-MM-DD
  std::vector<DiagnosisInput> diseinfo;  // may be empty (absent or null), ≤ kMaxDiagnoses
};
Result<VisitInfoInput> ParseVisitInfoInput(std::string_view json);

// One fee line of 2204 / 2301: input.feedetail[i].
struct FeeDetailInput {
  std::string feedetl_sn;  // required, unique within the call
  std::string mdtrt_id;    // required, the same on every line of the call
  std::string psn_no;      // required, the same on every line of the call
  std::string chrg_bchno;  // required (收费批次号)
  std::string dise_codg;
  std::string rxno;
  std::string rx_circ_flag;
  std::string fee_ocur_time;     // required
  std::string med_list_codg;     // required, national code format: drug (X…/Z…), consumable
                                 // (C…) or service item (a digit first)
  std::string medins_list_codg;  // required (the hospital's own code)
  Money det_item_fee_sumamt;     // required; must equal pric × cnt rounded half-up to the fen
  Quantity cnt;                  // required, > 0 (negative counts are refunds: use 2205 / 2302)
  UnitPrice pric;                // required, ≥ 0
  std::string cnt_text;          // exactly as sent
  std::string pric_text;
  std::string sin_dos_dscr;
  std::string used_frqu_dscr;
  int prd_days = 0;  // 周期天数, 0 = not given; 0..9999, "7.00" accepted as 7
  std::string medc_way_dscr;
  std::string bilg_dept_codg;
  std::string bilg_dept_name;
  std::string bilg_dr_codg;
  std::string bilg_dr_name;
  std::string hosp_appr_flag;  // "1" approved / restriction met, "0" or "" not
  std::string tcmdrug_used_way;
  std::string etip_flag;
  std::string dscg_tkdrug_flag;
  std::string matn_fee_flg;
};
struct FeeUploadInput {
  std::vector<FeeDetailInput> feedetail;  // 1..kMaxTransactionFeeLines
};
// Errors beyond each line's own: "feedetail[i].mdtrt_id" / ".psn_no" when line i differs from
// line 0, "feedetail[i].feedetl_sn" for the first repeated serial, "feedetail" when empty or
// longer than kMaxTransactionFeeLines.
Result<FeeUploadInput> ParseFeeUploadInput(std::string_view json);

// 2205 门诊费用明细撤销: input.data. chrg_bchno "0000" cancels every live line of the visit.
struct FeeCancelByBatchInput {
  std::string mdtrt_id;    // required
  std::string chrg_bchno;  // required
  std::string psn_no;      // required
};
Result<FeeCancelByBatchInput> ParseFeeCancelByBatchInput(std::string_view json);

// 2302 住院费用明细撤销: input.data, an object or an array of objects. feedetl_sn "0000" cancels
// every live line of the visit.
struct FeeCancelByLineInput {
  struct Line {
    std::string feedetl_sn;  // required
    std::string mdtrt_id;    // required
    std::string psn_no;      // required
  };
  std::vector<Line> lines;  // ≥ 1, one mdtrt_id and psn_no, feedetl_sn unique; "0000" only alone
};
// Paths are "data.feedetl_sn" when data is an object, "data[i].feedetl_sn" when an array.
Result<FeeCancelByLineInput> ParseFeeCancelByLineInput(std::string_view json);

// 2206 / 2207 门诊预结算 / 结算 and 2303 / 2304 住院预结算 / 结算: input.data.
// One parser serves both: it does not require med_type (the 2206/2207 handler checks it and
// reports "data.med_type: required"), and it refuses mid_setl_flag "1".
struct SettleInput {
  std::string psn_no;  // required
  std::string mdtrt_cert_type;
  std::string mdtrt_cert_no;
  std::string med_type;         // 2206/2207: required; 2303/2304: optional (the admission's)
  Money medfee_sumamt;          // required: must equal the live uploaded lines' total
  std::string psn_setlway;      // "01" 按项目结算 (default), "02" 按定额
  std::string mdtrt_id;         // required
  std::string chrg_bchno;       // 2206/2207: optional; "" or "0000" = every live line
  std::string insutype;         // required
  bool acct_used_flag = false;  // "1" / true: use the personal account; "0" / "" / false not
  std::string mid_setl_flag;    // 2303/2304: "1" 中途结算 (refused: not supported)
  std::string invono;
};
Result<SettleInput> ParseSettleInput(std::string_view json);

// 2208 / 2305 结算撤销 and 5203 结算信息查询: input.data.
// mdtrt_id is not required by the parser (5203 may omit it); the 2208/2305 handlers check it
// ("data.mdtrt_id: required").
struct SettlementRefInput {
  std::string setl_id;   // required (5203: required)
  std::string mdtrt_id;  // required for 2208/2305, optional for 5203
  std::string psn_no;    // required
};
Result<SettlementRefInput> ParseSettlementRefInput(std::string_view json);

// 2401 入院办理: input.mdtrtinfo and input.diseinfo[].
struct AdmissionInput {
  std::string psn_no;    // required
  std::string insutype;  // required
  std::string begntime;  // required
  std::string mdtrt_cert_type;
  std::string mdtrt_cert_no;
  std::string med_type;  // required (21 普通住院, …)
  std::string ipt_no;    // required: the hospital's inpatient number
  std::string medrcdno;
  std::string atddr_no;
  std::string chfpdr_name;
  std::string adm_diag_dscr;
  std::string adm_dept_codg;
  std::string adm_dept_name;
  std::string adm_bed;
  std::string dscg_maindiag_code;
  std::string main_cond_dscr;
  std::string dise_codg;
  std::string dise_name;
  std::string oprn_oprt_code;
  std::string matn_type;
  std::string birctrl_type;
  std::vector<DiagnosisInput> diseinfo;
};
Result<AdmissionInput> ParseAdmissionInput(std::string_view json);

// 2402 出院办理: input.dscginfo and input.diseinfo[].
struct DischargeInput {
  std::string mdtrt_id;  // required
  std::string psn_no;    // required
  std::string insutype;  // required
  std::string endtime;   // required
  std::string dise_codg;
  std::string dise_name;
  std::string oprn_oprt_code;
  std::string oprn_oprt_name;
  std::string dscg_dept_codg;
  std::string dscg_dept_name;
  std::string dscg_way;  // 离院方式
  std::string die_date;  // YYYY-MM-DD
  std::vector<DiagnosisInput> diseinfo;
};
Result<DischargeInput> ParseDischargeInput(std::string_view json);

// 3201 医药机构费用结算对总账: input.data.
struct ReconciliationInput {
  std::string insutype;            // required
  std::string clr_type;            // required (11 门诊, 21 住院, 41 药店)
  std::string setl_optins;         // 结算经办机构 (admdvs), optional
  std::string stmt_begndate;       // required, YYYY-MM-DD
  std::string stmt_enddate;        // required, YYYY-MM-DD, not before stmt_begndate
  Money medfee_sumamt;             // required (may be negative: cancellations)
  Money fund_pay_sumamt;           // required
  Money acct_pay;                  // required
  int64_t fixmedins_setl_cnt = 0;  // required, |n| ≤ 10^9
};
Result<ReconciliationInput> ParseReconciliationInput(std::string_view json);

}  // namespace yibao
