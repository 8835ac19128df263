// Property tests of the settlement engine: many random but valid visits, settled through the same
// JSON edge as a HIS request (ParseVisitJson → PrepareVisit → Settle), against the bundled sample
// region (regions/qinglan) and against every golden policy (tests/golden/settle/policies, with the
// golden catalogue). Each property states something that must hold for every visit:
//
//   (a) every bill balances to the fen and has nothing negative;
//   (b) no fund pays beyond its room, and, recomputed from the policy and the accumulators, no
//       year-cap account that started below its cap ends above it;
//   (c) cancelling (Reversal) restores the accumulators exactly, and settling again gives the
//       same bill;
//   (d) the same input gives byte-identical bill JSON, with fresh or reused Settlement objects;
//   (e) over a sequence of visits of one person, the accumulators are the start plus the deltas;
//   (f) adding a fee line adds its amount to medfee_sumamt and never lowers psn_part_amt;
//   (g) a corrupted visit is refused with a diagnostic naming the field, and changes nothing;
//   (h) how the JSON is written (key order, quoting, whitespace, extra fields) does not matter.
//
// Everything is driven by a fixed-seed std::mt19937_64; each visit has its own seed (printed with
// the visit's JSON on failure). YIBAO_PROPERTY_SEED changes the base seed and YIBAO_PROPERTY_SCALE
// multiplies the number of visits (e.g. 10 for a longer soak).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "catalogue/catalogue_csv.h"
#include "codes/code_format.h"
#include "interface/bill_json.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "policy/policy_toml.h"
#include "region/region.h"
#include "settle/settle.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
using Rng = std::mt19937_64;

const fs::path kRoot = YIBAO_SOURCE_DIR;

// ── Seeds and counts ─────────────────────────────────────────────────────────────────────────────

uint64_t BaseSeed() {
  static const uint64_t seed = [] {
    const char* s = std::getenv("YIBAO_PROPERTY_SEED");
    return s ? std::strtoull(s, nullptr, 0) : 0x59'4942'414fULL;  // "YIBAO"
  }();
  return seed;
}

int Scaled(int n) {
  static const double scale = [] {
    const char* s = std::getenv("YIBAO_PROPERTY_SCALE");
    double v = s ? std::atof(s) : 1.0;
    return v > 0 ? v : 1.0;
  }();
  return std::max(1, int(n * scale));
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The seed of visit `i` of property `property` in world `world`.
uint64_t VisitSeed(int property, int world, int i) {
  return SplitMix(BaseSeed() ^ (uint64_t(property) << 56) ^ (uint64_t(world) << 40) ^ uint64_t(i));
}

int64_t Uniform(Rng& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
bool Chance(Rng& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
template <typename T>
const T& Pick(Rng& rng, const std::vector<T>& v) {
  return v[size_t(Uniform(rng, 0, int64_t(v.size()) - 1))];
}

// ── Dates and decimals ───────────────────────────────────────────────────────────────────────────

Date AddDays(Date d, int64_t n) { return PlusDays(d, int32_t(n)); }

// A non-negative scaled integer as a decimal with at most `decimals` digits after the point,
// trailing zeros dropped ("12.5", "3").
std::string Decimal(int64_t scaled, int decimals) {
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string s = std::to_string(scaled / scale);
  std::string frac = std::to_string(scaled % scale);
  frac.insert(0, size_t(decimals) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) s += "." + frac;
  return s;
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// A JSON token for a number: sometimes a bare JSON number, sometimes a string (both are accepted).
std::string NumberToken(Rng& rng, const std::string& text) {
  return Chance(rng, 0.5) ? text : Quoted(text);
}

std::string Unquote(const std::string& token) {
  if (token.size() >= 2 && token.front() == '"') return token.substr(1, token.size() - 2);
  return token;
}

// ── The visit as JSON tokens, so that corruptions can replace any value ─────────────────────────

struct JsonObject {
  std::vector<std::pair<std::string, std::string>> kv;  // key → raw JSON token, in order

  void Set(const std::string& key, std::string token) {
    for (auto& [k, v] : kv)
      if (k == key) {
        v = std::move(token);
        return;
      }
    kv.emplace_back(key, std::move(token));
  }
  const std::string* Get(const std::string& key) const {
    for (const auto& [k, v] : kv)
      if (k == key) return &v;
    return nullptr;
  }
  void AppendTo(std::string& out) const {
    out += '{';
    for (size_t i = 0; i < kv.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, kv[i].first);
      out += ':';
      out += kv[i].second;
    }
    out += '}';
  }
};

struct VisitSpec {
  JsonObject top;
  JsonObject accumulators;
  std::vector<JsonObject> lines;
  int next_serial = 1;

  std::string ToJson() const {
    std::string out;
    JsonObject all = top;
    if (!accumulators.kv.empty()) {
      std::string acc;
      accumulators.AppendTo(acc);
      all.Set("accumulators", acc);
    }
    std::string fee = "[";
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i) fee += ',';
      lines[i].AppendTo(fee);
    }
    fee += ']';
    all.Set("fee_details", fee);
    all.AppendTo(out);
    return out;
  }
};

// ── Worlds: an insured region with its policies, and the places of treatment ─────────────────────

struct World {
  std::string name;
  bool sample = false;
  Region insured;
  std::vector<std::unique_ptr<Region>> elsewhere;             // same catalogue, other admdvs
  std::map<std::string, std::vector<std::string>> psn_types;  // insutype → person type ids
  std::vector<std::string> diagnoses;
  std::vector<std::string> departments;

  const Region* TreatmentFor(std::string_view admdvs) const {
    if (admdvs == insured.admdvs) return &insured;
    for (const auto& r : elsewhere)
      if (r->admdvs == admdvs) return r.get();
    return nullptr;
  }
};

void CollectWords(const Condition& c, std::set<std::string>& psn, std::set<std::string>& ids) {
  psn.insert(c.psn_types.begin(), c.psn_types.end());
  ids.insert(c.identities.begin(), c.identities.end());
}

// Other places of treatment: one in the same province (another city), one in another province.
void AddElsewhere(World& w) {
  const std::string& a = w.insured.admdvs;
  std::string in_province = a.substr(0, 2) + (a.substr(2, 2) == "99" ? "98" : "99") + "00";
  std::string other_province = a.substr(0, 2) == "11" ? "310100" : "110100";
  for (const std::string& admdvs : {in_province, other_province}) {
    auto r = std::make_unique<Region>(w.insured);
    r->admdvs = admdvs;
    r->policies.clear();  // only the insured place's policies apply
    w.elsewhere.push_back(std::move(r));
  }
}

// Diagnoses that meet the catalogue's indications (each prefix completed to a well-formed code:
// "C" → "C99.900", "E11.4" → "E11.400") and some that meet none; departments likewise.
void FillCodes(World& w) {
  std::set<std::string> dx, dept;
  for (const auto& item : w.insured.catalogue.items()) {
    for (const auto& p : item.restriction.indications) {
      const std::string shape = "A99.900";
      std::string code = p.size() < shape.size() ? p + shape.substr(p.size()) : p;
      if (!CheckDiagnosisCode(code)) dx.insert(code);
    }
    for (const auto& p : item.restriction.specialties) dept.insert(p);
  }
  for (const char* d : {"I10.x00", "J18.900", "K35.800", "E11.900", "S72.000", "O80.000"})
    dx.insert(d);
  dept.insert("A03");
  w.diagnoses.assign(dx.begin(), dx.end());
  w.departments.assign(dept.begin(), dept.end());
}

std::string LoadWorlds(std::vector<std::unique_ptr<World>>& worlds) {
  {
    auto region = LoadRegion((kRoot / "regions/qinglan").string());
    if (!region) return "regions/qinglan: " + FormatDiagnostics(region.errors());
    auto w = std::make_unique<World>();
    w->name = "qinglan";
    w->sample = true;
    w->insured = std::move(*region);
    w->psn_types["310"] = {"in_service", "retired"};
    w->psn_types["390"] = {"resident_adult", "resident_child", "student", "resident_elderly"};
    AddElsewhere(*w);
    FillCodes(*w);
    worlds.push_back(std::move(w));
  }
  const fs::path golden = kRoot / "tests/golden/settle";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(golden / "policies"))
    if (e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto policy = LoadPolicyFile(f.string());
    if (!policy) return f.string() + ": " + FormatDiagnostics(policy.errors());
    auto catalogue = LoadCatalogueCsv((golden / "catalogue.csv").string(), policy->region);
    if (!catalogue) return FormatDiagnostics(catalogue.errors());
    auto w = std::make_unique<World>();
    w->name = f.stem().string();
    std::set<std::string> psn, ids;
    for (const auto& b : policy->benefits)
      for (const auto& t : b.tiers) {
        CollectWords(t.eligible, psn, ids);
        for (const auto& d : t.deductibles) CollectWords(d.when, psn, ids);
        for (const auto& r : t.ratios) CollectWords(r.when, psn, ids);
        for (const auto& a : t.adjustments) CollectWords(a.when, psn, ids);
        for (const auto& c : t.caps) CollectWords(c.when, psn, ids);
      }
    psn.insert(policy->insutype == "310" ? "in_service" : "resident");
    ids.insert("ordinary");
    Region& r = w->insured;
    r.admdvs = policy->region;
    r.vocabulary.psn_types.assign(psn.begin(), psn.end());
    r.vocabulary.identities.assign(ids.begin(), ids.end());
    for (const auto& p : psn) r.person_types.push_back({p, "", ""});
    for (const auto& i : ids) r.identities.emplace_back(i, "");
    r.catalogue = std::move(*catalogue);
    w->psn_types[policy->insutype] = r.vocabulary.psn_types;
    r.policies.push_back(std::move(*policy));
    AddElsewhere(*w);
    FillCodes(*w);
    worlds.push_back(std::move(w));
  }
  return "";
}

const std::vector<std::unique_ptr<World>>& Worlds(std::string* error = nullptr) {
  static std::string load_error;
  static const std::vector<std::unique_ptr<World>>* worlds = [] {
    auto* v = new std::vector<std::unique_ptr<World>>;
    load_error = LoadWorlds(*v);
    return v;
  }();
  if (error) *error = load_error;
  return *worlds;
}

// Visits per world: the sample region gets the most, each golden policy a share.
int VisitCount(const World& w, int sample, int golden) {
  return Scaled(w.sample ? sample : golden);
}

// ── Random visits ────────────────────────────────────────────────────────────────────────────────

struct PersonSpec {
  std::string psn_no, insutype, psn_type, gend, brdy;
  std::vector<std::string> identities;
};

PersonSpec RandomPerson(const World& w, const Policy& policy, Date around, Rng& rng) {
  PersonSpec p;
  p.psn_no = "P" + std::to_string(Uniform(rng, 1, 999'999'999));
  p.insutype = policy.insutype;
  auto it = w.psn_types.find(policy.insutype);
  if (it != w.psn_types.end() && !it->second.empty()) {
    p.psn_type = Pick(rng, it->second);
    if (Chance(rng, 0.2))  // a HIS may send the national code instead of the id
      for (const auto& t : w.insured.person_types)
        if (t.id == p.psn_type && !t.national_code.empty()) p.psn_type = t.national_code;
  }
  for (const auto& [id, name] : w.insured.identities)
    if (Chance(rng, 0.12)) p.identities.push_back(id);
  static const std::vector<std::string> kSex = {"1", "2", "9", ""};
  p.gend = Pick(rng, kSex);
  int age = int(Uniform(rng, 0, 95));
  p.brdy = AddDays(around, -(int64_t(age) * 365 + Uniform(rng, 0, 364))).ToString();
  return p;
}

const Policy& RandomPolicy(const World& w, Rng& rng) {
  return w.insured.policies[size_t(Uniform(rng, 0, int64_t(w.insured.policies.size()) - 1))];
}

// A day on which `policy` is in force (open-ended policies: within three years of the start).
Date RandomDay(const Policy& policy, Rng& rng) {
  Date from = policy.effective_from;
  Date to = policy.effective_to;
  if (to - from > 3 * 366) to = AddDays(from, 3 * 366);
  return AddDays(from, Uniform(rng, 0, to - from));
}

JsonObject RandomLine(const World& w, Date on, int serial, Rng& rng) {
  const auto& items = w.insured.catalogue.items();
  const CatalogueItem* item = nullptr;
  for (int tries = 0; tries < 100 && !item; ++tries) {
    const CatalogueItem& c = items[size_t(Uniform(rng, 0, int64_t(items.size()) - 1))];
    if (w.insured.catalogue.Find(c.code, on) == &c) item = &c;
  }
  if (!item) item = w.insured.catalogue.Find(items.front().code, on);
  JsonObject line;
  line.Set("feedetl_sn", Quoted(std::to_string(serial)));
  line.Set("med_list_codg", Quoted(item ? item->code : "UNKNOWN"));
  // cnt: mostly whole units, sometimes up to 4 decimals, rarely large or zero.
  int64_t cnt;
  double roll = std::uniform_real_distribution<double>(0, 1)(rng);
  if (roll < 0.65)
    cnt = Uniform(rng, 1, 30) * Quantity::kScale;
  else if (roll < 0.9)
    cnt = Uniform(rng, 1, 200'000);
  else if (roll < 0.99)
    cnt = Uniform(rng, 31, 400) * Quantity::kScale;
  else
    cnt = 0;
  // pric: around the payment standard when there is one (often above it), else log-uniform.
  int64_t micro;
  if (item && item->price_cap && Chance(rng, 0.9)) {
    int64_t cap = item->price_cap->micro_yuan();
    double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.15)
      micro = cap;
    else if (r < 0.55)
      micro = cap * Uniform(rng, 300, 999) / 1000;
    else
      micro = cap + std::max<int64_t>(1, cap * Uniform(rng, 1, 2000) / 1000);
  } else {
    double yuan =
        std::exp(std::uniform_real_distribution<double>(std::log(0.01), std::log(20000.0))(rng));
    micro = int64_t(yuan * 1e6);
  }
  if (Chance(rng, 0.6)) micro = micro / 10'000 * 10'000;  // most prices are whole fen
  if (Chance(rng, 0.005)) micro = 0;
  line.Set("cnt", NumberToken(rng, Decimal(cnt, 4)));
  line.Set("pric", NumberToken(rng, Decimal(micro, 6)));
  if (Chance(rng, 0.5)) {
    Money amount = LineAmount(UnitPrice::MicroYuan(micro), Quantity::Raw(cnt));
    line.Set("det_item_fee_sumamt", NumberToken(rng, amount.ToString()));
  }
  double appr = std::uniform_real_distribution<double>(0, 1)(rng);
  if (appr < 0.3)
    line.Set("hosp_appr_flag", Quoted("1"));
  else if (appr < 0.45)
    line.Set("hosp_appr_flag", Quoted("0"));
  if (Chance(rng, 0.4)) line.Set("prd_days", NumberToken(rng, std::to_string(Uniform(rng, 0, 60))));
  return line;
}

std::string Yuan(int64_t fen) { return Money::Fen(fen).ToString(); }

// The largest limited cap on each year account (−1: the account has no limited cap).
std::vector<int64_t> MaxCaps(const Policy& p) {
  std::vector<int64_t> out(p.accounts().size(), -1);
  for (const auto& b : p.benefits)
    for (const auto& t : b.tiers)
      for (const auto& c : t.caps)
        if (!c.per_visit && !c.unlimited && c.slot >= 0)
          out[size_t(c.slot)] = std::max(out[size_t(c.slot)], c.amount.fen());
  return out;
}

// Starting accumulators: random fen on the policy's accounts (around the caps, sometimes at or
// above them), admissions 0..5.
void RandomAccumulators(const Policy& policy, Rng& rng, JsonObject& out) {
  std::vector<int64_t> caps = MaxCaps(policy);
  for (size_t i = 0; i < policy.accounts().size(); ++i) {
    if (Chance(rng, 0.4)) continue;
    const std::string& name = policy.accounts()[i];
    if (IsCounterSlot(policy, int(i))) {
      out.Set(name, std::to_string(Uniform(rng, 0, 5)));
      continue;
    }
    int64_t fen;
    if (caps[i] > 0) {
      double r = std::uniform_real_distribution<double>(0, 1)(rng);
      if (r < 0.5)
        fen = Uniform(rng, 0, caps[i]);
      else if (r < 0.75)
        fen = std::max<int64_t>(0, caps[i] - Uniform(rng, 0, 500'000));
      else if (r < 0.85)
        fen = caps[i];
      else
        fen = caps[i] + Uniform(rng, 1, 1'000'000);
    } else {
      fen = Chance(rng, 0.5) ? Uniform(rng, 0, 300'000) : Uniform(rng, 0, 30'000'000);
    }
    out.Set(name, Quoted(Yuan(fen)));
  }
}

struct VisitOptions {
  const Policy* policy = nullptr;      // random when null
  const PersonSpec* person = nullptr;  // random when null
  bool accumulators = true;            // random starting accumulators in the JSON
};

VisitSpec RandomVisit(const World& w, Rng& rng, const VisitOptions& opt = {}) {
  const Policy& policy = opt.policy ? *opt.policy : RandomPolicy(w, rng);
  VisitSpec v;
  Date end = RandomDay(policy, rng);
  Date begin = AddDays(end, -Uniform(rng, 0, 40));
  PersonSpec random_person;
  if (!opt.person) random_person = RandomPerson(w, policy, begin, rng);
  const PersonSpec& person = opt.person ? *opt.person : random_person;

  // Benefit and med_type.
  std::vector<std::pair<const Benefit*, std::string>> med_types;
  for (const auto& b : policy.benefits)
    for (const auto& mt : b.med_types) med_types.emplace_back(&b, mt);
  const auto& [benefit, med_type] = Pick(rng, med_types);

  // Place of treatment and filing.
  std::string treatment = w.insured.admdvs;
  std::string filing;
  double where = std::uniform_real_distribution<double>(0, 1)(rng);
  if (where >= 0.6) {
    treatment = w.elsewhere[where < 0.8 ? 0 : 1]->admdvs;
    static const std::vector<std::string> kFilings = {"", "none", "long_term", "referral",
                                                      "emergency"};
    filing = Pick(rng, kFilings);
  }
  bool cross_province = treatment.substr(0, 2) != w.insured.admdvs.substr(0, 2);

  JsonObject& t = v.top;
  t.Set("mdtrt_id", Quoted("V" + std::to_string(Uniform(rng, 1, 999'999'999))));
  t.Set("psn_no", Quoted(person.psn_no));
  if (!person.gend.empty()) t.Set("gend", Quoted(person.gend));
  t.Set("brdy", Quoted(person.brdy));
  t.Set("insutype", Quoted(person.insutype));
  if (!person.psn_type.empty()) t.Set("psn_type", Quoted(person.psn_type));
  if (!person.identities.empty()) {
    std::string list = "[";
    for (size_t i = 0; i < person.identities.size(); ++i)
      list += (i ? "," : "") + Quoted(person.identities[i]);
    t.Set("psn_idet_type", list + "]");
  }
  t.Set("insuplc_admdvs", Quoted(w.insured.admdvs));
  if (treatment != w.insured.admdvs || Chance(rng, 0.5))
    t.Set("mdtrtarea_admvs", Quoted(treatment));
  if (!filing.empty()) t.Set("out_filing", Quoted(filing));
  t.Set("med_type", Quoted(med_type));
  if (!w.insured.institutions.empty() && Chance(rng, 0.5)) {
    t.Set("fixmedins_code",
          Quoted(Pick(rng, w.insured.institutions).code));  // level from the table
  } else {
    t.Set("fixmedins_code", Quoted("H" + w.insured.admdvs + "99999"));
    t.Set("hosp_lv", NumberToken(rng, std::to_string(Uniform(rng, 0, 3))));
  }
  t.Set("begntime", Quoted(begin.ToString() + (Chance(rng, 0.5) ? " 08:30:00" : "")));
  t.Set("endtime", Quoted(end.ToString()));
  t.Set("dise_codg", Quoted(Pick(rng, w.diagnoses)));
  if (Chance(rng, 0.4)) t.Set("diag_codes", "[" + Quoted(Pick(rng, w.diagnoses)) + "]");
  if (Chance(rng, 0.7)) t.Set("dept_codg", Quoted(Pick(rng, w.departments)));
  if (!benefit->diseases.empty()) {
    const auto& list = cross_province && benefit->restrict_cross_province
                           ? benefit->cross_province_diseases
                           : benefit->diseases;
    t.Set("opsp_dise_code", Quoted(Pick(rng, list)));
  }
  if (Chance(rng, 0.5)) t.Set("acct_used_flag", Quoted(Chance(rng, 0.8) ? "1" : "0"));
  if (Chance(rng, 0.6)) t.Set("acct_balc", NumberToken(rng, Yuan(Uniform(rng, 0, 800'000))));
  if (Chance(rng, 0.3)) t.Set("mulaid_balc", NumberToken(rng, Yuan(Uniform(rng, 0, 300'000))));
  if (Chance(rng, 0.4)) t.Set("deposit", NumberToken(rng, Yuan(Uniform(rng, 0, 5'000'000))));
  if (opt.accumulators) RandomAccumulators(policy, rng, v.accumulators);

  int n = Chance(rng, 0.05) ? int(Uniform(rng, 13, 40)) : int(Uniform(rng, 1, 12));
  for (int i = 0; i < n; ++i) v.lines.push_back(RandomLine(w, end, v.next_serial++, rng));
  return v;
}

// ── Running a visit through the edge and the engine ─────────────────────────────────────────────

struct Outcome {
  std::string stage;  // where it stopped: "parse", "prepare", "settle" or "ok"
  Diagnostics errors;
  std::optional<PreparedVisit> prepared;
  Settlement settlement;
  bool ok() const { return stage == "ok"; }
};

// Parses, prepares and settles `json`; `accumulators` (when given) replace the visit's own.
void SettleJson(const World& w, const std::string& json, Outcome& out,
                const std::vector<int64_t>* accumulators = nullptr) {
  out.errors.clear();
  out.prepared.reset();
  auto input = ParseVisitJson(json);
  if (!input) {
    out.stage = "parse";
    out.errors = input.errors();
    return;
  }
  const Region* treatment = w.TreatmentFor(input->visit.treatment_admdvs.empty()
                                               ? std::string_view(w.insured.admdvs)
                                               : std::string_view(input->visit.treatment_admdvs));
  if (!treatment) treatment = &w.insured;
  auto prepared = PrepareVisit(std::move(*input), w.insured, *treatment);
  if (!prepared) {
    out.stage = "prepare";
    out.errors = prepared.errors();
    return;
  }
  out.prepared = std::move(*prepared);
  if (accumulators) out.prepared->accumulators = *accumulators;
  Settlement& s = out.settlement;
  const PreparedVisit& p = *out.prepared;
  bool ok = Settle(p.visit, *p.catalogue, *p.policy, p.accumulators, &s, &out.errors);
  out.stage = ok ? "ok" : "settle";
}

std::string BillJson(const Settlement& s, const PreparedVisit& p) {
  std::string out;
  WriteBillJson(s, p.visit, p.accumulators, out);
  return out;
}

// The first difference between two settlements, member by member (bill amounts, lines, setldetail,
// trace records, deltas); empty when they are identical. Cheaper than comparing their JSON.
std::string Difference(const Settlement& x, const Settlement& y) {
  static constexpr Money Bill::*kAmounts[] = {
      &Bill::medfee_sumamt,  &Bill::fulamt_ownpay_amt, &Bill::overlmt_selfpay,
      &Bill::preselfpay_amt, &Bill::inscp_scp_amt,     &Bill::act_pay_dedc,
      &Bill::hifp_pay,       &Bill::cvlserv_pay,       &Bill::hifes_pay,
      &Bill::hifmi_pay,      &Bill::hifob_pay,         &Bill::maf_pay,
      &Bill::oth_pay,        &Bill::fund_pay_sumamt,   &Bill::psn_part_amt,
      &Bill::acct_pay,       &Bill::acct_mulaid_pay,   &Bill::psn_cash_pay,
      &Bill::hosp_part_amt,  &Bill::deposit,           &Bill::deposit_refund};
  const Bill& a = x.bill;
  const Bill& b = y.bill;
  if (x.deltas != y.deltas) return "deltas differ";
  if (a.policy != b.policy || a.benefit != b.benefit) return "policy or benefit differs";
  for (size_t i = 0; i < std::size(kAmounts); ++i)
    if (a.*kAmounts[i] != b.*kAmounts[i])
      return "bill amount #" + std::to_string(i) + ": " + (a.*kAmounts[i]).ToString() + " vs " +
             (b.*kAmounts[i]).ToString();
  if (a.lines.size() != b.lines.size()) return "number of lines differs";
  for (size_t i = 0; i < a.lines.size(); ++i) {
    const LineSettlement& l = a.lines[i];
    const LineSettlement& m = b.lines[i];
    if (l.line_index != m.line_index || l.item != m.item || l.amount != m.amount ||
        l.ownpay != m.ownpay || l.over_limit != m.over_limit || l.pre_selfpay != m.pre_selfpay ||
        l.in_scope != m.in_scope || l.note != m.note ||
        l.restriction_waived != m.restriction_waived)
      return "line " + std::to_string(i) + " differs";
  }
  if (a.funds.size() != b.funds.size()) return "number of setldetail entries differs";
  for (size_t i = 0; i < a.funds.size(); ++i) {
    const FundPayment& f = a.funds[i];
    const FundPayment& g = b.funds[i];
    if (f.tier != g.tier || f.fund != g.fund || f.base != g.base || f.deductible != g.deductible ||
        f.payment != g.payment || f.room != g.room || f.cap_reached != g.cap_reached)
      return "setldetail " + std::to_string(i) + " differs";
  }
  if (a.trace.size() != b.trace.size()) return "trace length differs";
  for (size_t i = 0; i < a.trace.size(); ++i) {
    const TraceStep& s = a.trace[i];
    const TraceStep& t = b.trace[i];
    if (s.kind != t.kind || s.tier != t.tier || s.ref != t.ref || s.line != t.line || s.n != t.n ||
        s.a != t.a || s.b != t.b || s.c != t.c || s.r != t.r || s.r2 != t.r2)
      return "trace step " + std::to_string(i) + " differs";
  }
  return "";
}

std::string Context(const World& w, uint64_t seed, const std::string& json) {
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(seed));
  return "world " + w.name + ", visit seed " + hex + "\nvisit JSON: " + json;
}

std::string ErrorsText(const Outcome& o) { return o.stage + ": " + FormatDiagnostics(o.errors); }

// Stops a property's loop after a few failures, so that one bug does not print 20,000 reports; and
// counts the visits a golden policy does not cover.
class FailureBudget {
 public:
  bool Exhausted() const { return failures_ >= 5; }
  void Fail(const std::string& what, const std::string& context) {
    ++failures_;
    ADD_FAILURE() << what << "\n" << context;
  }
  void Skip() { ++skipped_; }
  // At least a tenth of the random visits must be inside each golden policy (a6 covers only a
  // retiree's third admission), or the properties say little about it.
  void ExpectCoverage(const World& w, int n) const {
    EXPECT_LE(skipped_, n * 9 / 10) << "world " << w.name << ": " << skipped_ << " of " << n
                                    << " random visits are outside the policy";
  }

 private:
  int failures_ = 0;
  int skipped_ = 0;
};

// The golden policies cover only their worked examples (a6: a retiree's third admission and later;
// a7: levels 2 and 3), so some random visits find no deductible or ratio rule: that is the policy's
// answer, not a failure. The sample region's policies cover every visit.
bool OutsideGoldenPolicy(const World& w, const Outcome& o) {
  if (w.sample || o.stage != "settle" || o.errors.empty()) return false;
  const Diagnostic& d = o.errors.front();
  return d.field == "med_type" && (d.message.find("has no deductible") != std::string::npos ||
                                   d.message.find("has no ratio") != std::string::npos);
}

// Whether `o` settled; otherwise skips it (outside a golden policy) or reports it.
bool Settled(const World& w, const Outcome& o, uint64_t seed, const std::string& json,
             FailureBudget& budget, const char* what = "a valid visit did not settle") {
  if (o.ok()) return true;
  if (OutsideGoldenPolicy(w, o))
    budget.Skip();
  else
    budget.Fail(std::string(what) + ": " + ErrorsText(o), Context(w, seed, json));
  return false;
}

// ── Independent checks ───────────────────────────────────────────────────────────────────────────

std::string Fen(Money m) { return m.ToString(); }

Money FundAmount(const Bill& b, Fund f) {
  switch (f) {
    case Fund::kHifp:
      return b.hifp_pay;
    case Fund::kCvlserv:
      return b.cvlserv_pay;
    case Fund::kHifes:
      return b.hifes_pay;
    case Fund::kHifmi:
      return b.hifmi_pay;
    case Fund::kHifob:
      return b.hifob_pay;
    case Fund::kMaf:
      return b.maf_pay;
    case Fund::kOther:
      return b.oth_pay;
  }
  return b.oth_pay;
}

// (a) The bill balances, nothing is negative, and the bill agrees with the visit and the policy.
std::string BillProblems(const PreparedVisit& p, const Settlement& s) {
  const Bill& b = s.bill;
  const Visit& v = p.visit;
  std::string broken = CheckBillIdentities(b);
  if (!broken.empty()) return "CheckBillIdentities: " + broken;
  if (b.policy != p.policy) return "bill.policy is not the policy settled against";
  const Benefit* benefit = p.policy->BenefitFor(v.med_type);
  if (b.benefit != benefit) return "bill.benefit is not the benefit of med_type " + v.med_type;
  if (b.lines.size() != v.lines.size()) return "one bill line per fee line expected";
  for (size_t i = 0; i < b.lines.size(); ++i) {
    const LineSettlement& l = b.lines[i];
    if (l.line_index != i || l.item == nullptr)
      return "line " + std::to_string(i) + ": index or item";
    if (l.amount != v.lines[i].amount)
      return "line " + std::to_string(i) + ": amount differs from the visit's";
    if (l.item->item_class == ItemClass::kC) {
      if (l.ownpay != l.amount) return "line " + std::to_string(i) + ": 丙类 not wholly 全自费";
    } else if (l.item->restriction.empty()) {
      // No restriction: the split follows from the price cap and the 先行自付 share alone.
      const FeeLine& f = v.lines[i];
      const CatalogueItem& item = *l.item;
      Money over = item.price_cap && f.price > *item.price_cap
                       ? LineAmount(f.price - *item.price_cap, f.count)
                       : Money();
      Money pre = item.selfpay_prop.Apply(f.amount - over);
      if (!l.ownpay.is_zero() || l.over_limit != over || l.pre_selfpay != pre ||
          l.in_scope != f.amount - over - pre)
        return "line " + std::to_string(i) + " (" + item.code + "): split " + Fen(l.ownpay) + "/" +
               Fen(l.over_limit) + "/" + Fen(l.pre_selfpay) + "/" + Fen(l.in_scope) +
               ", expected 0.00/" + Fen(over) + "/" + Fen(pre) + "/" + Fen(f.amount - over - pre);
    }
  }
  Money by_fund[7] = {};
  Money hifp_deductible;
  for (const FundPayment& f : b.funds) {
    if (f.tier < 0 || size_t(f.tier) >= benefit->tiers.size())
      return "setldetail tier out of range";
    if (benefit->tiers[size_t(f.tier)].fund != f.fund) return "setldetail fund is not the tier's";
    if (f.base.is_negative() || f.deductible.is_negative() || f.payment.is_negative())
      return "negative setldetail amount";
    if (f.payment + f.deductible > f.base)
      return "tier " + benefit->tiers[size_t(f.tier)].id + " paid " + Fen(f.payment) +
             " + deductible " + Fen(f.deductible) + " on a base of " + Fen(f.base);
    by_fund[int(f.fund)] += f.payment;
    if (f.fund == Fund::kHifp) hifp_deductible += f.deductible;
  }
  for (Fund f : {Fund::kHifp, Fund::kCvlserv, Fund::kHifes, Fund::kHifmi, Fund::kHifob, Fund::kMaf,
                 Fund::kOther})
    if (by_fund[int(f)] != FundAmount(b, f))
      return std::string("setldetail of ") + FundName(f) + " does not sum to the bill field";
  if (b.act_pay_dedc != hifp_deductible) return "act_pay_dedc ≠ the basic fund's deductibles";
  if (!b.hosp_part_amt.is_zero()) return "hosp_part_amt not zero";
  // Personal account.
  if ((!v.use_account || !benefit->account.allowed) && !b.acct_pay.is_zero())
    return "account paid although not used or not allowed";
  if (b.acct_pay - b.acct_mulaid_pay > Max(Money(), v.account_balance))
    return "own account paid " + Fen(b.acct_pay - b.acct_mulaid_pay) + " beyond the balance " +
           Fen(v.account_balance);
  if (b.acct_mulaid_pay > Max(Money(), v.family_account_balance))
    return "mutual aid beyond the family balance";
  if (!benefit->account.family_mutual_aid && !b.acct_mulaid_pay.is_zero())
    return "mutual aid paid although the benefit does not allow it";
  // Deposit.
  if (v.deposit.fen() > 0) {
    if (b.deposit != v.deposit || b.deposit_refund != v.deposit - b.psn_cash_pay)
      return "deposit refund";
  } else if (!b.deposit.is_zero() || !b.deposit_refund.is_zero()) {
    return "deposit without one given";
  }
  // Deltas.
  if (s.deltas.size() != p.policy->accounts().size())
    return "deltas not sized to the policy's accounts";
  for (size_t i = 0; i < s.deltas.size(); ++i)
    if (s.deltas[i] < 0) return "negative delta on " + p.policy->accounts()[i];
  if (benefit->counts_admissions && s.deltas[size_t(benefit->admission_slot)] != 1)
    return "an admission must count 1";
  return "";
}

// (b) Caps, recomputed from the policy and the starting accumulators: for every tier that paid, the
// first matching cap per account decides; the room is the least room of the limited ones; the
// payment fits in it; every year account of a decided cap grows by exactly what its tiers paid, and
// an account below its cap before a tier is not above it after.
std::string CapProblems(const PreparedVisit& p, const Settlement& s) {
  const Visit& v = p.visit;
  const Policy& policy = *p.policy;
  const Benefit* benefit = policy.BenefitFor(v.med_type);
  const int age = AgeInYears(v.person.birthday, v.begin);
  const int admission =
      benefit->counts_admissions ? int(p.accumulators[size_t(benefit->admission_slot)]) + 1 : 0;
  std::vector<int64_t> running = p.accumulators;
  std::vector<int64_t> expected(running.size(), 0);
  std::vector<int> writers(running.size(), 0);
  std::vector<int64_t> tightest(running.size(), -1);  // least limited cap decided on the account
  for (const FundPayment& f : s.bill.funds) {
    const Tier& tier = benefit->tiers[size_t(f.tier)];
    std::vector<const CapRule*> decided;
    for (const CapRule& c : tier.caps) {
      bool seen = std::any_of(decided.begin(), decided.end(), [&](const CapRule* d) {
        return d->account == c.account && d->per_visit == c.per_visit;
      });
      if (!seen && c.when.Matches(v, age, admission)) decided.push_back(&c);
    }
    bool limited = false;
    Money room;
    for (const CapRule* c : decided) {
      if (c->unlimited) continue;
      Money used = c->per_visit ? Money() : Money::Fen(running[size_t(c->slot)]);
      Money r = Max(Money(), c->amount - used);
      room = limited ? Min(room, r) : r;
      limited = true;
    }
    const std::string where = "tier " + tier.id + ": ";
    if (limited != (f.room.fen() >= 0))
      return where + (limited ? "a cap applies but the bill shows no room"
                              : "no cap applies but the bill shows a room");
    if (limited && room != f.room)
      return where + "room " + Fen(f.room) + ", recomputed " + Fen(room);
    if (limited && f.payment > room)
      return where + "paid " + Fen(f.payment) + " beyond its room " + Fen(room);
    for (const CapRule* c : decided) {
      if (c->per_visit) continue;
      size_t slot = size_t(c->slot);
      if (!c->unlimited && running[slot] < c->amount.fen() &&
          running[slot] + f.payment.fen() > c->amount.fen())
        return where + "account " + c->account + " went from " + Yuan(running[slot]) + " to " +
               Yuan(running[slot] + f.payment.fen()) + ", above its cap " + Fen(c->amount);
      if (!c->unlimited)
        tightest[slot] =
            tightest[slot] < 0 ? c->amount.fen() : std::min(tightest[slot], c->amount.fen());
      running[slot] += f.payment.fen();
      expected[slot] += f.payment.fen();
      ++writers[slot];
    }
  }
  // Accounts that are only cap accounts (not also a deductible, position or admission account)
  // change by exactly what the tiers paid against them.
  std::vector<bool> other_use(running.size(), false);
  std::vector<bool> cap_account(running.size(), false);
  for (const auto& b : policy.benefits) {
    if (b.admission_slot >= 0) other_use[size_t(b.admission_slot)] = true;
    for (const auto& t : b.tiers) {
      if (t.deductible_slot >= 0) other_use[size_t(t.deductible_slot)] = true;
      if (t.position_slot >= 0) other_use[size_t(t.position_slot)] = true;
      for (const auto& c : t.caps)
        if (c.slot >= 0) cap_account[size_t(c.slot)] = true;
    }
  }
  for (size_t i = 0; i < running.size(); ++i) {
    if (!cap_account[i] || other_use[i]) continue;
    if (s.deltas[i] != expected[i])
      return "account " + policy.accounts()[i] + " changed by " + Yuan(s.deltas[i]) +
             ", the tiers paid " + Yuan(expected[i]) + " against it";
    // After applying the deltas, an account that started below its (only) cap is not above it.
    int64_t before = p.accumulators[i], after = before + s.deltas[i];
    if (writers[i] == 1 && tightest[i] >= 0 && before < tightest[i] && after > tightest[i])
      return "account " + policy.accounts()[i] + " went from " + Yuan(before) + " to " +
             Yuan(after) + ", above its cap " + Yuan(tightest[i]);
  }
  return "";
}

// ── The properties ───────────────────────────────────────────────────────────────────────────────

class SettleProperty : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    Worlds(&error);
    ASSERT_EQ(error, "") << "loading the sample region and golden policies";
    ASSERT_GE(Worlds().size(), 2u);
  }
};

// (a) + (b): every valid random visit settles, balances, and respects the caps.
TEST_F(SettleProperty, BillsBalanceAndCapsHold) {
  int settled = 0, capped = 0;
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 20'000, 1'500);
    Outcome o;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(1, int(wi), i);
      Rng rng(seed);
      std::string json = RandomVisit(w, rng).ToJson();
      SettleJson(w, json, o);
      if (!Settled(w, o, seed, json, budget)) continue;
      ++settled;
      if (std::string e = BillProblems(*o.prepared, o.settlement); !e.empty())
        budget.Fail("(a) " + e, Context(w, seed, json));
      if (std::string e = CapProblems(*o.prepared, o.settlement); !e.empty())
        budget.Fail("(b) " + e, Context(w, seed, json));
      for (const auto& f : o.settlement.bill.funds) capped += f.cap_reached;
    }
    budget.ExpectCoverage(w, n);
  }
  // The generator must reach the interesting places: caps reached, not only small bills.
  EXPECT_GT(settled, 20'000);
  EXPECT_GT(capped, 100);
}

// (c) Cancelling restores the accumulators exactly; settle, cancel, settle gives the same bill.
TEST_F(SettleProperty, CancelRestoresAccumulators) {
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 20'000, 1'500);
    Outcome first, again;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(3, int(wi), i);
      Rng rng(seed);
      std::string json = RandomVisit(w, rng).ToJson();
      SettleJson(w, json, first);
      if (!Settled(w, first, seed, json, budget)) continue;
      const PreparedVisit& p = *first.prepared;
      const std::vector<int64_t> before = p.accumulators;
      std::vector<int64_t> acc = before;
      ApplyDeltas(acc, first.settlement.deltas);
      Settlement cancel = Reversal(first.settlement);
      if (cancel.bill.medfee_sumamt != -first.settlement.bill.medfee_sumamt ||
          cancel.bill.fund_pay_sumamt != -first.settlement.bill.fund_pay_sumamt ||
          cancel.bill.psn_cash_pay != -first.settlement.bill.psn_cash_pay ||
          cancel.bill.lines.size() != first.settlement.bill.lines.size())
        budget.Fail("(c) the reversal does not negate the bill", Context(w, seed, json));
      ApplyDeltas(acc, cancel.deltas);
      if (acc != before) {
        budget.Fail("(c) settle + cancel did not restore the accumulators", Context(w, seed, json));
        continue;
      }
      // Reversing twice is the original.
      if (std::string d = Difference(Reversal(cancel), first.settlement); !d.empty())
        budget.Fail("(c) Reversal(Reversal(s)) differs from s: " + d, Context(w, seed, json));
      // Settle again on the restored accumulators: the identical bill.
      SettleJson(w, json, again, &acc);
      if (!again.ok()) {
        budget.Fail("(c) settling again failed: " + ErrorsText(again), Context(w, seed, json));
        continue;
      }
      if (std::string d = Difference(again.settlement, first.settlement); !d.empty())
        budget.Fail("(c) settling again after a cancellation gave a different bill: " + d,
                    Context(w, seed, json));
    }
  }
}

// (d) The same input gives byte-identical JSON: twice with fresh Settlement objects, and with one
// Settlement object reused across every visit of every world (a different policy before each).
TEST_F(SettleProperty, Deterministic) {
  Settlement reused;  // dirty from the previous visit, possibly of another policy
  Diagnostics reused_errors;
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 20'000, 800);
    Outcome a, b;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(4, int(wi), i);
      Rng rng(seed);
      std::string json = RandomVisit(w, rng).ToJson();
      SettleJson(w, json, a);
      SettleJson(w, json, b);
      if (a.stage != b.stage || FormatDiagnostics(a.errors) != FormatDiagnostics(b.errors)) {
        budget.Fail("(d) two runs ended differently", Context(w, seed, json));
        continue;
      }
      if (!Settled(w, a, seed, json, budget)) continue;
      const std::string expected = BillJson(a.settlement, *a.prepared);
      if (BillJson(b.settlement, *b.prepared) != expected ||
          a.settlement.deltas != b.settlement.deltas)
        budget.Fail("(d) two fresh settlements differ", Context(w, seed, json));
      const PreparedVisit& p = *a.prepared;
      reused_errors.clear();
      if (!Settle(p.visit, *p.catalogue, *p.policy, p.accumulators, &reused, &reused_errors)) {
        budget.Fail("(d) the reused settlement failed: " + FormatDiagnostics(reused_errors),
                    Context(w, seed, json));
        continue;
      }
      if (BillJson(reused, p) != expected || reused.deltas != a.settlement.deltas)
        budget.Fail("(d) a reused Settlement gave a different bill than a fresh one",
                    Context(w, seed, json));
    }
  }
}

// (e) A person's year: settle a random sequence against the running accumulators. The end state is
// the start plus the sum of the deltas; each visit respects the caps as they stand before it; the
// admissions count the inpatient visits; cancelling the whole sequence in reverse order restores
// the start; and replaying the sequence gives the same bills.
TEST_F(SettleProperty, SequencesAccumulate) {
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int sequences = VisitCount(w, 2'500, 200);
    for (int si = 0; si < sequences && !budget.Exhausted(); ++si) {
      const uint64_t seed = VisitSeed(5, int(wi), si);
      Rng rng(seed);
      const Policy& policy = RandomPolicy(w, rng);
      // Born before the earliest possible visit of the sequence.
      const PersonSpec person = RandomPerson(w, policy, AddDays(policy.effective_from, -41), rng);
      std::vector<int64_t> start(policy.accounts().size(), 0);
      if (Chance(rng, 0.5)) {  // a year already under way
        JsonObject acc;
        RandomAccumulators(policy, rng, acc);
        for (const auto& [name, token] : acc.kv) {
          int slot = policy.Slot(name);
          std::string text = Unquote(token);
          start[size_t(slot)] =
              IsCounterSlot(policy, slot) ? std::stoll(text) : Money::ParseYuan(text)->fen();
        }
      }
      std::vector<int64_t> running = start, sum(start.size(), 0);
      std::vector<std::string> jsons;
      std::vector<Settlement> bills;
      std::vector<std::vector<int64_t>> deltas;
      int admissions = 0;
      const int n = int(Uniform(rng, 2, 12));
      VisitOptions opt{.policy = &policy, .person = &person, .accumulators = false};
      std::string all_json;
      bool failed = false;
      for (int k = 0; k < n; ++k) {
        std::string json = RandomVisit(w, rng, opt).ToJson();
        all_json += "\n[" + std::to_string(k) + "] " + json;
        Outcome o;
        SettleJson(w, json, o, &running);
        if (!o.ok()) {
          if (OutsideGoldenPolicy(w, o)) continue;  // not part of the sequence
          budget.Fail("(e) a valid visit of the sequence did not settle: " + ErrorsText(o),
                      Context(w, seed, all_json));
          failed = true;
          break;
        }
        if (std::string e = BillProblems(*o.prepared, o.settlement); !e.empty())
          budget.Fail("(e) visit " + std::to_string(k) + ": " + e, Context(w, seed, all_json));
        if (std::string e = CapProblems(*o.prepared, o.settlement); !e.empty())
          budget.Fail("(e) visit " + std::to_string(k) + ": " + e, Context(w, seed, all_json));
        ApplyDeltas(running, o.settlement.deltas);
        for (size_t i = 0; i < sum.size(); ++i) sum[i] += o.settlement.deltas[i];
        admissions += o.settlement.bill.benefit->counts_admissions;
        jsons.push_back(json);
        bills.push_back(o.settlement);
        deltas.push_back(o.settlement.deltas);
      }
      if (failed) continue;
      const std::string context = Context(w, seed, all_json);
      for (size_t i = 0; i < running.size(); ++i)
        if (running[i] != start[i] + sum[i])
          budget.Fail("(e) " + policy.accounts()[i] + " is not the start plus the deltas", context);
      int64_t admitted = 0;
      for (const auto& b : policy.benefits)
        if (b.admission_slot >= 0)
          admitted += running[size_t(b.admission_slot)] - start[size_t(b.admission_slot)];
      if (admitted != admissions)
        budget.Fail("(e) admissions do not count the inpatient visits", context);
      // From a fresh year, a year account with only limited caps never ends above the largest.
      std::vector<int64_t> caps = MaxCaps(policy);
      std::vector<bool> unlimited(caps.size(), false);
      for (const auto& b : policy.benefits)
        for (const auto& t : b.tiers)
          for (const auto& c : t.caps)
            if (c.unlimited && c.slot >= 0) unlimited[size_t(c.slot)] = true;
      for (size_t i = 0; i < caps.size(); ++i)
        if (caps[i] >= 0 && !unlimited[i] && start[i] == 0 && running[i] > caps[i])
          budget.Fail("(e) " + policy.accounts()[i] + " = " + Yuan(running[i]) + " above every cap",
                      context);
      // Cancel everything, newest first.
      std::vector<int64_t> undone = running;
      for (size_t k = deltas.size(); k-- > 0;) {
        Settlement s;
        s.deltas = deltas[k];
        ApplyDeltas(undone, Reversal(s).deltas);
      }
      if (undone != start)
        budget.Fail("(e) cancelling the sequence did not restore the start", context);
      // Replay: the same bills.
      std::vector<int64_t> replay = start;
      for (size_t k = 0; k < jsons.size(); ++k) {
        Outcome o;
        SettleJson(w, jsons[k], o, &replay);
        if (!o.ok() || !Difference(o.settlement, bills[k]).empty()) {
          budget.Fail("(e) replaying visit " + std::to_string(k) + " gave a different bill: " +
                          (o.ok() ? Difference(o.settlement, bills[k]) : ErrorsText(o)),
                      context);
          break;
        }
        ApplyDeltas(replay, o.settlement.deltas);
      }
    }
  }
}

// (f) Adding a fee line adds exactly its amount to medfee_sumamt and never makes psn_part_amt
// negative (nor any other bill amount: the identities are checked too).
TEST_F(SettleProperty, AddingALine) {
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 20'000, 1'500);
    Outcome a, b;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(6, int(wi), i);
      Rng rng(seed);
      VisitSpec spec = RandomVisit(w, rng);
      std::string json = spec.ToJson();
      SettleJson(w, json, a);
      if (!Settled(w, a, seed, json, budget)) continue;
      Date end = *Date::Parse(Unquote(*spec.top.Get("endtime")));
      spec.lines.push_back(RandomLine(w, end, spec.next_serial++, rng));
      std::string json2 = spec.ToJson();
      SettleJson(w, json2, b, &a.prepared->accumulators);
      if (!Settled(w, b, seed, json2, budget, "(f) the visit with one more line did not settle"))
        continue;
      const Bill& x = a.settlement.bill;
      const Bill& y = b.settlement.bill;
      Money added = b.prepared->visit.lines.back().amount;
      if (y.medfee_sumamt != x.medfee_sumamt + added)
        budget.Fail("(f) medfee_sumamt " + Fen(x.medfee_sumamt) + " + line " + Fen(added) + " ≠ " +
                        Fen(y.medfee_sumamt),
                    Context(w, seed, json2));
      if (y.psn_part_amt.is_negative())
        budget.Fail("(f) psn_part_amt became negative", Context(w, seed, json2));
      // The person never pays less for more care (equivalently: the funds pay at most the added
      // amount more; they may pay less, e.g. when the deductible is a share of the total).
      if (y.psn_part_amt < x.psn_part_amt)
        budget.Fail("(f) psn_part_amt fell from " + Fen(x.psn_part_amt) + " to " +
                        Fen(y.psn_part_amt) + " when a line of " + Fen(added) + " was added",
                    Context(w, seed, json2));
      if (std::string e = BillProblems(*b.prepared, b.settlement); !e.empty())
        budget.Fail("(f) " + e, Context(w, seed, json2));
    }
  }
}

// (h) How the HIS writes the JSON does not matter: keys in any order, numbers bare or quoted,
// person types as ids or national codes, whitespace, and national fields the core does not read.
bool IsPlainNumber(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  size_t i = 0;
  if (s[0] == '0' && s.size() > 1 && s[1] != '.') return false;  // a leading zero is not JSON
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && !dot && i > 0 && i + 1 < s.size())
      dot = true;
    else if (s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

void Restyle(JsonObject& o, Rng& rng) {
  std::shuffle(o.kv.begin(), o.kv.end(), rng);
  for (auto& [key, token] : o.kv) {
    if (token.empty() || token[0] == '[' || token[0] == '{') continue;
    std::string text = Unquote(token);
    if (token[0] == '"' && IsPlainNumber(text) && Chance(rng, 0.5))
      token = text;
    else if (token[0] != '"' && Chance(rng, 0.5))
      token = Quoted(text);
    if (Chance(rng, 0.2)) token = " \n\t" + token + " ";
  }
}

VisitSpec Restyled(const World& w, VisitSpec spec, Rng& rng) {
  if (const std::string* t = spec.top.Get("psn_type"))
    for (const auto& p : w.insured.person_types)
      if (Quoted(p.id) == *t && !p.national_code.empty() && Chance(rng, 0.5))
        spec.top.Set("psn_type", Quoted(p.national_code));
  spec.top.Set("psn_name", Quoted("张\"三\\"));
  if (Chance(rng, 0.5))
    spec.top.Set("psn_cert_type", "{\"nested\":[1,2.5,{\"x\":null}],\"y\":true}");
  if (Chance(rng, 0.5)) spec.top.Set("setl_id", "null");
  Restyle(spec.top, rng);
  Restyle(spec.accumulators, rng);
  for (auto& line : spec.lines) {
    if (Chance(rng, 0.5)) line.Set("bilg_dr_codg", Quoted("D0001"));
    if (Chance(rng, 0.3)) line.Set("med_chrgitm_type", "[\"09\"]");
    Restyle(line, rng);
  }
  return spec;
}

TEST_F(SettleProperty, PresentationDoesNotMatter) {
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 5'000, 300);
    Outcome a, b;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(9, int(wi), i);
      Rng rng(seed);
      VisitSpec spec = RandomVisit(w, rng);
      std::string json = spec.ToJson();
      SettleJson(w, json, a);
      std::string json2 = Restyled(w, spec, rng).ToJson();
      SettleJson(w, json2, b);
      if (a.stage != b.stage || FormatDiagnostics(a.errors) != FormatDiagnostics(b.errors)) {
        budget.Fail(
            "(h) the restyled visit ended differently: " + ErrorsText(a) + " vs " + ErrorsText(b),
            Context(w, seed, json + "\nrestyled: " + json2));
        continue;
      }
      if (!Settled(w, a, seed, json, budget)) continue;
      if (std::string d = Difference(a.settlement, b.settlement); !d.empty())
        budget.Fail("(h) the restyled visit settled differently: " + d,
                    Context(w, seed, json + "\nrestyled: " + json2));
      else if (w.sample &&
               BillJson(a.settlement, *a.prepared) != BillJson(b.settlement, *b.prepared))
        budget.Fail("(h) the restyled visit gave different bill JSON",
                    Context(w, seed, json + "\nrestyled: " + json2));
    }
  }
}

// (g) Corruptions of a valid visit: each is refused at the edge or by the engine with a diagnostic
// naming the field, and leaves no deltas behind.
enum class Corruption {
  kUnknownCode,
  kNegativePrice,
  kNegativeCount,
  kNegativeAmount,
  kWrongAmount,
  kDatesReversed,
  kNegativeBalance,
  kNegativeDeposit,
  kUnknownMedType,
  kUnknownPsnType,
  kUnknownIdentity,
  kBirthdayAfterVisit,
  kNegativeAccumulator,
  kUnknownAccount,
  kBadLevel,
  kDuplicateSerial,
  kTooPrecisePrice,
  kUnknownInsutype,
  kDiseaseNotListed,
  kCount
};

// Applies `c` to `spec`; returns the field the diagnostic must name ("" = not applicable here).
std::string Corrupt(const World& w, Corruption c, VisitSpec& spec, Rng& rng) {
  const size_t k = size_t(Uniform(rng, 0, int64_t(spec.lines.size()) - 1));
  JsonObject& line = spec.lines[k];
  const std::string lf = "fee_details[" + std::to_string(k) + "].";
  JsonObject& t = spec.top;
  Date begin = *Date::Parse(Unquote(*t.Get("begntime")));
  switch (c) {
    case Corruption::kUnknownCode:
      line.Set("med_list_codg", Quoted("XZ99ZZZ999Z999999999999"));
      return lf + "med_list_codg";
    case Corruption::kNegativePrice:
      line.Set("pric", NumberToken(rng, "-" + Decimal(Uniform(rng, 1, 99'999'999), 6)));
      return lf + "pric";
    case Corruption::kNegativeCount:
      line.Set("cnt", NumberToken(rng, "-" + Decimal(Uniform(rng, 1, 999'999), 4)));
      return lf + "cnt";
    case Corruption::kNegativeAmount:
      line.Set("det_item_fee_sumamt", NumberToken(rng, "-" + Yuan(Uniform(rng, 1, 999'999))));
      return lf + "det_item_fee_sumamt";
    case Corruption::kWrongAmount: {
      auto price = UnitPrice::Parse(Unquote(*line.Get("pric")));
      auto count = Quantity::Parse(Unquote(*line.Get("cnt")));
      Money right = LineAmount(*price, *count);
      int64_t wrong = right.fen() + Uniform(rng, 1, 500) * (Chance(rng, 0.5) ? -1 : 1);
      if (wrong < 0) wrong = right.fen() + 1;
      line.Set("det_item_fee_sumamt", NumberToken(rng, Yuan(wrong)));
      return lf + "det_item_fee_sumamt";
    }
    case Corruption::kDatesReversed:
      t.Set("endtime", Quoted(AddDays(begin, -Uniform(rng, 1, 30)).ToString()));
      return "endtime";
    case Corruption::kNegativeBalance:
      t.Set("acct_balc", NumberToken(rng, "-" + Yuan(Uniform(rng, 1, 99'999))));
      return "acct_balc";
    case Corruption::kNegativeDeposit:
      t.Set("deposit", NumberToken(rng, "-" + Yuan(Uniform(rng, 1, 99'999))));
      return "deposit";
    case Corruption::kUnknownMedType:
      t.Set("med_type", Quoted("9" + std::to_string(Uniform(rng, 10, 99))));
      return "med_type";
    case Corruption::kUnknownPsnType:
      t.Set("psn_type", Quoted("martian"));
      return "psn_type";
    case Corruption::kUnknownIdentity: {
      size_t n = 0;
      std::string list = "[";
      if (const std::string* old = t.Get("psn_idet_type")) {
        list = old->substr(0, old->size() - 1) + ",";
        n = size_t(std::count(old->begin(), old->end(), ',')) + 1;
      }
      t.Set("psn_idet_type", list + Quoted("vip") + "]");
      return "psn_idet_type[" + std::to_string(n) + "]";
    }
    case Corruption::kBirthdayAfterVisit:
      t.Set("brdy", Quoted(AddDays(begin, Uniform(rng, 1, 400)).ToString()));
      return "brdy";
    case Corruption::kNegativeAccumulator: {
      const Policy* p = w.insured.PolicyFor(Unquote(*t.Get("insutype")),
                                            *Date::Parse(Unquote(*t.Get("endtime"))));
      if (!p || p->accounts().empty()) return "";
      const std::string& name = Pick(rng, p->accounts());
      spec.accumulators.Set(name, Quoted("-" + Yuan(Uniform(rng, 1, 99'999))));
      return "accumulators." + name;
    }
    case Corruption::kUnknownAccount:
      spec.accumulators.Set("no.such.account", Quoted("1.00"));
      return "accumulators.no.such.account";
    case Corruption::kBadLevel:
      t.Set("hosp_lv", NumberToken(rng, std::to_string(Uniform(rng, 4, 9))));
      return "hosp_lv";
    case Corruption::kDuplicateSerial: {
      if (spec.lines.size() < 2) {
        spec.lines.push_back(spec.lines[0]);
      } else {
        size_t j = k == 0 ? 1 : k - 1;
        spec.lines[std::max(j, k)].Set("feedetl_sn", *spec.lines[std::min(j, k)].Get("feedetl_sn"));
        return "fee_details[" + std::to_string(std::max(j, k)) + "].feedetl_sn";
      }
      return "fee_details[" + std::to_string(spec.lines.size() - 1) + "].feedetl_sn";
    }
    case Corruption::kTooPrecisePrice:
      line.Set("pric",
               NumberToken(rng, Decimal(Uniform(rng, 0, 999'999) * 10 + Uniform(rng, 1, 9), 7)));
      return lf + "pric";
    case Corruption::kUnknownInsutype:
      t.Set("insutype", Quoted("999"));
      return "insutype";
    case Corruption::kDiseaseNotListed:
      if (!t.Get("opsp_dise_code")) return "";
      t.Set("opsp_dise_code", Quoted("M99999"));
      return "opsp_dise_code";
    case Corruption::kCount:
      break;
  }
  return "";
}

TEST_F(SettleProperty, CorruptionsAreRefused) {
  int refused = 0;
  for (size_t wi = 0; wi < Worlds().size(); ++wi) {
    const World& w = *Worlds()[wi];
    FailureBudget budget;
    const int n = VisitCount(w, 20'000, 1'500);
    Outcome o;
    for (int i = 0; i < n && !budget.Exhausted(); ++i) {
      const uint64_t seed = VisitSeed(7, int(wi), i);
      Rng rng(seed);
      VisitSpec spec = RandomVisit(w, rng);
      auto kind = Corruption(i % int(Corruption::kCount));
      std::string field = Corrupt(w, kind, spec, rng);
      if (field.empty()) continue;
      std::string json = spec.ToJson();
      std::vector<int64_t> before;
      SettleJson(w, json, o);
      if (o.prepared) before = o.prepared->accumulators;
      if (o.ok()) {
        budget.Fail("(g) corruption " + std::to_string(int(kind)) + " (" + field + ") was accepted",
                    Context(w, seed, json));
        continue;
      }
      ++refused;
      if (o.errors.empty() || o.errors.front().field.empty())
        budget.Fail("(g) refused without a field: " + ErrorsText(o), Context(w, seed, json));
      else if (o.errors.front().field != field)
        budget.Fail("(g) expected a diagnostic on " + field + ", got " + ErrorsText(o),
                    Context(w, seed, json));
      if (o.prepared && o.prepared->accumulators != before)
        budget.Fail("(g) accumulators changed", Context(w, seed, json));
      if (o.stage == "settle" && std::any_of(o.settlement.deltas.begin(), o.settlement.deltas.end(),
                                             [](int64_t d) { return d != 0; }))
        budget.Fail("(g) a refused settlement left non-zero deltas", Context(w, seed, json));
    }
  }
  EXPECT_GT(refused, 20'000);
}

// Random byte damage to a valid visit's JSON: whatever happens, nothing crashes, and any bill that
// comes out balances.
TEST_F(SettleProperty, DamagedJsonNeverCrashes) {
  const World& w = *Worlds()[0];
  const int n = Scaled(5'000);
  FailureBudget budget;
  Outcome o;
  for (int i = 0; i < n && !budget.Exhausted(); ++i) {
    const uint64_t seed = VisitSeed(8, 0, i);
    Rng rng(seed);
    std::string json = RandomVisit(w, rng).ToJson();
    int edits = int(Uniform(rng, 1, 4));
    for (int e = 0; e < edits && !json.empty(); ++e) {
      size_t at = size_t(Uniform(rng, 0, int64_t(json.size()) - 1));
      switch (Uniform(rng, 0, 3)) {
        case 0:
          json[at] = char(Uniform(rng, 0, 255));
          break;
        case 1:
          json.erase(at, size_t(Uniform(rng, 1, 8)));
          break;
        case 2:
          json.insert(at, 1, "-0.,\"{}[]e9"[Uniform(rng, 0, 10)]);
          break;
        default:
          json.resize(at);
      }
    }
    SettleJson(w, json, o);
    if (o.ok()) {
      if (std::string e = BillProblems(*o.prepared, o.settlement); !e.empty())
        budget.Fail("damaged JSON settled into a broken bill: " + e, Context(w, seed, json));
    } else if (o.errors.empty()) {
      budget.Fail("refused without a diagnostic", Context(w, seed, json));
    }
  }
}

// The sample visits shipped with the region settle and satisfy the same checks.
TEST_F(SettleProperty, SampleVisitsHold) {
  const World& w = *Worlds()[0];
  int n = 0;
  for (const auto& e : fs::directory_iterator(kRoot / "regions/qinglan/visits")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Outcome o;
    SettleJson(w, json, o);
    ASSERT_TRUE(o.ok()) << e.path() << ": " << ErrorsText(o);
    EXPECT_EQ(BillProblems(*o.prepared, o.settlement), "") << e.path();
    EXPECT_EQ(CapProblems(*o.prepared, o.settlement), "") << e.path();
    ++n;
  }
  EXPECT_GE(n, 8);
}

// ── Limits of the engine ─────────────────────────────────────────────────────────────────────────
//
// Settle keeps a tier's matching adjustments and decided caps in fixed arrays (32 and 16 entries)
// and skips whatever does not fit. The policy loader does not refuse policies beyond those limits
// (see PolicyLimits in tests/policy/policy_errors_test.cc), so such a policy loads and then pays
// the wrong amount without any error. These tests settle 10000.00 in scope at 100% and fail until
// the loader refuses the policy or the engine applies every rule.

// A settlement and the policy its bill points into.
struct PolicyAndSettlement {
  std::unique_ptr<Policy> policy;
  Settlement settlement;
};

// Settles one inpatient visit with a single 甲类 line of 10000.00 against `policy_text`; nullopt
// when the policy is refused at load (what the fix should do).
std::optional<PolicyAndSettlement> SettleTenThousand(const std::string& policy_text) {
  auto policy = ParsePolicyToml(policy_text, "limits.toml");
  if (!policy) return std::nullopt;
  static const Catalogue* catalogue = [] {
    auto c = LoadCatalogueCsv((kRoot / "tests/golden/settle/catalogue.csv").string(), "379900");
    EXPECT_TRUE(c.ok());
    return new Catalogue(c ? std::move(*c) : Catalogue());
  }();
  Visit v;
  v.person.insutype = "390";
  v.person.birthday = *Date::Parse("1980-01-01");
  v.med_type = "21";
  v.institution_level = 2;
  v.begin = v.end = *Date::Parse("2025-03-01");
  FeeLine line;
  line.code = "001101000010000";
  line.count = Quantity::Units(1);
  line.price = UnitPrice::FromMoney(Money::Yuan(10000));
  line.amount = LineAmount(line.price, line.count);
  v.lines.push_back(line);
  PolicyAndSettlement out{std::make_unique<Policy>(std::move(*policy)), {}};
  std::vector<int64_t> acc(out.policy->accounts().size(), 0);
  Diagnostics errors;
  if (!Settle(v, *catalogue, *out.policy, acc, &out.settlement, &errors)) {
    ADD_FAILURE() << FormatDiagnostics(errors);
    return std::nullopt;
  }
  return out;
}

const char* kLimitsHead = R"([policy]
region = "379900"
insutype = "390"
version = "limits"
effective_from = "2025-01-01"

[[benefit]]
id = "inpatient"
med_types = ["21"]
admission = true

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 0
ratio = "100%"
)";

TEST(SettleLimits, EveryMatchingAdjustmentApplies) {
  std::string text = kLimitsHead;
  for (int i = 0; i < 33; ++i)
    text += "\n[[tier.adjust]]\nlabel = \"-1 point #" + std::to_string(i + 1) + "\"\npoints = -1\n";
  auto r = SettleTenThousand(text);
  if (!r) return;  // the loader refused the policy
  // 100% − 33 points = 67%.
  EXPECT_EQ(r->settlement.bill.hifp_pay.ToString(), "6700.00")
      << "the 33rd adjustment was ignored: the engine keeps only 32 per tier";
}

TEST(SettleLimits, EveryCapApplies) {
  std::string text = kLimitsHead;
  for (int i = 0; i < 16; ++i)
    text += "\n[[tier.cap]]\naccount = \"wide" + std::to_string(i) + "\"\namount = 100000\n";
  text += "\n[[tier.cap]]\naccount = \"narrow\"\namount = 100\n";
  auto r = SettleTenThousand(text);
  if (!r) return;  // the loader refused the policy
  EXPECT_EQ(r->settlement.bill.hifp_pay.ToString(), "100.00")
      << "the 17th cap account was ignored: the engine decides only 16 caps per tier";
  EXPECT_EQ(Yuan(r->settlement.deltas[size_t(r->policy->Slot("narrow"))]), "100.00")
      << "what the fund paid was not counted against the 17th cap account";
}

}  // namespace
}  // namespace yibao
