#include "review/rules.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>

#include "review/claims.h"

namespace yibao {

const char* RuleResultName(RuleResult r) {
  return r == RuleResult::kCertain ? "certain" : "suspect";
}
const char* RuleSeverityName(RuleSeverity s) {
  return s == RuleSeverity::kRefuse ? "refuse" : "flag";
}
const char* ReviewStageName(ReviewStage s) {
  switch (s) {
    case ReviewStage::kBefore:
      return "before";
    case ReviewStage::kDuring:
      return "during";
    case ReviewStage::kAfter:
      return "after";
  }
  return "?";
}

namespace {

constexpr std::string_view kCommonKeys[] = {"id",        "name",     "family",
                                            "result",    "severity", "stages",
                                            "scenarios", "levels",   "institution_types",
                                            "insutypes", "window"};

// A family parameter key and the families it belongs to.
struct ParamKey {
  std::string_view key;
  RuleFamily first, last;  // an inclusive range of families
};
constexpr ParamKey kParamKeys[] = {
    {"approval_exempts", RuleFamily::kScopeInsutype, RuleFamily::kScopeStepTherapy},
    {"extra_days", RuleFamily::kChargeFictitious, RuleFamily::kChargeFictitious},
    {"outpatient_max", RuleFamily::kChargeFictitious, RuleFamily::kChargeFictitious},
    {"dx_category_chars", RuleFamily::kVisitSplitHospitalisation,
     RuleFamily::kVisitSplitHospitalisation},
    {"same_institution", RuleFamily::kVisitSplitHospitalisation,
     RuleFamily::kVisitSplitHospitalisation},
    {"exempt_dx", RuleFamily::kVisitSplitHospitalisation, RuleFamily::kVisitSplitHospitalisation},
    {"min_days", RuleFamily::kVisitBedWithoutTreatment, RuleFamily::kVisitBedWithoutTreatment},
    {"idle_share", RuleFamily::kVisitBedWithoutTreatment, RuleFamily::kVisitBedWithoutTreatment},
    {"idle_categories", RuleFamily::kVisitBedWithoutTreatment,
     RuleFamily::kVisitBedWithoutTreatment},
    {"max_supply", RuleFamily::kVisitOverPrescription, RuleFamily::kVisitOverPrescription},
    {"min_stays", RuleFamily::kVisitFakeHospitalisation, RuleFamily::kVisitFakeHospitalisation},
    {"shifted_categories", RuleFamily::kVisitCostShifting, RuleFamily::kVisitCostShifting},
};

class RuleParser {
 public:
  RuleParser(std::string file, Diagnostics& errors) : file_(std::move(file)), errors_(errors) {}

  void Error(const toml::node* n, const std::string& key, const std::string& msg) {
    errors_.push_back(Diagnostic{file_, n ? int(n->source().begin.line) : 0, key, msg});
  }

  std::optional<std::string> Str(const toml::node& n, const std::string& key) {
    if (auto s = n.value_exact<std::string>()) return *s;
    Error(&n, key, "expected a string in double quotes");
    return std::nullopt;
  }

  std::optional<int64_t> Int(const toml::node& n, const std::string& key, int64_t lo, int64_t hi) {
    auto v = n.value_exact<int64_t>();
    if (v && *v >= lo && *v <= hi) return *v;
    Error(&n, key, "expected a whole number " + std::to_string(lo) + ".." + std::to_string(hi));
    return std::nullopt;
  }

  std::optional<bool> Bool(const toml::node& n, const std::string& key) {
    if (auto v = n.value_exact<bool>()) return *v;
    Error(&n, key, "expected true or false");
    return std::nullopt;
  }

  std::optional<Ratio> Share(const toml::node& n, const std::string& key) {
    if (auto s = n.value_exact<std::string>())
      if (auto r = Ratio::Parse(*s); r && r->ppm() > 0) return r;
    Error(&n, key, "expected a positive share in quotes, e.g. \"50%\" or \"1.5\"");
    return std::nullopt;
  }

  // A list of strings, each checked by `each` (which reports its own error and returns false).
  template <typename F>
  bool StrList(const toml::node& n, const std::string& key, F&& each) {
    const toml::array* a = n.as_array();
    if (!a) {
      Error(&n, key, "expected a list in brackets, e.g. [\"a\", \"b\"]");
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::node& e = *a->get(i);
      std::string k = key + "[" + std::to_string(i) + "]";
      auto s = e.value_exact<std::string>();
      if (!s) {
        Error(&e, k, "expected a string in double quotes");
        ok = false;
        continue;
      }
      ok = each(e, k, *s) && ok;
    }
    return ok;
  }

  std::vector<ItemCategory> Categories(const toml::node& n, const std::string& key) {
    std::vector<ItemCategory> out;
    StrList(n, key, [&](const toml::node& e, const std::string& k, const std::string& s) {
      if (auto c = ParseItemCategory(s)) {
        out.push_back(*c);
        return true;
      }
      Error(&e, k,
            "unknown item category '" + s +
                "' (bed, nursing, meal, exam, treatment, surgery, drug, consumable)");
      return false;
    });
    return out;
  }

  void ParseRule(const toml::table& t, int index, RuleBase& base) {
    Rule r;
    r.file = file_;
    r.line = int(t.source().begin.line);
    std::string where = "rule[" + std::to_string(index) + "]";
    size_t before = errors_.size();

    // The family first: it decides which parameter keys are allowed.
    std::optional<RuleFamily> family;
    if (const toml::node* n = t.get("family")) {
      if (auto s = Str(*n, "family")) {
        family = ParseRuleFamily(*s);
        if (!family)
          Error(n, "family",
                "unknown family '" + *s + "' (the 29 families are listed in claims.md)");
      }
    } else {
      Error(&t, where + ".family", "missing (every rule names its family)");
    }
    if (family) r.family = *family;

    for (const auto& [key, node] : t) {
      std::string_view k = key.str();
      std::string ks(k);
      if (std::find(std::begin(kCommonKeys), std::end(kCommonKeys), k) != std::end(kCommonKeys))
        continue;
      const ParamKey* p = nullptr;
      for (const ParamKey& pk : kParamKeys)
        if (pk.key == k) p = &pk;
      if (!p) {
        Error(&node, ks, "unknown key (misspelt?)");
        continue;
      }
      if (!family) continue;
      if (*family < p->first || *family > p->last) {
        Error(&node, ks,
              "does not apply to family " + std::string(RuleFamilyName(*family)) +
                  " (it is a parameter of " + std::string(RuleFamilyName(p->first)) +
                  (p->first != p->last ? "…" + std::string(RuleFamilyName(p->last)) : "") + ")");
        continue;
      }
      RuleParams& q = r.params;
      if (k == "approval_exempts") {
        if (auto b = Bool(node, ks)) q.approval_exempts = *b;
      } else if (k == "extra_days") {
        if (auto v = Int(node, ks, 0, 366)) q.extra_days = int(*v);
      } else if (k == "outpatient_max") {
        if (auto v = Int(node, ks, 1, 100)) q.outpatient_max = int(*v);
      } else if (k == "dx_category_chars") {
        if (auto v = Int(node, ks, 1, 10)) q.dx_category_chars = int(*v);
      } else if (k == "same_institution") {
        if (auto b = Bool(node, ks)) q.same_institution = *b;
      } else if (k == "exempt_dx") {
        q.exempt_dx.clear();
        StrList(node, ks, [&](const toml::node& e, const std::string& kk, const std::string& s) {
          if (s.empty() || s.size() > 20) {
            Error(&e, kk, "expected a diagnosis code prefix such as \"Z51\"");
            return false;
          }
          q.exempt_dx.push_back(s);
          return true;
        });
      } else if (k == "min_days") {
        if (auto v = Int(node, ks, 1, 366)) q.min_days = int(*v);
      } else if (k == "idle_share") {
        if (auto s = Share(node, ks)) {
          if (*s >= Ratio::One())
            Error(&node, ks, "must be below 100% (a share of the days of stay)");
          else
            q.idle_share = *s;
        }
      } else if (k == "idle_categories") {
        q.idle_categories = Categories(node, ks);
      } else if (k == "max_supply") {
        if (auto s = Share(node, ks)) q.max_supply = *s;
      } else if (k == "min_stays") {
        if (auto v = Int(node, ks, 2, 1000)) q.min_stays = int(*v);
      } else if (k == "shifted_categories") {
        q.shifted_categories = Categories(node, ks);
      }
    }

    if (const toml::node* n = t.get("id")) {
      if (auto s = Str(*n, "id")) {
        r.id = *s;
        bool ok =
            !r.id.empty() && r.id.size() <= 40 && std::all_of(r.id.begin(), r.id.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     c == '-' || c == '_' || c == '.';
            });
        if (!ok)
          Error(n, "id", "expected 1..40 letters, digits, '-', '_' or '.'");
        else
          for (const Rule& o : base.rules)
            if (o.id == r.id)
              Error(n, "id",
                    "rule id '" + r.id + "' already used at " + o.file + ":" +
                        std::to_string(o.line));
      }
    } else {
      Error(&t, where + ".id", "missing");
    }
    if (const toml::node* n = t.get("name")) {
      if (auto s = Str(*n, "name")) {
        r.name = *s;
        if (r.name.empty()) Error(n, "name", "empty");
      }
    } else {
      Error(&t, where + ".name", "missing");
    }
    if (const toml::node* n = t.get("result")) {
      auto s = Str(*n, "result");
      if (s && *s == "suspect")
        r.result = RuleResult::kSuspect;
      else if (s && *s == "certain")
        r.result = RuleResult::kCertain;
      else if (s)
        Error(n, "result", "expected \"suspect\" (可疑) or \"certain\" (明确)");
    } else {
      Error(&t, where + ".result", "missing (\"suspect\" or \"certain\")");
    }
    if (const toml::node* n = t.get("severity")) {
      auto s = Str(*n, "severity");
      if (s && *s == "refuse")
        r.severity = RuleSeverity::kRefuse;
      else if (s && *s == "flag")
        r.severity = RuleSeverity::kFlag;
      else if (s)
        Error(n, "severity", "expected \"refuse\" (拒付) or \"flag\" (提示)");
    } else {
      Error(&t, where + ".severity", "missing (\"refuse\" or \"flag\")");
    }
    if (const toml::node* n = t.get("stages")) {
      r.stages = 0;
      StrList(*n, "stages", [&](const toml::node& e, const std::string& k, const std::string& s) {
        for (int i = 0; i < 3; ++i)
          if (s == ReviewStageName(ReviewStage(i))) {
            r.stages |= uint8_t(1u << i);
            return true;
          }
        Error(&e, k, "unknown stage '" + s + "' (before, during, after)");
        return false;
      });
      if (!r.stages) Error(n, "stages", "a rule must run in at least one stage");
    }
    if (const toml::node* n = t.get("scenarios")) {
      r.scenarios = 0;
      r.cross_province = false;
      StrList(*n, "scenarios",
              [&](const toml::node& e, const std::string& k, const std::string& s) {
                if (s == "cross_province") {
                  r.cross_province = true;
                  return true;
                }
                for (int i = 0; i < 4; ++i)
                  if (s == CareScenarioName(CareScenario(i))) {
                    r.scenarios |= uint8_t(1u << i);
                    return true;
                  }
                Error(&e, k,
                      "unknown scenario '" + s +
                          "' (outpatient, inpatient, pharmacy, internet, cross_province)");
                return false;
              });
      if (!r.scenarios) Error(n, "scenarios", "a rule must cover at least one care setting");
    }
    if (const toml::node* n = t.get("levels")) {
      r.levels = 0;
      if (const toml::array* a = n->as_array()) {
        for (size_t i = 0; i < a->size(); ++i)
          if (auto v = Int(*a->get(i), "levels[" + std::to_string(i) + "]", 0, 3))
            r.levels |= uint8_t(1u << *v);
        if (!r.levels) Error(n, "levels", "a rule must cover at least one level");
      } else {
        Error(n, "levels", "expected a list of levels, e.g. [1, 2, 3]");
      }
    }
    if (const toml::node* n = t.get("institution_types")) {
      r.institution_types = 0;
      StrList(*n, "institution_types",
              [&](const toml::node& e, const std::string& k, const std::string& s) {
                if (auto ty = ParseInstitutionType(s)) {
                  r.institution_types |= uint8_t(1u << unsigned(*ty));
                  return true;
                }
                Error(
                    &e, k,
                    "unknown institution type '" + s + "' (hospital, clinic, pharmacy, internet)");
                return false;
              });
      if (!r.institution_types)
        Error(n, "institution_types", "a rule must cover at least one institution type");
    }
    if (const toml::node* n = t.get("insutypes")) {
      StrList(
          *n, "insutypes", [&](const toml::node& e, const std::string& k, const std::string& s) {
            bool digits = s.size() == 3 && std::all_of(s.begin(), s.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) {
              Error(&e, k, "expected a 3-digit insurance type such as \"310\"");
              return false;
            }
            r.insutypes.push_back(uint32_t(std::stoi(s)));
            return true;
          });
    }
    r.window = family ? FamilyWindowKind(*family) : WindowKind::kVisit;
    r.window_days = family ? FamilyDefaultWindowDays(*family) : 0;
    if (const toml::node* n = t.get("window"); n && family) {
      if (auto s = Str(*n, "window")) {
        WindowKind kind = FamilyWindowKind(*family);
        std::string want = kind == WindowKind::kVisit  ? "\"visit\""
                           : kind == WindowKind::kYear ? "\"year\""
                                                       : "a number of days such as \"15d\"";
        bool ok = false;
        if (kind == WindowKind::kVisit) ok = *s == "visit";
        if (kind == WindowKind::kYear) ok = *s == "year";
        if (kind == WindowKind::kDays && s->size() >= 2 && s->size() <= 5 && s->back() == 'd' &&
            std::all_of(s->begin(), s->end() - 1, [](char c) { return c >= '0' && c <= '9'; })) {
          int days = std::stoi(s->substr(0, s->size() - 1));
          ok = days >= 1 && days <= 3660;
          if (ok) r.window_days = days;
        }
        if (!ok)
          Error(n, "window",
                "family " + std::string(RuleFamilyName(*family)) + " takes " + want + ", got '" +
                    *s + "'");
      }
    }
    if (errors_.size() == before) base.rules.push_back(std::move(r));
  }

 private:
  std::string file_;
  Diagnostics& errors_;
};

}  // namespace

Diagnostics ParseRuleFile(std::string_view text, std::string_view file_name, RuleBase& base) {
  Diagnostics errors;
  std::string file(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    errors.push_back(Diagnostic{file, int(e.source().begin.line), "",
                                "TOML syntax: " + std::string(e.description())});
    return errors;
  }
  RuleParser parser(file, errors);
  for (const auto& [key, node] : root) {
    if (key.str() != "rule")
      parser.Error(&node, std::string(key.str()),
                   "unknown key (a rule file holds only [[rule]] tables)");
  }
  const toml::node* rules = root.get("rule");
  if (!rules) return errors;
  const toml::array* a = rules->as_array();
  if (!a || !a->is_array_of_tables()) {
    parser.Error(rules, "rule", "expected [[rule]] tables");
    return errors;
  }
  for (size_t i = 0; i < a->size(); ++i) parser.ParseRule(*a->get(i)->as_table(), int(i), base);
  return errors;
}

Result<RuleBase> LoadRuleDir(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) return Diagnostic{dir, 0, "", "cannot read the rule directory: " + ec.message()};
  std::sort(files.begin(), files.end());
  if (files.empty()) return Diagnostic{dir, 0, "", "no *.toml rule files"};
  RuleBase base;
  Diagnostics errors;
  for (const std::string& f : files) {
    Result<std::string> text = ReadTextFile(f);
    if (!text) {
      errors.insert(errors.end(), text.errors().begin(), text.errors().end());
      continue;
    }
    Diagnostics d = ParseRuleFile(*text, f, base);
    errors.insert(errors.end(), d.begin(), d.end());
  }
  if (!errors.empty()) return errors;
  return base;
}

}  // namespace yibao
