#include "drg/drg_case.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <map>

#include "base/csv_reader.h"
#include "base/text.h"

namespace yibao {

namespace {

constexpr int kMaxCodes = 200;  // more codes than a settlement list has: a broken file

Diagnostic Bad(std::string_view file, int line, std::string_view field, std::string msg) {
  return Diagnostic{std::string(file), line, std::string(field), std::move(msg)};
}

bool ParseInt(std::string_view s, int* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Sex as the settlement list writes it: GB/T 2261.1 codes, or the words.
bool ParseSex(std::string_view s, int* out) {
  s = Trim(s);
  if (s.empty() || s == "0" || s == "9") return *out = 0, true;
  if (s == "1" || s == "M" || s == "m" || s == "男" || s == "male") return *out = 1, true;
  if (s == "2" || s == "F" || s == "f" || s == "女" || s == "female") return *out = 2, true;
  return false;
}

void SplitCodes(std::string_view s, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t p = s.find_first_of(";|", start);
    if (p == std::string_view::npos) p = s.size();
    std::string_view code = Trim(s.substr(start, p - start));
    if (!code.empty()) out->emplace_back(code);
    start = p + 1;
  }
}

}  // namespace

Result<DrgCase> ParseDrgCaseJson(std::string_view object, std::string_view file, int line) {
  static thread_local simdjson::dom::parser parser;  // reused: its buffers grow once
  simdjson::padded_string padded(object);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc))
    return Bad(file, line, "", fmt::format("not JSON: {}", simdjson::error_message(err)));
  simdjson::dom::object obj;
  if (doc.get(obj)) return Bad(file, line, "", "a case must be a JSON object");
  DrgCase c;
  Diagnostics errors;
  auto integer = [&](std::string_view key, simdjson::dom::element v, int* out, int lo, int hi) {
    int64_t n = 0;
    std::string_view text;
    if (!v.get(n)) {
      if (n < lo || n > hi) {
        errors.push_back(Bad(file, line, key, fmt::format("{} is out of range {}..{}", n, lo, hi)));
        return;
      }
      *out = static_cast<int>(n);
    } else if (!v.get(text)) {
      int parsed = 0;
      if (text.empty()) return;
      if (!ParseInt(text, &parsed) || parsed < lo || parsed > hi) {
        errors.push_back(
            Bad(file, line, key, fmt::format("\"{}\" is not an integer {}..{}", text, lo, hi)));
        return;
      }
      *out = parsed;
    } else if (!v.is_null()) {
      errors.push_back(Bad(file, line, key, "must be an integer"));
    }
  };
  auto codes = [&](std::string_view key, simdjson::dom::element v, std::vector<std::string>* out) {
    simdjson::dom::array arr;
    std::string_view text;
    if (!v.get(text)) {
      SplitCodes(text, out);
    } else if (!v.get(arr)) {
      for (simdjson::dom::element e : arr) {
        if (e.get(text)) {
          errors.push_back(Bad(file, line, key, "codes must be strings"));
          return;
        }
        out->emplace_back(Trim(text));
      }
    } else if (!v.is_null()) {
      errors.push_back(Bad(file, line, key, "must be an array of codes"));
    }
    if (out->size() > kMaxCodes)
      errors.push_back(Bad(file, line, key, fmt::format("more than {} codes", kMaxCodes)));
  };
  for (auto [key, v] : obj) {
    std::string_view text;
    if (key == "id") {
      int64_t n;
      if (!v.get(text))
        c.id = std::string(text);
      else if (!v.get(n))
        c.id = std::to_string(n);
      else
        errors.push_back(Bad(file, line, key, "must be a string or an integer"));
    } else if (key == "sex") {
      int64_t n;
      std::string s;
      if (!v.get(text))
        s = std::string(text);
      else if (!v.get(n))
        s = std::to_string(n);
      if (!ParseSex(s, &c.sex))
        errors.push_back(Bad(file, line, key, "must be 1 (male), 2 (female) or 0/9 (unknown)"));
    } else if (key == "age") {
      integer(key, v, &c.age_years, 0, 150);
    } else if (key == "age_days") {
      integer(key, v, &c.age_days, 0, 366);
    } else if (key == "weight") {
      integer(key, v, &c.birth_weight_g, 0, 10000);
    } else if (key == "los") {
      integer(key, v, &c.los_days, 0, 100000);
    } else if (key == "discharge") {
      integer(key, v, &c.discharge, 0, 9);
    } else if (key == "main_dx") {
      if (v.get(text))
        errors.push_back(Bad(file, line, key, "must be a string"));
      else
        c.main_dx = std::string(Trim(text));
    } else if (key == "secondary_dx") {
      codes(key, v, &c.secondary_dx);
    } else if (key == "procedures") {
      codes(key, v, &c.procedures);
    }
    // Other keys (expected results in golden files, the hospital's own fields) are ignored.
  }
  if (c.main_dx.empty() && errors.empty())
    errors.push_back(Bad(file, line, "main_dx", "missing: every case needs a main diagnosis"));
  if (!errors.empty()) return errors;
  return c;
}

bool ForEachDrgCaseJson(std::string_view text, std::string_view file, const DrgCaseSink& each,
                        Diagnostics* errors) {
  if (!IsValidUtf8(text)) {
    errors->push_back(Bad(file, 0, "", "not valid UTF-8 text"));
    return false;
  }
  std::string_view body = Trim(text);
  if (!body.empty() && body.front() == '[') {  // one array of cases
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
      ++i;
      std::string json = simdjson::to_string(e);  // owns its text
      Result<DrgCase> r = ParseDrgCaseJson(json, file, 0);
      if (!r.ok()) {
        Diagnostics ds = r.errors();
        for (Diagnostic& d : ds)
          d.field = fmt::format("[{}]{}{}", i - 1, d.field.empty() ? "" : ".", d.field);
        r = Result<DrgCase>(std::move(ds));
      }
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
    each(ParseDrgCaseJson(t, file, lines.line_number()), std::min(done, text.size()));
  }
  return true;
}

Result<DrgCase> DrgCaseFromCells(const DrgCaseCell& field, std::string_view file, int line) {
  DrgCase c;
  Diagnostics ds;
  c.id = std::string(field("id"));
  if (!ParseSex(field("sex"), &c.sex))
    ds.push_back(Bad(file, line, "sex", "must be 1 (male), 2 (female) or 0/9 (unknown)"));
  struct IntCol {
    const char* name;
    int* out;
    int lo, hi;
  } ints[] = {{"age", &c.age_years, 0, 150},
              {"age_days", &c.age_days, 0, 366},
              {"weight", &c.birth_weight_g, 0, 10000},
              {"los", &c.los_days, 0, 100000},
              {"discharge", &c.discharge, 0, 9}};
  for (const IntCol& ic : ints) {
    std::string_view v = field(ic.name);
    if (v.empty()) continue;
    int n = 0;
    if (!ParseInt(v, &n) || n < ic.lo || n > ic.hi)
      ds.push_back(Bad(file, line, ic.name,
                       fmt::format("\"{}\" is not an integer {}..{}", v, ic.lo, ic.hi)));
    else
      *ic.out = n;
  }
  c.main_dx = std::string(field("main_dx"));
  if (c.main_dx.empty())
    ds.push_back(Bad(file, line, "main_dx", "missing: every case needs a main diagnosis"));
  SplitCodes(field("secondary_dx"), &c.secondary_dx);
  SplitCodes(field("procedures"), &c.procedures);
  if (c.secondary_dx.size() > kMaxCodes || c.procedures.size() > kMaxCodes)
    ds.push_back(Bad(file, line, "", fmt::format("more than {} codes", kMaxCodes)));
  if (!ds.empty()) return ds;
  return c;
}

bool ForEachDrgCaseCsv(std::string_view text, std::string_view file, const DrgCaseSink& each,
                       Diagnostics* errors) {
  if (!IsValidUtf8(text)) {
    errors->push_back(Bad(file, 0, "", "not valid UTF-8 text"));
    return false;
  }
  CsvReader reader(text);
  CsvRow row;
  if (!reader.Next(row)) {
    errors->push_back(Bad(file, 1, "", "empty: a header line is needed"));
    return false;
  }
  if (!row.error.empty()) {
    errors->push_back(Bad(file, row.line, "", row.error));
    return false;
  }
  static const char* kColumns[] = {"id",  "sex",       "age",     "age_days",     "weight",
                                   "los", "discharge", "main_dx", "secondary_dx", "procedures"};
  std::map<std::string, int> col;
  for (size_t i = 0; i < row.fields.size(); ++i) {
    std::string name(Trim(row.fields[i]));
    bool known = false;
    for (const char* k : kColumns) known |= name == k;
    if (known) col[name] = static_cast<int>(i);
  }
  if (!col.count("main_dx")) {
    errors->push_back(Bad(file, row.line, "", "the header has no main_dx column"));
    return false;
  }
  // Rough progress: the reader does not expose its offset, so count lines against the total.
  size_t total_lines = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  while (reader.Next(row)) {
    size_t done = text.size() * std::min<size_t>(row.line, total_lines) / total_lines;
    if (!row.error.empty()) {
      each(Result<DrgCase>(Bad(file, row.line, "", row.error)), done);
      continue;
    }
    auto field = [&](std::string_view name) -> std::string_view {
      auto it = col.find(std::string(name));
      if (it == col.end() || it->second >= static_cast<int>(row.fields.size())) return {};
      return Trim(row.fields[it->second]);
    };
    each(DrgCaseFromCells(field, file, row.line), done);
  }
  return true;
}

}  // namespace yibao
