#include "gen/knowledge.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "base/csv_reader.h"
#include "base/decimal.h"
#include "catalogue/catalogue_csv.h"
#include "gen/builtin_tables.h"

namespace yibao::gen {

namespace {

constexpr std::string_view kFactsColumns[] = {"code",
                                              "price",
                                              "category",
                                              "per_day",
                                              "max_sin_dos",
                                              "max_daily_freq",
                                              "max_daily_qty",
                                              "max_visit_qty",
                                              "max_course_days",
                                              "max_annual_amount",
                                              "procurement_price",
                                              "max_markup",
                                              "secondary_ratio"};

// A table of the built-in data: its header and rows, with the line each row is on.
struct Table {
  std::string name;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
};

Table ReadTable(std::string name, std::string_view text, Diagnostics& errors) {
  Table t{std::move(name), {}, {}};
  CsvReader reader(text);
  CsvRow row;
  bool first = true;
  while (reader.Next(row)) {
    if (!row.error.empty()) {
      errors.push_back({t.name, row.line, "", row.error});
      continue;
    }
    if (first) {
      t.header = row.fields;
      first = false;
      continue;
    }
    if (row.fields.size() != t.header.size()) {
      errors.push_back(
          {t.name, row.line, "",
           fmt::format("{} fields, the header has {}", row.fields.size(), t.header.size())});
      continue;
    }
    t.rows.push_back(row);
  }
  return t;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// An optional exact decimal with `decimals` places; -1 when empty.
int64_t ParseLimit(const std::string& text, int decimals, const Table& t, const CsvRow& row,
                   std::string_view column, Diagnostics& errors) {
  if (text.empty()) return -1;
  auto v = ParseScaledDecimal(
      text, {.decimals = decimals, .limit = int64_t(1) << 50, .allow_extra_zeros = true});
  if (!v) {
    errors.push_back({t.name, row.line, std::string(column), "'" + text + "' is not a number"});
    return -1;
  }
  return *v;
}

Category DefaultCategory(const CatalogueItem& it) {
  if (it.kind == ItemKind::kDrug) return Category::kDrug;
  if (it.kind == ItemKind::kConsumable) return Category::kConsumable;
  std::string_view c = it.code;
  if (c.starts_with("0011070")) return Category::kBed;
  if (c.starts_with("0012010")) return Category::kNursing;
  if (c.starts_with("0021") || c.starts_with("0022") || c.starts_with("0023") ||
      c.starts_with("0025") || c.starts_with("0027") || c.starts_with("003107") ||
      c.starts_with("003109") || c.starts_with("003101") || c.starts_with("003106"))
    return Category::kExam;
  if (c.starts_with("0033") && !c.starts_with("00330100")) return Category::kSurgery;
  return Category::kTreatment;
}

bool ParseCategory(std::string_view s, Category& out) {
  static constexpr std::pair<std::string_view, Category> kNames[] = {
      {"bed", Category::kBed},
      {"nursing", Category::kNursing},
      {"meal", Category::kMeal},
      {"exam", Category::kExam},
      {"treatment", Category::kTreatment},
      {"surgery", Category::kSurgery},
      {"drug", Category::kDrug},
      {"consumable", Category::kConsumable}};
  for (auto& [name, c] : kNames)
    if (s == name) {
      out = c;
      return true;
    }
  return false;
}

}  // namespace

const char* CategoryName(Category c) {
  switch (c) {
    case Category::kBed:
      return "bed";
    case Category::kNursing:
      return "nursing";
    case Category::kMeal:
      return "meal";
    case Category::kExam:
      return "exam";
    case Category::kTreatment:
      return "treatment";
    case Category::kSurgery:
      return "surgery";
    case Category::kDrug:
      return "drug";
    case Category::kConsumable:
      return "consumable";
  }
  return "treatment";
}

ItemId Knowledge::Find(std::string_view code) const {
  auto it = ids_.find(std::string(code));
  return it == ids_.end() ? kNoItem : it->second;
}

ItemId Knowledge::Require(std::string_view code) const {
  ItemId id = Find(code);
  if (id == kNoItem) {
    std::fprintf(stderr, "yibao gen: the generator names item %.*s, which its catalogue lacks\n",
                 int(code.size()), code.data());
    std::abort();
  }
  return id;
}

Result<Knowledge> Knowledge::LoadBuiltin(const std::string& admdvs) {
  Result<Catalogue> cat = ParseCatalogueCsv(kBuiltinCatalogueCsv, "builtin:catalogue.csv", admdvs);
  if (!cat) return cat.errors();
  Knowledge k;
  k.catalogue_ = std::move(*cat);
  Diagnostics errors;

  // One ItemInfo per distinct code, in catalogue order; versions share the first row's restriction.
  for (const CatalogueItem& it : k.catalogue_.items()) {
    if (k.ids_.count(it.code)) continue;
    ItemInfo info;
    info.code = it.code;
    info.name = it.name;
    info.kind = it.kind;
    info.category = DefaultCategory(it);
    info.restriction = &it.restriction;
    info.price_micro = it.price_cap ? it.price_cap->micro_yuan()
                                    : (it.kind == ItemKind::kDrug         ? 1'000'000
                                       : it.kind == ItemKind::kConsumable ? 50'000'000
                                                                          : 20'000'000);
    info.limit_text.assign(std::size(kFactsColumns) - 3, "");
    k.ids_.emplace(it.code, ItemId(k.items_.size()));
    k.items_.push_back(std::move(info));
  }
  if (k.items_.size() >= kNoItem)
    return Diagnostic{"builtin:catalogue.csv", 0, "", "too many items"};

  Table facts = ReadTable("builtin:item_facts.csv", kBuiltinItemFactsCsv, errors);
  for (size_t c = 0; c < std::size(kFactsColumns); ++c)
    if (c >= facts.header.size() || facts.header[c] != kFactsColumns[c])
      errors.push_back({facts.name, 1, std::string(kFactsColumns[c]), "column out of order"});
  if (!errors.empty()) return errors;
  for (const CsvRow& row : facts.rows) {
    const auto& f = row.fields;
    ItemId id = k.Find(f[0]);
    if (id == kNoItem) {
      errors.push_back({facts.name, row.line, "code", "'" + f[0] + "' is not in the catalogue"});
      continue;
    }
    ItemInfo& info = k.items_[id];
    info.price_micro = ParseLimit(f[1], 6, facts, row, "price", errors);
    if (!ParseCategory(f[2], info.category))
      errors.push_back({facts.name, row.line, "category", "unknown category '" + f[2] + "'"});
    info.per_day = f[3] == "1";
    info.max_sin_dos = ParseLimit(f[4], 4, facts, row, "max_sin_dos", errors);
    info.max_daily_freq = ParseLimit(f[5], 0, facts, row, "max_daily_freq", errors);
    info.max_daily_qty = ParseLimit(f[6], 4, facts, row, "max_daily_qty", errors);
    info.max_visit_qty = ParseLimit(f[7], 4, facts, row, "max_visit_qty", errors);
    info.max_course_days = ParseLimit(f[8], 0, facts, row, "max_course_days", errors);
    info.max_annual_fen = ParseLimit(f[9], 2, facts, row, "max_annual_amount", errors);
    info.procurement_micro = ParseLimit(f[10], 6, facts, row, "procurement_price", errors);
    int64_t markup = ParseLimit(f[11], 6, facts, row, "max_markup", errors);
    info.max_markup_ppm = markup < 0 ? 0 : markup;
    info.secondary_ppm = ParseLimit(f[12], 6, facts, row, "secondary_ratio", errors);
    for (size_t c = 3; c < f.size(); ++c) info.limit_text[c - 3] = f[c];
    if (info.price_micro <= 0)
      errors.push_back({facts.name, row.line, "price", "a price above 0 is needed"});
  }

  auto item_list = [&](const Table& t, const CsvRow& row, std::string_view column,
                       const std::string& cell) {
    std::vector<ItemId> ids;
    for (const std::string& code : SplitList(cell)) {
      ItemId id = k.Find(code);
      if (id == kNoItem)
        errors.push_back(
            {t.name, row.line, std::string(column), "'" + code + "' is not in the catalogue"});
      else
        ids.push_back(id);
    }
    return ids;
  };
  auto one_item = [&](const Table& t, const CsvRow& row, std::string_view column,
                      const std::string& code) {
    ItemId id = k.Find(code);
    if (id == kNoItem)
      errors.push_back(
          {t.name, row.line, std::string(column), "'" + code + "' is not in the catalogue"});
    return id;
  };

  Table includes = ReadTable("builtin:includes.csv", kBuiltinIncludesCsv, errors);
  for (const CsvRow& r : includes.rows)
    k.includes.emplace_back(one_item(includes, r, "code", r.fields[0]),
                            one_item(includes, r, "included_code", r.fields[1]));
  Table requires_t = ReadTable("builtin:requires.csv", kBuiltinRequiresCsv, errors);
  for (const CsvRow& r : requires_t.rows)
    k.requires_any.emplace_back(one_item(requires_t, r, "code", r.fields[0]),
                                item_list(requires_t, r, "required_any", r.fields[1]));
  Table bundles = ReadTable("builtin:bundles.csv", kBuiltinBundlesCsv, errors);
  for (const CsvRow& r : bundles.rows)
    k.bundles.push_back({one_item(bundles, r, "bundle_code", r.fields[0]),
                         item_list(bundles, r, "component_codes", r.fields[1]),
                         int(ParseLimit(r.fields[2], 0, bundles, r, "min_components", errors))});
  Table subst = ReadTable("builtin:substitution.csv", kBuiltinSubstitutionCsv, errors);
  for (const CsvRow& r : subst.rows)
    k.substitutions.push_back({one_item(subst, r, "billed_code", r.fields[0]),
                               one_item(subst, r, "usual_code", r.fields[1]),
                               SplitList(r.fields[2])});
  Table step = ReadTable("builtin:step_therapy.csv", kBuiltinStepTherapyCsv, errors);
  for (const CsvRow& r : step.rows)
    k.step_therapy.push_back({one_item(step, r, "code", r.fields[0]),
                              item_list(step, r, "first_line_codes", r.fields[1]),
                              int(ParseLimit(r.fields[2], 0, step, r, "window_days", errors))});
  Table evidence =
      ReadTable("builtin:diagnosis_evidence.csv", kBuiltinDiagnosisEvidenceCsv, errors);
  for (const CsvRow& r : evidence.rows)
    k.diagnosis_evidence.push_back(
        {r.fields[0], item_list(evidence, r, "evidence_any", r.fields[1])});
  Table mild = ReadTable("builtin:mild_diagnoses.csv", kBuiltinMildDiagnosesCsv, errors);
  for (const CsvRow& r : mild.rows)
    k.mild.push_back(
        {r.fields[0], int(ParseLimit(r.fields[1], 0, mild, r, "max_inpatient_days", errors))});
  if (!errors.empty()) return errors;
  return k;
}

std::vector<std::pair<std::string, std::string>> Knowledge::Files() const {
  std::vector<std::pair<std::string, std::string>> files;
  std::string items =
      "# what the knowledge base says about each catalogue item (docs/formats/claims.md)\n";
  items +=
      "code,category,per_day,max_sin_dos,max_daily_freq,max_daily_qty,max_visit_qty,"
      "max_course_days,max_annual_amount,procurement_price,max_markup,secondary_ratio\n";
  for (const ItemInfo& it : items_) {
    items += it.code;
    items += ',';
    items += CategoryName(it.category);
    items += ',';
    items += it.per_day ? "1" : "0";
    for (size_t c = 1; c < it.limit_text.size(); ++c) {
      items += ',';
      items += it.limit_text[c];
    }
    items += '\n';
  }
  files.emplace_back("items.csv", std::move(items));
  files.emplace_back("includes.csv", kBuiltinIncludesCsv);
  files.emplace_back("requires.csv", kBuiltinRequiresCsv);
  files.emplace_back("bundles.csv", kBuiltinBundlesCsv);
  files.emplace_back("substitution.csv", kBuiltinSubstitutionCsv);
  files.emplace_back("step_therapy.csv", kBuiltinStepTherapyCsv);
  files.emplace_back("diagnosis_evidence.csv", kBuiltinDiagnosisEvidenceCsv);
  files.emplace_back("mild_diagnoses.csv", kBuiltinMildDiagnosesCsv);
  return files;
}

}  // namespace yibao::gen
