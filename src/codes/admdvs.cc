#include "codes/admdvs.h"

#include "base/csv_reader.h"

#include <array>
#include <unordered_set>
#include <utility>
#include <vector>

namespace yibao {
namespace {

// The value of `s` when it is exactly `n` ASCII digits.
std::optional<uint32_t> DigitsValue(std::string_view s, size_t n) {
  if (s.size() != n) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v;
}

enum class Level { kProvince, kCity, kArea };

struct LevelLayout {
  const char* what;         // for messages
  size_t digits;            // of the code in its own file
  uint32_t scale;           // to the 6-digit form
  std::string_view header;  // the exact first line
  size_t fields;
};

constexpr std::array<LevelLayout, 3> kLayouts = {{
    {"province", 2, 10000, "code,name", 2},
    {"city", 4, 100, "code,name,provinceCode", 3},
    {"area", 6, 1, "code,name,cityCode,provinceCode", 4},
}};

// Reads the three files in order (provinces, cities, areas), so that every parent a row names has
// already been seen when the row is checked.
class AdmdvsParser {
 public:
  explicit AdmdvsParser(std::unordered_map<uint32_t, std::string>& names) : names_(names) {}

  // Returns how many rows of this level were accepted.
  size_t ParseFile(Level level, const NamedText& in) {
    const LevelLayout& layout = kLayouts[static_cast<int>(level)];
    file_ = in.file_name;
    file_errors_ = 0;
    size_t rows = 0;
    CsvReader reader(in.text);
    CsvRow row;
    std::string header;
    if (reader.Next(row) && row.error.empty())
      for (const auto& f : row.fields) header += (header.empty() ? "" : ",") + std::string(Trim(f));
    if (header != layout.header) {
      Error(1, "", "expected the header line '" + std::string(layout.header) + "'");
      return 0;  // without the header the columns cannot be trusted
    }
    while (reader.Next(row)) {
      line_ = row.line;
      if (file_errors_ == kMaxDiagnosticsPerFile) {
        Error(line_, "", "too many errors; the rest of the file is not checked");
        break;
      }
      if (!row.error.empty()) {
        Error(line_, "", row.error);
        continue;
      }
      if (ParseRow(level, layout, row.fields)) ++rows;
    }
    return rows;
  }

  Diagnostics TakeErrors() { return std::move(errors_); }

 private:
  bool ParseRow(Level level, const LevelLayout& layout, const std::vector<std::string>& row) {
    const std::vector<std::string>* fields = &row;
    if (fields->size() != layout.fields) {
      return Error(line_, "",
                   "expected " + std::to_string(layout.fields) + " fields (" +
                       std::string(layout.header) + "), found " + std::to_string(fields->size()));
    }
    std::string_view code_text = Trim((*fields)[0]);
    std::optional<uint32_t> code = DigitsValue(code_text, layout.digits);
    if (!code) {
      return Error(line_, "code",
                   std::string(layout.what) + " code must be " + std::to_string(layout.digits) +
                       " digits, found '" + std::string(code_text) + "'");
    }
    std::string_view name = Trim((*fields)[1]);
    if (name.empty()) return Error(line_, "name", "name is empty");
    if (!IsValidUtf8(name)) return Error(line_, "name", "name is not UTF-8 (saved as GBK?)");
    if (level == Level::kCity && !CheckParent(code_text, (*fields)[2], "provinceCode", 2)) {
      return false;
    }
    if (level == Level::kArea && !(CheckParent(code_text, (*fields)[2], "cityCode", 4) &&
                                   CheckParent(code_text, (*fields)[3], "provinceCode", 2))) {
      return false;
    }

    uint32_t key = *code * layout.scale;
    auto [seen, first] = first_seen_.try_emplace(key, Sighting{level, file_, line_});
    if (!first) {
      // A city without districts (东莞市 4419) repeats itself as area 441900 under the same name;
      // that row is one more area but not a new code.
      bool city_as_area = seen->second.level == Level::kCity && level == Level::kArea &&
                          names_.find(key)->second == name;
      if (!city_as_area) {
        return Error(line_, "code",
                     "duplicate code " + Six(key) + " (first at " + std::string(seen->second.file) +
                         ":" + std::to_string(seen->second.line) + ")");
      }
      seen->second = Sighting{level, file_, line_};
    }
    names_.try_emplace(key, name);
    if (level == Level::kProvince) provinces_.insert(key);
    if (level == Level::kCity) cities_.insert(key);
    return true;
  }

  // `parent` must be the first `digits` digits of `code` and already known.
  bool CheckParent(std::string_view code, std::string_view parent_text, const char* field,
                   size_t digits) {
    std::string_view parent = Trim(parent_text);
    if (!DigitsValue(parent, digits) || code.substr(0, digits) != parent) {
      return Error(line_, field,
                   std::string(field) + " '" + std::string(parent) + "' is not the first " +
                       std::to_string(digits) + " digits of " + std::string(code));
    }
    uint32_t key = *DigitsValue(parent, digits) * (digits == 2 ? 10000 : 100);
    const std::unordered_set<uint32_t>& known = digits == 2 ? provinces_ : cities_;
    if (!known.contains(key)) {
      return Error(line_, field,
                   std::string(field) + " " + std::string(parent) + " is not in the " +
                       (digits == 2 ? "provinces" : "cities") + " file");
    }
    return true;
  }

  static std::string Six(uint32_t key) {
    std::string s = std::to_string(key);
    return std::string(6 - s.size(), '0') + s;
  }

  bool Error(int line, std::string field, std::string message) {
    errors_.push_back(Diagnostic{std::string(file_), line, std::move(field), std::move(message)});
    ++file_errors_;
    return false;
  }

  std::unordered_map<uint32_t, std::string>& names_;
  std::unordered_set<uint32_t> provinces_;  // 6-digit keys
  std::unordered_set<uint32_t> cities_;
  struct Sighting {
    Level level;
    std::string_view file;
    int line;
  };
  std::unordered_map<uint32_t, Sighting> first_seen_;  // by 6-digit key
  Diagnostics errors_;
  std::string_view file_;
  int line_ = 0;
  size_t file_errors_ = 0;
};

}  // namespace

Result<AdmdvsTable> AdmdvsTable::Parse(const AdmdvsTexts& texts) {
  AdmdvsTable table;
  AdmdvsParser parser(table.names_);
  table.province_count_ = parser.ParseFile(Level::kProvince, texts.provinces);
  table.city_count_ = parser.ParseFile(Level::kCity, texts.cities);
  table.area_count_ = parser.ParseFile(Level::kArea, texts.areas);
  Diagnostics errors = parser.TakeErrors();
  if (!errors.empty()) return errors;
  return table;
}

Result<AdmdvsTable> AdmdvsTable::Load(const std::string& dir) {
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::array<std::string, 3> paths = {prefix + "provinces.csv", prefix + "cities.csv",
                                      prefix + "areas.csv"};
  std::array<std::string, 3> contents;
  Diagnostics errors;
  for (size_t i = 0; i < paths.size(); ++i) {
    Result<std::string> text = ReadTextFile(paths[i]);
    if (!text.ok()) {
      errors.insert(errors.end(), text.errors().begin(), text.errors().end());
    } else {
      contents[i] = std::move(text.value());
    }
  }
  if (!errors.empty()) return errors;
  return Parse(
      AdmdvsTexts{{paths[0], contents[0]}, {paths[1], contents[1]}, {paths[2], contents[2]}});
}

bool AdmdvsTable::Contains(std::string_view admdvs6) const {
  std::optional<uint32_t> key = DigitsValue(admdvs6, 6);
  return key && names_.contains(*key);
}

std::optional<std::string_view> AdmdvsTable::Name(std::string_view admdvs6) const {
  std::optional<uint32_t> key = DigitsValue(admdvs6, 6);
  if (!key) return std::nullopt;
  auto it = names_.find(*key);
  if (it == names_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string AdmdvsTable::ProvinceOf(std::string_view admdvs6) {
  if (!DigitsValue(admdvs6, 6)) return "";
  return std::string(admdvs6.substr(0, 2)) + "0000";
}

std::string AdmdvsTable::CityOf(std::string_view admdvs6) {
  if (!DigitsValue(admdvs6, 6)) return "";
  return std::string(admdvs6.substr(0, 4)) + "00";
}

bool AdmdvsTable::SameProvince(std::string_view a, std::string_view b) {
  return DigitsValue(a, 6) && DigitsValue(b, 6) && a.substr(0, 2) == b.substr(0, 2);
}

bool AdmdvsTable::SameCity(std::string_view a, std::string_view b) {
  return DigitsValue(a, 6) && DigitsValue(b, 6) && a.substr(0, 4) == b.substr(0, 4);
}

}  // namespace yibao
