#include "drg/drg_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>

namespace yibao {

const char* DrgSeverityName(DrgSeverity s) {
  switch (s) {
    case DrgSeverity::kMcc:
      return "MCC";
    case DrgSeverity::kCc:
      return "CC";
    default:
      return "none";
  }
}

const char* DrgConditionKindName(DrgConditionKind k) {
  switch (k) {
    case DrgConditionKind::kMainDiagnosis:
      return "main-diagnosis";
    case DrgConditionKind::kAnyDiagnosis:
      return "any-diagnosis";
    case DrgConditionKind::kMainProcedure:
      return "main-procedure";
    case DrgConditionKind::kSomeProcedure:
      return "some-procedure";
    case DrgConditionKind::kSurgery:
      return "surgery";
    case DrgConditionKind::kMdcTable:
      return "mdc-table";
    case DrgConditionKind::kNoSurgery:
      return "no-surgery";
    case DrgConditionKind::kBirthWeightGrams:
      return "birth-weight";
    case DrgConditionKind::kAgeDays:
      return "age-days";
  }
  return "?";
}

bool DrgCodeSet::Contains(uint32_t id) const {
  return std::binary_search(ids.begin(), ids.end(), id);
}

uint32_t DrgSpec::DiagnosisId(std::string_view code) const {
  auto it = dx_ids_.find(code);
  return it == dx_ids_.end() ? kDrgNoCode : it->second;
}
uint32_t DrgSpec::ProcedureId(std::string_view code) const {
  auto it = proc_ids_.find(code);
  return it == proc_ids_.end() ? kDrgNoCode : it->second;
}
uint16_t DrgSpec::FindMdc(std::string_view code) const {
  if (code.size() == 1) {
    for (size_t i = 0; i < mdcs.size(); ++i)
      if (mdcs[i].letter == code[0]) return static_cast<uint16_t>(i);
    return kDrgNone;
  }
  auto it = mdc_ids_.find(code);
  return it == mdc_ids_.end() ? kDrgNone : static_cast<uint16_t>(it->second);
}
uint16_t DrgSpec::FindAdrg(std::string_view code) const {
  auto it = adrg_ids_.find(code);
  return it == adrg_ids_.end() ? kDrgNone : static_cast<uint16_t>(it->second);
}
uint16_t DrgSpec::FindDrg(std::string_view code) const {
  auto it = drg_ids_.find(code);
  return it == drg_ids_.end() ? kDrgNone : static_cast<uint16_t>(it->second);
}
bool DrgSpec::Excludes(uint16_t table, uint32_t main) const {
  if (table == kDrgNone || main >= dx_codes.size()) return false;
  auto b = dx_cce_tables.begin() + dx_cce_begin[main];
  auto e = dx_cce_tables.begin() + dx_cce_begin[main + 1];
  return std::binary_search(b, e, table);
}
std::string DrgSpec::Where(DrgSource s) const {
  std::string_view f = s.file < files.size() ? std::string_view(files[s.file]) : "?";
  if (size_t slash = f.rfind('/'); slash != std::string_view::npos) f.remove_prefix(slash + 1);
  return fmt::format("{}:{}", f, s.line);
}

namespace {

enum FileIndex : uint8_t {
  kMdcFile,
  kAdrgFile,
  kDrgFile,
  kDetailFile,
  kMccFile,
  kCcFile,
  kCceFile
};

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool CodeChars(std::string_view s) {
  for (char c : s)
    if (!(IsUpper(c) || IsDigit(c) || c == '.' || c == 'x' || c == '+' || c == '*')) return false;
  return true;
}
// Shape only (医保版 codes always carry the decimal point, which tells a code from words such as
// "T12" or "B12" inside names); membership is checked by lookup.
bool LooksLikeDiagnosis(std::string_view s) {
  return s.size() >= 5 && s.size() <= 40 && IsUpper(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) &&
         s[3] == '.' && CodeChars(s);
}
bool LooksLikeProcedure(std::string_view s) {
  return s.size() >= 4 && s.size() <= 40 && IsDigit(s[0]) && IsDigit(s[1]) && s[2] == '.' &&
         CodeChars(s);
}

// First whitespace-separated token and the rest (trimmed).
std::pair<std::string_view, std::string_view> SplitFirst(std::string_view line) {
  line = Trim(line);
  size_t sp = line.find_first_of(" \t");
  if (sp == std::string_view::npos) return {line, {}};
  return {line.substr(0, sp), Trim(line.substr(sp + 1))};
}

std::string CleanName(std::string_view name) {
  std::string out(name);
  for (size_t p; (p = out.find("~~")) != std::string::npos;) out.erase(p, 2);
  return out;
}

// The instruction text without a trailing colon (full-width or ASCII) and without spaces.
std::string Instruction(std::string_view line) {
  std::string s(Trim(line));
  for (std::string_view colon : {"：", ":"}) {
    if (s.size() >= colon.size() && s.compare(s.size() - colon.size(), colon.size(), colon) == 0)
      s.resize(s.size() - colon.size());
  }
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out += c;
  return out;
}

std::vector<std::string> SplitOn(const std::string& s, std::string_view sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + sep.size();
  }
  return parts;
}

}  // namespace

class DrgSpecParser {
 public:
  explicit DrgSpecParser(const DrgSpecTexts& t) : t_(t) {
    for (const NamedText* f : {&t.mdc, &t.adrg, &t.drg, &t.detail, &t.mcc, &t.cc, &t.cce})
      s_.files.emplace_back(f->file_name);
  }

  Result<DrgSpec> Run() {
    for (const NamedText* f : {&t_.mdc, &t_.adrg, &t_.drg, &t_.detail, &t_.mcc, &t_.cc, &t_.cce}) {
      if (!IsValidUtf8(f->text)) Error(FileOf(f), 0, "not valid UTF-8 text");
    }
    if (!errors_.empty()) return errors_;
    ParseMdcs();
    ParseAdrgs();
    ParseDrgs();
    if (!errors_.empty()) return errors_;
    ParseDetail();
    ParseCce();
    if (!errors_.empty()) return errors_;
    ParseSeverity(kMccFile, t_.mcc.text, DrgSeverity::kMcc);
    ParseSeverity(kCcFile, t_.cc.text, DrgSeverity::kCc);
    if (!errors_.empty()) return errors_;
    Finish();
    if (!errors_.empty()) return errors_;
    return std::move(s_);
  }

 private:
  uint8_t FileOf(const NamedText* f) {
    const NamedText* all[] = {&t_.mdc, &t_.adrg, &t_.drg, &t_.detail, &t_.mcc, &t_.cc, &t_.cce};
    for (uint8_t i = 0; i < 7; ++i)
      if (all[i] == f) return i;
    return 0;
  }
  void Error(uint8_t file, int line, std::string msg) {
    if (errors_.size() >= kMaxDiagnosticsPerFile) return;
    errors_.push_back(Diagnostic{s_.files[file], line, "", std::move(msg)});
  }

  uint32_t InternDx(std::string_view code) {
    auto [it, added] = s_.dx_ids_.try_emplace(std::string(code), s_.dx_codes.size());
    if (added) s_.dx_codes.emplace_back(code);
    return it->second;
  }
  uint32_t InternProc(std::string_view code) {
    auto [it, added] = s_.proc_ids_.try_emplace(std::string(code), s_.proc_codes.size());
    if (added) s_.proc_codes.emplace_back(code);
    return it->second;
  }
  uint32_t NewSet(bool procedures, std::string label, int line) {
    s_.sets.push_back(DrgCodeSet{procedures, std::move(label), {kDetailFile, line}, {}});
    return static_cast<uint32_t>(s_.sets.size() - 1);
  }

  // 1_MDC.txt: "MDCA 先期分组疾病及相关操作".
  void ParseMdcs() {
    LineReader r(t_.mdc.text);
    std::string_view line;
    while (r.Next(line)) {
      if (Trim(line).empty()) continue;
      auto [code, name] = SplitFirst(line);
      if (code.size() != 4 || code.substr(0, 3) != "MDC" || !IsUpper(code[3]) || name.empty()) {
        Error(kMdcFile, r.line_number(), fmt::format("expected \"MDCx name\", got \"{}\"", line));
        continue;
      }
      if (s_.mdc_ids_.count(code)) {
        Error(kMdcFile, r.line_number(), fmt::format("{} listed twice", code));
        continue;
      }
      if (s_.mdcs.size() >= 32) {
        Error(kMdcFile, r.line_number(), "more than 32 MDCs");
        return;
      }
      s_.mdc_ids_.emplace(std::string(code), s_.mdcs.size());
      DrgMdc m;
      m.code = std::string(code);
      m.letter = code[3];
      m.name = CleanName(name);
      m.source = {kMdcFile, r.line_number()};
      m.pre_mdc = s_.mdcs.empty();  // convention: the first MDC is the pre-MDC category
      s_.mdcs.push_back(std::move(m));
    }
    if (s_.mdcs.empty())
      Error(kMdcFile, 1, "no MDC");
    else
      s_.pre_mdc_ = 0;
  }

  // 2_ADRG.txt: "BB1 脑创伤开颅术".
  void ParseAdrgs() {
    LineReader r(t_.adrg.text);
    std::string_view line;
    while (r.Next(line)) {
      if (Trim(line).empty()) continue;
      auto [code, name] = SplitFirst(line);
      if (code.size() != 3 || !IsUpper(code[0]) || !IsUpper(code[1]) || !IsDigit(code[2]) ||
          name.empty()) {
        Error(kAdrgFile, r.line_number(), fmt::format("expected \"ADRG name\", got \"{}\"", line));
        continue;
      }
      uint16_t mdc = s_.FindMdc(code.substr(0, 1));
      if (mdc == kDrgNone) {
        Error(kAdrgFile, r.line_number(), fmt::format("{}: no MDC{} in 1_MDC", code, code[0]));
        continue;
      }
      if (s_.adrg_ids_.count(code)) {
        Error(kAdrgFile, r.line_number(), fmt::format("{} listed twice", code));
        continue;
      }
      s_.adrg_ids_.emplace(std::string(code), s_.adrgs.size());
      DrgAdrg a;
      a.code = std::string(code);
      a.name = CleanName(name);
      a.mdc = mdc;
      a.surgical = code[1] >= 'A' && code[1] <= 'J';
      a.source = {kAdrgFile, r.line_number()};
      ParseNameConditions(a);
      s_.adrgs.push_back(std::move(a));
    }
  }

  // Birth weight and age ranges that the name states and the lists do not.
  void ParseNameConditions(DrgAdrg& a) {
    static const std::regex weight(
        "出生体重\\s*(?:(＜|<)\\s*([0-9]{1,6})|([0-9]{1,6})\\s*[-－~]\\s*([0-9]{1,6})|(＞|>)\\s*(["
        "0-9]{1,6}))\\s*"
        "g");
    static const std::regex age(
        "(?:([0-9]{1,6})\\s*(天|周岁)\\s*(≤|<=)\\s*)?出生年龄\\s*(＜|<)\\s*([0-9]{1,6})\\s*(天|"
        "周岁)");
    std::smatch m;
    if (std::regex_search(a.name, m, weight)) {
      DrgCondition c{DrgConditionKind::kBirthWeightGrams, 0, 0, INT32_MAX, a.source};
      if (m[2].matched) c.hi = std::stoi(m[2]) - 1;
      if (m[3].matched) c.lo = std::stoi(m[3]), c.hi = std::stoi(m[4]);
      if (m[6].matched) c.lo = std::stoi(m[6]) + 1;
      a.implied.push_back(c);
    }
    if (std::regex_search(a.name, m, age)) {
      auto days = [](int n, const std::string& unit) { return unit == "天" ? n : n * 365; };
      DrgCondition c{DrgConditionKind::kAgeDays, 0, 0, 0, a.source};
      if (m[1].matched) c.lo = days(std::stoi(m[1]), m[2]);
      c.hi = days(std::stoi(m[5]), m[6]) - 1;
      a.implied.push_back(c);
    }
  }

  // 3_DRG.txt: "BB11 脑创伤开颅术，伴严重并发症或合并症".
  void ParseDrgs() {
    LineReader r(t_.drg.text);
    std::string_view line;
    while (r.Next(line)) {
      if (Trim(line).empty()) continue;
      auto [code, name] = SplitFirst(line);
      if (code.size() != 4 || name.empty()) {
        Error(kDrgFile, r.line_number(), fmt::format("expected \"DRG name\", got \"{}\"", line));
        continue;
      }
      char split = code[3];
      if (split != '1' && split != '3' && split != '5' && split != '9') {
        Error(kDrgFile, r.line_number(),
              fmt::format("{}: the fourth character must be 1, 3, 5 or 9", code));
        continue;
      }
      uint16_t adrg = s_.FindAdrg(code.substr(0, 3));
      if (adrg == kDrgNone) {
        Error(kDrgFile, r.line_number(),
              fmt::format("{}: ADRG {} is not in 2_ADRG", code, code.substr(0, 3)));
        continue;
      }
      if (s_.drg_ids_.count(code)) {
        Error(kDrgFile, r.line_number(), fmt::format("{} listed twice", code));
        continue;
      }
      for (uint16_t other : s_.adrgs[adrg].drgs) {
        if (s_.drgs[other].split == split)
          Error(kDrgFile, r.line_number(), fmt::format("{}: split {} given twice", code, split));
      }
      s_.drg_ids_.emplace(std::string(code), s_.drgs.size());
      s_.adrgs[adrg].drgs.push_back(static_cast<uint16_t>(s_.drgs.size()));
      s_.drgs.push_back(
          DrgDrg{std::string(code), CleanName(name), adrg, split, {kDrgFile, r.line_number()}});
    }
    for (const DrgAdrg& a : s_.adrgs) {
      if (a.drgs.empty())
        Error(a.source.file, a.source.line, fmt::format("{} has no DRG in 3_DRG", a.code));
      bool unsplit = false;
      for (uint16_t d : a.drgs) unsplit |= s_.drgs[d].split == '9';
      if (unsplit && a.drgs.size() > 1)
        Error(a.source.file, a.source.line,
              fmt::format("{} has an unsplit DRG (…9) beside split ones", a.code));
    }
  }

  // ---- 4_ADRG_DETAIL.txt ----------------------------------------------------------------------
  struct Pending {  // the ADRG being read
    uint16_t adrg = kDrgNone;
    std::vector<DrgCondition> plain;  // conditions of the single alternative
    bool formula = false;
    std::vector<std::pair<std::vector<std::string>, int>> formulas;  // named tables per line
    std::map<std::string, std::pair<DrgConditionKind, uint32_t>> named;
    bool any_line = false;
  };

  void ParseDetail() {
    LineReader r(t_.detail.text);
    std::string_view raw;
    uint16_t mdc = kDrgNone;
    bool in_table = false;  // inside "MDCx 主诊表"
    uint32_t site_set = UINT32_MAX;
    uint32_t list = UINT32_MAX;   // the set that code lines go to
    uint32_t list2 = UINT32_MAX;  // a second set (MDC table union beside a site)
    std::vector<bool> seen(s_.adrgs.size(), false);
    Pending p;
    auto flush = [&] {
      if (p.adrg != kDrgNone) FinishAdrg(p);
      p = Pending();
    };
    while (r.Next(raw)) {
      std::string_view line = Trim(raw);
      int ln = r.line_number();
      if (line.empty()) continue;
      auto [first, rest] = SplitFirst(line);
      // MDC header or its table.
      if (first.size() == 4 && first.substr(0, 3) == "MDC" && IsUpper(first[3])) {
        flush();
        uint16_t m = s_.FindMdc(first);
        if (m == kDrgNone) {
          Error(kDetailFile, ln, fmt::format("{} is not in 1_MDC", first));
          mdc = kDrgNone;
          continue;
        }
        list = list2 = site_set = UINT32_MAX;
        if (Instruction(rest) == "主诊表") {
          if (m != mdc) {
            Error(kDetailFile, ln, fmt::format("{} 主诊表 outside its MDC", first));
            continue;
          }
          if (s_.mdcs[m].table != UINT32_MAX)
            Error(kDetailFile, ln, fmt::format("{} has a second 主诊表", first));
          s_.mdcs[m].table = NewSet(false, std::string(first) + " 主诊表", ln);
          in_table = true;
        } else {
          mdc = m;
          in_table = false;
        }
        continue;
      }
      // ADRG header.
      if (first.size() == 3 && IsUpper(first[0]) && IsUpper(first[1]) && IsDigit(first[2]) &&
          !rest.empty()) {
        flush();
        in_table = false;
        list = list2 = UINT32_MAX;
        uint16_t a = s_.FindAdrg(first);
        if (a == kDrgNone) {
          Error(kDetailFile, ln, fmt::format("ADRG {} is not in 2_ADRG", first));
          continue;
        }
        if (mdc == kDrgNone || s_.mdcs[mdc].letter != first[0]) {
          Error(kDetailFile, ln, fmt::format("ADRG {} outside MDC{}", first, first[0]));
          continue;
        }
        if (seen[a]) {
          Error(kDetailFile, ln, fmt::format("ADRG {} described twice", first));
          continue;
        }
        seen[a] = true;
        s_.adrgs[a].detail = {kDetailFile, ln};
        s_.mdcs[mdc].adrgs.push_back(a);
        p.adrg = a;
        continue;
      }
      // A code line.
      bool dx = LooksLikeDiagnosis(first), px = LooksLikeProcedure(first);
      if (dx || px) {
        if (list == UINT32_MAX) {
          Error(kDetailFile, ln, fmt::format("code {} outside any list", first));
          continue;
        }
        DrgCodeSet& set = s_.sets[list];
        if (set.procedures != px) {
          Error(
              kDetailFile, ln,
              fmt::format("{} is a {} code in a list of {}", first, px ? "procedure" : "diagnosis",
                          set.procedures ? "procedures" : "diagnoses"));
          continue;
        }
        uint32_t id = px ? InternProc(first) : InternDx(first);
        set.ids.push_back(id);
        if (list2 != UINT32_MAX) s_.sets[list2].ids.push_back(id);
        continue;
      }
      std::string ins = Instruction(line);
      if (in_table) {
        if (ins == "包含以下主要诊断") {
          list = site_set != UINT32_MAX ? site_set : s_.mdcs[mdc].table;
          list2 = site_set != UINT32_MAX ? s_.mdcs[mdc].table : UINT32_MAX;
        } else {
          // A named part of the MDC table (MDCZ's body sites).
          site_set = NewSet(false, ins, ln);
          s_.mdcs[mdc].sites.push_back(DrgSite{std::string(line), site_set});
          list = list2 = UINT32_MAX;
        }
        continue;
      }
      if (p.adrg == kDrgNone) {
        Error(kDetailFile, ln, fmt::format("\"{}\" outside any ADRG", line));
        continue;
      }
      if (!Rule(p, ins, std::string(line), ln, list)) {
        Error(kDetailFile, ln,
              fmt::format("unrecognised rule line \"{}\" in ADRG {}", line, s_.adrgs[p.adrg].code));
      }
    }
    flush();
    for (size_t a = 0; a < s_.adrgs.size(); ++a) {
      if (!seen[a])
        Error(kAdrgFile, s_.adrgs[a].source.line,
              fmt::format("ADRG {} has no rules in 4_ADRG_DETAIL", s_.adrgs[a].code));
    }
    for (const DrgMdc& m : s_.mdcs) {
      if (!m.pre_mdc && m.table == UINT32_MAX)
        Error(kMdcFile, m.source.line, fmt::format("{} has no 主诊表 in 4_ADRG_DETAIL", m.code));
    }
  }

  // One rule line of an ADRG; sets `list` to the set that the following code lines fill.
  bool Rule(Pending& p, const std::string& ins, const std::string& line, int ln, uint32_t& list) {
    DrgSource src{kDetailFile, ln};
    auto add = [&](DrgConditionKind kind, bool procedures) {
      list = NewSet(procedures, line, ln);
      p.plain.push_back(DrgCondition{kind, list, 0, 0, src});
      p.any_line = true;
      return true;
    };
    if (ins == "包含以下主要诊断") return add(DrgConditionKind::kMainDiagnosis, false);
    if (ins == "包含以下主要手术或操作") return add(DrgConditionKind::kMainProcedure, true);
    if (ins == "同时包含以下手术" || ins == "和") {
      if (ins == "和" &&
          (p.plain.empty() || p.plain.back().kind != DrgConditionKind::kSomeProcedure))
        return false;
      return add(DrgConditionKind::kSomeProcedure, true);
    }
    if (ins == "主要诊断或其他诊断中包含以下诊断" || ins == "包含以下诊断")
      return add(DrgConditionKind::kAnyDiagnosis, false);
    if (ins == "全部手术" || ins == "包含全部手术") {
      p.plain.push_back(DrgCondition{DrgConditionKind::kSurgery, 0, 0, 0, src});
      p.any_line = true;
      list = UINT32_MAX;
      return true;
    }
    if (ins.rfind("符合", 0) == 0) {  // 符合 MDCZ 主诊表[，且无手术]
      std::vector<std::string> parts = SplitOn(ins, "，");
      std::string head = parts[0].substr(std::string("符合").size());
      size_t t = head.find("主诊表");
      if (t == std::string::npos || t != head.size() - std::string("主诊表").size()) return false;
      uint16_t m = s_.FindMdc(head.substr(0, t));
      if (m == kDrgNone) return false;
      p.plain.push_back(DrgCondition{DrgConditionKind::kMdcTable, m, 0, 0, src});
      for (size_t i = 1; i < parts.size(); ++i) {
        if (parts[i] == "且无手术" || parts[i] == "无手术")
          p.plain.push_back(DrgCondition{DrgConditionKind::kNoSurgery, 0, 0, 0, src});
        else
          return false;
      }
      p.any_line = true;
      list = UINT32_MAX;
      return true;
    }
    // Formula: [或]包含以下主要诊断+手术表 1+手术表 2.
    if (ins.find('+') != std::string::npos) {
      std::string f = ins.rfind("或", 0) == 0 ? ins.substr(std::string("或").size()) : ins;
      std::vector<std::string> names;
      for (std::string part : SplitOn(f, "+")) {
        if (part == "包含以下主要诊断") part = "主要诊断";
        if (part.rfind("包含", 0) == 0) part = part.substr(std::string("包含").size());
        std::string key = TableKey(part);
        if (key.empty()) return false;
        names.push_back(key);
      }
      p.formula = true;
      p.formulas.emplace_back(std::move(names), ln);
      p.any_line = true;
      list = UINT32_MAX;
      return true;
    }
    // A named table of a formula: "主要诊断：", "手术表 1：", "手术 1：".
    if (p.formula) {
      std::string key = TableKey(ins);
      if (key.empty()) return false;
      bool procedures = key != "主要诊断";
      list = NewSet(procedures, line, ln);
      if (p.named.count(key)) return false;
      p.named[key] = {
          procedures ? DrgConditionKind::kSomeProcedure : DrgConditionKind::kMainDiagnosis, list};
      return true;
    }
    return false;
  }

  // "主要诊断" → "主要诊断"; "手术表1" / "手术1" → "手术表1"; anything else → "".
  static std::string TableKey(const std::string& s) {
    if (s == "主要诊断") return s;
    std::string n;
    if (s.rfind("手术表", 0) == 0)
      n = s.substr(std::string("手术表").size());
    else if (s.rfind("手术", 0) == 0)
      n = s.substr(std::string("手术").size());
    else
      return "";
    if (n.empty() || !std::all_of(n.begin(), n.end(), IsDigit)) return "";
    return "手术表" + n;
  }

  void FinishAdrg(Pending& p) {
    DrgAdrg& a = s_.adrgs[p.adrg];
    if (p.formula) {
      if (!p.plain.empty())
        Error(kDetailFile, p.plain.front().source.line,
              fmt::format("ADRG {} mixes a formula with plain lists", a.code));
      for (auto& [names, ln] : p.formulas) {
        DrgAlternative alt;
        for (const std::string& n : names) {
          auto it = p.named.find(n);
          if (it == p.named.end()) {
            Error(kDetailFile, ln,
                  fmt::format("ADRG {}: the formula names \"{}\", which is not "
                              "given",
                              a.code, n));
            continue;
          }
          alt.all.push_back(
              DrgCondition{it->second.first, it->second.second, 0, 0, {kDetailFile, ln}});
        }
        a.any.push_back(std::move(alt));
      }
    } else if (!p.plain.empty()) {
      a.any.push_back(DrgAlternative{std::move(p.plain)});
    }
    if (a.any.empty()) {
      if (!a.surgical) {
        Error(kDetailFile, a.detail.line, fmt::format("ADRG {} has no rule", a.code));
        return;
      }
      ++s_.anomalies.empty_adrgs;
      a.any.push_back(
          DrgAlternative{{DrgCondition{DrgConditionKind::kSurgery, 0, 0, 0, a.detail}}});
    }
    // A surgical ADRG whose alternative names no procedure needs a surgical main procedure.
    if (a.surgical) {
      for (DrgAlternative& alt : a.any) {
        bool procedure = false;
        for (const DrgCondition& c : alt.all) {
          procedure |= c.kind == DrgConditionKind::kMainProcedure ||
                       c.kind == DrgConditionKind::kSomeProcedure ||
                       c.kind == DrgConditionKind::kSurgery;
        }
        if (!procedure)
          alt.all.push_back(DrgCondition{DrgConditionKind::kSurgery, 0, 0, 0, a.detail});
      }
    }
    for (const DrgAlternative& alt : a.any) {
      for (const DrgCondition& c : alt.all) {
        bool coded = c.kind == DrgConditionKind::kMainDiagnosis ||
                     c.kind == DrgConditionKind::kAnyDiagnosis ||
                     c.kind == DrgConditionKind::kMainProcedure ||
                     c.kind == DrgConditionKind::kSomeProcedure;
        if (coded && s_.sets[c.set].ids.empty())
          Error(kDetailFile, c.source.line,
                fmt::format("ADRG {}: the list \"{}\" is empty", a.code, s_.sets[c.set].label));
      }
    }
  }

  // ---- tokens ---------------------------------------------------------------------------------
  // 5_MCC, 6_CC and 7_CCE are transcribed from PDF tables: names wrap onto the next line, page
  // breaks merge several rows and a page number into one line, and now and then a code is glued
  // to the end of the name before it ("其他特指的J63.800x001"). They are read as a stream of
  // whitespace-separated tokens with line numbers; a token whose ASCII code follows non-ASCII text
  // directly is split in two.
  struct Tok {
    std::string_view s;
    int line;
  };
  std::vector<Tok> Tokenize(std::string_view text) {
    std::vector<Tok> toks;
    LineReader r(text);
    std::string_view line;
    while (r.Next(line)) {
      while (true) {
        size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string_view::npos) break;
        line.remove_prefix(b);
        size_t e = line.find_first_of(" \t\r");
        std::string_view tok = line.substr(0, e);
        line.remove_prefix(e == std::string_view::npos ? line.size() : e);
        for (size_t k = 1; k + 2 < tok.size(); ++k) {
          if (static_cast<unsigned char>(tok[k - 1]) >= 0x80 && IsUpper(tok[k]) &&
              IsDigit(tok[k + 1]) && IsDigit(tok[k + 2]) && LooksLikeDiagnosis(tok.substr(k))) {
            toks.push_back({tok.substr(0, k), r.line_number()});
            tok = tok.substr(k);
            ++s_.anomalies.glued_codes;
            break;
          }
        }
        toks.push_back({tok, r.line_number()});
      }
    }
    return toks;
  }
  static bool IsTableRef(std::string_view s) {
    return !s.empty() && IsDigit(s[0]) && s.find('-') != std::string_view::npos &&
           std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c) || c == '-'; });
  }
  static bool AllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
  }
  // "表 N-M" (two tokens) or "表N-M" at toks[j]: the reference and the tokens used, else 0.
  static size_t TableRefAt(const std::vector<Tok>& toks, size_t j, std::string_view* ref) {
    std::string_view s = toks[j].s;
    if (s == "表" && j + 1 < toks.size() && IsTableRef(toks[j + 1].s)) {
      *ref = toks[j + 1].s;
      return 2;
    }
    if (s.rfind("表", 0) == 0 && IsTableRef(s.substr(std::string_view("表").size()))) {
      *ref = s.substr(std::string_view("表").size());
      return 1;
    }
    return 0;
  }

  // ---- 7_CCE.txt: "表 N-M", "包含以下主要诊断：", then "code name" rows ----------------------
  void ParseCce() {
    std::vector<Tok> toks = Tokenize(t_.cce.text);
    std::map<std::string, uint16_t, std::less<>> names;
    bool after_code = false;
    for (size_t j = 0; j < toks.size();) {
      const Tok& t = toks[j];
      std::string_view ref;
      if (size_t used = TableRefAt(toks, j, &ref)) {
        if (names.count(ref)) Error(kCceFile, t.line, fmt::format("表 {} given twice", ref));
        names.emplace(std::string(ref), static_cast<uint16_t>(s_.cce.size()));
        s_.cce.push_back(DrgCceTable{std::string(ref), {kCceFile, t.line}, {}});
        after_code = false;
        j += used;
        continue;
      }
      if (Instruction(t.s) == "包含以下主要诊断") {
        if (s_.cce.empty()) Error(kCceFile, t.line, "a list before any \"表 N-M\"");
        ++j;
        continue;
      }
      if (LooksLikeDiagnosis(t.s)) {
        if (s_.cce.empty()) {
          Error(kCceFile, t.line, "a code before any \"表 N-M\"");
        } else {
          s_.cce.back().main_diagnoses.push_back(InternDx(t.s));
          after_code = true;
        }
        ++j;
        continue;
      }
      if (AllDigits(t.s)) {  // a page number of the transcription
        ++s_.anomalies.page_noise_lines;
        ++j;
        continue;
      }
      if (!after_code) Error(kCceFile, t.line, fmt::format("unexpected \"{}\"", t.s));
      ++j;  // a word of the name of the code before
    }
    if (s_.cce.size() >= kDrgNone) Error(kCceFile, 0, "too many exclusion tables");
  }

  // ---- 5_MCC.txt, 6_CC.txt: "code name 表 N-M" or "code name 无", read as a token stream
  // because the transcription wraps names over lines and merges page breaks into lines.
  void ParseSeverity(uint8_t file, std::string_view text, DrgSeverity severity) {
    std::vector<Tok> toks;
    for (const Tok& t : Tokenize(text)) {
      if (t.s == "疾病编码" || t.s == "疾病名称" || t.s == "排除内容") {  // a repeated header
        ++s_.anomalies.page_noise_lines;
        continue;
      }
      toks.push_back(t);
    }
    std::map<std::string, uint16_t, std::less<>> tables;
    for (size_t i = 0; i < s_.cce.size(); ++i) tables[s_.cce[i].name] = static_cast<uint16_t>(i);
    size_t i = 0;
    while (i < toks.size()) {
      const Tok& t = toks[i];
      if (!LooksLikeDiagnosis(t.s)) {
        if (AllDigits(t.s)) {  // a page number
          ++s_.anomalies.page_noise_lines;
          ++i;
          continue;
        }
        Error(file, t.line, fmt::format("expected a diagnosis code, got \"{}\"", t.s));
        ++i;
        continue;
      }
      // A record: code, name tokens, then "表 N-M" / "表N-M" / "无".
      size_t j = i + 1;
      bool done = false;
      uint16_t table = kDrgNone;
      bool bad = false;
      int end_line = t.line;
      while (j < toks.size()) {
        std::string_view s = toks[j].s;
        if (s == "无") {
          done = true;
          end_line = toks[j].line;
          ++j;
          break;
        }
        std::string_view ref;
        size_t used = TableRefAt(toks, j, &ref);
        if (used) {
          end_line = toks[j].line;
          auto it = tables.find(ref);
          if (it == tables.end()) {
            Error(file, toks[j].line, fmt::format("{}: 表 {} is not in 7_CCE", t.s, ref));
            bad = true;
          } else {
            table = it->second;
          }
          done = true;
          j += used;
          break;
        }
        if (LooksLikeDiagnosis(s) && j > i + 1) {
          Error(file, t.line,
                fmt::format("{}: no exclusion column (表 N-M or 无) before the next code {}", t.s,
                            s));
          bad = true;
          break;
        }
        ++j;
      }
      if (!done && !bad) {
        Error(file, t.line, fmt::format("{}: no exclusion column (表 N-M or 无)", t.s));
      }
      if (done && !bad) {
        {
          bool named = false;
          for (size_t k = i + 1; k < j; ++k)
            if (toks[k].s != "无" && toks[k].s.rfind("表", 0) != 0) named = true;
          if (!named) Error(file, t.line, fmt::format("{}: no name", t.s));
        }
        if (end_line != t.line) ++s_.anomalies.wrapped_name_lines;
        uint32_t id = InternDx(t.s);
        Grow();
        if (severity == DrgSeverity::kCc && s_.dx_severity[id] == DrgSeverity::kMcc) {
          ++s_.anomalies.cc_also_mcc;
        } else if (s_.dx_severity[id] == severity) {
          if (s_.dx_cce[id] == table) {
            ++s_.anomalies.duplicate_rows;
          } else {
            Error(file, t.line,
                  fmt::format("{} listed twice with different exclusion tables (first at line {})",
                              t.s, s_.dx_severity_source[id].line));
          }
        } else {
          s_.dx_severity[id] = severity;
          s_.dx_cce[id] = table;
          s_.dx_severity_source[id] = {file, t.line};
        }
      }
      i = j > i ? j : i + 1;
    }
  }

  void Grow() {
    size_t n = s_.dx_codes.size();
    s_.dx_severity.resize(n, DrgSeverity::kNone);
    s_.dx_cce.resize(n, kDrgNone);
    s_.dx_severity_source.resize(n);
  }

  void Finish() {
    Grow();
    size_t n = s_.dx_codes.size();
    for (DrgCodeSet& set : s_.sets) {
      std::sort(set.ids.begin(), set.ids.end());
      size_t before = set.ids.size();
      set.ids.erase(std::unique(set.ids.begin(), set.ids.end()), set.ids.end());
      s_.anomalies.duplicate_list_codes += before - set.ids.size();
    }
    s_.dx_mdc_mask.assign(n, 0);
    for (size_t m = 0; m < s_.mdcs.size(); ++m) {
      if (s_.mdcs[m].table == UINT32_MAX) continue;
      for (uint32_t id : s_.sets[s_.mdcs[m].table].ids) s_.dx_mdc_mask[id] |= 1u << m;
    }
    for (uint32_t mask : s_.dx_mdc_mask)
      s_.anomalies.multi_mdc_diagnoses += __builtin_popcount(mask) > 1;
    // CCE: per diagnosis, the tables that list it.
    std::vector<std::vector<uint16_t>> by_dx(n);
    for (size_t t = 0; t < s_.cce.size(); ++t) {
      DrgCceTable& c = s_.cce[t];
      std::sort(c.main_diagnoses.begin(), c.main_diagnoses.end());
      c.main_diagnoses.erase(std::unique(c.main_diagnoses.begin(), c.main_diagnoses.end()),
                             c.main_diagnoses.end());
      for (uint32_t id : c.main_diagnoses) by_dx[id].push_back(static_cast<uint16_t>(t));
    }
    s_.dx_cce_begin.assign(n + 1, 0);
    for (size_t id = 0; id < n; ++id) {
      s_.dx_cce_begin[id] = static_cast<uint32_t>(s_.dx_cce_tables.size());
      s_.dx_cce_tables.insert(s_.dx_cce_tables.end(), by_dx[id].begin(), by_dx[id].end());
    }
    s_.dx_cce_begin[n] = static_cast<uint32_t>(s_.dx_cce_tables.size());
    // 全部手术: what surgical ADRGs list.
    s_.proc_surgical.assign(s_.proc_codes.size(), 0);
    for (const DrgAdrg& a : s_.adrgs) {
      if (!a.surgical) continue;
      for (const DrgAlternative& alt : a.any)
        for (const DrgCondition& c : alt.all)
          if (c.kind == DrgConditionKind::kMainProcedure ||
              c.kind == DrgConditionKind::kSomeProcedure)
            for (uint32_t id : s_.sets[c.set].ids) s_.proc_surgical[id] = 1;
    }
  }

  const DrgSpecTexts& t_;
  DrgSpec s_;
  Diagnostics errors_;
};

Result<DrgSpec> ParseDrgSpec(const DrgSpecTexts& texts) { return DrgSpecParser(texts).Run(); }

Result<DrgSpec> LoadDrgSpec(const std::string& dir) {
  static const char* kNames[] = {"1_MDC.txt", "2_ADRG.txt", "3_DRG.txt", "4_ADRG_DETAIL.txt",
                                 "5_MCC.txt", "6_CC.txt",   "7_CCE.txt"};
  std::vector<std::string> texts;
  std::vector<std::string> names;
  Diagnostics errors;
  for (const char* n : kNames) {
    std::string path = dir + "/" + n;
    Result<std::string> r = ReadTextFile(path);
    if (!r.ok()) {
      errors.insert(errors.end(), r.errors().begin(), r.errors().end());
      texts.emplace_back();
    } else {
      texts.push_back(std::move(r.value()));
    }
    names.push_back(std::move(path));
  }
  if (!errors.empty()) return errors;
  DrgSpecTexts t{{names[0], texts[0]}, {names[1], texts[1]}, {names[2], texts[2]},
                 {names[3], texts[3]}, {names[4], texts[4]}, {names[5], texts[5]},
                 {names[6], texts[6]}};
  return ParseDrgSpec(t);
}

}  // namespace yibao
