#include "drg/drg_payment.h"

#include <iconv.h>
#include <toml++/toml.h>

#include <algorithm>

#include "base/csv_reader.h"
#include "base/decimal.h"
#include "base/text.h"
#include "drg/payment_toml.h"

namespace yibao {
namespace {

using i128 = __int128;

constexpr DecimalFormat kDecimal9{9, 100'000'000'000'000'000, false, true};  // ≤ 10^8 units

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// Non-negative x ÷ d, half-up (d > 0).
int64_t DivHalfUp(i128 x, i128 d) { return int64_t((x + d / 2) / d); }

DrgAmountColumn ClassifyColumn(std::string_view header, bool& recognised) {
  DrgAmountColumn col;
  col.header = std::string(header);
  recognised = true;
  if (Contains(header, "病组"))  // a flag column such as 同等费率病组 (烟台), not an amount
    recognised = false;
  else if (Contains(header, "支付标准"))
    col.kind = DrgAmountColumn::Kind::kStandard;
  else if (Contains(header, "费率"))
    col.kind = DrgAmountColumn::Kind::kRate;
  else if (Contains(header, "系数"))
    col.kind = DrgAmountColumn::Kind::kCoefficient;
  else
    recognised = false;
  if (Contains(header, "一级")) col.level = 1;
  if (Contains(header, "二级")) col.level = 2;
  if (Contains(header, "三级")) col.level = 3;
  if (Contains(header, "职工")) col.scheme = 1;
  if (Contains(header, "居民")) col.scheme = 2;
  // A qualifier that is neither a level nor a scheme (三甲, 省三甲, 青医/市立/…): a named class of
  // hospitals, never chosen by level.
  if (col.level == 0 && col.scheme == 0 && (Contains(header, "（") || Contains(header, "(")))
    col.level = -1;
  return col;
}

bool IsUngroupedCode(std::string_view code) {
  return code.empty() || code == "0000" || code == "0" ||
         (code.size() >= 2 && code.substr(code.size() - 2) == "QY");
}

std::string Yuan9(int64_t v) { return FormatScaledDecimal(v, 9); }  // × 10^9 → shortest text

}  // namespace

const DrgGroupWeight* DrgWeights::Find(std::string_view code) const {
  auto it =
      std::lower_bound(groups.begin(), groups.end(), code,
                       [](const DrgGroupWeight& g, std::string_view c) { return g.code < c; });
  return it != groups.end() && it->code == code ? &*it : nullptr;
}

Result<DrgWeights> ParseDrgWeightsCsv(std::string_view text, std::string_view file_name) {
  std::string file(file_name);
  if (!IsValidUtf8(text))
    return Diagnostic{file, 1, "",
                      "not UTF-8 (a GBK table must be converted; LoadDrgWeights does)"};
  DrgWeights w;
  w.file = file;
  Diagnostics errors;
  CsvReader reader(text);
  CsvRow row;
  if (!reader.Next(row)) return Diagnostic{file, 1, "", "empty file: expected a header line"};
  if (!row.error.empty()) return Diagnostic{file, row.line, "", row.error};
  const std::vector<std::string> header = row.fields;
  int code_col = -1, name_col = -1, rw_col = -1, flag_col = -1;
  std::vector<int> amount_cols;  // header index per w.columns entry
  for (int i = 0; i < int(header.size()); ++i) {
    std::string_view h = Trim(header[i]);
    auto take = [&](int& col, std::initializer_list<std::string_view> names) {
      if (col >= 0 || std::find(names.begin(), names.end(), h) == names.end()) return false;
      col = i;
      return true;
    };
    if (take(code_col, {"DRG编码", "DRG", "DRG组编码", "分组编码"})) continue;
    if (take(name_col, {"DRG名称", "DRG组名称", "分组名称"})) continue;
    if (take(rw_col, {"RW", "权重", "初始权重"})) continue;
    if (take(flag_col, {"病组标识", "病组类型"})) continue;
    bool recognised = false;
    DrgAmountColumn col = ClassifyColumn(h, recognised);
    if (recognised) {
      w.columns.push_back(std::move(col));
      amount_cols.push_back(i);
    }
  }
  if (code_col < 0)
    return Diagnostic{file, row.line, "",
                      "no DRG code column (DRG编码, DRG, DRG组编码 or 分组编码)"};

  while (reader.Next(row)) {
    auto error = [&](int col, const std::string& msg) {
      if (errors.size() < kMaxDiagnosticsPerFile)
        errors.push_back(
            Diagnostic{file, row.line, col >= 0 ? std::string(Trim(header[col])) : "", msg});
    };
    if (!row.error.empty()) {
      error(row.error_field >= 0 && row.error_field < int(header.size()) ? row.error_field : -1,
            row.error);
      continue;
    }
    if (row.fields.size() > header.size()) {
      error(-1, "more cells (" + std::to_string(row.fields.size()) + ") than header columns (" +
                    std::to_string(header.size()) + ")");
      continue;
    }
    if (row.fields.size() < header.size()) {
      w.anomalies.push_back(
          Diagnostic{file, row.line, "", "short row: missing cells read as empty"});
      row.fields.resize(header.size());
    }
    DrgGroupWeight g;
    g.line = row.line;
    g.code = std::string(Trim(row.fields[code_col]));
    if (g.code.empty()) {
      error(code_col, "empty DRG code");
      continue;
    }
    if (name_col >= 0) g.name = std::string(Trim(row.fields[name_col]));
    if (flag_col >= 0) g.flag = std::string(Trim(row.fields[flag_col]));
    if (rw_col >= 0) {
      std::string_view cell = Trim(row.fields[rw_col]);
      if (!cell.empty()) {
        if (auto v = ParseScaledDecimal(cell, kDecimal9))
          g.rw = *v;
        else if ((cell[0] >= '0' && cell[0] <= '9') || cell[0] == '-' || cell[0] == '+' ||
                 cell[0] == '.')
          error(rw_col, "expected a non-negative decimal with at most 9 decimals, got \"" +
                            std::string(cell) + "\"");
        else
          g.rw_text = std::string(cell);  // "按项目据实支付", "无": the group has no weight
      }
    }
    bool bad = false;
    for (size_t k = 0; k < amount_cols.size(); ++k) {
      std::string_view cell = Trim(row.fields[amount_cols[k]]);
      if (cell.empty()) {
        g.values.push_back(std::nullopt);
        continue;
      }
      auto v = ParseScaledDecimal(cell, kDecimal9);
      if (!v) {
        error(amount_cols[k], "expected a non-negative decimal with at most 9 decimals, got \"" +
                                  std::string(cell) + "\"");
        bad = true;
      }
      g.values.push_back(v);
    }
    if (!bad) w.groups.push_back(std::move(g));
  }
  if (!errors.empty()) return errors;
  std::stable_sort(
      w.groups.begin(), w.groups.end(),
      [](const DrgGroupWeight& a, const DrgGroupWeight& b) { return a.code < b.code; });
  // A code on several lines: keep the first line, mark it, report the others.
  std::vector<DrgGroupWeight> unique;
  for (auto& g : w.groups) {
    if (!unique.empty() && unique.back().code == g.code) {
      unique.back().duplicate = true;
      w.anomalies.push_back(Diagnostic{file, g.line, "",
                                       "DRG " + g.code + " already on line " +
                                           std::to_string(unique.back().line) +
                                           ": the group is paid by item"});
      continue;
    }
    unique.push_back(std::move(g));
  }
  w.groups = std::move(unique);
  return w;
}

Result<DrgWeights> LoadDrgWeights(const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text) return text.errors();
  if (IsValidUtf8(*text)) return ParseDrgWeightsCsv(*text, path);
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == iconv_t(-1)) return Diagnostic{path, 1, "", "not UTF-8 and no GB18030 decoder"};
  std::string out(text->size() * 2 + 16, '\0');
  char* in_p = text->data();
  size_t in_left = text->size();
  char* out_p = out.data();
  size_t out_left = out.size();
  size_t rc = iconv(cd, &in_p, &in_left, &out_p, &out_left);
  iconv_close(cd);
  if (rc == size_t(-1))
    return Diagnostic{
        path, 1, "",
        "neither UTF-8 nor GB18030 (byte " + std::to_string(text->size() - in_left) + ")"};
  out.resize(out.size() - out_left);
  return ParseDrgWeightsCsv(out, path);
}

// ---------------------------------------------------------------------------------------------
// The rule.

Result<DrgPaymentRule> ParseDrgPaymentRule(std::string_view text, std::string_view file_name) {
  std::string file(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Diagnostic{file, int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  const toml::table* t = root.get_as<toml::table>("drg_payment");
  if (!t) return Diagnostic{file, 1, "drg_payment", "missing [drg_payment] table"};
  Diagnostics errors;
  auto error = [&](const toml::node* n, const std::string& field, const std::string& msg) {
    errors.push_back(Diagnostic{file, n ? int(n->source().begin.line) : 0, field, msg});
  };
  static constexpr std::string_view kKeys[] = {"region",
                                               "formula",
                                               "standard_source",
                                               "base_rate",
                                               "level_coefficient",
                                               "institution_coefficient",
                                               "high_outlier_multiple",
                                               "low_outlier_ratio",
                                               "high_outlier_cap",
                                               "statement",
                                               "clearing"};
  for (const auto& [k, v] : *t)
    if (std::find(std::begin(kKeys), std::end(kKeys), k.str()) == std::end(kKeys))
      error(&v, "drg_payment." + std::string(k.str()), "unknown key (misspelt?)");

  // A positive decimal: an integer or a quoted decimal (≤ 9 decimals); bare floats refused.
  auto decimal = [&](const toml::node& n, const std::string& field) -> std::optional<int64_t> {
    std::optional<int64_t> v;
    if (n.is_floating_point()) {
      error(&n, field, "bare TOML float refused: quote the decimal (\"1.05\")");
      return std::nullopt;
    }
    if (auto i = n.value_exact<int64_t>(); i && *i > 0 && *i <= 100'000'000)
      v = *i * kDrgDecimalScale;
    if (auto s = n.value_exact<std::string>()) v = ParseScaledDecimal(Trim(*s), kDecimal9);
    if (!v || *v <= 0) {
      error(&n, field, "expected a positive decimal (integer or quoted, ≤ 9 decimals)");
      return std::nullopt;
    }
    return v;
  };
  auto level_key = [&](const toml::node& n, std::string_view key, const std::string& field,
                       bool allow_default) -> std::optional<int> {
    if (key == "1" || key == "2" || key == "3" || key == "0") return key[0] - '0';
    if (allow_default && key == "default") return -1;
    error(&n, field,
          std::string("expected a hospital level \"1\", \"2\", \"3\" or \"0\" (others)") +
              (allow_default ? " or \"default\"" : ""));
    return std::nullopt;
  };

  DrgPaymentRule r;
  if (const toml::node* n = t->get("region")) {
    if (auto s = n->value_exact<std::string>())
      r.region = *s;
    else
      error(n, "drg_payment.region", "expected a string");
  }
  if (const toml::node* n = t->get("formula")) {
    auto s = n->value_exact<std::string>();
    if (s && *s == "standard_minus_paid")
      r.formula = DrgPaymentRule::Formula::kStandardMinusPaid;
    else if (s && *s == "standard_minus_selfpay")
      r.formula = DrgPaymentRule::Formula::kStandardMinusSelfpay;
    else
      error(n, "drg_payment.formula",
            "expected \"standard_minus_paid\" or \"standard_minus_selfpay\"");
  }
  if (const toml::node* n = t->get("standard_source")) {
    auto s = n->value_exact<std::string>();
    if (s && *s == "computed")
      r.standard_source = DrgPaymentRule::StandardSource::kComputed;
    else if (s && *s == "file")
      r.standard_source = DrgPaymentRule::StandardSource::kFile;
    else
      error(n, "drg_payment.standard_source", "expected \"computed\" or \"file\"");
  }
  if (const toml::node* n = t->get("base_rate")) {
    if (const toml::table* years = n->as_table()) {
      for (const auto& [k, v] : *years) {
        std::string field = "drg_payment.base_rate." + std::string(k.str());
        int year = 0;
        for (char ch : k.str())
          year = (ch >= '0' && ch <= '9' && year < 100000) ? year * 10 + (ch - '0') : -1;
        if (k.str().size() != 4 || year < 1900) {
          error(&v, field, "expected a year like \"2023\"");
          continue;
        }
        if (auto d = decimal(v, field)) r.base_rate_by_year[year] = *d;
      }
      if (years->empty()) error(n, "drg_payment.base_rate", "empty table of years");
    } else {
      r.base_rate = decimal(*n, "drg_payment.base_rate");
    }
  } else if (r.standard_source == DrgPaymentRule::StandardSource::kComputed) {
    error(t, "drg_payment.base_rate", "missing (needed when standard_source = \"computed\")");
  }
  auto level_table = [&](std::string_view key, bool allow_default, auto&& store) {
    const toml::node* n = t->get(key);
    if (!n) return;
    std::string base = "drg_payment." + std::string(key);
    const toml::table* tab = n->as_table();
    if (!tab) return error(n, base, "expected a table of hospital level → value");
    for (const auto& [k, v] : *tab) {
      std::string field = base + "." + std::string(k.str());
      auto level = level_key(v, k.str(), field, allow_default);
      auto d = decimal(v, field);
      if (level && d) store(*level, *d);
    }
  };
  level_table("level_coefficient", false, [&](int l, int64_t d) { r.level_coefficient[l] = d; });
  level_table("high_outlier_multiple", true, [&](int l, int64_t d) {
    if (l < 0)
      r.high_outlier_multiple_default = d;
    else
      r.high_outlier_multiple[l] = d;
  });
  if (const toml::node* n = t->get("institution_coefficient")) {
    if (const toml::table* tab = n->as_table()) {
      for (const auto& [k, v] : *tab)
        if (auto d = decimal(v, "drg_payment.institution_coefficient." + std::string(k.str())))
          r.institution_coefficient[std::string(k.str())] = *d;
    } else {
      error(n, "drg_payment.institution_coefficient", "expected a table of institution → value");
    }
  }
  if (const toml::node* n = t->get("low_outlier_ratio")) {
    auto s = n->value_exact<std::string>();
    auto parsed = s ? Ratio::Parse(*s) : std::nullopt;
    if (!parsed || parsed->ppm() < 0 || parsed->ppm() > Ratio::kOne)
      error(n, "drg_payment.low_outlier_ratio",
            "expected a quoted ratio within 0%..100% like \"30%\"");
    else
      r.low_outlier_ratio = *parsed;
  }
  payment_toml::Reader reader{file, &errors};
  if (const toml::node* n = t->get("high_outlier_cap")) {
    const std::string base = "drg_payment.high_outlier_cap";
    if (const toml::table* cap = n->as_table()) {
      reader.CheckKeys(*cap, base, {"enabled", "share", "rounding", "period"});
      if (const toml::node* v = cap->get("enabled")) {
        if (auto b = v->value_exact<bool>())
          r.high_outlier_cap.enabled = *b;
        else
          error(v, base + ".enabled", "expected true or false");
      }
      if (const toml::node* v = cap->get("share"))
        if (auto s = reader.RatioValue(*v, base + ".share", 0, Ratio::kOne))
          r.high_outlier_cap.share = *s;
      if (const toml::node* v = cap->get("rounding")) {
        auto s = v->value_exact<std::string>();
        if (s && *s == "floor")
          r.high_outlier_cap.rounding = HighOutlierCap::Rounding::kFloor;
        else if (s && *s == "half_up")
          r.high_outlier_cap.rounding = HighOutlierCap::Rounding::kHalfUp;
        else if (s && *s == "ceil")
          r.high_outlier_cap.rounding = HighOutlierCap::Rounding::kCeil;
        else
          error(v, base + ".rounding", "expected \"floor\", \"half_up\" or \"ceil\"");
      }
      if (const toml::node* v = cap->get("period")) {
        auto s = v->value_exact<std::string>();
        if (s && *s == "month")
          r.high_outlier_cap.period = HighOutlierCap::Period::kMonth;
        else if (s && *s == "year")
          r.high_outlier_cap.period = HighOutlierCap::Period::kYear;
        else
          error(v, base + ".period", "expected \"month\" or \"year\"");
      }
    } else {
      error(n, base, "expected a table");
    }
  }
  reader.Schedule(*t, "drg_payment", &r.schedule);
  if (!errors.empty()) return errors;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Paying one case.

std::string_view DrgPaymentKindName(DrgCasePayment::Kind kind) {
  switch (kind) {
    case DrgCasePayment::Kind::kNormal:
      return "normal";
    case DrgCasePayment::Kind::kHighOutlier:
      return "high_outlier";
    case DrgCasePayment::Kind::kLowOutlier:
      return "low_outlier";
    case DrgCasePayment::Kind::kUngrouped:
      return "ungrouped";
    case DrgCasePayment::Kind::kByItem:
      return "by_item";
    case DrgCasePayment::Kind::kHighOutlierCapped:
      return "high_outlier_capped";
  }
  return "?";
}

Result<DrgCasePayment> PayCase(const DrgPaymentRule& rule, const DrgWeights& weights,
                               const DrgCaseCosts& c) {
  DrgCasePayment p;
  auto by_item = [&](DrgCasePayment::Kind kind, std::string why) {
    p.kind = kind;
    p.fund_payment = c.fund_item;
    p.hospital_gain = Money::Zero();
    p.explanation = std::move(why) + "; paid by item: the fund pays " + c.fund_item.ToString();
    return p;
  };
  auto fail = [&](std::string msg) { return Diagnostic{weights.file, 0, "drg", std::move(msg)}; };
  if (IsUngroupedCode(c.drg))
    return by_item(DrgCasePayment::Kind::kUngrouped,
                   "DRG \"" + c.drg + "\" is not a group (未入组 / 歧义组)");
  const DrgGroupWeight* g = weights.Find(c.drg);
  if (!g)
    return by_item(DrgCasePayment::Kind::kUngrouped, "DRG " + c.drg + " is not in " + weights.file);
  if (g->duplicate)
    return by_item(DrgCasePayment::Kind::kByItem,
                   "DRG " + c.drg + " is on several lines of " + weights.file);

  std::string how;
  if (rule.standard_source == DrgPaymentRule::StandardSource::kComputed) {
    if (!g->rw || *g->rw == 0)
      return by_item(DrgCasePayment::Kind::kByItem,
                     "DRG " + c.drg + " has no RW (" +
                         (g->rw_text.empty() ? std::string(g->rw ? "0" : "empty") : g->rw_text) +
                         ")");
    int64_t rate = 0;
    if (auto it = rule.base_rate_by_year.find(c.year); it != rule.base_rate_by_year.end())
      rate = it->second;
    else if (rule.base_rate)
      rate = *rule.base_rate;
    else
      return fail("no base rate for year " + std::to_string(c.year));
    int64_t coef = kDrgDecimalScale;
    std::string coef_how = "1";
    if (auto it = rule.institution_coefficient.find(c.institution);
        !c.institution.empty() && it != rule.institution_coefficient.end()) {
      coef = it->second;
      coef_how = Yuan9(coef) + " (institution " + c.institution + ")";
    } else if (!rule.level_coefficient.empty()) {
      auto lv = rule.level_coefficient.find(c.hospital_level);
      if (lv == rule.level_coefficient.end())
        return fail("no level coefficient for hospital level " + std::to_string(c.hospital_level));
      coef = lv->second;
      coef_how = Yuan9(coef) + " (level " + std::to_string(c.hospital_level) + ")";
    }
    // RW × rate × coefficient: scale 10^27 yuan = 10^25 fen; one half-up rounding to the fen.
    i128 product = i128(*g->rw) * rate * coef;
    p.standard = Money::Fen(DivHalfUp(product, i128(10'000'000'000'000'000LL) * 1'000'000'000));
    how = "RW " + Yuan9(*g->rw) + " × base rate " + Yuan9(rate) + " × coefficient " + coef_how;
  } else {
    // The table's published standard: level and scheme, else level for both schemes, else any
    // level for the scheme, else any level.
    int found = -1;
    for (int pass = 0; pass < 4 && found < 0; ++pass) {
      int want_level = pass < 2 ? c.hospital_level : 0;
      int want_scheme = (pass % 2 == 0) ? c.scheme : 0;
      if (pass % 2 == 0 && c.scheme == 0) continue;
      for (size_t k = 0; k < weights.columns.size(); ++k) {
        const auto& col = weights.columns[k];
        if (col.kind == DrgAmountColumn::Kind::kStandard && col.level == want_level &&
            col.scheme == want_scheme) {
          found = int(k);
          break;
        }
      }
    }
    if (found < 0)
      return fail("no 支付标准 column for hospital level " + std::to_string(c.hospital_level) +
                  (c.scheme ? (c.scheme == 1 ? " (职工)" : " (居民)") : ""));
    const auto& v = g->values[found];
    if (!v || *v == 0)
      return by_item(DrgCasePayment::Kind::kByItem,
                     "DRG " + c.drg + " has no " + weights.columns[found].header);
    p.standard = Money::Fen(DivHalfUp(*v, 10'000'000));  // × 10^9 yuan → fen, half-up
    how = weights.columns[found].header + " " + Yuan9(*v) + " (" + weights.file + ":" +
          std::to_string(g->line) + ")";
  }
  if (p.standard.fen() <= 0)
    return by_item(DrgCasePayment::Kind::kByItem, "DRG " + c.drg + " standard is 0 (" + how + ")");

  std::string head = "DRG " + c.drg + " standard " + p.standard.ToString() + " = " + how;
  int64_t multiple = rule.high_outlier_multiple_default;
  if (auto it = rule.high_outlier_multiple.find(c.hospital_level);
      it != rule.high_outlier_multiple.end())
    multiple = it->second;
  // Exact comparisons, no rounding: total > standard × multiple; total < standard × ratio.
  if (i128(c.total.fen()) * kDrgDecimalScale > i128(p.standard.fen()) * multiple)
    return by_item(DrgCasePayment::Kind::kHighOutlier, head + "; total " + c.total.ToString() +
                                                           " > " + Yuan9(multiple) +
                                                           " × standard (费用极高)");
  if (i128(c.total.fen()) * Ratio::kOne < i128(p.standard.fen()) * rule.low_outlier_ratio.ppm())
    return by_item(DrgCasePayment::Kind::kLowOutlier,
                   head + "; total " + c.total.ToString() + " < " +
                       rule.low_outlier_ratio.ToString() + " × standard (费用极低)");

  p.kind = DrgCasePayment::Kind::kNormal;
  std::string formula;
  p.fund_payment = DrgFormulaPayment(rule, p.standard, c, &formula);
  p.explanation = head + "; " + formula;
  p.hospital_gain = p.fund_payment - c.fund_item;
  return p;
}

Money DrgFormulaPayment(const DrgPaymentRule& rule, Money standard, const DrgCaseCosts& c,
                        std::string* explanation) {
  Money fund;
  if (rule.formula == DrgPaymentRule::Formula::kStandardMinusPaid) {
    Money others = c.total - c.fund_item;
    fund = Max(Money::Zero(), standard - others);
    *explanation = "fund pays standard − (total " + c.total.ToString() + " − fund item payment " +
                   c.fund_item.ToString() + ") = " + fund.ToString();
  } else {
    Money base = standard - c.ownpay - c.preselfpay - c.deductible;
    fund = base.fen() > 0 ? c.fund_ratio.Apply(base) : Money::Zero();
    *explanation = "fund pays (standard − 全自费 " + c.ownpay.ToString() + " − 先自付 " +
                   c.preselfpay.ToString() + " − 起付线 " + c.deductible.ToString() + ") × " +
                   c.fund_ratio.ToString() + " = " + fund.ToString();
  }
  return fund;
}

int64_t HighOutlierCap::Allowed(int64_t discharges) const {
  i128 num = i128(share.ppm()) * discharges;
  switch (rounding) {
    case Rounding::kFloor:
      return int64_t(num / Ratio::kOne);
    case Rounding::kHalfUp:
      return int64_t((num + Ratio::kOne / 2) / Ratio::kOne);
    case Rounding::kCeil:
      return int64_t((num + Ratio::kOne - 1) / Ratio::kOne);
  }
  return 0;
}

}  // namespace yibao
