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

struct Order {
  std::string rx_id, code, dept;
  Date date;
  bool has_date = false;
  Quantity cnt;
  UnitPrice pric;
  Money sumamt;
  bool has_sumamt = false;
  std::string sin_dos, used_frqu;
  int prd_days = -1;
  bool approved = false;
};

struct Encounter {
  std::string mdtrt_id, medins_id, medins_type, med_type, dept, insutype, area, drg;
  int level = 0;
  Date begin, end;
  bool has_begin = false, has_end = false;
  int discharge = 0;
  std::string main_dx;
  std::vector<std::string> secondary, procedures;
  std::vector<Order> orders;
};

struct Patient {
  std::string psn_no, insutype, insuplc;
  int sex = 0;
  Date birthday;
  bool has_birthday = false;
  std::string current;
  std::vector<Encounter> encounters;
};

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

  bool ParseOrder(od::object obj, const std::string& path, Order& o) {
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
    if (!o.has_sumamt) o.sumamt = LineAmount(o.pric, o.cnt);
    return true;
  }

  bool ParseEncounter(od::object obj, const std::string& path, Encounter& e) {
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
    if (!e.has_end) e.end = e.begin;  // 事前: not discharged yet
    if (e.end < e.begin) return Fail(path + ".dscg_date", "before adm_date");
    for (size_t i = 0; i < e.orders.size(); ++i)
      if (!e.orders[i].has_date) e.orders[i].date = e.begin;
    return true;
  }

  bool ParseData(od::object obj, Patient& pt) {
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

uint32_t SmallNumber(std::string_view s) {
  if (s.empty() || s.size() > 9) return 0;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + uint32_t(c - '0');
  }
  return v;
}

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
  Patient pt;
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

  ReviewRequest out;
  ClaimsStore& s = out.store;
  ClaimsPerson person;
  person.psn_no = pt.psn_no;
  person.sex = uint8_t(pt.sex);
  person.birthday = pt.birthday;
  person.insutype = pt.insutype;
  person.insuplc_admdvs = pt.insuplc;
  s.persons.push_back(std::move(person));
  std::map<std::string, uint32_t> institutions;
  bool has_current = false;
  for (size_t i = 0; i < pt.encounters.size(); ++i) {
    const Encounter& e = pt.encounters[i];
    for (size_t k = 0; k < i; ++k)
      if (pt.encounters[k].mdtrt_id == e.mdtrt_id)
        return Diagnostic{"", 0, "fsi_encounter_dtos[" + std::to_string(i) + "].mdtrt_id",
                          "encounter '" + e.mdtrt_id + "' given twice"};
    auto [it, fresh] = institutions.emplace(e.medins_id, uint32_t(s.institutions.size()));
    if (fresh) {
      ClaimsInstitution in;
      in.code = e.medins_id;
      in.level = e.level;
      in.type =
          e.medins_type.empty() ? InstitutionType::kHospital : *ParseInstitutionType(e.medins_type);
      s.institutions.push_back(std::move(in));
    }
    ClaimsVisit v;
    v.person = 0;
    v.institution = it->second;
    v.med_type = SmallNumber(e.med_type);
    v.scenario = ScenarioOfMedType(e.med_type);
    InstitutionType ty = s.institutions[v.institution].type;
    if (v.scenario == CareScenario::kOutpatient && ty == InstitutionType::kPharmacy)
      v.scenario = CareScenario::kPharmacy;
    if (v.scenario == CareScenario::kOutpatient && ty == InstitutionType::kInternet)
      v.scenario = CareScenario::kInternet;
    v.begin = e.begin;
    v.end = e.end;
    if (!e.dept.empty()) v.dept = s.depts.Intern(e.dept);
    v.discharge = uint8_t(e.discharge);
    if (!e.main_dx.empty()) v.main_dx = s.diagnoses.Intern(e.main_dx);
    v.dx_begin = uint32_t(s.visit_dx.size());
    for (const std::string& d : e.secondary) s.visit_dx.push_back(s.diagnoses.Intern(d));
    v.dx_end = uint32_t(s.visit_dx.size());
    v.proc_begin = uint32_t(s.visit_proc.size());
    for (const std::string& d : e.procedures) s.visit_proc.push_back(s.procedures.Intern(d));
    v.proc_end = uint32_t(s.visit_proc.size());
    v.insutype = SmallNumber(e.insutype.empty() ? pt.insutype : e.insutype);
    v.area = SmallNumber(e.area);
    if (pt.insuplc.size() >= 2 && e.area.size() >= 2)
      v.cross_province = pt.insuplc.compare(0, 2, e.area, 0, 2) != 0;
    if (!e.drg.empty()) v.drg = s.drgs.Intern(e.drg);
    v.line_begin = uint32_t(s.lines.size());
    for (const Order& o : e.orders) {
      ClaimLine l;
      l.item = s.items.Intern(o.code);
      l.date = o.date;
      l.cnt = o.cnt.scaled();
      l.pric = o.pric.micro_yuan();
      l.amount = o.sumamt;
      if (!o.sin_dos.empty()) l.sin_dos = Quantity::Parse(o.sin_dos)->scaled();
      if (!o.used_frqu.empty()) {
        int64_t f = Quantity::Parse(o.used_frqu)->scaled();
        l.freq = int32_t(std::min<int64_t>(f, 1000 * Quantity::kScale));
      }
      l.prd_days = o.prd_days;
      if (!o.dept.empty()) l.dept = s.depts.Intern(o.dept);
      l.approved = o.approved;
      v.total += l.amount;
      s.line_sns.Add(o.rx_id);
      out.rx_ids.push_back(o.rx_id);
      s.lines.push_back(l);
    }
    v.line_end = uint32_t(s.lines.size());
    if (e.mdtrt_id == pt.current) {
      out.current_visit = uint32_t(s.visits.size());
      has_current = true;
    }
    s.mdtrt_ids.Add(e.mdtrt_id);
    s.visits.push_back(v);
  }
  if (!has_current)
    return Diagnostic{"", 0, "curr_mdtrt_id",
                      "'" + pt.current + "' is not among fsi_encounter_dtos"};
  s.IndexPersons();
  return out;
}

void AppendReviewResponseJson(const RuleSet& rules, const ReviewRequest& request,
                              const std::vector<Finding>& findings, std::string& out) {
  JsonWriter w(out);
  w.Open('{');
  w.Key("result");
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
  w.Close('}');
}

}  // namespace yibao
