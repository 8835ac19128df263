#include "interface/transaction_input.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/text.h"

namespace yibao {
namespace {

// "field: message" of the first error, or "(parsed)".
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  if (r.ok()) return "(parsed)";
  const Diagnostic& d = r.errors().front();
  return d.field + ": " + d.message;
}

// `json` with the first occurrence of `from` replaced by `to`.
std::string Edit(std::string json, std::string_view from, std::string_view to) {
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

// One bad input: the exact field path of its error and a part of the message.
struct Bad {
  std::string name;
  std::string json;
  std::string field;
  std::string message_part;
};

template <typename T>
void ExpectErrors(Result<T> (*parse)(std::string_view), const std::vector<Bad>& cases) {
  for (const Bad& c : cases) {
    Result<T> r = parse(c.json);
    ASSERT_FALSE(r.ok()) << c.name << ": parsed " << c.json;
    ASSERT_EQ(r.errors().size(), 1u) << c.name;
    const Diagnostic& d = r.errors().front();
    EXPECT_EQ(d.field, c.field) << c.name << ": " << d.field << ": " << d.message;
    EXPECT_NE(d.message.find(c.message_part), std::string::npos)
        << c.name << ": message \"" << d.message << "\" lacks \"" << c.message_part << "\"";
    EXPECT_TRUE(IsValidUtf8(d.message)) << c.name;
  }
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

constexpr std::string_view kPsn = "37990000000000000001";
constexpr std::string_view kVisit = "MDTRT379900202503010001";

// ---- Whole-input problems (the same code path for every parser) -------------------------------

TEST(TransactionInput, MalformedInputAsAWhole) {
  ExpectErrors<SignInInput>(
      ParseSignInInput,
      {
          {"empty", "", "", "malformed JSON"},
          {"not json", "{signIn", "", "malformed JSON"},
          {"array", R"([{"signIn":{}}])", "", "expected a JSON object"},
          {"string", R"("signIn")", "", "expected a JSON object"},
          {"trailing", R"({"signIn":{"opter_no":"1","credential":"c"}}{})", "", "trailing content"},
          {"gbk bytes", "{\"signIn\":{\"opter_no\":\"\xcd\xf5\",\"credential\":\"c\"}}", "",
           "malformed JSON"},
          {"unclosed", R"({"signIn":{"opter_no":"1","credential":"c"})", "", "malformed JSON"},
          // Members and fields that no parser uses must still be JSON (on-demand alone would
          // skip them by counting brackets).
          {"bad bracket in unused member",
           R"({"x":[1,2},"signIn":{"opter_no":"1","credential":"c"}})", "x", "malformed JSON"},
          {"bad atom in unused member", R"({"signIn":{"opter_no":"1","credential":"c"},"x":tru})",
           "x", "malformed JSON"},
          {"bad bracket in unused field",
           R"({"signIn":{"opter_no":"1","credential":"c","memo":{"a":1]}})", "signIn.memo",
           "malformed JSON"},
          {"bad escape in unused field",
           R"({"signIn":{"memo":"\x","opter_no":"1","credential":"c"}})", "signIn.memo",
           "malformed string"},
          {"bad number in unused field",
           R"({"signIn":{"memo":[1.],"opter_no":"1","credential":"c"}})", "signIn.memo",
           "malformed number"},
          {"deep unused field",
           R"({"signIn":{"opter_no":"1","credential":"c","memo":)" + std::string(40, '[') +
               std::string(40, ']') + "}}",
           "signIn.memo", "nested too deeply"},
      });
  std::string huge =
      R"({"pad":")" + std::string(kMaxTransactionInputBytes, 'x') + R"(","signIn":{}})";
  EXPECT_EQ(ErrorOf(ParseSignInInput(huge)), ": input larger than 8388608 bytes");
}

// ---- 9001 / 9002 ------------------------------------------------------------------------------

const std::string kSignIn =
    R"({"signIn":{"opter_no":"0001","mac":"00-1A-2B-3C-4D-5E","ip":"10.20.30.40",)"
    R"("credential":"qlx-H37990100001-7f3a9c"}})";

TEST(TransactionInput, SignIn) {
  Result<SignInInput> r = ParseSignInInput(kSignIn);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->opter_no, "0001");
  EXPECT_EQ(r->mac, "00-1A-2B-3C-4D-5E");
  EXPECT_EQ(r->ip, "10.20.30.40");
  EXPECT_EQ(r->credential, "qlx-H37990100001-7f3a9c");
  // Numbers are kept as their token; unknown fields and members are skipped.
  r = ParseSignInInput(
      R"({"other":[1,{"x":null}],"signIn":{"opter_no":1234,"x":{"y":[]},"credential":"c"}})");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->opter_no, "1234");
  EXPECT_EQ(r->mac, "");
}

TEST(TransactionInput, SignInErrors) {
  const std::string& g = kSignIn;
  ExpectErrors<SignInInput>(
      ParseSignInInput,
      {
          {"no signIn", R"({"data":{}})", "signIn", "required"},
          {"signIn null", R"({"signIn":null})", "signIn", "required"},
          {"signIn array", R"({"signIn":[]})", "signIn", "expected an object"},
          {"signIn twice", R"({"signIn":{"opter_no":"1","credential":"c"},"signIn":{}})", "signIn",
           "repeated field"},
          {"missing opter_no", Edit(g, R"("opter_no":"0001",)", ""), "signIn.opter_no", "required"},
          {"empty opter_no", Edit(g, R"("0001")", R"("")"), "signIn.opter_no", "required"},
          {"null opter_no", Edit(g, R"("0001")", "null"), "signIn.opter_no", "required"},
          {"missing credential", Edit(g, R"(,"credential":"qlx-H37990100001-7f3a9c")", ""),
           "signIn.credential", "required"},
          {"opter_no object", Edit(g, R"("0001")", R"({"a":1})"), "signIn.opter_no",
           "expected a string or a number"},
          {"opter_no bool", Edit(g, R"("0001")", "true"), "signIn.opter_no",
           "expected a string or a number"},
          {"opter_no malformed number", Edit(g, R"("0001")", "12abc"), "signIn.opter_no",
           "malformed number"},
          {"opter_no nope", Edit(g, R"("0001")", "nope"), "signIn.opter_no", "malformed JSON"},
          {"opter_no too long", Edit(g, "0001", std::string(31, '1')), "signIn.opter_no",
           "longer than 30 characters"},
          {"opter_no repeated", Edit(g, R"("opter_no":"0001")", R"("opter_no":"1","opter_no":"2")"),
           "signIn.opter_no", "repeated field"},
          {"credential space", Edit(g, "qlx-H37990100001", "qlx H37990100001"), "signIn.credential",
           "visible ASCII"},
          {"credential too long", Edit(g, "qlx-H37990100001-7f3a9c", std::string(257, 'c')),
           "signIn.credential", "longer than 256 characters"},
          {"mac with Chinese", Edit(g, "00-1A-2B-3C-4D-5E", "网卡"), "signIn.mac", "visible ASCII"},
      });
}

TEST(TransactionInput, SignOut) {
  Result<SignOutInput> r =
      ParseSignOutInput(R"({"signOut":{"sign_no":"SN20250301093000000123","opter_no":"0001"}})");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->sign_no, "SN20250301093000000123");
  EXPECT_EQ(r->opter_no, "0001");
  ExpectErrors<SignOutInput>(
      ParseSignOutInput,
      {
          {"no signOut", R"({"signIn":{"sign_no":"1"}})", "signOut", "required"},
          {"no sign_no", R"({"signOut":{"opter_no":"0001"}})", "signOut.sign_no", "required"},
          {"sign_no too long", R"({"signOut":{"sign_no":")" + std::string(31, 'S') + R"("}})",
           "signOut.sign_no", "longer than 30"},
      });
}

// ---- 1101 -------------------------------------------------------------------------------------

const std::string kPersonQuery =
    R"({"data":{"mdtrt_cert_type":"02","mdtrt_cert_no":"370102198001011234",)"
    R"("card_sn":"J37010212345","begntime":"2025-03-01","psn_cert_type":"01",)"
    R"("certno":"370102198001011234","psn_name":"张三","psn_no":"37990000000000000001"}})";

TEST(TransactionInput, PersonQuery) {
  Result<PersonQueryInput> r = ParsePersonQueryInput(kPersonQuery);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->mdtrt_cert_type, "02");
  EXPECT_EQ(r->mdtrt_cert_no, "370102198001011234");
  EXPECT_EQ(r->card_sn, "J37010212345");
  EXPECT_EQ(r->begntime, "2025-03-01 00:00:00");  // normalised to the long form
  EXPECT_EQ(r->psn_cert_type, "01");
  EXPECT_EQ(r->certno, "370102198001011234");
  EXPECT_EQ(r->psn_name, "张三");
  EXPECT_EQ(r->psn_no, kPsn);
  // Any one of the three identifications is enough.
  EXPECT_TRUE(ParsePersonQueryInput(R"({"data":{"psn_no":"1"}})").ok());
  EXPECT_TRUE(
      ParsePersonQueryInput(R"({"data":{"mdtrt_cert_type":"02","mdtrt_cert_no":"X"}})").ok());
  EXPECT_TRUE(ParsePersonQueryInput(R"({"data":{"psn_cert_type":"01","certno":"X"}})").ok());
}

TEST(TransactionInput, PersonQueryErrors) {
  std::string fifty = Repeat("张", 50);
  Result<PersonQueryInput> ok =
      ParsePersonQueryInput(R"({"data":{"psn_no":"1","psn_name":")" + fifty + R"("}})");
  ASSERT_TRUE(ok.ok()) << FormatDiagnostics(ok.errors());  // 150 bytes, 50 characters
  ExpectErrors<PersonQueryInput>(
      ParsePersonQueryInput,
      {
          {"no identification", R"({"data":{"psn_name":"张三"}})", "data.psn_no", "required"},
          {"cert type alone", R"({"data":{"mdtrt_cert_type":"02"}})", "data.mdtrt_cert_no",
           "required with mdtrt_cert_type"},
          {"cert no alone", R"({"data":{"mdtrt_cert_no":"X1"}})", "data.mdtrt_cert_type",
           "required with mdtrt_cert_no"},
          {"psn cert type alone", R"({"data":{"psn_cert_type":"01"}})", "data.certno",
           "required with psn_cert_type"},
          {"certno alone", R"({"data":{"certno":"X1"}})", "data.psn_cert_type",
           "required with certno"},
          {"no data", R"({"signIn":{}})", "data", "required"},
          {"data string", R"({"data":"psn"})", "data", "expected an object"},
          {"bad day", Edit(kPersonQuery, "2025-03-01", "2025-02-30"), "data.begntime",
           "expected a real time"},
          {"slashes", Edit(kPersonQuery, "2025-03-01", "2025/03/01"), "data.begntime",
           "YYYY-MM-DD"},
          {"name 51 characters", Edit(kPersonQuery, "张三", fifty + "张"), "data.psn_name",
           "longer than 50 characters"},
          {"name control char", Edit(kPersonQuery, "张三", "张\\u0000三"), "data.psn_name",
           "control characters"},
          {"cert type not a code", Edit(kPersonQuery, R"("02")", R"("0 2")"),
           "data.mdtrt_cert_type", "letters and digits"},
      });
}

// ---- 2201 -------------------------------------------------------------------------------------

const std::string kRegistration =
    R"({"data":{"psn_no":"37990000000000000001","insutype":"310",)"
    R"("begntime":"2025-03-01 09:30:00","mdtrt_cert_type":"02",)"
    R"("mdtrt_cert_no":"370102198001011234","ipt_otp_no":"MZ20250301000123",)"
    R"("atddr_no":"D379900000123","dr_name":"李医生","dept_code":"A03.06",)"
    R"("dept_name":"心血管内科门诊","caty":"A03.06"}})";

TEST(TransactionInput, OutpatientRegistration) {
  Result<OutpatientRegistrationInput> r = ParseOutpatientRegistrationInput(kRegistration);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(r->insutype, "310");
  EXPECT_EQ(r->begntime, "2025-03-01 09:30:00");
  EXPECT_EQ(r->mdtrt_cert_type, "02");
  EXPECT_EQ(r->mdtrt_cert_no, "370102198001011234");
  EXPECT_EQ(r->ipt_otp_no, "MZ20250301000123");
  EXPECT_EQ(r->atddr_no, "D379900000123");
  EXPECT_EQ(r->dr_name, "李医生");
  EXPECT_EQ(r->dept_code, "A03.06");
  EXPECT_EQ(r->dept_name, "心血管内科门诊");
  EXPECT_EQ(r->caty, "A03.06");
  // insutype as a number; a 'T' between day and time is normalised to a space.
  r = ParseOutpatientRegistrationInput(
      Edit(Edit(kRegistration, R"("310")", "310"), "2025-03-01 09:30:00", "2025-03-01T09:30:00"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->insutype, "310");
  EXPECT_EQ(r->begntime, "2025-03-01 09:30:00");
}

TEST(TransactionInput, OutpatientRegistrationErrors) {
  const std::string& g = kRegistration;
  ExpectErrors<OutpatientRegistrationInput>(
      ParseOutpatientRegistrationInput,
      {
          {"no psn_no", Edit(g, R"("psn_no":"37990000000000000001",)", ""), "data.psn_no",
           "required"},
          {"no insutype", Edit(g, R"("insutype":"310",)", ""), "data.insutype", "required"},
          {"no begntime", Edit(g, R"("begntime":"2025-03-01 09:30:00",)", ""), "data.begntime",
           "required"},
          {"no ipt_otp_no", Edit(g, R"("ipt_otp_no":"MZ20250301000123",)", ""), "data.ipt_otp_no",
           "required"},
          {"hour 25", Edit(g, "09:30:00", "25:30:00"), "data.begntime", "expected a real time"},
          {"minutes only", Edit(g, "09:30:00", "09:30"), "data.begntime", "expected a real time"},
          {"year 1800", Edit(g, "2025-03-01 09", "1800-03-01 09"), "data.begntime",
           "expected a real time"},
          {"insutype spaces", Edit(g, R"("310")", R"(" 310")"), "data.insutype",
           "letters and digits"},
          {"insutype too long", Edit(g, R"("310")", R"("3100000")"), "data.insutype",
           "longer than 6 characters"},
          {"dept_name too long", Edit(g, "心血管内科门诊", Repeat("科", 201)), "data.dept_name",
           "longer than 200 characters"},
          {"caty too long",
           Edit(g, R"("caty":"A03.06")", R"("caty":")" + std::string(51, 'A') + "\""), "data.caty",
           "longer than 50 characters"},
      });
}

// ---- 2203 -------------------------------------------------------------------------------------

const std::string kVisitInfo =
    R"({"mdtrtinfo":{"mdtrt_id":"MDTRT379900202503010001","psn_no":"37990000000000000001",)"
    R"("med_type":"14","begntime":"2025-03-01 09:30:00","main_cond_dscr":"头晕、血压控制不佳",)"
    R"("dise_codg":"M03900","dise_name":"高血压","birctrl_type":"1",)"
    R"("birctrl_matn_date":"2025-02-20"},)"
    R"("diseinfo":[{"diag_type":"1","diag_srt_no":1,"diag_code":"I10.x00",)"
    R"("diag_name":"原发性高血压","diag_dept":"心血管内科","dise_dor_no":"D379900000123",)"
    R"("dise_dor_name":"李医生","diag_time":"2025-03-01 09:40:00","vali_flag":"1",)"
    R"("maindiag_flag":"1"},)"
    R"({"diag_type":"2","diag_srt_no":"2","diag_code":"A07.01.01.","diag_name":"眩晕病",)"
    R"("maindiag_flag":"0","diag_time":"2025-03-01"}]})";

TEST(TransactionInput, VisitInfo) {
  Result<VisitInfoInput> r = ParseVisitInfoInput(kVisitInfo);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->mdtrt_id, kVisit);
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(r->med_type, "14");
  EXPECT_EQ(r->begntime, "2025-03-01 09:30:00");
  EXPECT_EQ(r->main_cond_dscr, "头晕、血压控制不佳");
  EXPECT_EQ(r->dise_codg, "M03900");
  EXPECT_EQ(r->dise_name, "高血压");
  EXPECT_EQ(r->birctrl_type, "1");
  EXPECT_EQ(r->birctrl_matn_date, "2025-02-20");
  ASSERT_EQ(r->diseinfo.size(), 2u);
  const DiagnosisInput& d = r->diseinfo[0];
  EXPECT_EQ(d.diag_type, "1");
  EXPECT_EQ(d.maindiag_flag, "1");
  EXPECT_EQ(d.diag_srt_no, 1);
  EXPECT_EQ(d.diag_code, "I10.x00");
  EXPECT_EQ(d.diag_name, "原发性高血压");
  EXPECT_EQ(d.diag_dept, "心血管内科");
  EXPECT_EQ(d.dise_dor_no, "D379900000123");
  EXPECT_EQ(d.dise_dor_name, "李医生");
  EXPECT_EQ(d.diag_time, "2025-03-01 09:40:00");
  // A 中医 diagnosis: its code is not ICD-10 and is not format-checked.
  const DiagnosisInput& t = r->diseinfo[1];
  EXPECT_EQ(t.diag_type, "2");
  EXPECT_EQ(t.diag_srt_no, 2);
  EXPECT_EQ(t.diag_code, "A07.01.01.");
  EXPECT_EQ(t.maindiag_flag, "0");
  EXPECT_EQ(t.diag_time, "2025-03-01 00:00:00");
  // diseinfo may be absent, null or empty.
  const std::string info_only = kVisitInfo.substr(0, kVisitInfo.find(R"(,"diseinfo")")) + "}";
  for (const std::string& json :
       {info_only, info_only.substr(0, info_only.size() - 1) + R"(,"diseinfo":null})",
        info_only.substr(0, info_only.size() - 1) + R"(,"diseinfo":[]})"}) {
    r = ParseVisitInfoInput(json);
    ASSERT_TRUE(r.ok()) << json << FormatDiagnostics(r.errors());
    EXPECT_TRUE(r->diseinfo.empty());
  }
}

TEST(TransactionInput, VisitInfoErrors) {
  const std::string& g = kVisitInfo;
  std::string many = R"({"mdtrtinfo":{"mdtrt_id":"M1","psn_no":"P1","med_type":"11"},"diseinfo":[)";
  for (int i = 1; i <= 65; ++i)
    many += (i > 1 ? "," : "") + std::string(R"({"diag_srt_no":)") + std::to_string(i) +
            R"(,"diag_code":"J06.900"})";
  many += "]}";
  ExpectErrors<VisitInfoInput>(
      ParseVisitInfoInput,
      {
          {"no mdtrtinfo", R"({"diseinfo":[]})", "mdtrtinfo", "required"},
          {"mdtrtinfo array", R"({"mdtrtinfo":[]})", "mdtrtinfo", "expected an object"},
          {"no med_type", Edit(g, R"("med_type":"14",)", ""), "mdtrtinfo.med_type", "required"},
          {"no mdtrt_id", Edit(g, R"("mdtrt_id":"MDTRT379900202503010001",)", ""),
           "mdtrtinfo.mdtrt_id", "required"},
          {"bad diag_code", Edit(g, "I10.x00", "I10-x00"), "diseinfo[0].diag_code",
           "not an ICD-10"},
          {"missing diag_code", Edit(g, R"("diag_code":"I10.x00",)", ""), "diseinfo[0].diag_code",
           "required"},
          {"diag_srt_no 0", Edit(g, R"("diag_srt_no":1)", R"("diag_srt_no":0)"),
           "diseinfo[0].diag_srt_no", "1..999"},
          {"diag_srt_no 1.5", Edit(g, R"("diag_srt_no":1)", R"("diag_srt_no":1.5)"),
           "diseinfo[0].diag_srt_no", "whole number"},
          {"missing diag_srt_no", Edit(g, R"("diag_srt_no":"2",)", ""), "diseinfo[1].diag_srt_no",
           "required"},
          {"diseinfo object", Edit(g, R"("diseinfo":[)", R"("diseinfo":{"x":[)") + "}", "diseinfo",
           "expected an array"},
          {"diseinfo element string", Edit(g, R"("diseinfo":[)", R"("diseinfo":["I10",)"),
           "diseinfo[0]", "expected an object"},
          {"diag_time bad", Edit(g, "2025-03-01 09:40:00", "2025-03-01 09:61:00"),
           "diseinfo[0].diag_time", "expected a real time"},
          {"matn date not real", Edit(g, "2025-02-20", "2025-13-01"), "mdtrtinfo.birctrl_matn_date",
           "expected a real date"},
          {"too many diagnoses", many, "diseinfo", "more than 64 diagnoses"},
          {"diag_name too long", Edit(g, "原发性高血压", Repeat("高", 201)),
           "diseinfo[0].diag_name", "longer than 200"},
      });
}

// ---- 2204 / 2301 ------------------------------------------------------------------------------

// A fee line with the given serial, count, price and amount (strings spliced as JSON tokens).
std::string FeeLine(int sn, std::string_view cnt, std::string_view pric, std::string_view amount,
                    std::string_view code = "XJ01CAB007A002010101373",
                    std::string_view visit = kVisit) {
  return std::string(R"({"feedetl_sn":"F)") + std::to_string(sn) + R"(","mdtrt_id":")" +
         std::string(visit) + R"(","psn_no":"37990000000000000001","chrg_bchno":"CB001",)" +
         R"("fee_ocur_time":"2025-03-01 10:00:00","med_list_codg":")" + std::string(code) +
         R"(","medins_list_codg":"YP0001","det_item_fee_sumamt":)" + std::string(amount) +
         R"(,"cnt":)" + std::string(cnt) + R"(,"pric":)" + std::string(pric) + "}";
}

std::string FeeUpload(const std::vector<std::string>& lines) {
  std::string s = R"({"feedetail":[)";
  for (size_t i = 0; i < lines.size(); ++i) s += (i ? "," : "") + lines[i];
  return s + "]}";
}

const std::string kFeeUpload =
    R"({"feedetail":[)"
    R"({"feedetl_sn":"F0001","mdtrt_id":"MDTRT379900202503010001",)"
    R"("psn_no":"37990000000000000001","chrg_bchno":"CB20250301001","dise_codg":"I10.x00",)"
    R"("rxno":"RX20250301007","rx_circ_flag":"0","fee_ocur_time":"2025-03-01 10:05:00",)"
    R"("med_list_codg":"XJ01CAB007A002010101373","medins_list_codg":"YP-0001 阿莫西林",)"
    R"("det_item_fee_sumamt":"25.00","cnt":"2","pric":"12.5","sin_dos_dscr":"0.5g",)"
    R"("used_frqu_dscr":"每日三次","prd_days":"7.00","medc_way_dscr":"口服",)"
    R"("bilg_dept_codg":"A03.06","bilg_dept_name":"心血管内科","bilg_dr_codg":"D379900000123",)"
    R"("bilg_dr_name":"李医生","hosp_appr_flag":"1","tcmdrug_used_way":"1","etip_flag":"0",)"
    R"("dscg_tkdrug_flag":"0","matn_fee_flg":"0","memo":"ignored"},)"
    R"({"feedetl_sn":"F0002","mdtrt_id":"MDTRT379900202503010001",)"
    R"("psn_no":"37990000000000000001","chrg_bchno":"CB20250301001",)"
    R"("fee_ocur_time":"2025-03-01","med_list_codg":"C0301010010000011710",)"
    R"("medins_list_codg":"HC0002","det_item_fee_sumamt":1.67,"cnt":0.5,"pric":3.333333},)"
    R"({"feedetl_sn":"F0003","mdtrt_id":"MDTRT379900202503010001",)"
    R"("psn_no":"37990000000000000001","chrg_bchno":"CB20250301001",)"
    R"("fee_ocur_time":"2025-03-01 10:07:00","med_list_codg":"001102000010000",)"
    R"("medins_list_codg":"ZL0003","det_item_fee_sumamt":"0.00","cnt":"1.0000",)"
    R"("pric":"0.000000"}]})";

TEST(TransactionInput, FeeUpload) {
  Result<FeeUploadInput> r = ParseFeeUploadInput(kFeeUpload);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  ASSERT_EQ(r->feedetail.size(), 3u);
  const FeeDetailInput& a = r->feedetail[0];
  EXPECT_EQ(a.feedetl_sn, "F0001");
  EXPECT_EQ(a.mdtrt_id, kVisit);
  EXPECT_EQ(a.psn_no, kPsn);
  EXPECT_EQ(a.chrg_bchno, "CB20250301001");
  EXPECT_EQ(a.dise_codg, "I10.x00");
  EXPECT_EQ(a.rxno, "RX20250301007");
  EXPECT_EQ(a.rx_circ_flag, "0");
  EXPECT_EQ(a.fee_ocur_time, "2025-03-01 10:05:00");
  EXPECT_EQ(a.med_list_codg, "XJ01CAB007A002010101373");
  EXPECT_EQ(a.medins_list_codg, "YP-0001 阿莫西林");
  EXPECT_EQ(a.det_item_fee_sumamt, Money::Fen(2500));
  EXPECT_EQ(a.cnt, Quantity::Units(2));
  EXPECT_EQ(a.pric, UnitPrice::MicroYuan(12'500'000));
  EXPECT_EQ(a.cnt_text, "2");
  EXPECT_EQ(a.pric_text, "12.5");
  EXPECT_EQ(a.sin_dos_dscr, "0.5g");
  EXPECT_EQ(a.used_frqu_dscr, "每日三次");
  EXPECT_EQ(a.prd_days, 7);
  EXPECT_EQ(a.medc_way_dscr, "口服");
  EXPECT_EQ(a.bilg_dept_codg, "A03.06");
  EXPECT_EQ(a.bilg_dept_name, "心血管内科");
  EXPECT_EQ(a.bilg_dr_codg, "D379900000123");
  EXPECT_EQ(a.bilg_dr_name, "李医生");
  EXPECT_EQ(a.hosp_appr_flag, "1");
  EXPECT_EQ(a.tcmdrug_used_way, "1");
  EXPECT_EQ(a.etip_flag, "0");
  EXPECT_EQ(a.dscg_tkdrug_flag, "0");
  EXPECT_EQ(a.matn_fee_flg, "0");
  // Numbers as tokens; 3.333333 × 0.5 = 1.6666665 → 1.67 half-up; a day-only time normalised.
  const FeeDetailInput& b = r->feedetail[1];
  EXPECT_EQ(b.fee_ocur_time, "2025-03-01 00:00:00");
  EXPECT_EQ(b.med_list_codg, "C0301010010000011710");
  EXPECT_EQ(b.det_item_fee_sumamt, Money::Fen(167));
  EXPECT_EQ(b.cnt, Quantity::Raw(5000));
  EXPECT_EQ(b.pric, UnitPrice::MicroYuan(3'333'333));
  EXPECT_EQ(b.cnt_text, "0.5");
  EXPECT_EQ(b.pric_text, "3.333333");
  EXPECT_EQ(b.prd_days, 0);
  EXPECT_EQ(b.rxno, "");
  // A free item (pric 0) and the exact text with trailing zeros.
  const FeeDetailInput& c = r->feedetail[2];
  EXPECT_EQ(c.med_list_codg, "001102000010000");
  EXPECT_EQ(c.det_item_fee_sumamt, Money::Zero());
  EXPECT_EQ(c.cnt_text, "1.0000");
  EXPECT_EQ(c.pric_text, "0.000000");
}

TEST(TransactionInput, FeeUploadLimits) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < kMaxTransactionFeeLines; ++i)
    lines.push_back(FeeLine(int(i), "1", "0.01", "0.01"));
  Result<FeeUploadInput> r = ParseFeeUploadInput(FeeUpload(lines));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->feedetail.size(), kMaxTransactionFeeLines);
  lines.push_back(FeeLine(int(kMaxTransactionFeeLines), "1", "0.01", "0.01"));
  EXPECT_EQ(ErrorOf(ParseFeeUploadInput(FeeUpload(lines))),
            "feedetail: more than 10000 lines in one call");
  // 10 000 equal serials: the first repetition is found (and quickly).
  lines.pop_back();
  for (std::string& l : lines) l = FeeLine(7, "1", "0.01", "0.01");
  EXPECT_EQ(ErrorOf(ParseFeeUploadInput(FeeUpload(lines))),
            "feedetail[1].feedetl_sn: duplicate \"F7\" (also feedetail[0]): feedetl_sn must be "
            "unique within the call");
}

TEST(TransactionInput, FeeUploadErrors) {
  const std::string ok0 = FeeLine(1, R"("2")", R"("12.5")", R"("25.00")");
  const std::string ok1 = FeeLine(2, R"("3")", R"("1.005")", R"("3.02")");  // 3.015 → 3.02
  ASSERT_TRUE(ParseFeeUploadInput(FeeUpload({ok0, ok1})).ok());
  ExpectErrors<FeeUploadInput>(
      ParseFeeUploadInput,
      {
          {"no feedetail", R"({"data":[]})", "feedetail", "required"},
          {"feedetail object", R"({"feedetail":)" + ok0 + "}", "feedetail",
           "expected an array of fee lines"},
          {"empty", R"({"feedetail":[]})", "feedetail", "empty"},
          {"line not object", FeeUpload({ok0, R"("F2")"}), "feedetail[1]", "expected an object"},
          {"line null", FeeUpload({ok0, "null"}), "feedetail[1]", "expected an object"},
          {"missing med_list_codg",
           FeeUpload({ok0, Edit(ok1, R"("med_list_codg":"XJ01CAB007A002010101373",)", "")}),
           "feedetail[1].med_list_codg", "required"},
          {"missing feedetl_sn", FeeUpload({Edit(ok0, R"("feedetl_sn":"F1",)", "")}),
           "feedetail[0].feedetl_sn", "required"},
          {"missing chrg_bchno", FeeUpload({Edit(ok0, R"("chrg_bchno":"CB001",)", "")}),
           "feedetail[0].chrg_bchno", "required"},
          {"missing fee_ocur_time",
           FeeUpload({Edit(ok0, R"("fee_ocur_time":"2025-03-01 10:00:00",)", "")}),
           "feedetail[0].fee_ocur_time", "required"},
          {"missing sumamt", FeeUpload({Edit(ok0, R"("det_item_fee_sumamt":"25.00",)", "")}),
           "feedetail[0].det_item_fee_sumamt", "required"},
          {"missing cnt", FeeUpload({Edit(ok0, R"(,"cnt":"2")", "")}), "feedetail[0].cnt",
           "required"},
          {"missing pric", FeeUpload({Edit(ok0, R"(,"pric":"12.5")", "")}), "feedetail[0].pric",
           "required"},
          {"amount 3 decimals", FeeUpload({ok0, FeeLine(2, "3", "1.005", R"("3.015")")}),
           "feedetail[1].det_item_fee_sumamt", "at most 2 decimals"},
          {"amount negative", FeeUpload({FeeLine(1, "1", "0", R"("-0.01")")}),
           "feedetail[0].det_item_fee_sumamt", "≥ 0"},
          {"amount exponent", FeeUpload({FeeLine(1, "1", "25", "2.5e1")}),
           "feedetail[0].det_item_fee_sumamt", "at most 2 decimals"},
          {"sumamt != pric x cnt", FeeUpload({ok0, FeeLine(2, "3", "1.005", R"("3.01")")}),
           "feedetail[1].det_item_fee_sumamt", "expected pric × cnt = 1.005 × 3 = 3.02"},
          {"cnt 5 decimals", FeeUpload({FeeLine(1, R"("0.00001")", "1", "0.00")}),
           "feedetail[0].cnt", "at most 4 decimals"},
          {"cnt negative", FeeUpload({FeeLine(1, "-1", "2", "2.00")}), "feedetail[0].cnt",
           "2205 / 2302"},
          {"cnt zero", FeeUpload({FeeLine(1, "0", "2", "0.00")}), "feedetail[0].cnt",
           "greater than 0"},
          {"cnt text", FeeUpload({FeeLine(1, R"("two")", "2", "4.00")}), "feedetail[0].cnt",
           "at most 4 decimals"},
          {"pric 7 decimals", FeeUpload({FeeLine(1, "1", "0.0000001", "0.00")}),
           "feedetail[0].pric", "at most 6 decimals"},
          {"pric negative", FeeUpload({FeeLine(1, "1", "-2", "2.00")}), "feedetail[0].pric",
           "price ≥ 0"},
          {"mixed mdtrt_id",
           FeeUpload({ok0, FeeLine(2, "1", "1", "1.00", "XJ01CAB007A002010101373", "MDTRT2")}),
           "feedetail[1].mdtrt_id", "differs from feedetail[0].mdtrt_id"},
          {"mixed psn_no",
           FeeUpload({ok0, Edit(ok1, "37990000000000000001", "37990000000000000002")}),
           "feedetail[1].psn_no", "differs from feedetail[0].psn_no"},
          {"duplicate feedetl_sn", FeeUpload({ok0, ok1, Edit(ok0, "25.00", "25")}),
           "feedetail[2].feedetl_sn", "duplicate \"F1\" (also feedetail[0])"},
          {"bad code", FeeUpload({FeeLine(1, "1", "1", "1.00", "ABC123")}),
           "feedetail[0].med_list_codg", "not a national medical-list code"},
          {"short drug code", FeeUpload({FeeLine(1, "1", "1", "1.00", "XJ01CAB007")}),
           "feedetail[0].med_list_codg", "not a national medical-list code"},
          {"code too long", FeeUpload({FeeLine(1, "1", "1", "1.00", std::string(51, '1'))}),
           "feedetail[0].med_list_codg", "longer than 50 characters"},
          {"bad time", FeeUpload({Edit(ok0, "2025-03-01 10:00:00", "2025-03-01 10:00:00.000")}),
           "feedetail[0].fee_ocur_time", "expected a real time"},
          {"prd_days 7.5", FeeUpload({Edit(ok0, R"("cnt")", R"("prd_days":7.5,"cnt")")}),
           "feedetail[0].prd_days", "whole number 0..9999"},
          {"sn with Chinese", FeeUpload({Edit(ok0, R"("F1")", R"("序1")")}),
           "feedetail[0].feedetl_sn", "visible ASCII"},
          {"sn too long", FeeUpload({Edit(ok0, R"("F1")", "\"" + std::string(31, 'F') + "\"")}),
           "feedetail[0].feedetl_sn", "longer than 30 characters"},
          {"flag as bool", FeeUpload({Edit(ok0, R"("cnt")", R"("hosp_appr_flag":true,"cnt")")}),
           "feedetail[0].hosp_appr_flag", "expected a string or a number"},
          {"repeated pric", FeeUpload({Edit(ok0, R"("cnt")", R"("pric":1,"cnt")")}),
           "feedetail[0].pric", "repeated field"},
      });
}

// ---- 2205 / 2302 ------------------------------------------------------------------------------

TEST(TransactionInput, FeeCancelByBatch) {
  const std::string g =
      R"({"data":{"mdtrt_id":"MDTRT379900202503010001","chrg_bchno":"CB20250301001",)"
      R"("psn_no":"37990000000000000001"}})";
  Result<FeeCancelByBatchInput> r = ParseFeeCancelByBatchInput(g);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->mdtrt_id, kVisit);
  EXPECT_EQ(r->chrg_bchno, "CB20250301001");
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(ParseFeeCancelByBatchInput(Edit(g, "CB20250301001", "0000"))->chrg_bchno, "0000");
  ExpectErrors<FeeCancelByBatchInput>(
      ParseFeeCancelByBatchInput,
      {
          {"no chrg_bchno", Edit(g, R"("chrg_bchno":"CB20250301001",)", ""), "data.chrg_bchno",
           "required"},
          {"no mdtrt_id", Edit(g, R"("mdtrt_id":"MDTRT379900202503010001",)", ""), "data.mdtrt_id",
           "required"},
          {"no psn_no", Edit(g, R"(,"psn_no":"37990000000000000001")", ""), "data.psn_no",
           "required"},
          {"data array", R"({"data":[]})", "data", "expected an object"},
      });
}

const std::string kCancelLine =
    R"({"feedetl_sn":"F0001","mdtrt_id":"MDTRT379900202503010001","psn_no":"37990000000000000001"})";

TEST(TransactionInput, FeeCancelByLine) {
  // data as one object.
  Result<FeeCancelByLineInput> r = ParseFeeCancelByLineInput(R"({"data":)" + kCancelLine + "}");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  ASSERT_EQ(r->lines.size(), 1u);
  EXPECT_EQ(r->lines[0].feedetl_sn, "F0001");
  EXPECT_EQ(r->lines[0].mdtrt_id, kVisit);
  EXPECT_EQ(r->lines[0].psn_no, kPsn);
  // data as an array.
  r = ParseFeeCancelByLineInput(R"({"data":[)" + kCancelLine + "," +
                                Edit(kCancelLine, "F0001", "F0002") + "]}");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  ASSERT_EQ(r->lines.size(), 2u);
  EXPECT_EQ(r->lines[1].feedetl_sn, "F0002");
  EXPECT_EQ(r->lines[1].mdtrt_id, kVisit);
  EXPECT_EQ(r->lines[1].psn_no, kPsn);
  // "0000" alone cancels the whole visit.
  r = ParseFeeCancelByLineInput(R"({"data":[)" + Edit(kCancelLine, "F0001", "0000") + "]}");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->lines[0].feedetl_sn, "0000");
}

TEST(TransactionInput, FeeCancelByLineErrors) {
  const std::string& l = kCancelLine;
  auto arr = [](std::vector<std::string> ls) {
    std::string s = R"({"data":[)";
    for (size_t i = 0; i < ls.size(); ++i) s += (i ? "," : "") + ls[i];
    return s + "]}";
  };
  ExpectErrors<FeeCancelByLineInput>(
      ParseFeeCancelByLineInput,
      {
          {"no data", R"({"feedetail":[]})", "data", "required"},
          {"data string", R"({"data":"F0001"})", "data", "expected an object or an array"},
          {"empty array", R"({"data":[]})", "data", "empty"},
          {"object missing psn_no",
           R"({"data":)" + Edit(l, R"(,"psn_no":"37990000000000000001")", "") + "}", "data.psn_no",
           "required"},
          {"array missing psn_no", arr({Edit(l, R"(,"psn_no":"37990000000000000001")", "")}),
           "data[0].psn_no", "required"},
          {"element not object", arr({l, "[]"}), "data[1]", "expected an object"},
          {"mixed mdtrt_id",
           arr({l, Edit(Edit(l, "F0001", "F2"), "MDTRT379900202503010001", "M2")}),
           "data[1].mdtrt_id", "differs from data[0].mdtrt_id"},
          {"mixed psn_no", arr({l, Edit(Edit(l, "F0001", "F2"), "37990000000000000001", "3")}),
           "data[1].psn_no", "differs from data[0].psn_no"},
          {"duplicate sn", arr({l, Edit(l, "F0001", "F2"), l}), "data[2].feedetl_sn",
           "duplicate \"F0001\" (also data[0])"},
          {"0000 with others", arr({l, Edit(l, "F0001", "0000")}), "data[1].feedetl_sn",
           "cannot be combined"},
          {"sn too long", arr({Edit(l, "F0001", std::string(31, 'F'))}), "data[0].feedetl_sn",
           "longer than 30"},
      });
}

// ---- 2206 / 2207 / 2303 / 2304 ----------------------------------------------------------------

const std::string kSettle =
    R"({"data":{"psn_no":"37990000000000000001","mdtrt_cert_type":"02",)"
    R"("mdtrt_cert_no":"370102198001011234","med_type":"11","medfee_sumamt":"26.67",)"
    R"("psn_setlway":"01","mdtrt_id":"MDTRT379900202503010001","chrg_bchno":"CB20250301001",)"
    R"("insutype":"310","acct_used_flag":"1","mid_setl_flag":"0","invono":"INV2025030100001",)"
    R"("fulamt_ownpay_amt":"0.00"}})";

TEST(TransactionInput, Settle) {
  Result<SettleInput> r = ParseSettleInput(kSettle);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(r->mdtrt_cert_type, "02");
  EXPECT_EQ(r->mdtrt_cert_no, "370102198001011234");
  EXPECT_EQ(r->med_type, "11");
  EXPECT_EQ(r->medfee_sumamt, Money::Fen(2667));
  EXPECT_EQ(r->psn_setlway, "01");
  EXPECT_EQ(r->mdtrt_id, kVisit);
  EXPECT_EQ(r->chrg_bchno, "CB20250301001");
  EXPECT_EQ(r->insutype, "310");
  EXPECT_TRUE(r->acct_used_flag);
  EXPECT_EQ(r->mid_setl_flag, "0");
  EXPECT_EQ(r->invono, "INV2025030100001");
  // 2303/2304 style: no med_type, no batch, the flag as a boolean or "0".
  r = ParseSettleInput(
      R"({"data":{"psn_no":"P1","medfee_sumamt":12345.6,"mdtrt_id":"M1","insutype":"390",)"
      R"("acct_used_flag":false}})");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->med_type, "");
  EXPECT_EQ(r->medfee_sumamt, Money::Fen(1234560));
  EXPECT_FALSE(r->acct_used_flag);
  EXPECT_TRUE(ParseSettleInput(Edit(kSettle, R"("acct_used_flag":"1")", R"("acct_used_flag":true)"))
                  ->acct_used_flag);
  EXPECT_FALSE(ParseSettleInput(Edit(kSettle, R"("acct_used_flag":"1")", R"("acct_used_flag":"0")"))
                   ->acct_used_flag);
}

TEST(TransactionInput, SettleErrors) {
  const std::string& g = kSettle;
  ExpectErrors<SettleInput>(
      ParseSettleInput,
      {
          {"no medfee_sumamt", Edit(g, R"("medfee_sumamt":"26.67",)", ""), "data.medfee_sumamt",
           "required"},
          {"no insutype", Edit(g, R"("insutype":"310",)", ""), "data.insutype", "required"},
          {"no mdtrt_id", Edit(g, R"("mdtrt_id":"MDTRT379900202503010001",)", ""), "data.mdtrt_id",
           "required"},
          {"sumamt 3 decimals", Edit(g, "26.67", "26.675"), "data.medfee_sumamt",
           "at most 2 decimals"},
          {"sumamt negative", Edit(g, "26.67", "-26.67"), "data.medfee_sumamt", "≥ 0"},
          {"sumamt huge", Edit(g, "26.67", "100000000000.01"), "data.medfee_sumamt",
           "at most 2 decimals"},
          {"mid-stay settlement", Edit(g, R"("mid_setl_flag":"0")", R"("mid_setl_flag":"1")"),
           "data.mid_setl_flag", "not supported"},
          {"acct flag 2", Edit(g, R"("acct_used_flag":"1")", R"("acct_used_flag":"2")"),
           "data.acct_used_flag", "expected \"1\" or \"0\""},
          {"acct flag array", Edit(g, R"("acct_used_flag":"1")", R"("acct_used_flag":[1])"),
           "data.acct_used_flag", "expected a string or a number"},
      });
}

// ---- 2208 / 2305 / 5203 -----------------------------------------------------------------------

TEST(TransactionInput, SettlementRef) {
  Result<SettlementRefInput> r = ParseSettlementRefInput(
      R"({"data":{"setl_id":"SETL379900202503010001","mdtrt_id":"MDTRT379900202503010001",)"
      R"("psn_no":"37990000000000000001"}})");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->setl_id, "SETL379900202503010001");
  EXPECT_EQ(r->mdtrt_id, kVisit);
  EXPECT_EQ(r->psn_no, kPsn);
  // 5203 may leave mdtrt_id out.
  r = ParseSettlementRefInput(R"({"data":{"setl_id":"S1","psn_no":"P1"}})");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->mdtrt_id, "");
  ExpectErrors<SettlementRefInput>(
      ParseSettlementRefInput,
      {
          {"no setl_id", R"({"data":{"psn_no":"P1"}})", "data.setl_id", "required"},
          {"no psn_no", R"({"data":{"setl_id":"S1"}})", "data.psn_no", "required"},
          {"setl_id object", R"({"data":{"setl_id":{},"psn_no":"P1"}})", "data.setl_id",
           "expected a string or a number"},
      });
}

// ---- 2401 / 2402 ------------------------------------------------------------------------------

const std::string kAdmission =
    R"({"mdtrtinfo":{"psn_no":"37990000000000000001","insutype":"310",)"
    R"("coner_name":"李四","tel":"13800000000","begntime":"2025-03-02 08:15:00",)"
    R"("mdtrt_cert_type":"02","mdtrt_cert_no":"370102198001011234","med_type":"21",)"
    R"("ipt_no":"ZY2025030200017","medrcdno":"BA0017","atddr_no":"D379900000123",)"
    R"("chfpdr_name":"王主任","adm_diag_dscr":"右上腹痛3天","adm_dept_codg":"A04.01",)"
    R"("adm_dept_name":"普通外科","adm_bed":"12床","dscg_maindiag_code":"K80.101",)"
    R"("main_cond_dscr":"胆囊结石伴急性胆囊炎","dise_codg":"K80.101","dise_name":"胆囊结石",)"
    R"("oprn_oprt_code":"51.2300","matn_type":"","birctrl_type":""},)"
    R"("diseinfo":[{"psn_no":"37990000000000000001","diag_type":"1","maindiag_flag":"1",)"
    R"("diag_srt_no":1,"diag_code":"K80.101","diag_name":"胆囊结石伴急性胆囊炎",)"
    R"("adm_cond":"1","diag_dept":"A04.01","dise_dor_no":"D379900000123",)"
    R"("dise_dor_name":"王主任","diag_time":"2025-03-02 08:30:00"}]})";

TEST(TransactionInput, Admission) {
  Result<AdmissionInput> r = ParseAdmissionInput(kAdmission);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(r->insutype, "310");
  EXPECT_EQ(r->begntime, "2025-03-02 08:15:00");
  EXPECT_EQ(r->mdtrt_cert_type, "02");
  EXPECT_EQ(r->mdtrt_cert_no, "370102198001011234");
  EXPECT_EQ(r->med_type, "21");
  EXPECT_EQ(r->ipt_no, "ZY2025030200017");
  EXPECT_EQ(r->medrcdno, "BA0017");
  EXPECT_EQ(r->atddr_no, "D379900000123");
  EXPECT_EQ(r->chfpdr_name, "王主任");
  EXPECT_EQ(r->adm_diag_dscr, "右上腹痛3天");
  EXPECT_EQ(r->adm_dept_codg, "A04.01");
  EXPECT_EQ(r->adm_dept_name, "普通外科");
  EXPECT_EQ(r->adm_bed, "12床");
  EXPECT_EQ(r->dscg_maindiag_code, "K80.101");
  EXPECT_EQ(r->main_cond_dscr, "胆囊结石伴急性胆囊炎");
  EXPECT_EQ(r->dise_codg, "K80.101");
  EXPECT_EQ(r->dise_name, "胆囊结石");
  EXPECT_EQ(r->oprn_oprt_code, "51.2300");
  EXPECT_EQ(r->matn_type, "");
  EXPECT_EQ(r->birctrl_type, "");
  ASSERT_EQ(r->diseinfo.size(), 1u);
  EXPECT_EQ(r->diseinfo[0].diag_type, "1");
  EXPECT_EQ(r->diseinfo[0].maindiag_flag, "1");
  EXPECT_EQ(r->diseinfo[0].diag_srt_no, 1);
  EXPECT_EQ(r->diseinfo[0].diag_code, "K80.101");
  EXPECT_EQ(r->diseinfo[0].diag_name, "胆囊结石伴急性胆囊炎");
  EXPECT_EQ(r->diseinfo[0].diag_dept, "A04.01");
  EXPECT_EQ(r->diseinfo[0].dise_dor_no, "D379900000123");
  EXPECT_EQ(r->diseinfo[0].dise_dor_name, "王主任");
  EXPECT_EQ(r->diseinfo[0].diag_time, "2025-03-02 08:30:00");
}

TEST(TransactionInput, AdmissionErrors) {
  const std::string& g = kAdmission;
  ExpectErrors<AdmissionInput>(
      ParseAdmissionInput,
      {
          {"no mdtrtinfo", R"({"diseinfo":[]})", "mdtrtinfo", "required"},
          {"no ipt_no", Edit(g, R"("ipt_no":"ZY2025030200017",)", ""), "mdtrtinfo.ipt_no",
           "required"},
          {"no med_type", Edit(g, R"("med_type":"21",)", ""), "mdtrtinfo.med_type", "required"},
          {"no begntime", Edit(g, R"("begntime":"2025-03-02 08:15:00",)", ""), "mdtrtinfo.begntime",
           "required"},
          {"bad main diagnosis",
           Edit(g, R"("dscg_maindiag_code":"K80.101")", R"("dscg_maindiag_code":"k80.101")"),
           "mdtrtinfo.dscg_maindiag_code", "not an ICD-10"},
          {"bad procedure", Edit(g, "51.2300", "51-2300"), "mdtrtinfo.oprn_oprt_code",
           "not an ICD-9-CM-3"},
          {"control char", Edit(g, "右上腹痛3天", "右上腹痛\\u00073天"), "mdtrtinfo.adm_diag_dscr",
           "control characters"},
          {"bed too long", Edit(g, "12床", Repeat("床", 31)), "mdtrtinfo.adm_bed",
           "longer than 30 characters"},
          {"bad diagnosis code", Edit(g, R"("diag_code":"K80.101")", R"("diag_code":"K80.1011")"),
           "diseinfo[0].diag_code", "not an ICD-10"},
          {"repeated mdtrtinfo", Edit(g, R"("diseinfo":[)", R"("mdtrtinfo":{},"diseinfo":[)"),
           "mdtrtinfo", "repeated field"},
      });
}

const std::string kDischarge =
    R"({"dscginfo":{"mdtrt_id":"MDTRT379900202503020001","psn_no":"37990000000000000001",)"
    R"("insutype":"310","endtime":"2025-03-09 10:00:00","dise_codg":"K80.101",)"
    R"("dise_name":"胆囊结石伴急性胆囊炎","oprn_oprt_code":"51.2300",)"
    R"("oprn_oprt_name":"腹腔镜下胆囊切除术","dscg_dept_codg":"A04.01",)"
    R"("dscg_dept_name":"普通外科","dscg_way":"1","die_date":""},)"
    R"("diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,"diag_code":"K80.101",)"
    R"("diag_name":"胆囊结石伴急性胆囊炎"},{"diag_type":"1","diag_srt_no":2,)"
    R"("diag_code":"A17.000+G01*","diag_name":"结核性脑膜炎"}]})";

TEST(TransactionInput, Discharge) {
  Result<DischargeInput> r = ParseDischargeInput(kDischarge);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->mdtrt_id, "MDTRT379900202503020001");
  EXPECT_EQ(r->psn_no, kPsn);
  EXPECT_EQ(r->insutype, "310");
  EXPECT_EQ(r->endtime, "2025-03-09 10:00:00");
  EXPECT_EQ(r->dise_codg, "K80.101");
  EXPECT_EQ(r->dise_name, "胆囊结石伴急性胆囊炎");
  EXPECT_EQ(r->oprn_oprt_code, "51.2300");
  EXPECT_EQ(r->oprn_oprt_name, "腹腔镜下胆囊切除术");
  EXPECT_EQ(r->dscg_dept_codg, "A04.01");
  EXPECT_EQ(r->dscg_dept_name, "普通外科");
  EXPECT_EQ(r->dscg_way, "1");
  EXPECT_EQ(r->die_date, "");
  ASSERT_EQ(r->diseinfo.size(), 2u);
  EXPECT_EQ(r->diseinfo[1].diag_code, "A17.000+G01*");
  EXPECT_EQ(r->diseinfo[1].diag_srt_no, 2);
  // A death date (a long form is cut to the day).
  r = ParseDischargeInput(
      Edit(kDischarge, R"("die_date":"")", R"("die_date":"2025-03-09 03:00:00")"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->die_date, "2025-03-09");
}

TEST(TransactionInput, DischargeErrors) {
  const std::string& g = kDischarge;
  ExpectErrors<DischargeInput>(
      ParseDischargeInput,
      {
          {"no dscginfo", R"({"mdtrtinfo":{}})", "dscginfo", "required"},
          {"no endtime", Edit(g, R"("endtime":"2025-03-09 10:00:00",)", ""), "dscginfo.endtime",
           "required"},
          {"no insutype", Edit(g, R"("insutype":"310",)", ""), "dscginfo.insutype", "required"},
          {"bad endtime", Edit(g, "2025-03-09 10:00:00", "2025-03-32 10:00:00"), "dscginfo.endtime",
           "expected a real time"},
          {"bad die_date", Edit(g, R"("die_date":"")", R"("die_date":"2025-02-29")"),
           "dscginfo.die_date", "expected a real date"},
          {"bad procedure", Edit(g, "51.2300", "5123"), "dscginfo.oprn_oprt_code",
           "not an ICD-9-CM-3"},
          {"bad second diagnosis", Edit(g, "A17.000+G01*", "A17.000+G01"), "diseinfo[1].diag_code",
           "not an ICD-10"},
      });
}

// ---- 3201 -------------------------------------------------------------------------------------

const std::string kReconciliation =
    R"({"data":{"insutype":"310","clr_type":"11","setl_optins":"379900",)"
    R"("stmt_begndate":"2025-03-01","stmt_enddate":"2025-03-31","medfee_sumamt":"123456.78",)"
    R"("fund_pay_sumamt":98765.43,"acct_pay":"-12.30","fixmedins_setl_cnt":1024,)"
    R"("cash_payamt":"0.00"}})";

TEST(TransactionInput, Reconciliation) {
  Result<ReconciliationInput> r = ParseReconciliationInput(kReconciliation);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->insutype, "310");
  EXPECT_EQ(r->clr_type, "11");
  EXPECT_EQ(r->setl_optins, "379900");
  EXPECT_EQ(r->stmt_begndate, "2025-03-01");
  EXPECT_EQ(r->stmt_enddate, "2025-03-31");
  EXPECT_EQ(r->medfee_sumamt, Money::Fen(12345678));
  EXPECT_EQ(r->fund_pay_sumamt, Money::Fen(9876543));
  EXPECT_EQ(r->acct_pay, Money::Fen(-1230));  // cancellations may make a total negative
  EXPECT_EQ(r->fixmedins_setl_cnt, 1024);
  // One day; zero settlements.
  r = ParseReconciliationInput(
      Edit(Edit(kReconciliation, "2025-03-31", "2025-03-01"), "1024", "0"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->fixmedins_setl_cnt, 0);
}

TEST(TransactionInput, ReconciliationErrors) {
  const std::string& g = kReconciliation;
  ExpectErrors<ReconciliationInput>(
      ParseReconciliationInput,
      {
          {"end before begin", Edit(g, "2025-03-31", "2025-02-28"), "data.stmt_enddate",
           "before stmt_begndate"},
          {"not a leap year", Edit(g, "2025-03-01", "2025-02-29"), "data.stmt_begndate",
           "expected a real date"},
          {"no begin", Edit(g, R"("stmt_begndate":"2025-03-01",)", ""), "data.stmt_begndate",
           "required"},
          {"no clr_type", Edit(g, R"("clr_type":"11",)", ""), "data.clr_type", "required"},
          {"no count", Edit(g, R"(,"fixmedins_setl_cnt":1024)", ""), "data.fixmedins_setl_cnt",
           "required"},
          {"count 1.5", Edit(g, "1024", "1.5"), "data.fixmedins_setl_cnt", "whole number"},
          {"count huge", Edit(g, "1024", "10000000000"), "data.fixmedins_setl_cnt", "whole number"},
          {"acct_pay 3 decimals", Edit(g, "-12.30", "-12.301"), "data.acct_pay",
           "at most 2 decimals"},
          {"no acct_pay", Edit(g, R"("acct_pay":"-12.30",)", ""), "data.acct_pay", "required"},
          {"bad setl_optins", Edit(g, "379900", "37990"), "data.setl_optins", "not an admdvs code"},
      });
}

// ---- The fuzzer's seeds ------------------------------------------------------------------------

// Every seed of fuzz/corpus/transaction_input_fuzz (first byte: the parser, 'A' + its index in the
// fuzz target's switch) is a realistic input that parses, so that fuzzing starts from good shapes.
TEST(TransactionInput, FuzzSeedsParse) {
  const std::string dir = YIBAO_SOURCE_DIR "/fuzz/corpus/transaction_input_fuzz";
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    Result<std::string> text = ReadTextFile(entry.path().string());
    ASSERT_TRUE(text.ok()) << entry.path();
    ASSERT_FALSE(text->empty()) << entry.path();
    std::string_view json = std::string_view(*text).substr(1);
    std::string error;
    switch ((*text)[0] % 13) {
      case 0:
        error = ErrorOf(ParseSignInInput(json));
        break;
      case 1:
        error = ErrorOf(ParseSignOutInput(json));
        break;
      case 2:
        error = ErrorOf(ParsePersonQueryInput(json));
        break;
      case 3:
        error = ErrorOf(ParseOutpatientRegistrationInput(json));
        break;
      case 4:
        error = ErrorOf(ParseVisitInfoInput(json));
        break;
      case 5:
        error = ErrorOf(ParseFeeUploadInput(json));
        break;
      case 6:
        error = ErrorOf(ParseFeeCancelByBatchInput(json));
        break;
      case 7:
        error = ErrorOf(ParseFeeCancelByLineInput(json));
        break;
      case 8:
        error = ErrorOf(ParseSettleInput(json));
        break;
      case 9:
        error = ErrorOf(ParseSettlementRefInput(json));
        break;
      case 10:
        error = ErrorOf(ParseAdmissionInput(json));
        break;
      case 11:
        error = ErrorOf(ParseDischargeInput(json));
        break;
      default:
        error = ErrorOf(ParseReconciliationInput(json));
        break;
    }
    EXPECT_EQ(error, "(parsed)") << entry.path();
    ++seen;
  }
  EXPECT_GE(seen, 13u);
}

// ---- Robustness -------------------------------------------------------------------------------

// Random damage to every sample never crashes a parser, and every rejection names a problem in
// valid UTF-8.
TEST(TransactionInput, SurvivesRandomDamage) {
  using Parse = std::function<std::string(std::string_view)>;
  auto run = [](auto parse) -> Parse {
    return [parse](std::string_view json) { return ErrorOf(parse(json)); };
  };
  const std::vector<std::pair<std::string, Parse>> samples = {
      {kSignIn, run(ParseSignInInput)},
      {kPersonQuery, run(ParsePersonQueryInput)},
      {kRegistration, run(ParseOutpatientRegistrationInput)},
      {kVisitInfo, run(ParseVisitInfoInput)},
      {kFeeUpload, run(ParseFeeUploadInput)},
      {R"({"data":[)" + kCancelLine + "]}", run(ParseFeeCancelByLineInput)},
      {kSettle, run(ParseSettleInput)},
      {kAdmission, run(ParseAdmissionInput)},
      {kDischarge, run(ParseDischargeInput)},
      {kReconciliation, run(ParseReconciliationInput)},
  };
  std::mt19937 rng(2204);
  const std::string_view noise = "{}[]\":,\\ \x01\xe4tfn0-.e9";
  for (const auto& [good, parse] : samples) {
    ASSERT_EQ(parse(good), "(parsed)");
    for (int round = 0; round < 3000; ++round) {
      std::string json = good;
      int edits = 1 + int(rng() % 4);
      for (int k = 0; k < edits && !json.empty(); ++k) {
        size_t at = rng() % json.size();
        switch (rng() % 3) {
          case 0:
            json[at] = noise[rng() % noise.size()];
            break;
          case 1:
            json.erase(at, 1 + rng() % 3);
            break;
          default:
            json.insert(at, 1, noise[rng() % noise.size()]);
        }
      }
      std::string e = parse(json);
      EXPECT_TRUE(IsValidUtf8(e)) << json;
      EXPECT_NE(e, ": ") << json;
    }
  }
}

}  // namespace
}  // namespace yibao
