#include "policy/policy_toml.h"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <span>
#include <sstream>

namespace yibao {
namespace {

// Reads one policy document, collecting diagnostics instead of stopping at the first problem.
class PolicyReader {
 public:
  explicit PolicyReader(std::string_view file) : file_(file) {}

  Diagnostics& errors() { return errors_; }

  void Error(const toml::node* at, std::string field, std::string message) {
    int line = at ? int(at->source().begin.line) : 0;
    if (line == 0) line = fallback_line_;
    errors_.push_back(Diagnostic{file_, line, std::move(field), std::move(message)});
  }
  void Error(int line, std::string field, std::string message) {
    errors_.push_back(Diagnostic{file_, line, std::move(field), std::move(message)});
  }

  int Line(const toml::node& n) const {
    int line = int(n.source().begin.line);
    return line == 0 ? fallback_line_ : line;
  }

  // A shorthand (`deductible = 1300`) is read as the one-entry table { amount = 1300 }; errors in
  // it point at the shorthand's line.
  template <typename Fn>
  void ReadShorthand(const toml::node& value, std::string_view key, Fn fn) {
    toml::table e;
    value.visit([&](const auto& concrete) { e.insert(key, concrete); });
    int saved = fallback_line_;
    fallback_line_ = int(value.source().begin.line);
    fn(e);
    fallback_line_ = saved;
  }

  void CheckKeys(const toml::table& t, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        Error(&value, Join(path, key.str()), "unknown key (misspelt?)");
    }
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  // Money: an integer (yuan) or a quoted decimal ("1300.50"). A bare TOML float (1300.5) is
  // refused: it would pass through a double, and money never does.
  std::optional<Money> GetMoney(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto i = n->value_exact<int64_t>()) {
      if (*i > Money::kMaxAbsFen / 100 || *i < -Money::kMaxAbsFen / 100) {
        Error(n, field, "amount out of range");
        return std::nullopt;
      }
      return Money::Yuan(*i);
    }
    if (auto s = n->value_exact<std::string>()) {
      auto m = Money::ParseYuan(*s);
      if (!m) Error(n, field, "not an amount in yuan with at most 2 decimals: \"" + *s + "\"");
      return m;
    }
    if (n->is_floating_point()) {
      Error(n, field, "write an amount with decimals in quotes, e.g. \"1300.50\" (never a float)");
      return std::nullopt;
    }
    Error(n, field, "expected an amount in yuan (e.g. 1300 or \"1300.50\")");
    return std::nullopt;
  }

  // Ratio: "80%", "0.8", 0 or 1. A bare TOML float (0.8) is refused for the same reason as money.
  std::optional<Ratio> GetRatio(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto s = n->value_exact<std::string>()) {
      auto r = Ratio::Parse(*s);
      if (!r) Error(n, field, "not a ratio (write \"80%\" or \"0.8\"): \"" + *s + "\"");
      return r;
    }
    if (auto i = n->value_exact<int64_t>()) {
      if (*i == 0 || *i == 1) return Ratio::Ppm(*i * Ratio::kOne);
      Error(n, field,
            "ambiguous ratio " + std::to_string(*i) + ": write \"" + std::to_string(*i) +
                "%\" (a percent) or a fraction like 0.8");
      return std::nullopt;
    }
    if (n->is_floating_point()) {
      Error(n, field, "write a ratio in quotes, e.g. \"80%\" or \"0.8\" (never a float)");
      return std::nullopt;
    }
    Error(n, field, "expected a ratio like \"80%\"");
    return std::nullopt;
  }

  // Percentage points: 5, -10, "+5", "-2.5" (points, not a percent of a percent).
  std::optional<Ratio> GetPoints(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto i = n->value_exact<int64_t>()) {
      if (*i < -100 || *i > 100) {
        Error(n, field, "points must be between -100 and 100");
        return std::nullopt;
      }
      return Ratio::Points(*i);
    }
    if (auto s = n->value_exact<std::string>()) {
      std::string t = *s;
      if (!t.empty() && t.back() != '%') t += '%';
      auto r = Ratio::Parse(t);
      if (!r || r->ppm() < -Ratio::kOne || r->ppm() > Ratio::kOne) {
        Error(n, field, "not a number of percentage points: \"" + *s + "\"");
        return std::nullopt;
      }
      return r;
    }
    Error(n, field, "expected percentage points, e.g. 5 or -10");
    return std::nullopt;
  }

  std::optional<std::string> GetString(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto s = n->value_exact<std::string>()) return *s;
    Error(n, field, "expected a string");
    return std::nullopt;
  }

  std::optional<bool> GetBool(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto b = n->value_exact<bool>()) return *b;
    Error(n, field, "expected true or false");
    return std::nullopt;
  }

  std::optional<int64_t> GetInt(const toml::node* n, const std::string& field, int64_t lo,
                                int64_t hi) {
    if (!n) return std::nullopt;
    auto i = n->value_exact<int64_t>();
    if (!i) {
      Error(n, field, "expected an integer");
      return std::nullopt;
    }
    if (*i < lo || *i > hi) {
      Error(n, field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return std::nullopt;
    }
    return *i;
  }

  // A string or a list of strings; codes may also be written as integers (med_type = 21).
  std::vector<std::string> GetStrings(const toml::node* n, const std::string& field) {
    std::vector<std::string> out;
    if (!n) return out;
    auto one = [&](const toml::node& x, const std::string& f) {
      if (auto s = x.value_exact<std::string>())
        out.push_back(*s);
      else if (auto i = x.value_exact<int64_t>())
        out.push_back(std::to_string(*i));
      else
        Error(&x, f, "expected a string");
    };
    if (auto arr = n->as_array()) {
      for (size_t i = 0; i < arr->size(); ++i)
        one(*arr->get(i), field + "[" + std::to_string(i) + "]");
      if (arr->empty()) Error(n, field, "empty list");
    } else {
      one(*n, field);
    }
    return out;
  }

  std::vector<int64_t> GetInts(const toml::node* n, const std::string& field, int64_t lo,
                               int64_t hi) {
    std::vector<int64_t> out;
    if (!n) return out;
    if (auto arr = n->as_array()) {
      for (size_t i = 0; i < arr->size(); ++i)
        if (auto v = GetInt(arr->get(i), field + "[" + std::to_string(i) + "]", lo, hi))
          out.push_back(*v);
      if (arr->empty()) Error(n, field, "empty list");
    } else if (auto v = GetInt(n, field, lo, hi)) {
      out.push_back(*v);
    }
    return out;
  }

  std::optional<Date> GetDate(const toml::node* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (auto d = n->value_exact<toml::date>()) {
      if (d->year >= 1900 && d->year <= 2200 && d->month >= 1 && d->month <= 12 && d->day >= 1)
        return Date::FromYmd(d->year, d->month, d->day);
    } else if (auto s = n->value_exact<std::string>()) {
      if (auto parsed = Date::Parse(*s)) return parsed;
    }
    Error(n, field, "expected a date YYYY-MM-DD");
    return std::nullopt;
  }

  static constexpr std::string_view kConditionKeys[] = {"level",   "psn_type", "identity",
                                                        "cross",   "med_type", "disease",
                                                        "age_min", "age_max",  "admission"};

  Condition ReadCondition(const toml::table& t, const std::string& path) {
    Condition c;
    for (int64_t level : GetInts(t.get("level"), Join(path, "level"), 0, 3))
      c.level_mask |= uint8_t(1u << level);
    c.psn_types = GetStrings(t.get("psn_type"), Join(path, "psn_type"));
    c.identities = GetStrings(t.get("identity"), Join(path, "identity"));
    for (const auto& name : GetStrings(t.get("cross"), Join(path, "cross"))) {
      CrossRegion cr;
      if (ParseCrossRegion(name, cr))
        c.cross.push_back(cr);
      else
        Error(t.get("cross"), Join(path, "cross"),
              "unknown region status \"" + name +
                  "\" (local, in_province, in_province_unfiled, cross_filed, cross_referral, "
                  "cross_emergency, cross_unfiled)");
    }
    c.med_types = GetStrings(t.get("med_type"), Join(path, "med_type"));
    c.diseases = GetStrings(t.get("disease"), Join(path, "disease"));
    if (auto v = GetInt(t.get("age_min"), Join(path, "age_min"), 0, 150)) c.age_min = int(*v);
    if (auto v = GetInt(t.get("age_max"), Join(path, "age_max"), 0, 150)) c.age_max = int(*v);
    if (c.age_min >= 0 && c.age_max >= 0 && c.age_min > c.age_max)
      Error(t.get("age_max"), Join(path, "age_max"), "age_max is below age_min");
    for (int64_t n : GetInts(t.get("admission"), Join(path, "admission"), 1, 366))
      c.admissions.push_back(int(n));
    return c;
  }

  static std::vector<std::string_view> With(std::span<const std::string_view> a,
                                            std::initializer_list<std::string_view> b) {
    std::vector<std::string_view> v(a.begin(), a.end());
    v.insert(v.end(), b.begin(), b.end());
    return v;
  }

  void CheckKeysV(const toml::table& t, const std::string& path,
                  const std::vector<std::string_view>& allowed) {
    for (const auto& [key, value] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        Error(&value, Join(path, key.str()), "unknown key (misspelt?)");
    }
  }

  // Calls fn(table, path) for a key holding one table or an array of tables.
  template <typename Fn>
  void ForEachTable(const toml::table& parent, std::string_view key, const std::string& path,
                    Fn fn) {
    const toml::node* n = parent.get(key);
    if (!n) return;
    if (auto arr = n->as_array()) {
      for (size_t i = 0; i < arr->size(); ++i) {
        std::string p = path + "[" + std::to_string(i) + "]";
        if (auto t = arr->get(i)->as_table())
          fn(*t, p);
        else
          Error(arr->get(i), p, "expected a table");
      }
    } else if (auto t = n->as_table()) {
      fn(*t, path);
    }
  }

  std::vector<Band> ReadBands(const toml::node* n, const std::string& path) {
    std::vector<Band> bands;
    auto arr = n ? n->as_array() : nullptr;
    if (!arr || arr->empty()) {
      Error(
          n, path,
          "expected a list of bands like [{ upto = 10000, ratio = \"80%\" }, { ratio = \"90%\" }]");
      return bands;
    }
    Money prev_upto;
    for (size_t i = 0; i < arr->size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      auto t = arr->get(i)->as_table();
      if (!t) {
        Error(arr->get(i), p, "expected { upto = …, ratio = … }");
        continue;
      }
      CheckKeys(*t, p, {"from", "upto", "ratio"});
      Band b;
      b.line = Line(*arr->get(i));
      b.from = prev_upto;
      if (auto from = GetMoney(t->get("from"), Join(p, "from"))) {
        if (*from < prev_upto)
          Error(t->get("from"), Join(p, "from"),
                "band overlaps the previous one (starts at " + from->ToString() +
                    ", previous ends at " + prev_upto.ToString() + ")");
        else if (*from > prev_upto)
          Error(t->get("from"), Join(p, "from"),
                "gap between bands: previous ends at " + prev_upto.ToString() +
                    ", this starts at " + from->ToString());
        b.from = *from;
      }
      if (auto upto = GetMoney(t->get("upto"), Join(p, "upto"))) {
        b.upto = *upto;
        if (b.upto <= b.from)
          Error(t->get("upto"), Join(p, "upto"),
                "upper bound " + b.upto.ToString() + " is not above the band's start " +
                    b.from.ToString() + " (bands overlap or are out of order)");
      } else {
        b.open = true;
        if (i + 1 != arr->size())
          Error(arr->get(i), Join(p, "upto"), "only the last band may be open");
      }
      if (auto r = GetRatio(t->get("ratio"), Join(p, "ratio"))) {
        b.ratio = *r;
        if (r->ppm() < 0 || r->ppm() > Ratio::kOne)
          Error(t->get("ratio"), Join(p, "ratio"),
                "ratio " + r->ToString() + " is outside 0%..100%");
      } else if (!t->get("ratio")) {
        Error(arr->get(i), Join(p, "ratio"), "missing");
      }
      prev_upto = b.upto;
      bands.push_back(b);
    }
    return bands;
  }

  void ReadDeductible(const toml::table& t, const std::string& path, const Benefit& benefit,
                      Tier& tier) {
    CheckKeysV(t, path,
               With(kConditionKeys, {"period", "amount", "by_admission", "later_change", "floor",
                                     "share_of_total", "min", "max"}));
    DeductibleRule d;
    d.line = Line(t);
    d.when = ReadCondition(t, path);
    d.period = benefit.counts_admissions ? DeductiblePeriod::kAdmission : DeductiblePeriod::kYear;
    if (auto p = GetString(t.get("period"), Join(path, "period"))) {
      if (*p == "visit")
        d.period = DeductiblePeriod::kVisit;
      else if (*p == "admission")
        d.period = DeductiblePeriod::kAdmission;
      else if (*p == "year")
        d.period = DeductiblePeriod::kYear;
      else
        Error(t.get("period"), Join(path, "period"), "expected visit, admission or year");
    }
    if (d.period == DeductiblePeriod::kAdmission && !benefit.counts_admissions)
      Error(t.get("period") ? t.get("period") : &t, Join(path, "period"),
            "period = \"admission\" needs a benefit with admission = true");
    if (auto share = GetRatio(t.get("share_of_total"), Join(path, "share_of_total"))) {
      d.is_share_of_total = true;
      d.share_of_total = *share;
      d.share_min = GetMoney(t.get("min"), Join(path, "min")).value_or(Money());
      d.share_max =
          GetMoney(t.get("max"), Join(path, "max")).value_or(Money::Fen(Money::kMaxAbsFen));
      if (d.share_max < d.share_min) Error(t.get("max"), Join(path, "max"), "max is below min");
      if (t.get("amount"))
        Error(t.get("amount"), Join(path, "amount"), "give amount or share_of_total, not both");
    } else if (auto a = GetMoney(t.get("amount"), Join(path, "amount"))) {
      d.amount = *a;
      if (a->is_negative()) Error(t.get("amount"), Join(path, "amount"), "negative deductible");
    } else if (!t.get("amount")) {
      Error(&t, Join(path, "amount"), "missing (use amount = 0 for no deductible)");
    }
    if (auto arr = t.get("by_admission")) {
      if (d.period != DeductiblePeriod::kAdmission)
        Error(arr, Join(path, "by_admission"), "only for period = \"admission\"");
      auto list = arr->as_array();
      if (!list || list->empty()) {
        Error(arr, Join(path, "by_admission"),
              "expected a list like [\"100%\", \"70%\", \"50%\"] or amounts");
      } else {
        for (size_t i = 0; i < list->size(); ++i) {
          std::string p = Join(path, "by_admission") + "[" + std::to_string(i) + "]";
          const toml::node* x = list->get(i);
          DeductibleRule::Step step;
          auto s = x->value_exact<std::string>();
          if (s && !s->empty() && s->back() == '%') {
            if (auto r = GetRatio(x, p)) {
              step.is_factor = true;
              step.factor = *r;
              if (r->is_zero() == false && r->ppm() < 0) Error(x, p, "negative factor");
            }
          } else if (auto m = GetMoney(x, p)) {
            step.fixed = *m;
            if (m->is_negative()) Error(x, p, "negative deductible");
          }
          d.by_admission.push_back(step);
        }
      }
    }
    if (auto c = GetMoney(t.get("later_change"), Join(path, "later_change"))) {
      d.later_change = *c;
      if (d.period != DeductiblePeriod::kAdmission)
        Error(t.get("later_change"), Join(path, "later_change"), "only for period = \"admission\"");
    }
    if (auto f = GetMoney(t.get("floor"), Join(path, "floor"))) d.floor = *f;
    tier.deductibles.push_back(std::move(d));
  }

  void ReadRatio(const toml::table& t, const std::string& path, Tier& tier) {
    CheckKeysV(t, path, With(kConditionKeys, {"bands", "ratio"}));
    RatioRule r;
    r.line = Line(t);
    r.when = ReadCondition(t, path);
    if (t.get("bands") && t.get("ratio"))
      Error(t.get("ratio"), Join(path, "ratio"), "give ratio or bands, not both");
    if (t.get("bands")) {
      r.bands = ReadBands(t.get("bands"), Join(path, "bands"));
    } else if (auto ratio = GetRatio(t.get("ratio"), Join(path, "ratio"))) {
      if (ratio->ppm() < 0 || ratio->ppm() > Ratio::kOne)
        Error(t.get("ratio"), Join(path, "ratio"),
              "ratio " + ratio->ToString() + " is outside 0%..100%");
      r.bands.push_back(Band{Money(), Money(), true, *ratio, r.line});
    } else if (!t.get("ratio")) {
      Error(&t, path, "missing ratio or bands");
    }
    tier.ratios.push_back(std::move(r));
  }

  void ReadCap(const toml::table& t, const std::string& path, Policy& policy,
               const std::string& default_account, Tier& tier) {
    CheckKeysV(t, path, With(kConditionKeys, {"amount", "account", "per"}));
    CapRule c;
    c.line = Line(t);
    c.when = ReadCondition(t, path);
    c.account = GetString(t.get("account"), Join(path, "account")).value_or(default_account);
    if (auto per = GetString(t.get("per"), Join(path, "per"))) {
      if (*per == "visit")
        c.per_visit = true;
      else if (*per != "year")
        Error(t.get("per"), Join(path, "per"), "expected year or visit");
    }
    const toml::node* amount = t.get("amount");
    if (amount && amount->value_exact<std::string>() == std::optional<std::string>("none")) {
      c.unlimited = true;
    } else if (auto m = GetMoney(amount, Join(path, "amount"))) {
      c.amount = *m;
      if (m->is_negative()) Error(amount, Join(path, "amount"), "negative cap");
    } else if (!amount) {
      Error(&t, Join(path, "amount"), "missing (an amount, or \"none\" for no cap)");
    }
    if (!c.per_visit) c.slot = policy.AddSlot(c.account);
    tier.caps.push_back(std::move(c));
  }

  void ReadAdjustment(const toml::table& t, const std::string& path, Tier& tier) {
    CheckKeysV(t, path,
               With(kConditionKeys,
                    {"label", "points", "personal_share_factor", "deductible_factor", "ceiling"}));
    Adjustment a;
    a.line = Line(t);
    a.when = ReadCondition(t, path);
    a.label = GetString(t.get("label"), Join(path, "label")).value_or(a.when.Describe());
    a.points = GetPoints(t.get("points"), Join(path, "points"));
    a.personal_share_factor =
        GetRatio(t.get("personal_share_factor"), Join(path, "personal_share_factor"));
    a.deductible_factor = GetRatio(t.get("deductible_factor"), Join(path, "deductible_factor"));
    a.ceiling = GetRatio(t.get("ceiling"), Join(path, "ceiling"));
    if (a.personal_share_factor && a.personal_share_factor->ppm() < 0)
      Error(t.get("personal_share_factor"), Join(path, "personal_share_factor"), "negative factor");
    if (a.deductible_factor && a.deductible_factor->ppm() < 0)
      Error(t.get("deductible_factor"), Join(path, "deductible_factor"), "negative factor");
    if (a.ceiling && (a.ceiling->ppm() < 0 || a.ceiling->ppm() > Ratio::kOne))
      Error(t.get("ceiling"), Join(path, "ceiling"), "ceiling outside 0%..100%");
    if (!a.points && !a.personal_share_factor && !a.deductible_factor && !a.ceiling)
      Error(&t, path,
            "an adjustment needs points, personal_share_factor, deductible_factor or ceiling");
    tier.adjustments.push_back(std::move(a));
  }

  static std::string DefaultFundPayType(Fund fund, const std::string& insutype) {
    switch (fund) {
      case Fund::kHifp:
        return (insutype.empty() ? "310" : insutype) + "100";
      case Fund::kHifmi:
        return "390200";
      case Fund::kHifob:
        return "330100";
      case Fund::kCvlserv:
        return "320100";
      case Fund::kHifes:
        return "350100";
      case Fund::kMaf:
        return "610100";
      case Fund::kOther:
        return "999999";
    }
    return "999999";
  }

  uint8_t ReadComponents(const toml::node* n, const std::string& field, uint8_t fallback) {
    if (!n) return fallback;
    uint8_t mask = 0;
    for (const auto& name : GetStrings(n, field)) {
      if (name == "in_scope")
        mask |= kInScope;
      else if (name == "pre_selfpay")
        mask |= kPreSelfpay;
      else if (name == "over_limit")
        mask |= kOverLimit;
      else if (name == "ownpay")
        mask |= kOwnpay;
      else
        Error(n, field,
              "unknown part \"" + name + "\" (in_scope, pre_selfpay, over_limit, ownpay)");
    }
    return mask;
  }

  void ReadTier(const toml::table& t, const std::string& index_path, Policy& policy) {
    // Name the tier by its ids when they are there ("tier.inpatient.basic"), by position otherwise.
    std::string path = index_path;
    if (auto b = t.get("benefit"); b && b->is_string())
      if (auto i = t.get("id"); i && i->is_string())
        path = "tier." + *b->value<std::string>() + "." + *i->value<std::string>();
    CheckKeysV(t, path,
               With(kConditionKeys, {"benefit", "id", "name", "fund", "fund_pay_type", "base",
                                     "overflow_of", "measure", "origin", "deductible_account",
                                     "position_account", "deductible", "ratio", "cap", "adjust"}));
    auto benefit_id = GetString(t.get("benefit"), Join(path, "benefit"));
    if (!benefit_id) {
      if (!t.get("benefit"))
        Error(&t, Join(path, "benefit"), "missing: which benefit this tier pays for");
      return;
    }
    Benefit* benefit = nullptr;
    for (auto& b : policy.benefits)
      if (b.id == *benefit_id) benefit = &b;
    if (!benefit) {
      Error(t.get("benefit"), Join(path, "benefit"),
            "no [[benefit]] with id \"" + *benefit_id + "\" above");
      return;
    }
    Tier tier;
    tier.line = Line(t);
    auto id = GetString(t.get("id"), Join(path, "id"));
    if (!id) {
      if (!t.get("id")) Error(&t, Join(path, "id"), "missing");
      return;
    }
    tier.id = benefit->id + "." + *id;
    for (const auto& other : benefit->tiers)
      if (other.id == tier.id)
        Error(t.get("id"), Join(path, "id"), "duplicate tier id \"" + *id + "\"");
    auto fund_name = GetString(t.get("fund"), Join(path, "fund"));
    if (!fund_name) {
      if (!t.get("fund"))
        Error(&t, Join(path, "fund"), "missing (hifp, hifob, hifmi, cvlserv, hifes, maf, oth)");
    } else if (!ParseFund(*fund_name, tier.fund)) {
      Error(t.get("fund"), Join(path, "fund"),
            "unknown fund \"" + *fund_name + "\" (hifp, hifob, hifmi, cvlserv, hifes, maf, oth)");
    }
    tier.name = GetString(t.get("name"), Join(path, "name")).value_or(FundLabel(tier.fund));
    tier.fund_pay_type = GetString(t.get("fund_pay_type"), Join(path, "fund_pay_type"))
                             .value_or(DefaultFundPayType(tier.fund, policy.insutype));
    tier.eligible = ReadCondition(t, path);
    tier.base_components = ReadComponents(t.get("base"), Join(path, "base"), kInScope);
    if (auto of = GetString(t.get("overflow_of"), Join(path, "overflow_of"))) {
      for (size_t i = 0; i < benefit->tiers.size(); ++i)
        if (benefit->tiers[i].id == benefit->id + "." + *of) tier.overflow_of = int(i);
      if (tier.overflow_of < 0)
        Error(t.get("overflow_of"), Join(path, "overflow_of"),
              "no earlier tier \"" + *of + "\" in benefit " + benefit->id);
      if (t.get("base"))
        Error(t.get("base"), Join(path, "base"), "give base or overflow_of, not both");
    }
    if (auto m = GetString(t.get("measure"), Join(path, "measure"))) {
      if (*m == "year")
        tier.measure = SegmentMeasure::kYear;
      else if (*m == "visit")
        tier.measure = SegmentMeasure::kVisit;
      else
        Error(t.get("measure"), Join(path, "measure"),
              "expected year (cumulative over the year) or visit");
    }
    if (auto o = GetString(t.get("origin"), Join(path, "origin"))) {
      if (*o == "zero")
        tier.origin = SegmentOrigin::kZero;
      else if (*o == "deductible")
        tier.origin = SegmentOrigin::kDeductible;
      else
        Error(t.get("origin"), Join(path, "origin"),
              "expected zero (bounds include the deductible) or deductible (bands measured above "
              "it)");
    }
    // Deductibles: a bare amount or entries with conditions.
    if (const toml::node* d = t.get("deductible")) {
      if (d->is_table() || d->is_array_of_tables()) {
        ForEachTable(t, "deductible", Join(path, "deductible"),
                     [&](const toml::table& e, const std::string& p) {
                       ReadDeductible(e, p, *benefit, tier);
                     });
      } else {
        ReadShorthand(*d, "amount", [&](const toml::table& e) {
          ReadDeductible(e, Join(path, "deductible"), *benefit, tier);
        });
      }
    }
    if (const toml::node* r = t.get("ratio")) {
      if (r->is_table() || r->is_array_of_tables()) {
        ForEachTable(t, "ratio", Join(path, "ratio"),
                     [&](const toml::table& e, const std::string& p) { ReadRatio(e, p, tier); });
      } else {
        ReadShorthand(*r, "ratio",
                      [&](const toml::table& e) { ReadRatio(e, Join(path, "ratio"), tier); });
      }
    } else {
      Error(&t, Join(path, "ratio"),
            "missing: a tier needs a ratio (\"80%\") or [[tier.ratio]] entries");
    }
    std::string default_cap_account = tier.id + ".paid";
    if (const toml::node* c = t.get("cap")) {
      if (c->is_table() || c->is_array_of_tables()) {
        ForEachTable(t, "cap", Join(path, "cap"), [&](const toml::table& e, const std::string& p) {
          ReadCap(e, p, policy, default_cap_account, tier);
        });
      } else {
        ReadShorthand(*c, "amount", [&](const toml::table& e) {
          ReadCap(e, Join(path, "cap"), policy, default_cap_account, tier);
        });
      }
    }
    ForEachTable(t, "adjust", Join(path, "adjust"),
                 [&](const toml::table& e, const std::string& p) { ReadAdjustment(e, p, tier); });
    bool year_deductible =
        std::any_of(tier.deductibles.begin(), tier.deductibles.end(),
                    [](const DeductibleRule& d) { return d.period == DeductiblePeriod::kYear; });
    if (year_deductible)
      tier.deductible_slot =
          policy.AddSlot(GetString(t.get("deductible_account"), Join(path, "deductible_account"))
                             .value_or(tier.id + ".deductible"));
    else if (t.get("deductible_account"))
      Error(t.get("deductible_account"), Join(path, "deductible_account"),
            "only used by a deductible with period = \"year\"");
    if (tier.measure == SegmentMeasure::kYear)
      tier.position_slot =
          policy.AddSlot(GetString(t.get("position_account"), Join(path, "position_account"))
                             .value_or(tier.id + ".base"));
    benefit->tiers.push_back(std::move(tier));
  }

  void ReadBenefit(const toml::table& t, const std::string& path, Policy& policy) {
    CheckKeys(
        t, path,
        {"id", "name", "med_types", "admission", "diseases", "cross_province_diseases", "account"});
    Benefit b;
    b.line = Line(t);
    auto id = GetString(t.get("id"), Join(path, "id"));
    if (!id) {
      if (!t.get("id")) Error(&t, Join(path, "id"), "missing");
      return;
    }
    b.id = *id;
    for (const auto& other : policy.benefits)
      if (other.id == b.id)
        Error(t.get("id"), Join(path, "id"), "duplicate benefit id \"" + b.id + "\"");
    b.name = GetString(t.get("name"), Join(path, "name")).value_or(b.id);
    b.med_types = GetStrings(t.get("med_types"), Join(path, "med_types"));
    if (b.med_types.empty() && !t.get("med_types"))
      Error(&t, Join(path, "med_types"),
            "missing: the med_type codes this benefit settles (e.g. [\"21\"])");
    for (const auto& mt : b.med_types)
      for (const auto& other : policy.benefits)
        if (std::find(other.med_types.begin(), other.med_types.end(), mt) != other.med_types.end())
          Error(t.get("med_types"), Join(path, "med_types"),
                "med_type " + mt + " is already settled by benefit \"" + other.id + "\"");
    b.counts_admissions = GetBool(t.get("admission"), Join(path, "admission")).value_or(false);
    if (b.counts_admissions) b.admission_slot = policy.AddSlot(b.id + ".admissions");
    b.diseases = GetStrings(t.get("diseases"), Join(path, "diseases"));
    if (t.get("cross_province_diseases")) {
      b.restrict_cross_province = true;
      b.cross_province_diseases =
          GetStrings(t.get("cross_province_diseases"), Join(path, "cross_province_diseases"));
    }
    if (const toml::node* a = t.get("account")) {
      if (auto flag = a->value_exact<bool>()) {
        b.account.allowed = *flag;
      } else if (auto at = a->as_table()) {
        std::string p = Join(path, "account");
        CheckKeys(*at, p, {"pays", "family_mutual_aid"});
        b.account.components =
            ReadComponents(at->get("pays"), Join(p, "pays"), b.account.components);
        b.account.family_mutual_aid =
            GetBool(at->get("family_mutual_aid"), Join(p, "family_mutual_aid")).value_or(false);
      } else {
        Error(a, Join(path, "account"),
              "expected true, false or { pays = [...], family_mutual_aid = … }");
      }
    }
    policy.benefits.push_back(std::move(b));
  }

  void Read(const toml::table& root, Policy& policy) {
    CheckKeys(root, "", {"policy", "benefit", "tier"});
    const toml::table* head = root.get_as<toml::table>("policy");
    if (!head) {
      Error(1, "policy", "missing [policy] table (region, insutype, version, effective_from)");
      return;
    }
    CheckKeys(*head, "policy",
              {"region", "insutype", "name", "version", "effective_from", "effective_to"});
    auto req = [&](std::string_view key) -> std::string {
      auto v = GetString(head->get(key), Join("policy", key));
      if (!v && !head->get(key)) Error(head, Join("policy", key), "missing");
      return v.value_or("");
    };
    policy.region = req("region");
    if (policy.region.size() != 6 ||
        !std::all_of(policy.region.begin(), policy.region.end(), ::isdigit))
      if (head->get("region"))
        Error(head->get("region"), "policy.region", "expected a 6-digit admdvs code");
    policy.insutype = req("insutype");
    policy.version = req("version");
    policy.name = GetString(head->get("name"), "policy.name").value_or(policy.insutype);
    if (auto d = GetDate(head->get("effective_from"), "policy.effective_from"))
      policy.effective_from = *d;
    else if (!head->get("effective_from"))
      Error(head, "policy.effective_from", "missing");
    if (auto d = GetDate(head->get("effective_to"), "policy.effective_to"))
      policy.effective_to = *d;
    if (policy.effective_to < policy.effective_from)
      Error(head->get("effective_to"), "policy.effective_to", "before effective_from");

    ForEachTable(root, "benefit", "benefit",
                 [&](const toml::table& t, const std::string& p) { ReadBenefit(t, p, policy); });
    if (policy.benefits.empty()) Error(1, "benefit", "no [[benefit]] defined");
    ForEachTable(root, "tier", "tier",
                 [&](const toml::table& t, const std::string& p) { ReadTier(t, p, policy); });
  }

 private:
  std::string file_;
  Diagnostics errors_;
  int fallback_line_ = 0;
};

bool ContainsName(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Diagnostics ValidatePolicy(const Policy& policy, const PolicyVocabulary* vocabulary) {
  Diagnostics out;
  auto error = [&](int line, std::string field, std::string message) {
    out.push_back(Diagnostic{policy.file, line, std::move(field), std::move(message)});
  };
  auto check_words = [&](const Condition& c, int line, const std::string& where) {
    if (!vocabulary) return;
    for (const auto& p : c.psn_types)
      if (!ContainsName(vocabulary->psn_types, p))
        error(line, where + ".psn_type", "person type \"" + p + "\" is not declared by the region");
    for (const auto& id : c.identities)
      if (!ContainsName(vocabulary->identities, id))
        error(line, where + ".identity", "identity \"" + id + "\" is not declared by the region");
  };
  // In first-match lists, an entry after one without conditions can never apply.
  auto check_reachable = [&](const auto& entries, const std::string& where) {
    for (size_t i = 0; i + 1 < entries.size(); ++i)
      if (entries[i].when.empty()) {
        error(entries[i + 1].line, where,
              "unreachable: the entry at line " + std::to_string(entries[i].line) +
                  " has no conditions and matches every visit first");
        break;
      }
  };
  for (const auto& b : policy.benefits) {
    if (b.tiers.empty())
      error(b.line, "benefit." + b.id, "benefit has no [[tier]]: nothing would ever be paid");
    if (b.tiers.size() > kMaxTiersPerBenefit)
      error(b.tiers[kMaxTiersPerBenefit].line, "benefit." + b.id,
            "more than " + std::to_string(kMaxTiersPerBenefit) + " tiers in one benefit");
    int stage = 0;
    for (const auto& t : b.tiers) {
      std::string where = "tier." + t.id;
      if (FundStage(t.fund) < stage)
        error(t.line, where + ".fund",
              std::string("fund ") + FundName(t.fund) +
                  " is listed after a later-stage fund; order is "
                  "basic (hifp) → supplementary (hifob/hifmi/cvlserv/hifes) → assistance (maf)");
      stage = std::max(stage, FundStage(t.fund));
      check_words(t.eligible, t.line, where);
      if (t.adjustments.size() > kMaxAdjustmentsPerTier)
        error(t.adjustments[kMaxAdjustmentsPerTier].line, where + ".adjust",
              "more than " + std::to_string(kMaxAdjustmentsPerTier) + " adjustments in one tier");
      if (t.caps.size() > kMaxCapsPerTier)
        error(t.caps[kMaxCapsPerTier].line, where + ".cap",
              "more than " + std::to_string(kMaxCapsPerTier) + " caps in one tier");
      check_reachable(t.deductibles, where + ".deductible");
      check_reachable(t.ratios, where + ".ratio");
      for (const auto& d : t.deductibles) check_words(d.when, d.line, where + ".deductible");
      for (const auto& r : t.ratios) check_words(r.when, r.line, where + ".ratio");
      for (const auto& a : t.adjustments) check_words(a.when, a.line, where + ".adjust");
      // Caps: first match per account.
      std::map<std::string, std::vector<const CapRule*>> by_account;
      for (const auto& c : t.caps) {
        check_words(c.when, c.line, where + ".cap");
        by_account[c.account + (c.per_visit ? "#visit" : "")].push_back(&c);
      }
      for (const auto& [account, caps] : by_account)
        for (size_t i = 0; i + 1 < caps.size(); ++i)
          if (caps[i]->when.empty()) {
            error(caps[i + 1]->line, where + ".cap",
                  "unreachable: the cap at line " + std::to_string(caps[i]->line) +
                      " on the same account has no conditions");
            break;
          }
      // A cap on what the fund pays that is below what the person must first pay is a
      // contradiction.
      for (const auto& c : t.caps) {
        if (c.unlimited) continue;
        for (const auto& d : t.deductibles) {
          if (d.is_share_of_total) continue;
          if (c.amount < d.amount)
            error(c.line, where + ".cap.amount",
                  "cap " + c.amount.ToString() + " is below the deductible " + d.amount.ToString() +
                      " at line " + std::to_string(d.line));
        }
      }
      for (const auto& r : t.ratios)
        if (t.overflow_of < 0 && r.bands.empty()) error(r.line, where + ".ratio", "no bands");
    }
  }
  return out;
}

Result<Policy> ParsePolicyToml(std::string_view text, std::string_view file_name,
                               const PolicyVocabulary* vocabulary) {
  PolicyReader reader(file_name);
  Policy policy;
  policy.file = std::string(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Diagnostic{std::string(file_name), int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  reader.Read(root, policy);
  if (reader.errors().empty()) {
    Diagnostics more = ValidatePolicy(policy, vocabulary);
    reader.errors().insert(reader.errors().end(), more.begin(), more.end());
  }
  if (!reader.errors().empty()) {
    auto& errs = reader.errors();
    std::stable_sort(errs.begin(), errs.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
    return errs;
  }
  return policy;
}

Result<Policy> LoadPolicyFile(const std::string& path, const PolicyVocabulary* vocabulary) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Diagnostic{path, 0, "", "cannot read file"};
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePolicyToml(ss.str(), path, vocabulary);
}

}  // namespace yibao
