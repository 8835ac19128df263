#include "interface/visit_json.h"

#include <simdjson.h>

#include "interface/json_fields.h"

namespace yibao {
namespace {

namespace od = simdjson::ondemand;

// Collects the first error with its field path (JsonFieldReader); parsing stops at the first error
// because later fields may be misread after it.
class VisitParser : public JsonFieldReader {
 public:
  bool StringList(od::value v, const std::string& field, std::vector<std::string>& out) {
    od::json_type t;
    if (v.type().get(t)) return Fail(field, "malformed JSON");
    if (t != od::json_type::array) {
      std::string one;
      if (!String(v, field, one)) return false;
      if (!one.empty()) out.push_back(std::move(one));
      return true;
    }
    od::array arr;
    if (v.get_array().get(arr)) return Fail(field, "malformed array");
    size_t i = 0;
    for (auto element : arr) {
      od::value ev;
      std::string f = field + "[" + std::to_string(i++) + "]";
      if (element.get(ev)) return Fail(f, "malformed JSON");
      std::string s;
      if (!String(ev, f, s)) return false;
      if (out.size() >= 64) return Fail(field, "more than 64 entries");
      out.push_back(std::move(s));
    }
    return true;
  }

  bool Line(od::object obj, const std::string& path, FeeLine& line) {
    bool has_code = false, has_cnt = false, has_pric = false, has_amount = false;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail(path, "malformed key");
      od::value v;
      if (field.value().get(v)) return Fail(path, "malformed JSON");
      std::string f = path + "." + std::string(key);
      std::string_view s;
      if (key == "feedetl_sn") {
        if (!String(v, f, line.serial, 30)) return false;
      } else if (key == "med_list_codg") {
        if (!String(v, f, line.code, 50)) return false;
        has_code = !line.code.empty();
      } else if (key == "cnt") {
        if (!Scalar(v, f, s)) return false;
        auto q = Quantity::Parse(s);
        if (!q) return Fail(f, "expected a non-negative quantity with at most 4 decimals");
        line.count = *q;
        has_cnt = true;
      } else if (key == "pric") {
        if (!Scalar(v, f, s)) return false;
        auto p = UnitPrice::Parse(s);
        if (!p) return Fail(f, "expected a non-negative price with at most 6 decimals");
        line.price = *p;
        has_pric = true;
      } else if (key == "det_item_fee_sumamt") {
        if (!MoneyField(v, f, line.amount)) return false;
        has_amount = true;
      } else if (key == "hosp_appr_flag") {
        if (!Flag(v, f, line.approved)) return false;
      } else if (key == "prd_days") {
        if (!Int(v, f, line.days, 0, 3660)) return false;
      } else {
        // Other national fields (e.g. bilg_dr_codg, med_chrgitm_type) are accepted and skipped.
      }
    }
    if (!has_code) return Fail(path + ".med_list_codg", "missing");
    if (!has_cnt) return Fail(path + ".cnt", "missing");
    if (!has_pric) return Fail(path + ".pric", "missing");
    if (!has_amount) line.amount = LineAmount(line.price, line.count);
    if (line.amount.fen() > Money::kMaxAbsFen)
      return Fail(path + ".det_item_fee_sumamt", "amount out of range");
    return true;
  }

  bool Visit(od::object root, VisitInput& in) {
    yibao::Visit& v = in.visit;
    bool has_insutype = false, has_med_type = false, has_begin = false, has_brdy = false;
    bool has_end = false;
    bool has_lines = false;
    for (auto field : root) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail("", "malformed key");
      od::value val;
      if (field.value().get(val)) return Fail(std::string(key), "malformed JSON");
      std::string f(key);
      std::string text;
      if (key == "mdtrt_id") {
        if (!String(val, f, v.visit_id, 30)) return false;
      } else if (key == "psn_no") {
        if (!String(val, f, v.person.psn_no, 30)) return false;
      } else if (key == "gend") {
        if (!String(val, f, text, 2)) return false;
        if (text == "1")
          v.person.sex = Sex::kMale;
        else if (text == "2")
          v.person.sex = Sex::kFemale;
        else if (text == "0" || text == "9" || text.empty())
          v.person.sex = Sex::kAny;
        else
          return Fail(f, "expected 1 (male), 2 (female) or 9 (unknown)");
      } else if (key == "brdy") {
        if (!DateField(val, f, v.person.birthday)) return false;
        has_brdy = true;
      } else if (key == "insutype") {
        if (!String(val, f, v.person.insutype, 6)) return false;
        has_insutype = true;
      } else if (key == "psn_type") {
        if (!String(val, f, v.person.psn_type, 40)) return false;
      } else if (key == "psn_idet_type") {
        if (!StringList(val, f, v.person.identities)) return false;
      } else if (key == "insuplc_admdvs") {
        if (!String(val, f, v.person.insured_admdvs, 6)) return false;
      } else if (key == "mdtrtarea_admvs") {
        if (!String(val, f, v.treatment_admdvs, 6)) return false;
      } else if (key == "out_filing") {
        if (!String(val, f, text, 20)) return false;
        if (text == "" || text == "none")
          in.filing = Filing::kNone;
        else if (text == "long_term")
          in.filing = Filing::kLongTerm;
        else if (text == "referral")
          in.filing = Filing::kReferral;
        else if (text == "emergency")
          in.filing = Filing::kEmergency;
        else
          return Fail(f, "expected none, long_term, referral or emergency");
      } else if (key == "med_type") {
        if (!String(val, f, v.med_type, 6)) return false;
        has_med_type = !v.med_type.empty();
      } else if (key == "fixmedins_code") {
        if (!String(val, f, v.institution, 30)) return false;
      } else if (key == "hosp_lv") {
        if (!Int(val, f, v.institution_level, 0, 3)) return false;
        in.has_level = true;
      } else if (key == "begntime") {
        if (!DateField(val, f, v.begin)) return false;
        has_begin = true;
      } else if (key == "endtime") {
        if (!DateField(val, f, v.end)) return false;
        has_end = true;
      } else if (key == "dise_codg") {
        std::string main;
        if (!String(val, f, main, 30)) return false;
        if (!main.empty()) v.diagnoses.insert(v.diagnoses.begin(), main);
      } else if (key == "diag_codes") {
        if (!StringList(val, f, v.diagnoses)) return false;
      } else if (key == "dept_codg") {
        if (!String(val, f, v.department, 30)) return false;
      } else if (key == "opsp_dise_code") {
        if (!String(val, f, v.chronic_disease, 30)) return false;
      } else if (key == "acct_used_flag") {
        if (!Flag(val, f, v.use_account)) return false;
      } else if (key == "acct_balc") {
        if (!MoneyField(val, f, v.account_balance)) return false;
      } else if (key == "mulaid_balc") {
        if (!MoneyField(val, f, v.family_account_balance)) return false;
      } else if (key == "deposit") {
        if (!MoneyField(val, f, v.deposit)) return false;
      } else if (key == "accumulators") {
        od::object acc;
        if (val.get_object().get(acc)) return Fail(f, "expected an object of account → amount");
        for (auto entry : acc) {
          std::string_view name;
          if (entry.unescaped_key().get(name)) return Fail(f, "malformed key");
          od::value ev;
          if (entry.value().get(ev)) return Fail(f, "malformed JSON");
          std::string_view amount;
          if (!Scalar(ev, f + "." + std::string(name), amount)) return false;
          if (in.accumulators.size() >= 256) return Fail(f, "more than 256 accounts");
          in.accumulators.emplace_back(std::string(name), std::string(amount));
        }
      } else if (key == "fee_details") {
        od::array arr;
        if (val.get_array().get(arr)) return Fail(f, "expected an array of fee lines");
        size_t i = 0;
        for (auto element : arr) {
          std::string path = "fee_details[" + std::to_string(i++) + "]";
          if (i > kMaxFeeLines)
            return Fail(f, "more than " + std::to_string(kMaxFeeLines) + " lines");
          od::object obj;
          if (element.get_object().get(obj)) return Fail(path, "expected an object");
          FeeLine line;
          if (!Line(obj, path, line)) return false;
          if (line.serial.empty()) line.serial = std::to_string(i);
          v.lines.push_back(std::move(line));
        }
        has_lines = true;
      }  // other national fields are accepted and skipped
    }
    if (!has_insutype) return Fail("insutype", "missing");
    if (!has_med_type) return Fail("med_type", "missing");
    if (!has_begin) return Fail("begntime", "missing");
    if (!has_brdy) return Fail("brdy", "missing");
    if (!has_lines) return Fail("fee_details", "missing");
    if (!has_end) v.end = v.begin;  // an outpatient visit may give only begntime
    if (v.end < v.begin) return Fail("endtime", "before begntime");
    for (size_t i = 0; i < v.lines.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (v.lines[i].serial == v.lines[j].serial)
          return Fail("fee_details[" + std::to_string(i) + "].feedetl_sn",
                      "duplicate serial \"" + v.lines[i].serial + "\"");
    return true;
  }
};

}  // namespace

Result<VisitInput> ParseVisitJson(std::string_view json) {
  if (json.size() > kMaxVisitJsonBytes) return Diagnostic{"", 0, "", "request body too large"};
  thread_local od::parser parser;
  simdjson::padded_string padded(json);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return Diagnostic{"", 0, "", "malformed JSON"};
  od::object root;
  if (doc.get_object().get(root)) return Diagnostic{"", 0, "", "expected a JSON object"};
  VisitInput in;
  VisitParser p;
  bool ok = p.Visit(root, in);
  if (!ok) return *p.error;
  return in;
}

}  // namespace yibao
