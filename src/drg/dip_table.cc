#include "drg/dip_table.h"

#include <algorithm>
#include <set>

#include "base/csv_reader.h"
#include "base/decimal.h"
#include "base/text.h"

namespace yibao {
namespace {

constexpr int kMaxProcedures = 20;  // a combination longer than any real one: a broken cell

bool HeaderIs(std::string_view h, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), h) != names.end();
}

// "51.2300+51.2200" (also ';' or '|'): trimmed, upper-cased, sorted, no duplicates.
bool SplitCombination(std::string_view s, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= s.size()) {
    size_t p = s.find_first_of("+;|", start);
    if (p == std::string_view::npos) p = s.size();
    std::string_view code = Trim(s.substr(start, p - start));
    if (code.empty() && !Trim(s).empty()) return false;  // "a++b", "+a"
    if (!code.empty()) out->push_back(DipCode(code));
    start = p + 1;
  }
  std::sort(out->begin(), out->end());
  return std::adjacent_find(out->begin(), out->end()) == out->end();
}

bool IsSubset(const std::vector<std::string>& small, const std::vector<std::string>& big) {
  return std::includes(big.begin(), big.end(), small.begin(), small.end());
}

}  // namespace

std::string DipCode(std::string_view code) {
  std::string s(Trim(code));
  for (char& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = char(ch - 'a' + 'A');
  return s;
}

const char* DipProcedureClassName(DipProcedureClass c) {
  switch (c) {
    case DipProcedureClass::kConservative:
      return "保守治疗";
    case DipProcedureClass::kDiagnostic:
      return "诊断性操作";
    case DipProcedureClass::kTherapeutic:
      return "治疗性操作";
    case DipProcedureClass::kSurgery:
      return "相关手术";
  }
  return "?";
}

bool ParseDipProcedureClass(std::string_view text, DipProcedureClass* out) {
  text = Trim(text);
  if (text == "保守治疗" || text == "conservative")
    return *out = DipProcedureClass::kConservative, true;
  if (text == "诊断性操作" || text == "diagnostic")
    return *out = DipProcedureClass::kDiagnostic, true;
  if (text == "治疗性操作" || text == "therapeutic")
    return *out = DipProcedureClass::kTherapeutic, true;
  if (text == "相关手术" || text == "surgery") return *out = DipProcedureClass::kSurgery, true;
  return false;
}

Money DipScoreTable::MeanCost(const DipGroup& g, int level) const {
  if (level >= 1 && level <= 3 && !g.mean_cost_by_level[level].is_zero())
    return g.mean_cost_by_level[level];
  return g.mean_cost;
}

const DipGroup* DipScoreTable::Match(std::string_view main_dx,
                                     const std::vector<std::string>& procedures,
                                     DipProcedureClass procedure_class, std::string* how) const {
  std::string dx = DipCode(main_dx);
  std::vector<std::string> set;
  for (const std::string& p : procedures) set.push_back(DipCode(p));
  std::string main_proc = set.empty() ? "" : set.front();
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  for (size_t len = dx.size(); len >= 1; --len) {
    auto it = core_by_diagnosis.find(std::string_view(dx).substr(0, len));
    if (it == core_by_diagnosis.end()) continue;
    const DipGroup* best = nullptr;
    for (uint32_t id : it->second) {
      const DipGroup& g = groups[id];
      if (g.procedures == set) {
        best = &g;
        break;
      }
      bool fits = !main_proc.empty() && IsSubset(g.procedures, set) &&
                  std::binary_search(g.procedures.begin(), g.procedures.end(), main_proc);
      if (fits && (!best || g.procedures.size() > best->procedures.size())) best = &g;
    }
    if (best) {
      std::string combo;
      for (const std::string& p : best->procedures) combo += (combo.empty() ? "" : "+") + p;
      *how = "core group: diagnosis " + best->diagnosis +
             (combo.empty() ? " with no procedure (保守治疗)"
                            : (best->procedures == set ? " with exactly " : " with ") + combo);
      return best;
    }
  }
  std::string category = dx.substr(0, std::min<size_t>(3, dx.size()));
  auto it = comprehensive.find({category, int(procedure_class)});
  if (it == comprehensive.end()) {
    *how = "no core group for " + dx + " and no comprehensive group for " + category + " + " +
           DipProcedureClassName(procedure_class);
    return nullptr;
  }
  *how =
      "comprehensive group: category " + category + " + " + DipProcedureClassName(procedure_class);
  return &groups[it->second];
}

Result<DipScoreTable> ParseDipScoreTable(std::string_view text, std::string_view file_name) {
  std::string file(file_name);
  if (!IsValidUtf8(text)) return Diagnostic{file, 1, "", "not UTF-8 text"};
  DipScoreTable t;
  t.file = file;
  Diagnostics errors;
  CsvReader reader(text);
  CsvRow row;
  if (!reader.Next(row)) return Diagnostic{file, 1, "", "empty file: expected a header line"};
  if (!row.error.empty()) return Diagnostic{file, row.line, "", row.error};
  const std::vector<std::string> header = row.fields;
  int code_col = -1, name_col = -1, type_col = -1, dx_col = -1, proc_col = -1, class_col = -1,
      score_col = -1, mean_col = -1;
  int level_cols[4] = {-1, -1, -1, -1};
  for (int i = 0; i < int(header.size()); ++i) {
    std::string_view h = Trim(header[i]);
    int* col = nullptr;
    if (HeaderIs(h, {"group", "病种编码"}))
      col = &code_col;
    else if (HeaderIs(h, {"name", "病种名称"}))
      col = &name_col;
    else if (HeaderIs(h, {"type", "病种类型"}))
      col = &type_col;
    else if (HeaderIs(h, {"diagnosis", "诊断编码"}))
      col = &dx_col;
    else if (HeaderIs(h, {"procedures", "手术操作编码"}))
      col = &proc_col;
    else if (HeaderIs(h, {"procedure_class", "操作类别"}))
      col = &class_col;
    else if (HeaderIs(h, {"score", "病种分值"}))
      col = &score_col;
    else if (HeaderIs(h, {"mean_cost", "次均费用"}))
      col = &mean_col;
    else if (HeaderIs(h, {"mean_cost_1", "次均费用（一级）"}))
      col = &level_cols[1];
    else if (HeaderIs(h, {"mean_cost_2", "次均费用（二级）"}))
      col = &level_cols[2];
    else if (HeaderIs(h, {"mean_cost_3", "次均费用（三级）"}))
      col = &level_cols[3];
    if (!col) continue;  // other columns (notes, 参考权重) are the bureau's own
    if (*col >= 0)
      errors.push_back(Diagnostic{file, row.line, std::string(h), "column appears twice"});
    *col = i;
  }
  const char* required[][2] = {
      {"group", nullptr}, {"type", nullptr}, {"diagnosis", nullptr}, {"score", nullptr}};
  int* required_cols[] = {&code_col, &type_col, &dx_col, &score_col};
  for (int k = 0; k < 4; ++k)
    if (*required_cols[k] < 0)
      errors.push_back(
          Diagnostic{file, row.line, required[k][0], "missing column (see docs/formats/dip.md)"});
  if (!errors.empty()) return errors;

  std::set<std::string> codes;
  std::map<std::pair<std::string, std::vector<std::string>>, int> core_keys;
  std::map<std::pair<std::string, int>, int> comprehensive_lines;
  while (reader.Next(row)) {
    auto error = [&](int col, const std::string& msg) {
      if (errors.size() < kMaxDiagnosticsPerFile)
        errors.push_back(Diagnostic{
            file, row.line,
            col >= 0 && col < int(header.size()) ? std::string(Trim(header[col])) : "", msg});
    };
    if (!row.error.empty()) {
      error(row.error_field, row.error);
      continue;
    }
    if (row.fields.size() > header.size()) {
      error(-1, "more cells (" + std::to_string(row.fields.size()) + ") than header columns (" +
                    std::to_string(header.size()) + ")");
      continue;
    }
    row.fields.resize(header.size());
    auto cell = [&](int col) -> std::string_view {
      return col >= 0 ? Trim(row.fields[col]) : std::string_view();
    };
    size_t before = errors.size();
    DipGroup g;
    g.line = row.line;
    g.code = std::string(cell(code_col));
    g.name = std::string(cell(name_col));
    if (g.code.empty())
      error(code_col, "empty group code");
    else if (!codes.insert(g.code).second)
      error(code_col, "group " + g.code + " is on an earlier line");
    std::string_view type = cell(type_col);
    if (type == "core" || type == "核心" || type == "核心病种")
      g.core = true;
    else if (type == "comprehensive" || type == "综合" || type == "综合病种")
      g.core = false;
    else
      error(type_col, "expected core (核心病种) or comprehensive (综合病种), got \"" +
                          std::string(type) + "\"");
    g.diagnosis = DipCode(cell(dx_col));
    if (g.diagnosis.empty()) error(dx_col, "empty diagnosis");
    std::string_view procs = cell(proc_col);
    std::string_view cls = cell(class_col);
    if (g.core) {
      if (!SplitCombination(procs, &g.procedures))
        error(proc_col, "a combination is codes joined by '+', each once");
      else if (int(g.procedures.size()) > kMaxProcedures)
        error(proc_col, "more than " + std::to_string(kMaxProcedures) + " procedures");
      if (!cls.empty())
        error(class_col, "a core group has no procedure class (its combination says it)");
    } else {
      if (!procs.empty()) error(proc_col, "a comprehensive group has a procedure class, not codes");
      if (!ParseDipProcedureClass(cls, &g.procedure_class))
        error(class_col, "expected 保守治疗, 诊断性操作, 治疗性操作 or 相关手术, got \"" +
                             std::string(cls) + "\"");
      if (g.diagnosis.size() != 3)
        error(dx_col,
              "a comprehensive group's diagnosis is an ICD-10 category of 3 characters "
              "(K80), got \"" +
                  g.diagnosis + "\"");
    }
    auto score = ParseScaledDecimal(cell(score_col), {.decimals = 4, .limit = 1'000'000'000});
    if (!score || *score <= 0)
      error(score_col, "expected a positive score with at most 4 decimals, got \"" +
                           std::string(cell(score_col)) + "\"");
    else
      g.score = *score;
    auto money = [&](int col, Money* out) {
      std::string_view v = cell(col);
      if (v.empty()) return;
      auto m = Money::ParseYuan(v);
      if (!m || m->fen() <= 0)
        error(col,
              "expected a positive amount in yuan (≤ 2 decimals), got \"" + std::string(v) + "\"");
      else
        *out = *m;
    };
    money(mean_col, &g.mean_cost);
    for (int level = 1; level <= 3; ++level) money(level_cols[level], &g.mean_cost_by_level[level]);
    if (errors.size() != before) continue;
    if (g.core) {
      auto [it, fresh] = core_keys.emplace(std::make_pair(g.diagnosis, g.procedures), g.line);
      if (!fresh) {
        error(proc_col, "diagnosis " + g.diagnosis + " with this combination is already on line " +
                            std::to_string(it->second));
        continue;
      }
      t.core_by_diagnosis[g.diagnosis].push_back(uint32_t(t.groups.size()));
    } else {
      auto [it, fresh] =
          comprehensive_lines.emplace(std::make_pair(g.diagnosis, int(g.procedure_class)), g.line);
      if (!fresh) {
        error(class_col, "category " + g.diagnosis + " with " +
                             DipProcedureClassName(g.procedure_class) + " is already on line " +
                             std::to_string(it->second));
        continue;
      }
      t.comprehensive[{g.diagnosis, int(g.procedure_class)}] = uint32_t(t.groups.size());
    }
    t.groups.push_back(std::move(g));
  }
  if (!errors.empty()) return errors;
  if (t.groups.empty()) return Diagnostic{file, 1, "", "no groups: the table is empty"};
  return t;
}

Result<DipScoreTable> LoadDipScoreTable(const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text) return text.errors();
  return ParseDipScoreTable(*text, path);
}

}  // namespace yibao
