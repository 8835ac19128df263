// `yibao pay`: case-mix payment of hospitals from a case file (docs/formats/drg.md "Payment
// cases", docs/formats/dip.md). Groups each case with the CHS-DRG grouper and pays it by DRG, or
// scores it by DIP, then writes one report: the cases, the per-hospital monthly statements, the
// annual clearing or the case-mix indicators. The work is the pure core's (src/drg); this file
// reads the files, drives it and prints.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "base/csv_reader.h"
#include "base/decimal.h"
#include "base/json_text.h"
#include "base/text.h"
#include "codes/icd_table.h"
#include "commands.h"
#include "drg/casemix_indicators.h"
#include "drg/dip_payment.h"
#include "drg/drg_batch.h"
#include "drg/drg_spec.h"
#include "drg/drg_statement.h"
#include "drg/grouper.h"
#include "drg/pay_case.h"

namespace yibao {
namespace {

constexpr size_t kProgressBytes = 4 << 20;  // case files above this report progress on stderr

struct PayArgs {
  std::string cases;
  std::string data_dir = YIBAO_DEFAULT_SHARED_DATA;
  std::string spec_dir;
  std::string drg_rule, drg_table, dip_rule, dip_table;
  std::string scores;
  std::string report = "cases";
  std::string format = "csv";
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Csv(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string Scaled(int64_t v, int64_t scale) {  // fixed point (scale a power of 10) → shortest
  int digits = 0;
  for (int64_t k = scale; k > 1; k /= 10) ++digits;
  return FormatScaledDecimal(v, digits);
}

// A report is a header and rows of (already formatted) cells; `text` marks string columns for
// JSON quoting (others are numbers, or null when empty).
struct Table {
  std::vector<std::string> header;
  std::vector<bool> text;
  std::vector<std::vector<std::string>> rows;
};

void Print(const Table& t, const std::string& format) {
  std::string out;
  if (format == "csv") {
    for (size_t i = 0; i < t.header.size(); ++i) out += (i ? "," : "") + t.header[i];
    out += '\n';
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + Csv(row[i]);
      out += '\n';
    }
  } else {
    for (const auto& row : t.rows) {
      out += '{';
      for (size_t i = 0; i < row.size(); ++i) {
        out += (i ? "," : "") + Json(t.header[i]) + ":";
        out += t.text[i] ? Json(row[i]) : (row[i].empty() ? "null" : row[i]);
      }
      out += "}\n";
    }
  }
  std::cout << out;
}

Table CaseReport(const std::vector<PaidCase>& cases, bool dip) {
  Table t;
  t.header = {"id",        "institution",  "level",  "discharge_date", "group",
              "kind",      "weight",       "points", "standard",       "total",
              "fund_item", "fund_payment", "gain",   "explanation"};
  t.text = {true,  true,  false, true,  true,  true,  false,
            false, false, false, false, false, false, true};
  for (const PaidCase& c : cases)
    t.rows.push_back({c.id, c.institution, std::to_string(c.level), c.discharge.ToString(), c.group,
                      std::string(c.kind),
                      c.weighted ? Scaled(c.weight, dip ? kDipScoreScale : kDrgDecimalScale) : "",
                      dip ? Scaled(c.points, kDipScoreScale) : "", dip ? "" : c.standard.ToString(),
                      c.total.ToString(), c.fund_item.ToString(), c.fund_payment.ToString(),
                      (c.fund_payment - c.fund_item).ToString(), c.explanation});
  return t;
}

Table StatementReport(const std::vector<MonthlyStatement>& statements, bool dip) {
  Table t;
  t.header = {"institution",  "year",       "month",   "cases",    "high_outliers",
              "low_outliers", "unweighted", "points",  "total",    "fund_item",
              "owed",         "advance",    "deposit", "remainder"};
  t.text = {true,  false, false, false, false, false, false,
            false, false, false, false, false, false, false};
  for (const MonthlyStatement& s : statements)
    t.rows.push_back({s.institution, std::to_string(s.year), std::to_string(s.month),
                      std::to_string(s.cases), std::to_string(s.high_outliers),
                      std::to_string(s.low_outliers), std::to_string(s.unweighted),
                      dip ? Scaled(s.points, kDipScoreScale) : "", s.total.ToString(),
                      s.fund_item.ToString(), s.owed.ToString(), s.advance.ToString(),
                      s.deposit.ToString(), s.remainder.ToString()});
  return t;
}

Table ClearingReport(const std::vector<AnnualClearing>& clearings, bool dip) {
  Table t;
  t.header = {"institution",
              "year",
              "months",
              "cases",
              "points",
              "owed_by_method",
              "advances",
              "deposit_held",
              "score",
              "score_given",
              "release",
              "deposit_released",
              "deposit_withheld",
              "amount_owed",
              "final_payment"};
  t.text = {true,  false, false, false, false, false, false, false,
            false, false, true,  false, false, false, false};
  for (const AnnualClearing& c : clearings)
    t.rows.push_back(
        {c.institution, std::to_string(c.year), std::to_string(c.months), std::to_string(c.cases),
         dip ? Scaled(c.points, kDipScoreScale) : "", c.owed_by_method.ToString(),
         c.advances.ToString(), c.deposit_held.ToString(), Scaled(c.score_x100, 100),
         c.score_given ? "true" : "false", c.release.ToString(), c.deposit_released.ToString(),
         c.deposit_withheld.ToString(), c.amount_owed.ToString(), c.final_payment.ToString()});
  return t;
}

Table IndicatorReport(const std::vector<CasemixIndicators>& xs, bool dip) {
  Table t;
  t.header = {"scope",           "institution",
              "group",           "cases",
              "weighted_cases",  dip ? "mean_score" : "cmi",
              "cost_per_weight", "cost_index",
              "high_outliers",   "high_rate",
              "low_outliers",    "low_rate",
              "total",           "fund_item",
              "fund_payment",    "gain"};
  t.text = {true,  true, true,  false, false, false, false, false,
            false, true, false, true,  false, false, false, false};
  int64_t scale = dip ? kDipScoreScale : kDrgDecimalScale;
  const CasemixIndicators& region = xs.front();
  for (const CasemixIndicators& x : xs)
    t.rows.push_back({CasemixScopeName(x.scope), x.institution, x.group, std::to_string(x.cases),
                      std::to_string(x.weighted_cases), FormatCmi(x, scale),
                      FormatCostPerWeight(x, scale), FormatCostIndex(x, region),
                      std::to_string(x.high_outliers),
                      FormatRate(x.high_outliers, x.weighted_cases), std::to_string(x.low_outliers),
                      FormatRate(x.low_outliers, x.weighted_cases), x.total.ToString(),
                      x.fund_item.ToString(), x.fund_payment.ToString(), x.gain().ToString()});
  return t;
}

// institution,score (0..100, ≤ 2 decimals): the annual assessment (考核得分).
Result<std::map<std::string, int64_t, std::less<>>> LoadScores(const std::string& path) {
  Result<std::string> text = ReadTextFile(path);
  if (!text) return text.errors();
  std::map<std::string, int64_t, std::less<>> scores;
  Diagnostics errors;
  CsvReader reader(*text);
  CsvRow row;
  if (!reader.Next(row)) return Diagnostic{path, 1, "", "empty: expected institution,score"};
  int inst = -1, score = -1;
  for (int i = 0; i < int(row.fields.size()); ++i) {
    std::string_view h = Trim(row.fields[i]);
    if (h == "institution" || h == "fixmedins_code") inst = i;
    if (h == "score") score = i;
  }
  if (inst < 0 || score < 0)
    return Diagnostic{path, row.line, "", "the header needs institution and score columns"};
  while (reader.Next(row)) {
    if (!row.error.empty() || int(row.fields.size()) <= std::max(inst, score)) {
      errors.push_back({path, row.line, "", row.error.empty() ? "short row" : row.error});
      continue;
    }
    std::string code(Trim(row.fields[inst]));
    auto v = ParseScaledDecimal(Trim(row.fields[score]), {.decimals = 2, .limit = 10000});
    if (!v)
      errors.push_back({path, row.line, "score", "expected 0..100 with at most 2 decimals"});
    else if (!scores.emplace(code, *v).second)
      errors.push_back({path, row.line, "institution", code + " is on an earlier line"});
  }
  if (!errors.empty()) return errors;
  return scores;
}

int Pay(const PayArgs& a) {
  const bool dip = !a.dip_rule.empty();
  auto fail = [](const Diagnostics& ds) {
    std::cerr << FormatDiagnostics(ds) << "\n";
    return 1;
  };
  // The method's rule and table.
  DrgPaymentRule drg_rule;
  DrgWeights weights;
  DipPaymentRule dip_rule;
  DipScoreTable dip_table;
  const PaymentSchedule* schedule = nullptr;
  if (dip) {
    Result<std::string> text = ReadTextFile(a.dip_rule);
    if (!text) return fail(text.errors());
    Result<DipPaymentRule> r = ParseDipPaymentRule(*text, a.dip_rule);
    if (!r) return fail(r.errors());
    Result<DipScoreTable> t = LoadDipScoreTable(a.dip_table);
    if (!t) return fail(t.errors());
    dip_rule = std::move(*r);
    dip_table = std::move(*t);
    schedule = &dip_rule.schedule;
  } else {
    Result<std::string> text = ReadTextFile(a.drg_rule);
    if (!text) return fail(text.errors());
    Result<DrgPaymentRule> r = ParseDrgPaymentRule(*text, a.drg_rule);
    if (!r) return fail(r.errors());
    Result<DrgWeights> w = LoadDrgWeights(a.drg_table);
    if (!w) return fail(w.errors());
    drg_rule = std::move(*r);
    weights = std::move(*w);
    schedule = &drg_rule.schedule;
  }
  std::map<std::string, int64_t, std::less<>> scores;
  if (!a.scores.empty()) {
    auto s = LoadScores(a.scores);
    if (!s) return fail(s.errors());
    scores = std::move(*s);
  }
  // The grouper, for DRG only (DIP matches codes against its own table).
  std::optional<DrgSpec> spec;
  std::optional<IcdTables> icd;
  DrgGrouper grouper;
  if (!dip) {
    Result<DrgSpec> s = LoadDrgSpec(a.spec_dir.empty() ? a.data_dir + "/chs-drg-1.1" : a.spec_dir);
    if (!s) return fail(s.errors());
    Result<IcdTables> i = IcdTables::LoadShared(a.data_dir + "/icd");
    if (!i) return fail(i.errors());
    spec = std::move(*s);
    icd = std::move(*i);
    grouper = DrgGrouper::Bind(&*spec, &*icd);
  }

  Result<std::string> text = ReadTextFile(a.cases);
  if (!text) return fail(text.errors());
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  const bool progress = text->size() > kProgressBytes;
  size_t bad = 0, read = 0;
  std::vector<DrgBatchCase> drg_cases;
  std::vector<DipCase> dip_cases;
  GroupResult grouped;
  auto sink = [&](Result<PayCaseRecord>&& r, size_t done) {
    if (!r.ok()) {
      ++bad;
      std::cerr << FormatDiagnostics(r.errors()) << "\n";
      return;
    }
    ++read;
    const PayCaseRecord& c = *r;
    if (dip) {
      DipCase d;
      d.id = c.grouping.id;
      d.institution = c.institution;
      d.level = c.level;
      d.discharge = c.discharge_date;
      d.main_dx = c.grouping.main_dx;
      d.procedures = c.grouping.procedures;
      d.procedure_class = c.procedure_class;
      d.total = c.total;
      d.fund_item = c.fund_item;
      dip_cases.push_back(std::move(d));
    } else {
      if (drg_rule.formula == DrgPaymentRule::Formula::kStandardMinusSelfpay && !c.fund_ratio) {
        ++bad;
        std::cerr << Diagnostic{a.cases, c.line, "fund_ratio",
                                "missing: the rule's formula standard_minus_selfpay needs it"}
                         .ToString()
                  << "\n";
        return;
      }
      GroupCase(grouper, c.grouping, &grouped);
      DrgBatchCase b;
      b.id = c.grouping.id;
      b.discharge = c.discharge_date;
      b.costs.drg = grouped.drg;
      b.costs.hospital_level = c.level;
      b.costs.institution = c.institution;
      b.costs.scheme = c.scheme;
      b.costs.total = c.total;
      b.costs.fund_item = c.fund_item;
      b.costs.ownpay = c.ownpay;
      b.costs.preselfpay = c.preselfpay;
      b.costs.deductible = c.deductible;
      b.costs.fund_ratio = c.fund_ratio.value_or(Ratio::Zero());
      drg_cases.push_back(std::move(b));
    }
    if (progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last > std::chrono::seconds(1)) {
        last = now;
        double secs = std::chrono::duration<double>(now - start).count();
        std::cerr << fmt::format("\r{:5.1f}%  {} cases  {:.0f} cases/s",
                                 100.0 * done / text->size(), read, read / secs)
                  << std::flush;
      }
    }
  };
  Diagnostics errors;
  bool ok = EndsWith(a.cases, ".csv") ? ForEachPayCaseCsv(*text, a.cases, sink, &errors)
                                      : ForEachPayCaseJson(*text, a.cases, sink, &errors);
  if (!ok) return fail(errors);
  if (progress) std::cerr << "\n";

  std::vector<PaidCase> paid;
  Diagnostics case_errors;
  if (dip) {
    Result<DipYear> year = SettleDipYear(dip_rule, dip_table, dip_cases, &case_errors);
    if (!year) return fail(year.errors());
    std::cerr << fmt::format(
        "DIP {}: budget {} − reserve {} − by item {} = {} shared over {} points; point value {}\n",
        dip_rule.year, year->budget.ToString(), year->reserve.ToString(), year->by_item.ToString(),
        year->distributable.ToString(), Scaled(year->total_points, kDipScoreScale),
        year->point_value);
    paid = std::move(year->cases);
  } else {
    paid = PayDrgBatch(drg_rule, weights, drg_cases, &case_errors);
  }
  for (Diagnostic& d : case_errors) d.file = a.cases;
  if (!case_errors.empty()) std::cerr << FormatDiagnostics(case_errors) << "\n";
  bad += case_errors.size();

  if (a.report == "cases") {
    Print(CaseReport(paid, dip), a.format);
  } else if (a.report == "statements") {
    Print(StatementReport(BuildMonthlyStatements(paid, *schedule), dip), a.format);
  } else if (a.report == "clearing") {
    Print(
        ClearingReport(ClearYears(BuildMonthlyStatements(paid, *schedule), *schedule, scores), dip),
        a.format);
  } else {
    Print(IndicatorReport(ComputeCasemixIndicators(paid), dip), a.format);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format("{} cases paid by {}; {} not read or not paid; {:.2f} s\n", paid.size(),
                           dip ? "DIP" : "DRG", bad, secs);
  return bad == 0 ? 0 : 1;
}

}  // namespace

void AddPayCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<PayArgs>();
  CLI::App* pay = app.add_subcommand(
      "pay", "DRG or DIP payment of hospitals: cases, monthly statements, clearing, indicators");
  pay->add_option("cases", args->cases, ".jsonl, .json or .csv file of cases with their costs")
      ->required();
  auto* drg_rule = pay->add_option("--drg-rule", args->drg_rule, "DRG payment rule (TOML)");
  auto* drg_table = pay->add_option("--drg-table", args->drg_table, "DRG group table (CSV)");
  auto* dip_rule = pay->add_option("--dip-rule", args->dip_rule, "DIP payment rule (TOML)");
  auto* dip_table = pay->add_option("--dip-table", args->dip_table, "DIP score table (CSV)");
  drg_rule->needs(drg_table);
  drg_table->needs(drg_rule);
  dip_rule->needs(dip_table);
  dip_table->needs(dip_rule);
  drg_rule->excludes(dip_rule);
  dip_rule->excludes(drg_rule);
  pay->add_option("--report", args->report, "cases, statements, clearing or indicators")
      ->check(CLI::IsMember({"cases", "statements", "clearing", "indicators"}));
  pay->add_option("--format", args->format, "csv or json (one object per line)")
      ->check(CLI::IsMember({"csv", "json"}));
  pay->add_option("--scores", args->scores,
                  "CSV institution,score: assessment scores that release the deposit");
  pay->add_option("--data", args->data_dir, "the shared reference data directory");
  pay->add_option("--spec", args->spec_dir,
                  "a CHS-DRG scheme directory (default <data>/chs-drg-1.1)");
  pay->callback([args, drg_rule, dip_rule, &run] {
    if (drg_rule->count() == 0 && dip_rule->count() == 0)
      throw CLI::ValidationError("pay",
                                 "give --drg-rule and --drg-table, or --dip-rule and --dip-table");
    run = [args] { return Pay(*args); };
  });
}

}  // namespace yibao
