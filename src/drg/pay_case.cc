#include "drg/pay_case.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <map>

#include "base/csv_reader.h"
#include "base/text.h"
#include "drg/drg_case.h"

namespace yibao {
namespace {

// The cost fields: the name used here and in messages, then its national alias(es).
struct CostField {
  const char* name;
  const char* aliases[3];
};
constexpr CostField kCostFields[] = {
    {"institution", {"fixmedins_code", nullptr, nullptr}},
    {"level", {nullptr, nullptr, nullptr}},
    {"scheme", {"insutype", nullptr, nullptr}},
    {"discharge_date", {"dscg_date", "endtime", nullptr}},
    {"total", {"medfee_sumamt", nullptr, nullptr}},
    {"fund_item", {"hifp_pay", nullptr, nullptr}},
    {"ownpay", {"fulamt_ownpay_amt", nullptr, nullptr}},
    {"preselfpay", {"preselfpay_amt", nullptr, nullptr}},
    {"deductible", {"act_pay_dedc", nullptr, nullptr}},
    {"fund_ratio", {nullptr, nullptr, nullptr}},
    {"procedure_class", {nullptr, nullptr, nullptr}},
};

// The canonical name of a cost field, or nullptr.
const char* CostFieldName(std::string_view key) {
  for (const CostField& f : kCostFields) {
    if (key == f.name) return f.name;
    for (const char* a : f.aliases)
      if (a && key == a) return f.name;
  }
  return nullptr;
}

Diagnostic Bad(std::string_view file, int line, std::string_view field, std::string msg) {
  return Diagnostic{std::string(file), line, std::string(field), std::move(msg)};
}

// Sets one cost field from its text; a bad value becomes a diagnostic.
void SetCost(PayCaseRecord& r, std::string_view name, std::string_view v, std::string_view file,
             int line, Diagnostics& ds) {
  v = Trim(v);
  if (v.empty()) return;
  auto money = [&](Money* out) {
    auto m = Money::ParseYuan(v);
    if (!m || m->is_negative())
      ds.push_back(Bad(file, line, name,
                       fmt::format("\"{}\" is not an amount in yuan (≥ 0, ≤ 2 decimals)", v)));
    else
      *out = *m;
  };
  if (name == "institution") {
    r.institution = std::string(v);
  } else if (name == "level") {
    if (v.size() == 1 && v[0] >= '0' && v[0] <= '3')
      r.level = v[0] - '0';
    else
      ds.push_back(Bad(file, line, name, fmt::format("\"{}\" is not a hospital level 0..3", v)));
  } else if (name == "scheme") {
    if (v == "1" || v == "职工" || v == "310")
      r.scheme = 1;
    else if (v == "2" || v == "居民" || v == "390")
      r.scheme = 2;
    else if (v != "0")
      ds.push_back(Bad(file, line, name, fmt::format("\"{}\" is not 1/职工/310 or 2/居民/390", v)));
  } else if (name == "discharge_date") {
    if (auto d = Date::Parse(v))
      r.discharge_date = *d;
    else
      ds.push_back(Bad(file, line, name, fmt::format("\"{}\" is not a date YYYY-MM-DD", v)));
  } else if (name == "total") {
    money(&r.total);
  } else if (name == "fund_item") {
    money(&r.fund_item);
  } else if (name == "ownpay") {
    money(&r.ownpay);
  } else if (name == "preselfpay") {
    money(&r.preselfpay);
  } else if (name == "deductible") {
    money(&r.deductible);
  } else if (name == "fund_ratio") {
    auto q = Ratio::Parse(v);
    if (!q || q->ppm() < 0 || q->ppm() > Ratio::kOne)
      ds.push_back(Bad(file, line, name, fmt::format("\"{}\" is not a ratio 0%..100%", v)));
    else
      r.fund_ratio = *q;
  } else if (name == "procedure_class") {
    DipProcedureClass c;
    if (ParseDipProcedureClass(v, &c))
      r.procedure_class = c;
    else
      ds.push_back(Bad(file, line, name,
                       fmt::format("\"{}\" is not 保守治疗/诊断性操作/治疗性操作/相关手术", v)));
  }
}

// What every case needs, whatever the method.
void CheckRequired(const PayCaseRecord& r, bool seen_date, bool seen_total, bool seen_fund,
                   std::string_view file, int line, Diagnostics& ds) {
  if (r.institution.empty()) ds.push_back(Bad(file, line, "institution", "missing"));
  if (!seen_date) ds.push_back(Bad(file, line, "discharge_date", "missing"));
  if (!seen_total) ds.push_back(Bad(file, line, "total", "missing"));
  if (!seen_fund) ds.push_back(Bad(file, line, "fund_item", "missing"));
  if (seen_total && seen_fund && r.fund_item > r.total)
    ds.push_back(
        Bad(file, line, "fund_item",
            fmt::format("{} is above the total {}", r.fund_item.ToString(), r.total.ToString())));
}

Result<PayCaseRecord> ParsePayCaseJson(std::string_view object, std::string_view file, int line) {
  Result<DrgCase> c = ParseDrgCaseJson(object, file, line);
  Diagnostics ds;
  if (!c.ok()) ds = c.errors();
  static thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(object);
  simdjson::dom::object obj;
  if (parser.parse(padded).get(obj)) return ds;  // ParseDrgCaseJson said why
  PayCaseRecord r;
  r.line = line;
  bool date = false, total = false, fund = false;
  for (auto [key, v] : obj) {
    const char* name = CostFieldName(key);
    if (!name) continue;
    std::string text;
    std::string_view s;
    int64_t i;
    double d;
    if (!v.get(s)) {
      text = std::string(s);
    } else if (!v.get(i)) {
      text = std::to_string(i);
    } else if (!v.get(d)) {
      text = fmt::format("{}", d);  // shortest round-trip form: 12345.67 → "12345.67"
    } else if (v.is_null()) {
      continue;
    } else {
      ds.push_back(Bad(file, line, name, "must be a string or a number"));
      continue;
    }
    std::string_view n = name;
    date |= n == "discharge_date" && !Trim(text).empty();
    total |= n == "total" && !Trim(text).empty();
    fund |= n == "fund_item" && !Trim(text).empty();
    SetCost(r, n, text, file, line, ds);
  }
  CheckRequired(r, date, total, fund, file, line, ds);
  if (!ds.empty()) return ds;
  r.grouping = std::move(c.value());
  return r;
}

}  // namespace

bool ForEachPayCaseJson(std::string_view text, std::string_view file, const PayCaseSink& each,
                        Diagnostics* errors) {
  if (!IsValidUtf8(text)) {
    errors->push_back(Bad(file, 0, "", "not valid UTF-8 text"));
    return false;
  }
  std::string_view body = Trim(text);
  if (!body.empty() && body.front() == '[') {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(body);
    simdjson::dom::array arr;
    if (auto err = parser.parse(padded).get(arr)) {
      errors->push_back(Bad(
          file, 1, "", fmt::format("not a JSON array of cases: {}", simdjson::error_message(err))));
      return false;
    }
    size_t i = 0, n = arr.size();
    for (simdjson::dom::element e : arr) {
      std::string json = simdjson::to_string(e);
      Result<PayCaseRecord> r = ParsePayCaseJson(json, file, 0);
      if (!r.ok()) {
        Diagnostics ds = r.errors();
        for (Diagnostic& d : ds)
          d.field = fmt::format("[{}]{}{}", i, d.field.empty() ? "" : ".", d.field);
        r = Result<PayCaseRecord>(std::move(ds));
      }
      ++i;
      each(std::move(r), text.size() * i / (n ? n : 1));
    }
    return true;
  }
  LineReader lines(text);
  std::string_view line;
  size_t done = 0;
  while (lines.Next(line)) {
    done += line.size() + 1;
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') continue;
    each(ParsePayCaseJson(t, file, lines.line_number()), std::min(done, text.size()));
  }
  return true;
}

bool ForEachPayCaseCsv(std::string_view text, std::string_view file, const PayCaseSink& each,
                       Diagnostics* errors) {
  if (!IsValidUtf8(text)) {
    errors->push_back(Bad(file, 0, "", "not valid UTF-8 text"));
    return false;
  }
  CsvReader reader(text);
  CsvRow row;
  if (!reader.Next(row) || !row.error.empty()) {
    errors->push_back(Bad(file, row.line ? row.line : 1, "",
                          row.error.empty() ? "empty: a header line is needed" : row.error));
    return false;
  }
  std::map<std::string, int, std::less<>> col;  // every column by name; costs by canonical name
  for (size_t i = 0; i < row.fields.size(); ++i) {
    std::string_view h = Trim(row.fields[i]);
    const char* cost = CostFieldName(h);
    col.emplace(cost ? cost : std::string(h), int(i));
  }
  for (const char* need : {"main_dx", "institution", "discharge_date", "total", "fund_item"})
    if (!col.count(need)) {
      errors->push_back(Bad(file, row.line, "", fmt::format("the header has no {} column", need)));
      return false;
    }
  size_t total_lines = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  while (reader.Next(row)) {
    size_t done = text.size() * std::min<size_t>(row.line, total_lines) / total_lines;
    if (!row.error.empty()) {
      each(Result<PayCaseRecord>(Bad(file, row.line, "", row.error)), done);
      continue;
    }
    auto cell = [&](std::string_view name) -> std::string_view {
      auto it = col.find(name);
      if (it == col.end() || it->second >= int(row.fields.size())) return {};
      return Trim(row.fields[it->second]);
    };
    Result<DrgCase> c = DrgCaseFromCells(cell, file, row.line);
    Diagnostics ds;
    if (!c.ok()) ds = c.errors();
    PayCaseRecord r;
    r.line = row.line;
    for (const CostField& f : kCostFields) SetCost(r, f.name, cell(f.name), file, row.line, ds);
    CheckRequired(r, !cell("discharge_date").empty(), !cell("total").empty(),
                  !cell("fund_item").empty(), file, row.line, ds);
    if (!ds.empty()) {
      each(Result<PayCaseRecord>(std::move(ds)), done);
      continue;
    }
    r.grouping = std::move(c.value());
    each(std::move(r), done);
  }
  return true;
}

}  // namespace yibao
