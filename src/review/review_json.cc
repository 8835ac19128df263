#include "review/review_json.h"

#include <simdjson.h>

#include <cstring>
#include <map>

#include "base/decimal.h"
#include "base/quantity.h"
#include "interface/json_fields.h"
#include "interface/json_writer.h"

namespace yibao {

namespace {

namespace od = simdjson::ondemand;

constexpr size_t kMaxRequestBytes = 8 << 20;
constexpr size_t kMaxEncounters = 1000;
constexpr size_t kMaxOrders = 20000;

class RequestParser : public JsonFieldReader {
 public:
  template <typename F>
  bool Objects(od::value v, const std::string& path, size_t max, F&& each) {
    od::array arr;
    if (v.get_array().get(arr)) return Fail(path, "expected an array of objects");
    size_t i = 0;
    for (auto element : arr) {
      std::string p = path + "[" + std::to_string(i) + "]";
      if (i++ >= max) return Fail(p, "more than " + std::to_string(max) + " entries");
      od::object obj;
      if (element.get_object().get(obj)) return Fail(p, "expected an object");
      if (!each(obj, p)) return false;
    }
    return true;
  }

  bool ParseOrder(od::object obj, const std::string& path, ReviewOrder& o) {
    bool has_code = false, has_cnt = false, has_pric = false;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail(path, "malformed key");
      od::value v;
      if (field.value().get(v)) return Fail(path, "malformed JSON");
      std::string f = path + "." + std::string(key);
      std::string_view s;
      if (key == "rx_id") {
        if (!String(v, f, o.rx_id, 50)) return false;
      } else if (key == "hilist_code") {
        if (!String(v, f, o.code, 50)) return false;
        has_code = !o.code.empty();
      } else if (key == "cnt") {
        if (!Scalar(v, f, s)) return false;
        auto q = Quantity::Parse(s);
        if (!q) return Fail(f, "expected a non-negative quantity with at most 4 decimals");
        o.cnt = *q;
        has_cnt = true;
      } else if (key == "pric") {
        if (!Scalar(v, f, s)) return false;
        auto p = UnitPrice::Parse(s);
        if (!p) return Fail(f, "expected a non-negative price with at most 6 decimals");
        o.pric = *p;
        has_pric = true;
      } else if (key == "sumamt") {
        if (!MoneyField(v, f, o.sumamt)) return false;
        o.has_sumamt = true;
      } else if (key == "sin_dos") {
        if (!Scalar(v, f, s)) return false;
        if (!s.empty() && !Quantity::Parse(s))
          return Fail(f, "expected a dose with at most 4 decimals");
        o.sin_dos = s;
      } else if (key == "used_frqu") {
        if (!Scalar(v, f, s)) return false;
        if (!s.empty() && !Quantity::Parse(s)) return Fail(f, "expected times per day (a number)");
        o.used_frqu = s;
      } else if (key == "prd_days") {
        if (!Scalar(v, f, s)) return false;
        if (!s.empty()) {
          auto n = ParseScaledDecimal(s, DecimalFormat{0, 3660, false, false});
          if (!n) return Fail(f, "expected whole days 0..3660");
          o.prd_days = int(*n);
        }
      } else if (key == "hosp_appr_flag") {
        if (!Flag(v, f, o.approved)) return false;
      } else if (key == "fee_ocur_time") {
        if (!DateField(v, f, o.date)) return false;
        o.has_date = true;
      } else if (key == "bilg_dept_codg" || key == "dept_codg") {
        if (!String(v, f, o.dept, 30)) return false;
      }
      // Other national fields (drug names, doctor codes …) are accepted and skipped.
    }
    if (!has_code) return Fail(path + ".hilist_code", "missing");
    if (!has_cnt) return Fail(path + ".cnt", "missing");
    if (!has_pric) return Fail(path + ".pric", "missing");
    return true;
  }

  bool ParseEncounter(od::object obj, const std::string& path, ReviewEncounter& e) {
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail(path, "malformed key");
      od::value v;
      if (field.value().get(v)) return Fail(path, "malformed JSON");
      std::string f = path + "." + std::string(key);
      if (key == "mdtrt_id") {
        if (!String(v, f, e.mdtrt_id, 50)) return false;
      } else if (key == "medins_id") {
        if (!String(v, f, e.medins_id, 30)) return false;
      } else if (key == "medins_type") {
        if (!String(v, f, e.medins_type, 20)) return false;
        if (!e.medins_type.empty() && !ParseInstitutionType(e.medins_type))
          return Fail(f, "expected hospital, clinic, pharmacy or internet");
      } else if (key == "medins_lv") {
        if (!Int(v, f, e.level, 0, 3)) return false;
      } else if (key == "med_type") {
        if (!String(v, f, e.med_type, 10)) return false;
      } else if (key == "adm_date") {
        if (!DateField(v, f, e.begin)) return false;
        e.has_begin = true;
      } else if (key == "dscg_date") {
        std::string_view s;
        if (!Scalar(v, f, s)) return false;
        if (!s.empty()) {
          auto d = Date::Parse(s);
          if (!d) return Fail(f, "expected a date YYYY-MM-DD");
          e.end = *d;
          e.has_end = true;
        }
      } else if (key == "dept_codg") {
        if (!String(v, f, e.dept, 30)) return false;
      } else if (key == "dscg_way") {
        std::string_view s;
        if (!Scalar(v, f, s)) return false;
        if (!s.empty()) {
          if (s.size() != 1 || s[0] < '1' || s[0] > '9')
            return Fail(f, "expected a discharge status 1..9");
          e.discharge = s[0] - '0';
        }
      } else if (key == "insutype") {
        if (!String(v, f, e.insutype, 6)) return false;
      } else if (key == "mdtrtarea_admvs") {
        if (!String(v, f, e.area, 6)) return false;
      } else if (key == "drg_code") {
        if (!String(v, f, e.drg, 10)) return false;
      } else if (key == "fsi_diagnose_dtos") {
        bool ok = Objects(v, f, 100, [&](od::object d, const std::string& p) {
          std::string code;
          bool main = false;
          for (auto df : d) {
            std::string_view k;
            if (df.unescaped_key().get(k)) return Fail(p, "malformed key");
            od::value dv;
            if (df.value().get(dv)) return Fail(p, "malformed JSON");
            if (k == "dise_codg") {
              if (!String(dv, p + ".dise_codg", code, 20)) return false;
            } else if (k == "maindiag_flag") {
              if (!Flag(dv, p + ".maindiag_flag", main)) return false;
            }
          }
          if (code.empty()) return Fail(p + ".dise_codg", "missing");
          if (main && e.main_dx.empty())
            e.main_dx = code;
          else if (main)
            return Fail(p + ".maindiag_flag", "a second main diagnosis");
          else
            e.secondary.push_back(code);
          return true;
        });
        if (!ok) return false;
      } else if (key == "fsi_operation_dtos") {
        bool ok = Objects(v, f, 100, [&](od::object d, const std::string& p) {
          for (auto df : d) {
            std::string_view k;
            if (df.unescaped_key().get(k)) return Fail(p, "malformed key");
            od::value dv;
            if (df.value().get(dv)) return Fail(p, "malformed JSON");
            if (k == "oprn_oprt_code") {
              std::string code;
              if (!String(dv, p + ".oprn_oprt_code", code, 20)) return false;
              if (!code.empty()) e.procedures.push_back(code);
            }
          }
          return true;
        });
        if (!ok) return false;
      } else if (key == "fsi_order_dtos") {
        bool ok = Objects(v, f, kMaxOrders, [&](od::object o, const std::string& p) {
          e.orders.emplace_back();
          return ParseOrder(o, p, e.orders.back());
        });
        if (!ok) return false;
      }
    }
    if (e.mdtrt_id.empty()) return Fail(path + ".mdtrt_id", "missing");
    if (e.medins_id.empty()) return Fail(path + ".medins_id", "missing");
    if (e.med_type.empty()) return Fail(path + ".med_type", "missing");
    if (!e.has_begin) return Fail(path + ".adm_date", "missing");
    if (e.has_end && e.end < e.begin) return Fail(path + ".dscg_date", "before adm_date");
    return true;
  }

  bool ParseData(od::object obj, ReviewPatient& pt) {
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail("data", "malformed key");
      od::value v;
      if (field.value().get(v)) return Fail(std::string(key), "malformed JSON");
      std::string f(key);
      std::string text;
      if (key == "patn_id") {
        if (!String(v, f, pt.psn_no, 50)) return false;
      } else if (key == "gend") {
        if (!String(v, f, text, 2)) return false;
        if (text == "1" || text == "2")
          pt.sex = text[0] - '0';
        else if (!text.empty() && text != "0" && text != "9")
          return Fail(f, "expected 1 (male), 2 (female) or 9 (unknown)");
      } else if (key == "brdy") {
        if (!DateField(v, f, pt.birthday)) return false;
        pt.has_birthday = true;
      } else if (key == "insutype") {
        if (!String(v, f, pt.insutype, 6)) return false;
      } else if (key == "insuplc_admdvs") {
        if (!String(v, f, pt.insuplc, 6)) return false;
      } else if (key == "curr_mdtrt_id") {
        if (!String(v, f, pt.current, 50)) return false;
      } else if (key == "fsi_encounter_dtos") {
        bool ok = Objects(v, f, kMaxEncounters, [&](od::object o, const std::string& p) {
          pt.encounters.emplace_back();
          return ParseEncounter(o, p, pt.encounters.back());
        });
        if (!ok) return false;
      }
    }
    if (pt.psn_no.empty()) return Fail("patn_id", "missing");
    if (!pt.has_birthday) return Fail("brdy", "missing");
    if (pt.current.empty()) return Fail("curr_mdtrt_id", "missing");
    if (pt.encounters.empty()) return Fail("fsi_encounter_dtos", "missing (no encounter)");
    return true;
  }
};

}  // namespace

Result<ReviewRequest> ParseReviewRequest(std::string_view json) {
  if (json.size() > kMaxRequestBytes)
    return Diagnostic{"", 0, "",
                      "request larger than " + std::to_string(kMaxRequestBytes) + " bytes"};
  std::string buffer(json.size() + simdjson::SIMDJSON_PADDING, '\0');
  if (!json.empty()) std::memcpy(buffer.data(), json.data(), json.size());
  od::parser parser;
  od::document doc;
  if (parser.iterate(buffer.data(), json.size(), buffer.size()).get(doc))
    return Diagnostic{"", 0, "", "malformed JSON"};
  od::object root;
  if (doc.get_object().get(root)) return Diagnostic{"", 0, "", "expected a JSON object"};
  RequestParser r;
  ReviewPatient pt;
  bool found = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Diagnostic{"", 0, "", "malformed key"};
    if (key != "data") continue;
    od::object data;
    if (field.value().get_object().get(data))
      return Diagnostic{"", 0, "data", "expected an object"};
    found = true;
    if (!r.ParseData(data, pt)) return *r.error;
  }
  if (r.error) return *r.error;
  if (!found) return Diagnostic{"", 0, "data", "missing"};
  const char* rest = nullptr;
  if (!doc.current_location().get(rest))
    return Diagnostic{"", 0, "", "malformed JSON: trailing content after the object"};

  return BuildReviewRequest(pt);
}

void WriteReviewFindings(const RuleSet& rules, const ReviewRequest& request,
                         const std::vector<Finding>& findings, JsonWriter& w) {
  w.Open('[');
  for (const Finding& f : findings) {
    const Rule& r = rules.rules()[f.rule];
    w.Open('{');
    w.Str("rule_id", r.id);
    w.Str("rule_name", r.name);
    w.Str("vola_cont", f.evidence);
    w.Str("mdtrt_id", request.store.mdtrt_ids[f.visit]);
    w.Num("vola_amt", f.amount);
    w.Raw("sev_deg", r.severity == RuleSeverity::kRefuse ? "\"1\"" : "\"2\"");
    w.Str("vola_bhvr_type", RuleFamilyName(r.family));
    w.Raw("rule_rslt_type", r.result == RuleResult::kCertain ? "\"1\"" : "\"2\"");
    w.Key("jr_id");
    w.Open('[');
    for (uint32_t li : f.lines) w.Value(request.rx_ids[li]);
    w.Close(']');
    w.Close('}');
  }
  w.Close(']');
}

void AppendReviewResponseJson(const RuleSet& rules, const ReviewRequest& request,
                              const std::vector<Finding>& findings, std::string& out) {
  JsonWriter w(out);
  w.Open('{');
  w.Key("result");
  WriteReviewFindings(rules, request, findings, w);
  w.Close('}');
}

}  // namespace yibao
