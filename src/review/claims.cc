#include "review/claims.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "base/quantity.h"
#include "review/claims_csv.h"

namespace yibao {

// ---------------------------------------------------------------------------------------------
// CodeInterner

namespace {

uint32_t HashText(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, folded: codes are short
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return uint32_t(h ^ (h >> 32));
}

}  // namespace

uint32_t CodeInterner::Find(std::string_view s) const {
  if (slots_.empty()) return kNoCode;
  uint32_t h = HashText(s);
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) return kNoCode;
    if (hashes_[slot - 1] == h && Name(slot - 1) == s) return slot - 1;
  }
}

void CodeInterner::Grow() {
  size_t n = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(n, 0);
  for (uint32_t id = 0; id < ends_.size(); ++id) {
    size_t i = hashes_[id] & (n - 1);
    while (slots_[i]) i = (i + 1) & (n - 1);
    slots_[i] = id + 1;
  }
}

uint32_t CodeInterner::Intern(std::string_view s) {
  if ((ends_.size() + 1) * 2 > slots_.size()) Grow();
  uint32_t h = HashText(s);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) break;
    if (hashes_[slot - 1] == h && Name(slot - 1) == s) return slot - 1;
  }
  chars_.append(s);
  ends_.push_back(uint32_t(chars_.size()));
  hashes_.push_back(h);
  slots_[i] = uint32_t(ends_.size());
  return uint32_t(ends_.size() - 1);
}

// ---------------------------------------------------------------------------------------------
// Names

const char* InstitutionTypeName(InstitutionType t) {
  switch (t) {
    case InstitutionType::kHospital:
      return "hospital";
    case InstitutionType::kClinic:
      return "clinic";
    case InstitutionType::kPharmacy:
      return "pharmacy";
    case InstitutionType::kInternet:
      return "internet";
  }
  return "?";
}

std::optional<InstitutionType> ParseInstitutionType(std::string_view s) {
  if (s == "hospital") return InstitutionType::kHospital;
  if (s == "clinic") return InstitutionType::kClinic;
  if (s == "pharmacy") return InstitutionType::kPharmacy;
  if (s == "internet") return InstitutionType::kInternet;
  return std::nullopt;
}

const char* CareScenarioName(CareScenario s) {
  switch (s) {
    case CareScenario::kOutpatient:
      return "outpatient";
    case CareScenario::kInpatient:
      return "inpatient";
    case CareScenario::kPharmacy:
      return "pharmacy";
    case CareScenario::kInternet:
      return "internet";
  }
  return "?";
}

CareScenario ScenarioOfMedType(std::string_view m) {
  if ((!m.empty() && m[0] == '2') || m == "52") return CareScenario::kInpatient;
  if (m == "41") return CareScenario::kPharmacy;
  if (m == "91") return CareScenario::kInternet;
  return CareScenario::kOutpatient;
}

uint32_t SmallNumber(std::string_view s) {
  if (s.empty() || s.size() > 9) return 0;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + uint32_t(c - '0');
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

// Exactly YYYY-MM-DD, or with a time part (exports from HIS often keep it).
std::optional<Date> ParseDay(std::string_view s) { return Date::Parse(s); }

std::string Quote(std::string_view s) {
  return "'" + std::string(s.substr(0, 60)) + (s.size() > 60 ? "…'" : "'");
}

struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeyIndex = std::unordered_map<std::string, uint32_t, StringKeyHash, std::equal_to<>>;

uint32_t Lookup(const KeyIndex& m, std::string_view k) {
  auto it = m.find(k);
  return it == m.end() ? kNoCode : it->second;
}

void ParsePersons(const NamedText& t, ClaimsStore& s, KeyIndex& index, Diagnostics& errors) {
  enum { kPsn, kGend, kBrdy, kInsutype, kPsnType, kInsuplc, kDeath };
  ClaimsCsv csv(t.file_name, t.text, errors);
  if (!csv.Open({"psn_no", "gend", "brdy", "insutype", "psn_type", "insuplc_admdvs", "death_date"},
                {"psn_no", "gend", "brdy"}))
    return;
  while (csv.Next()) {
    ClaimsPerson p;
    p.psn_no = csv.Get(kPsn);
    if (p.psn_no.empty()) csv.Error(kPsn, "empty");
    std::string_view g = csv.Get(kGend);
    if (g == "1")
      p.sex = 1;
    else if (g == "2")
      p.sex = 2;
    else if (!g.empty() && g != "0" && g != "9")
      csv.Error(kGend, "expected 1 (male) or 2 (female), got " + Quote(g));
    if (auto d = ParseDay(csv.Get(kBrdy)))
      p.birthday = *d;
    else
      csv.Error(kBrdy, "expected a date YYYY-MM-DD, got " + Quote(csv.Get(kBrdy)));
    p.insutype = csv.Get(kInsutype);
    p.psn_type = csv.Get(kPsnType);
    p.insuplc_admdvs = csv.Get(kInsuplc);
    if (std::string_view d = csv.Get(kDeath); !d.empty()) {
      if (auto day = ParseDay(d))
        p.death = *day;
      else
        csv.Error(kDeath, "expected a date YYYY-MM-DD or empty, got " + Quote(d));
    }
    if (!p.psn_no.empty() && !index.emplace(p.psn_no, uint32_t(s.persons.size())).second) {
      csv.Error(kPsn, "person " + Quote(p.psn_no) + " listed twice");
      continue;
    }
    s.persons.push_back(std::move(p));
  }
}

void ParseInstitutions(const NamedText& t, ClaimsStore& s, KeyIndex& index, Diagnostics& errors) {
  enum { kCode, kName, kLevel, kType, kAdmdvs };
  ClaimsCsv csv(t.file_name, t.text, errors);
  if (!csv.Open({"fixmedins_code", "fixmedins_name", "hosp_lv", "fixmedins_type", "admdvs"},
                {"fixmedins_code", "hosp_lv", "fixmedins_type"}))
    return;
  while (csv.Next()) {
    ClaimsInstitution in;
    in.code = csv.Get(kCode);
    if (in.code.empty()) csv.Error(kCode, "empty");
    in.name = csv.Get(kName);
    std::string_view lv = csv.Get(kLevel);
    if (lv.size() == 1 && lv[0] >= '0' && lv[0] <= '3')
      in.level = lv[0] - '0';
    else
      csv.Error(kLevel, "expected 3, 2, 1 or 0, got " + Quote(lv));
    if (auto ty = ParseInstitutionType(csv.Get(kType)))
      in.type = *ty;
    else
      csv.Error(kType,
                "expected hospital, clinic, pharmacy or internet, got " + Quote(csv.Get(kType)));
    in.admdvs = csv.Get(kAdmdvs);
    if (!in.code.empty() && !index.emplace(in.code, uint32_t(s.institutions.size())).second) {
      csv.Error(kCode, "institution " + Quote(in.code) + " listed twice");
      continue;
    }
    s.institutions.push_back(std::move(in));
  }
}

bool SameProvince(std::string_view a, uint32_t area) {
  if (a.size() < 2 || area == 0) return true;  // unknown: not cross-province
  uint32_t pa = uint32_t(a[0] - '0') * 10 + uint32_t(a[1] - '0');
  uint32_t pb = area;
  while (pb >= 100) pb /= 10;
  return pa == pb;
}

void ParseVisits(const NamedText& t, ClaimsStore& s, const KeyIndex& persons,
                 const KeyIndex& institutions, KeyIndex& index, Diagnostics& errors) {
  enum {
    kMdtrt,
    kPsn,
    kInst,
    kMedType,
    kBegin,
    kEnd,
    kDept,
    kDscg,
    kDise,
    kDiag,
    kOprn,
    kInsutype,
    kArea,
    kTotal,
    kDrg
  };
  ClaimsCsv csv(t.file_name, t.text, errors);
  if (!csv.Open({"mdtrt_id", "psn_no", "fixmedins_code", "med_type", "begntime", "endtime",
                 "dept_codg", "dscg_way", "dise_codg", "diag_codes", "oprn_codes", "insutype",
                 "mdtrtarea_admvs", "medfee_sumamt", "drg_code"},
                {"mdtrt_id", "psn_no", "fixmedins_code", "med_type", "begntime", "endtime"}))
    return;
  while (csv.Next()) {
    ClaimsVisit v;
    std::string_view id = csv.Get(kMdtrt);
    if (id.empty()) {
      csv.Error(kMdtrt, "empty");
      continue;
    }
    v.person = Lookup(persons, csv.Get(kPsn));
    if (v.person == kNoCode)
      csv.Error(kPsn, "person " + Quote(csv.Get(kPsn)) + " is not in persons.csv");
    v.institution = Lookup(institutions, csv.Get(kInst));
    if (v.institution == kNoCode)
      csv.Error(kInst, "institution " + Quote(csv.Get(kInst)) + " is not in institutions.csv");
    std::string_view med_type = csv.Get(kMedType);
    v.med_type = SmallNumber(med_type);
    v.scenario = ScenarioOfMedType(med_type);
    if (v.institution != kNoCode && v.scenario == CareScenario::kOutpatient) {
      // A pharmacy or internet hospital's visits are that scenario whatever the med_type says.
      InstitutionType ty = s.institutions[v.institution].type;
      if (ty == InstitutionType::kPharmacy) v.scenario = CareScenario::kPharmacy;
      if (ty == InstitutionType::kInternet) v.scenario = CareScenario::kInternet;
    }
    auto b = ParseDay(csv.Get(kBegin));
    auto e = ParseDay(csv.Get(kEnd));
    if (!b) csv.Error(kBegin, "expected a date YYYY-MM-DD, got " + Quote(csv.Get(kBegin)));
    if (!e) csv.Error(kEnd, "expected a date YYYY-MM-DD, got " + Quote(csv.Get(kEnd)));
    if (b && e && *e < *b) csv.Error(kEnd, "discharge before admission");
    if (b) v.begin = *b;
    v.end = e ? *e : v.begin;
    if (std::string_view d = csv.Get(kDept); !d.empty()) v.dept = s.depts.Intern(d);
    if (std::string_view w = csv.Get(kDscg); !w.empty()) {
      if (w.size() == 1 && w[0] >= '1' && w[0] <= '9')
        v.discharge = uint8_t(w[0] - '0');
      else
        csv.Error(kDscg, "expected a discharge status 1..9, got " + Quote(w));
    }
    if (std::string_view d = csv.Get(kDise); !d.empty()) v.main_dx = s.diagnoses.Intern(d);
    v.dx_begin = uint32_t(s.visit_dx.size());
    ForEachListValue(csv.Get(kDiag),
                     [&](std::string_view c) { s.visit_dx.push_back(s.diagnoses.Intern(c)); });
    v.dx_end = uint32_t(s.visit_dx.size());
    v.proc_begin = uint32_t(s.visit_proc.size());
    ForEachListValue(csv.Get(kOprn),
                     [&](std::string_view c) { s.visit_proc.push_back(s.procedures.Intern(c)); });
    v.proc_end = uint32_t(s.visit_proc.size());
    v.insutype = SmallNumber(csv.Get(kInsutype));
    if (v.insutype == 0 && v.person != kNoCode)
      v.insutype = SmallNumber(s.persons[v.person].insutype);
    v.area = SmallNumber(csv.Get(kArea));
    if (v.person != kNoCode)
      v.cross_province = !SameProvince(s.persons[v.person].insuplc_admdvs, v.area);
    if (std::string_view m = csv.Get(kTotal); !m.empty()) {
      if (auto amt = Money::ParseYuan(m))
        v.total = *amt;
      else
        csv.Error(kTotal, "expected yuan with at most two decimals, got " + Quote(m));
    }
    if (std::string_view d = csv.Get(kDrg); !d.empty()) v.drg = s.drgs.Intern(d);
    if (!index.emplace(std::string(id), uint32_t(s.visits.size())).second) {
      csv.Error(kMdtrt, "visit " + Quote(id) + " listed twice");
      continue;
    }
    s.mdtrt_ids.Add(id);
    s.visits.push_back(v);
  }
}

void ParseFeeLines(const NamedText& t, ClaimsStore& s, const KeyIndex& visits,
                   Diagnostics& errors) {
  enum { kMdtrt, kSn, kTime, kCode, kCnt, kPric, kAmt, kSinDos, kFreq, kDays, kDept, kAppr };
  ClaimsCsv csv(t.file_name, t.text, errors);
  if (!csv.Open({"mdtrt_id", "feedetl_sn", "fee_ocur_time", "med_list_codg", "cnt", "pric",
                 "det_item_fee_sumamt", "sin_dos", "used_frqu", "prd_days", "bilg_dept_codg",
                 "hosp_appr_flag"},
                {"mdtrt_id", "feedetl_sn", "fee_ocur_time", "med_list_codg", "cnt", "pric",
                 "det_item_fee_sumamt"}))
    return;
  size_t current = 0;  // the visit whose lines are being read
  bool started = false;
  // Visits' line ranges are filled as the file walks forward through visits.csv's order.
  std::vector<uint8_t> seen(s.visits.size(), 0);
  uint32_t last_item = kNoCode;
  std::string_view last_code;
  while (csv.Next()) {
    std::string_view id = csv.Get(kMdtrt);
    if (!started || s.mdtrt_ids[current] != id) {
      uint32_t v = Lookup(visits, id);
      if (v == kNoCode) {
        csv.Error(kMdtrt, "visit " + Quote(id) + " is not in visits.csv");
        continue;
      }
      if (seen[v] || (started && v < current)) {
        csv.Error(kMdtrt, "the lines of visit " + Quote(id) +
                              " are not contiguous or not in the order of visits.csv");
        continue;
      }
      if (started) s.visits[current].line_end = uint32_t(s.lines.size());
      for (size_t k = started ? current + 1 : 0; k < v; ++k)
        s.visits[k].line_begin = s.visits[k].line_end = uint32_t(s.lines.size());
      current = v;
      started = true;
      seen[v] = 1;
      s.visits[v].line_begin = uint32_t(s.lines.size());
    }
    ClaimLine l;
    std::string_view sn = csv.Get(kSn);
    if (sn.empty()) csv.Error(kSn, "empty");
    std::string_view code = csv.Get(kCode);
    if (code.empty()) csv.Error(kCode, "empty");
    // Consecutive lines often repeat a code (per-day items): skip the hash then.
    if (last_item != kNoCode && code == last_code) {
      l.item = last_item;
    } else {
      l.item = last_item = s.items.Intern(code);
      last_code = code;
    }
    if (auto d = ParseDay(csv.Get(kTime)))
      l.date = *d;
    else
      csv.Error(kTime, "expected a date YYYY-MM-DD, got " + Quote(csv.Get(kTime)));
    if (auto q = Quantity::Parse(csv.Get(kCnt)))
      l.cnt = q->scaled();
    else
      csv.Error(kCnt, "expected a quantity with at most 4 decimals, got " + Quote(csv.Get(kCnt)));
    if (auto p = UnitPrice::Parse(csv.Get(kPric)))
      l.pric = p->micro_yuan();
    else
      csv.Error(kPric, "expected a unit price in yuan with at most 6 decimals, got " +
                           Quote(csv.Get(kPric)));
    if (auto m = Money::ParseYuan(csv.Get(kAmt)))
      l.amount = *m;
    else
      csv.Error(kAmt, "expected yuan with at most two decimals, got " + Quote(csv.Get(kAmt)));
    if (std::string_view d = csv.Get(kSinDos); !d.empty()) {
      if (auto q = Quantity::Parse(d))
        l.sin_dos = q->scaled();
      else
        csv.Error(kSinDos, "expected a dose with at most 4 decimals, got " + Quote(d));
    }
    if (std::string_view f = csv.Get(kFreq); !f.empty()) {
      auto q = Quantity::Parse(f);
      if (q && q->scaled() <= 1000 * Quantity::kScale)
        l.freq = int32_t(q->scaled());
      else
        csv.Error(kFreq, "expected times per day (a number up to 1000), got " + Quote(f));
    }
    if (std::string_view d = csv.Get(kDays); !d.empty()) {
      uint32_t n = SmallNumber(d);
      if ((n > 0 || d == "0") && n <= 3660)
        l.prd_days = int32_t(n);
      else
        csv.Error(kDays, "expected whole days 0..3660, got " + Quote(d));
    }
    if (std::string_view d = csv.Get(kDept); !d.empty()) l.dept = s.depts.Intern(d);
    std::string_view a = csv.Get(kAppr);
    if (a == "1")
      l.approved = true;
    else if (!a.empty() && a != "0")
      csv.Error(kAppr, "expected 1, 0 or empty, got " + Quote(a));
    s.line_sns.Add(sn);
    s.lines.push_back(l);
  }
  if (started) s.visits[current].line_end = uint32_t(s.lines.size());
  for (size_t k = started ? current + 1 : 0; k < s.visits.size(); ++k)
    s.visits[k].line_begin = s.visits[k].line_end = uint32_t(s.lines.size());
  // The contract: medfee_sumamt is the sum of the visit's lines. A difference does not stop a
  // review (the lines are what is reviewed), but the clerk should know.
  for (size_t v = 0; v < s.visits.size() && s.warnings.size() < kMaxDiagnosticsPerFile; ++v) {
    Money sum;
    for (uint32_t i = s.visits[v].line_begin; i < s.visits[v].line_end; ++i)
      sum += s.lines[i].amount;
    if (sum != s.visits[v].total && s.visits[v].line_end > s.visits[v].line_begin)
      s.warnings.push_back(Diagnostic{std::string(t.file_name), 0, "det_item_fee_sumamt",
                                      "visit " + Quote(s.mdtrt_ids[v]) + ": lines sum to " +
                                          sum.ToString() + " but medfee_sumamt is " +
                                          s.visits[v].total.ToString()});
  }
}

}  // namespace

void ClaimsStore::IndexPersons() {
  person_begin.assign(persons.size() + 1, 0);
  for (const ClaimsVisit& v : visits) ++person_begin[v.person + 1];
  for (size_t p = 0; p < persons.size(); ++p) person_begin[p + 1] += person_begin[p];
  person_visits.assign(visits.size(), 0);
  std::vector<uint32_t> fill(person_begin.begin(), person_begin.end() - 1);
  for (uint32_t v = 0; v < visits.size(); ++v) person_visits[fill[visits[v].person]++] = v;
  for (size_t p = 0; p < persons.size(); ++p) {
    auto* b = person_visits.data() + person_begin[p];
    auto* e = person_visits.data() + person_begin[p + 1];
    // Usually already in order (exports are sorted by date): skip the sort then.
    auto less = [&](uint32_t a, uint32_t c) {
      const ClaimsVisit& x = visits[a];
      const ClaimsVisit& y = visits[c];
      if (x.begin != y.begin) return x.begin < y.begin;
      if (x.end != y.end) return x.end < y.end;
      return a < c;
    };
    if (!std::is_sorted(b, e, less)) std::sort(b, e, less);
  }
}

Result<ClaimsStore> ParseClaims(const ClaimsTexts& texts) {
  ClaimsStore s;
  Diagnostics errors;
  KeyIndex persons, institutions, visits;
  ParsePersons(texts.persons, s, persons, errors);
  ParseInstitutions(texts.institutions, s, institutions, errors);
  if (!errors.empty()) return errors;  // visits would only repeat "not in persons.csv"
  ParseVisits(texts.visits, s, persons, institutions, visits, errors);
  if (!errors.empty()) return errors;
  ParseFeeLines(texts.fee_lines, s, visits, errors);
  if (!errors.empty()) return errors;
  s.IndexPersons();
  return s;
}

Result<ClaimsStore> LoadClaimsDir(const std::string& dir) {
  Diagnostics errors;
  std::string text[4];
  const char* names[4] = {"persons.csv", "institutions.csv", "visits.csv", "fee_lines.csv"};
  std::string paths[4];
  for (int i = 0; i < 4; ++i) {
    paths[i] = dir + "/" + names[i];
    Result<std::string> r = ReadTextFile(paths[i]);
    if (!r) {
      errors.insert(errors.end(), r.errors().begin(), r.errors().end());
      continue;
    }
    text[i] = std::move(*r);
  }
  if (!errors.empty()) return errors;
  return ParseClaims(ClaimsTexts{
      {paths[0], text[0]}, {paths[1], text[1]}, {paths[2], text[2]}, {paths[3], text[3]}});
}

}  // namespace yibao
