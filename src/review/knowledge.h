// The review knowledge base (知识库): facts about items and diagnoses that rules look up
// (docs/formats/claims.md, "knowledge/"). Every table is optional; a rule whose table is absent
// finds nothing, and the run summary says so.
//
// Thread safety: immutable after loading.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"
#include "base/text.h"

namespace yibao {

enum class ItemCategory : uint8_t {
  kUnknown,  // not in items.csv
  kBed,
  kNursing,
  kMeal,
  kExam,
  kTreatment,
  kSurgery,
  kDrug,
  kConsumable,
};
const char* ItemCategoryName(ItemCategory c);
std::optional<ItemCategory> ParseItemCategory(std::string_view s);

// One row of items.csv. Limits absent = none. Quantities in Quantity scale (1e-4), prices in
// micro-yuan.
struct KnowledgeItem {
  std::string code;
  ItemCategory category = ItemCategory::kUnknown;
  bool per_day = false;
  std::optional<int64_t> max_sin_dos, max_daily_freq, max_daily_qty, max_visit_qty;
  std::optional<int> max_course_days;
  std::optional<Money> max_annual_amount;
  std::optional<int64_t> procurement_price;
  Ratio max_markup;  // 0 = 零加成
  std::optional<Ratio> secondary_ratio;
  int line = 0;
};

struct KnowledgeIncludes {  // `code` includes `included`
  std::string code, included;
  int line = 0;
};
struct KnowledgeRequires {  // `code` needs one of `required_any` in the visit
  std::string code;
  std::vector<std::string> required_any;
  int line = 0;
};
struct KnowledgeBundle {
  std::string bundle;
  std::vector<std::string> components;
  int min_components = 2;
  int line = 0;
};
struct KnowledgeSubstitution {
  std::string billed, usual;
  std::vector<std::string> evidence_any;  // diagnosis/procedure prefixes or item codes
  int line = 0;
};
struct KnowledgeStepTherapy {
  std::string code;
  std::vector<std::string> first_line;
  std::optional<int> window_days;
  int line = 0;
};
struct KnowledgeDxEvidence {
  std::string dx_prefix;
  std::vector<std::string> evidence_any;  // item codes
  int line = 0;
};
struct KnowledgeMildDx {
  std::string dx_prefix;
  int max_inpatient_days = 0;
  int line = 0;
};

enum class KnowledgeTable : uint8_t {
  kItems,
  kIncludes,
  kRequires,
  kBundles,
  kSubstitution,
  kStepTherapy,
  kDiagnosisEvidence,
  kMildDiagnoses,
};
inline constexpr int kKnowledgeTableCount = 8;
const char* KnowledgeTableFile(KnowledgeTable t);  // "items.csv" …

struct KnowledgeBase {
  std::array<bool, kKnowledgeTableCount> present{};
  std::vector<KnowledgeItem> items;
  std::vector<KnowledgeIncludes> includes;
  std::vector<KnowledgeRequires> requires_any;
  std::vector<KnowledgeBundle> bundles;
  std::vector<KnowledgeSubstitution> substitutions;
  std::vector<KnowledgeStepTherapy> step_therapy;
  std::vector<KnowledgeDxEvidence> dx_evidence;
  std::vector<KnowledgeMildDx> mild;
  bool has(KnowledgeTable t) const { return present[size_t(t)]; }
};

// The texts of the tables that exist (absent ones left with an empty file name).
struct KnowledgeTexts {
  std::array<NamedText, kKnowledgeTableCount> tables{};
  std::array<bool, kKnowledgeTableCount> present{};
};

Result<KnowledgeBase> ParseKnowledge(const KnowledgeTexts& texts);
// Reads dir/items.csv … for the tables that exist; a missing directory is an empty base.
Result<KnowledgeBase> LoadKnowledgeDir(const std::string& dir);

}  // namespace yibao
