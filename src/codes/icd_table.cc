#include "codes/icd_table.h"

#include <array>
#include <utility>

#include "codes/code_format.h"

namespace yibao {

const char* CrosswalkName(Crosswalk via) {
  switch (via) {
    case Crosswalk::kNone:
      return "none";
    case Crosswalk::kFromV1:
      return "yb-1.0";
    case Crosswalk::kFromClinical:
      return "clinical";
  }
  return "unknown";
}

// Fills an IcdTable from the four texts, collecting every error instead of stopping at the first,
// so that one pass over a file tells its editor everything that is wrong with it.
class IcdTableParser {
 public:
  IcdTableParser(IcdTable& table, IcdKind kind) : t_(table), kind_(kind) { t_.kind_ = kind; }

  void ParseCodes(const NamedText& in) {
    std::vector<int> line_of;  // by id: where each code was defined, for duplicate messages
    ForEachLine(in, [&](int line, std::string_view row) {
      size_t sep = row.find_first_of(" \t");
      std::string_view code = row.substr(0, sep);
      if (!CheckTableCode(line, "code", code)) return;
      std::string_view name = sep == std::string_view::npos ? "" : Trim(row.substr(sep));
      if (name.empty()) return Error(line, "name", "missing name after code " + std::string(code));
      if (!IsValidUtf8(name)) return Error(line, "name", "name is not UTF-8 (saved as GBK?)");
      auto id = static_cast<uint32_t>(t_.codes_.size());
      auto [it, inserted] = t_.ids_.try_emplace(std::string(code), id);
      if (!inserted) {
        return Error(line, "code",
                     "duplicate code " + std::string(code) + " (first at line " +
                         std::to_string(line_of[it->second]) + ")");
      }
      t_.codes_.emplace_back(code);
      t_.names_.emplace_back(name);
      line_of.push_back(line);
    });
    t_.gray_.assign(t_.codes_.size(), 0);
  }

  void ParseGray(const NamedText& in) {
    ForEachLine(in, [&](int line, std::string_view row) {
      if (row.find_first_of(" \t") != std::string_view::npos) {
        return Error(line, "code", "expected one code per line, found '" + std::string(row) + "'");
      }
      if (!CheckTableCode(line, "code", row)) return;
      std::optional<uint32_t> id = t_.Id(row);
      if (!id) {
        ++t_.anomalies_.gray_not_in_table;
      } else if (t_.gray_[*id]) {
        ++t_.anomalies_.gray_repeated;
      } else {
        t_.gray_[*id] = 1;
        ++t_.gray_count_;
      }
    });
  }

  void ParseCrosswalk(const NamedText& in, Crosswalk via) {
    IcdTable::StringMap<IcdTable::Mapping>& map =
        via == Crosswalk::kFromV1 ? t_.from_v1_ : t_.from_clinical_;
    size_t& targets_missing = via == Crosswalk::kFromV1
                                  ? t_.anomalies_.v1_targets_not_in_table
                                  : t_.anomalies_.clinical_targets_not_in_table;
    size_t& sources_in_table = via == Crosswalk::kFromV1
                                   ? t_.anomalies_.v1_sources_also_in_table
                                   : t_.anomalies_.clinical_sources_also_in_table;
    StringMapOfLines first_line;
    ForEachLine(in, [&](int line, std::string_view row) {
      size_t sep = row.find_first_of(" \t");
      std::string_view old_code = row.substr(0, sep);
      std::string_view new_code = sep == std::string_view::npos ? "" : Trim(row.substr(sep));
      if (old_code.empty() || new_code.empty() ||
          new_code.find_first_of(" \t") != std::string_view::npos) {
        return Error(line, "", "expected 'old new': two codes separated by a space");
      }
      // Old codes keep the older versions' looser shapes (国临 "C22.101M81600/3", "66.69x001"), so
      // they are only required to be one printable ASCII token; the new code must be a 2.0 code.
      for (char c : old_code) {
        if (c <= ' ' || c > '~') {
          return Error(line, "old code", "old code must be printable ASCII without spaces");
        }
      }
      if (!CheckTableCode(line, "new code", new_code)) return;
      auto [seen, first] = first_line.try_emplace(std::string(old_code), line);
      if (!first) {
        return Error(line, "old code",
                     "old code " + std::string(old_code) + " is mapped already at line " +
                         std::to_string(seen->second));
      }
      std::optional<uint32_t> target_id = t_.Id(new_code);
      if (!target_id) ++targets_missing;
      if (old_code != new_code && t_.Id(old_code)) ++sources_in_table;
      map.try_emplace(
          std::string(old_code),
          IcdTable::Mapping{std::string(new_code), target_id.value_or(IcdTable::kNoId)});
    });
  }

  Diagnostics TakeErrors() { return std::move(errors_); }

 private:
  using StringMapOfLines = IcdTable::StringMap<int>;

  // Calls `row_fn(line, row)` for every non-blank line with surrounding blanks removed (hand-edited
  // tables gain indentation and trailing spaces), until the file has produced too many errors to be
  // worth reading on.
  template <typename RowFn>
  void ForEachLine(const NamedText& in, RowFn row_fn) {
    file_ = in.file_name;
    file_errors_ = 0;
    LineReader lines(in.text);
    std::string_view line;
    while (lines.Next(line)) {
      std::string_view row = Trim(line);
      if (row.empty()) continue;
      if (file_errors_ == kMaxDiagnosticsPerFile) {
        Error(lines.line_number(), "", "too many errors; the rest of the file is not checked");
        return;
      }
      row_fn(lines.line_number(), row);
    }
  }

  bool CheckTableCode(int line, const char* field, std::string_view code) {
    CodeKind kind = kind_ == IcdKind::kDiagnosis ? CodeKind::kDiagnosis : CodeKind::kProcedure;
    std::optional<std::string> why = CheckCode(kind, code);
    if (!why) return true;
    // The code is quoted byte for byte; a caller printing it sees exactly what the file holds.
    Error(line, field,
          "bad " + std::string(CodeKindName(kind)) + " code '" + std::string(code) + "': " + *why);
    return false;
  }

  void Error(int line, std::string field, std::string message) {
    errors_.push_back(Diagnostic{std::string(file_), line, std::move(field), std::move(message)});
    ++file_errors_;
  }

  IcdTable& t_;
  IcdKind kind_;
  Diagnostics errors_;
  std::string_view file_;
  size_t file_errors_ = 0;
};

Result<IcdTable> IcdTable::Parse(IcdKind kind, const IcdTableTexts& texts) {
  IcdTable table;
  IcdTableParser parser(table, kind);
  parser.ParseCodes(texts.codes);
  parser.ParseGray(texts.gray);
  parser.ParseCrosswalk(texts.from_v1, Crosswalk::kFromV1);
  parser.ParseCrosswalk(texts.from_clinical, Crosswalk::kFromClinical);
  Diagnostics errors = parser.TakeErrors();
  if (!errors.empty()) return errors;
  return table;
}

Result<IcdTable> IcdTable::Load(IcdKind kind, const IcdTablePaths& paths) {
  const std::array<const std::string*, 4> path_list = {&paths.codes, &paths.gray, &paths.from_v1,
                                                       &paths.from_clinical};
  std::array<std::string, 4> contents;
  Diagnostics errors;
  for (size_t i = 0; i < path_list.size(); ++i) {
    if (path_list[i]->empty()) continue;
    Result<std::string> text = ReadTextFile(*path_list[i]);
    if (!text.ok()) {
      errors.insert(errors.end(), text.errors().begin(), text.errors().end());
    } else {
      contents[i] = std::move(text.value());
    }
  }
  if (!errors.empty()) return errors;
  return Parse(kind, IcdTableTexts{{paths.codes, contents[0]},
                                   {paths.gray, contents[1]},
                                   {paths.from_v1, contents[2]},
                                   {paths.from_clinical, contents[3]}});
}

std::optional<std::string_view> IcdTable::MapFromV1(std::string_view old_code) const {
  auto it = from_v1_.find(old_code);
  if (it == from_v1_.end()) return std::nullopt;
  return std::string_view(it->second.target);
}

std::optional<std::string_view> IcdTable::MapFromClinical(std::string_view old_code) const {
  auto it = from_clinical_.find(old_code);
  if (it == from_clinical_.end()) return std::nullopt;
  return std::string_view(it->second.target);
}

std::optional<NormalizedCode> IcdTable::Normalize(std::string_view code) const {
  if (std::optional<uint32_t> id = Id(code)) return NormalizedCode{*id, Crosswalk::kNone};
  if (auto it = from_v1_.find(code); it != from_v1_.end() && it->second.target_id != kNoId) {
    return NormalizedCode{it->second.target_id, Crosswalk::kFromV1};
  }
  if (auto it = from_clinical_.find(code);
      it != from_clinical_.end() && it->second.target_id != kNoId) {
    return NormalizedCode{it->second.target_id, Crosswalk::kFromClinical};
  }
  return std::nullopt;
}

Result<IcdTable> ParseIcdTable(IcdKind kind, std::string_view text, std::string_view file_name) {
  IcdTableTexts texts;
  texts.codes = NamedText{file_name, text};
  return IcdTable::Parse(kind, texts);
}

Result<IcdTable> LoadIcdTable(IcdKind kind, const std::string& path) {
  IcdTablePaths paths;
  paths.codes = path;
  return IcdTable::Load(kind, paths);
}

Result<IcdTables> IcdTables::LoadShared(const std::string& icd_dir) {
  std::string dir = icd_dir.empty() || icd_dir.back() == '/' ? icd_dir : icd_dir + "/";
  Result<IcdTable> diagnoses = IcdTable::Load(
      IcdKind::kDiagnosis,
      IcdTablePaths{dir + "icd10-yb-2.0.txt", dir + "icd10-yb-2.0-gray.txt",
                    dir + "icd10-yb-1.0-to-2.0.txt", dir + "icd10-gl-2.0-to-yb-2.0.txt"});
  Result<IcdTable> procedures = IcdTable::Load(
      IcdKind::kProcedure,
      IcdTablePaths{dir + "icd9cm3-yb-2.0.txt", dir + "icd9cm3-yb-2.0-gray.txt",
                    dir + "icd9cm3-yb-1.0-to-2.0.txt", dir + "icd9cm3-gl-3.0-to-yb-2.0.txt"});
  if (!diagnoses.ok() || !procedures.ok()) {
    Diagnostics errors;
    for (const Result<IcdTable>* r : {&diagnoses, &procedures}) {
      if (!r->ok()) errors.insert(errors.end(), r->errors().begin(), r->errors().end());
    }
    return errors;
  }
  return IcdTables{std::move(diagnoses.value()), std::move(procedures.value())};
}

}  // namespace yibao
