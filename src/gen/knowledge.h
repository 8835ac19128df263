// The catalogue and knowledge base of a generated region, parsed from the built-in tables
// (builtin_tables.h) and checked once: every item the knowledge base names is in the catalogue,
// every number parses. The generator's normal care and its injections read the same facts that it
// writes to catalogue.csv and knowledge/*.csv, so what is normal and what is abuse agree with the
// files a reviewer reads.
//
// Thread safety: immutable after Load; share freely.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/diagnostic.h"
#include "catalogue/catalogue.h"

namespace yibao::gen {

enum class Category : uint8_t {
  kBed,
  kNursing,
  kMeal,
  kExam,
  kTreatment,
  kSurgery,
  kDrug,
  kConsumable
};
const char* CategoryName(Category c);

using ItemId = uint16_t;
inline constexpr ItemId kNoItem = UINT16_MAX;

// What the knowledge base says about one catalogue code (knowledge/items.csv), with the price that
// institutions charge for it in normal care. Limits: -1 = none. Quantities are in the item's unit
// (the unit of `cnt`); a single dose `sin_dos` is counted in the same unit.
struct ItemInfo {
  std::string code;
  std::string name;
  ItemKind kind = ItemKind::kDrug;
  Category category = Category::kTreatment;
  bool per_day = false;
  int64_t price_micro = 0;  // yuan × 10^6
  int64_t max_sin_dos = -1;
  int64_t max_daily_freq = -1;
  int64_t max_daily_qty = -1;
  int64_t max_visit_qty = -1;
  int64_t max_course_days = -1;
  int64_t max_annual_fen = -1;
  int64_t procurement_micro = -1;
  int64_t max_markup_ppm = 0;
  int64_t secondary_ppm = -1;
  // The restriction of the catalogue row (the same on every version of the code in the built-in
  // catalogue; only payment standards change between versions).
  const PaymentRestriction* restriction = nullptr;
  // The columns of knowledge/items.csv as written (limits verbatim from the table).
  std::vector<std::string> limit_text;
};

struct Bundle {
  ItemId bundle = kNoItem;
  std::vector<ItemId> components;
  int min_components = 0;
};

struct Substitution {
  ItemId billed = kNoItem;
  ItemId usual = kNoItem;
  std::vector<std::string> evidence;  // prefixes of diagnoses/procedures, or item codes
};

struct StepTherapy {
  ItemId drug = kNoItem;
  std::vector<ItemId> first_line;
  int window_days = 0;
};

struct PrefixItems {
  std::string prefix;
  std::vector<ItemId> items;
};

struct MildDiagnosis {
  std::string prefix;
  int max_inpatient_days = 0;
};

class Knowledge {
 public:
  // Parses the built-in tables; `admdvs` is the region code the catalogue belongs to.
  static Result<Knowledge> LoadBuiltin(const std::string& admdvs);

  const Catalogue& catalogue() const { return catalogue_; }
  const std::vector<ItemInfo>& items() const { return items_; }
  const ItemInfo& item(ItemId id) const { return items_[id]; }
  // The id of a catalogue code; kNoItem when the catalogue lacks it.
  ItemId Find(std::string_view code) const;
  // Like Find, for codes the generator's own tables name: a missing code is a programming error
  // caught by the tests, so it aborts with the code in the message.
  ItemId Require(std::string_view code) const;

  std::vector<std::pair<ItemId, ItemId>> includes;  // (code, included_code)
  std::vector<std::pair<ItemId, std::vector<ItemId>>> requires_any;
  std::vector<Bundle> bundles;
  std::vector<Substitution> substitutions;
  std::vector<StepTherapy> step_therapy;
  std::vector<PrefixItems> diagnosis_evidence;
  std::vector<MildDiagnosis> mild;

  // The knowledge/*.csv files: (file name under knowledge/, text).
  std::vector<std::pair<std::string, std::string>> Files() const;

 private:
  Catalogue catalogue_;
  std::vector<ItemInfo> items_;
  std::unordered_map<std::string, ItemId> ids_;
};

}  // namespace yibao::gen
