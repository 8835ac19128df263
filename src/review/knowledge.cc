#include "review/knowledge.h"

#include <filesystem>

#include "base/decimal.h"
#include "base/quantity.h"
#include "review/claims_csv.h"

namespace yibao {

const char* ItemCategoryName(ItemCategory c) {
  switch (c) {
    case ItemCategory::kUnknown:
      return "unknown";
    case ItemCategory::kBed:
      return "bed";
    case ItemCategory::kNursing:
      return "nursing";
    case ItemCategory::kMeal:
      return "meal";
    case ItemCategory::kExam:
      return "exam";
    case ItemCategory::kTreatment:
      return "treatment";
    case ItemCategory::kSurgery:
      return "surgery";
    case ItemCategory::kDrug:
      return "drug";
    case ItemCategory::kConsumable:
      return "consumable";
  }
  return "?";
}

std::optional<ItemCategory> ParseItemCategory(std::string_view s) {
  for (int i = 1; i <= int(ItemCategory::kConsumable); ++i)
    if (s == ItemCategoryName(ItemCategory(i))) return ItemCategory(i);
  return std::nullopt;
}

const char* KnowledgeTableFile(KnowledgeTable t) {
  static const char* const kFiles[] = {
      "items.csv",        "includes.csv",     "requires.csv",           "bundles.csv",
      "substitution.csv", "step_therapy.csv", "diagnosis_evidence.csv", "mild_diagnoses.csv"};
  return kFiles[size_t(t)];
}

namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s.substr(0, 60)) + "'"; }

std::vector<std::string> List(std::string_view cell) {
  std::vector<std::string> out;
  ForEachListValue(cell, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

// Reads an optional typed cell; reports a malformed one.
struct Cells {
  ClaimsCsv& csv;
  std::optional<int64_t> Qty(int c) {
    std::string_view s = csv.Get(c);
    if (s.empty()) return std::nullopt;
    if (auto q = Quantity::Parse(s)) return q->scaled();
    csv.Error(c, "expected a non-negative number with at most 4 decimals, got " + Quote(s));
    return std::nullopt;
  }
  std::optional<int> Int(int c, int lo, int hi) {
    std::string_view s = csv.Get(c);
    if (s.empty()) return std::nullopt;
    auto v = ParseScaledDecimal(s, DecimalFormat{0, hi, false, false});
    if (v && *v >= lo) return int(*v);
    csv.Error(c, "expected a whole number " + std::to_string(lo) + ".." + std::to_string(hi) +
                     ", got " + Quote(s));
    return std::nullopt;
  }
  std::optional<Ratio> Share(int c) {
    std::string_view s = csv.Get(c);
    if (s.empty()) return std::nullopt;
    auto r = Ratio::Parse(s);
    if (r && r->ppm() >= 0 && r->ppm() <= 10 * Ratio::kOne) return r;
    csv.Error(c, "expected a share such as 0.5 or 50%, got " + Quote(s));
    return std::nullopt;
  }
  std::string Code(int c) {
    std::string_view s = csv.Get(c);
    if (s.empty()) csv.Error(c, "empty");
    return std::string(s);
  }
};

void ParseItems(ClaimsCsv& csv, KnowledgeBase& kb) {
  enum {
    kCode,
    kCategory,
    kPerDay,
    kSinDos,
    kFreq,
    kDailyQty,
    kVisitQty,
    kCourse,
    kAnnual,
    kProcurement,
    kMarkup,
    kSecondary
  };
  if (!csv.Open({"code", "category", "per_day", "max_sin_dos", "max_daily_freq", "max_daily_qty",
                 "max_visit_qty", "max_course_days", "max_annual_amount", "procurement_price",
                 "max_markup", "secondary_ratio"},
                {"code", "category"}))
    return;
  Cells cells{csv};
  while (csv.Next()) {
    KnowledgeItem it;
    it.line = csv.line();
    it.code = cells.Code(kCode);
    if (auto c = ParseItemCategory(csv.Get(kCategory)))
      it.category = *c;
    else
      csv.Error(kCategory,
                "expected bed, nursing, meal, exam, treatment, surgery, drug or consumable, got " +
                    Quote(csv.Get(kCategory)));
    std::string_view pd = csv.Get(kPerDay);
    if (pd == "1")
      it.per_day = true;
    else if (!pd.empty() && pd != "0")
      csv.Error(kPerDay, "expected 1, 0 or empty, got " + Quote(pd));
    it.max_sin_dos = cells.Qty(kSinDos);
    it.max_daily_freq = cells.Qty(kFreq);
    it.max_daily_qty = cells.Qty(kDailyQty);
    it.max_visit_qty = cells.Qty(kVisitQty);
    it.max_course_days = cells.Int(kCourse, 1, 3660);
    if (std::string_view s = csv.Get(kAnnual); !s.empty()) {
      auto m = Money::ParseYuan(s);
      if (m && !m->is_negative())
        it.max_annual_amount = *m;
      else
        csv.Error(kAnnual, "expected yuan with at most two decimals, got " + Quote(s));
    }
    if (std::string_view s = csv.Get(kProcurement); !s.empty()) {
      if (auto p = UnitPrice::Parse(s))
        it.procurement_price = p->micro_yuan();
      else
        csv.Error(kProcurement, "expected a unit price in yuan (≤ 6 decimals), got " + Quote(s));
    }
    if (auto r = cells.Share(kMarkup)) it.max_markup = *r;
    it.secondary_ratio = cells.Share(kSecondary);
    if (it.secondary_ratio && *it.secondary_ratio > Ratio::One())
      csv.Error(kSecondary, "a second unit cannot cost more than the first (≤ 1)");
    kb.items.push_back(std::move(it));
  }
}

}  // namespace

Result<KnowledgeBase> ParseKnowledge(const KnowledgeTexts& texts) {
  KnowledgeBase kb;
  Diagnostics errors;
  for (int t = 0; t < kKnowledgeTableCount; ++t) {
    if (!texts.present[size_t(t)]) continue;
    kb.present[size_t(t)] = true;
    const NamedText& nt = texts.tables[size_t(t)];
    ClaimsCsv csv(nt.file_name, nt.text, errors);
    Cells cells{csv};
    switch (KnowledgeTable(t)) {
      case KnowledgeTable::kItems:
        ParseItems(csv, kb);
        break;
      case KnowledgeTable::kIncludes:
        if (!csv.Open({"code", "included_code"}, {"code", "included_code"})) break;
        while (csv.Next()) kb.includes.push_back({cells.Code(0), cells.Code(1), csv.line()});
        break;
      case KnowledgeTable::kRequires:
        if (!csv.Open({"code", "required_any"}, {"code", "required_any"})) break;
        while (csv.Next()) {
          KnowledgeRequires r{cells.Code(0), List(csv.Get(1)), csv.line()};
          if (r.required_any.empty()) csv.Error(1, "empty");
          kb.requires_any.push_back(std::move(r));
        }
        break;
      case KnowledgeTable::kBundles:
        if (!csv.Open({"bundle_code", "component_codes", "min_components"},
                      {"bundle_code", "component_codes"}))
          break;
        while (csv.Next()) {
          KnowledgeBundle b{cells.Code(0), List(csv.Get(1)), 2, csv.line()};
          if (auto n = cells.Int(2, 2, 1000)) b.min_components = *n;
          if (b.components.size() < size_t(b.min_components))
            csv.Error(1, "fewer components than min_components");
          kb.bundles.push_back(std::move(b));
        }
        break;
      case KnowledgeTable::kSubstitution:
        if (!csv.Open({"billed_code", "usual_code", "evidence_any"}, {"billed_code", "usual_code"}))
          break;
        while (csv.Next())
          kb.substitutions.push_back(
              {cells.Code(0), std::string(csv.Get(1)), List(csv.Get(2)), csv.line()});
        break;
      case KnowledgeTable::kStepTherapy:
        if (!csv.Open({"code", "first_line_codes", "window_days"}, {"code", "first_line_codes"}))
          break;
        while (csv.Next()) {
          KnowledgeStepTherapy s{cells.Code(0), List(csv.Get(1)), cells.Int(2, 1, 3660),
                                 csv.line()};
          if (s.first_line.empty()) csv.Error(1, "empty");
          kb.step_therapy.push_back(std::move(s));
        }
        break;
      case KnowledgeTable::kDiagnosisEvidence:
        if (!csv.Open({"dx_prefix", "evidence_any"}, {"dx_prefix", "evidence_any"})) break;
        while (csv.Next()) {
          KnowledgeDxEvidence d{cells.Code(0), List(csv.Get(1)), csv.line()};
          if (d.evidence_any.empty()) csv.Error(1, "empty");
          kb.dx_evidence.push_back(std::move(d));
        }
        break;
      case KnowledgeTable::kMildDiagnoses:
        if (!csv.Open({"dx_prefix", "max_inpatient_days"}, {"dx_prefix", "max_inpatient_days"}))
          break;
        while (csv.Next()) {
          KnowledgeMildDx m{cells.Code(0), 0, csv.line()};
          if (auto n = cells.Int(1, 1, 3660))
            m.max_inpatient_days = *n;
          else if (csv.Get(1).empty())
            csv.Error(1, "empty");
          kb.mild.push_back(std::move(m));
        }
        break;
    }
  }
  if (!errors.empty()) return errors;
  return kb;
}

Result<KnowledgeBase> LoadKnowledgeDir(const std::string& dir) {
  KnowledgeTexts texts;
  std::array<std::string, kKnowledgeTableCount> paths, contents;
  Diagnostics errors;
  for (int t = 0; t < kKnowledgeTableCount; ++t) {
    paths[size_t(t)] = dir + "/" + KnowledgeTableFile(KnowledgeTable(t));
    std::error_code ec;
    if (!std::filesystem::exists(paths[size_t(t)], ec)) continue;
    Result<std::string> r = ReadTextFile(paths[size_t(t)]);
    if (!r) {
      errors.insert(errors.end(), r.errors().begin(), r.errors().end());
      continue;
    }
    contents[size_t(t)] = std::move(*r);
    texts.present[size_t(t)] = true;
  }
  if (!errors.empty()) return errors;
  for (int t = 0; t < kKnowledgeTableCount; ++t)
    texts.tables[size_t(t)] = NamedText{paths[size_t(t)], contents[size_t(t)]};
  return ParseKnowledge(texts);
}

}  // namespace yibao
