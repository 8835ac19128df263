// The 医保目录 of one region: drugs, medical service items and consumables, each with its class
// (甲/乙/丙), 先行自付 share, payment standard (price limit) and payment restrictions
// (限定支付范围).
//
// A catalogue belongs to a region (the place of treatment: 就医地目录) and every item version has
// effective dates, so a visit is classified by the catalogue in force on its date. The file format
// is documented in docs/formats/catalogue.md; the loader is catalogue_csv.h.
//
// Thread safety: immutable after loading; share freely between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.h"
#include "base/money.h"
#include "base/quantity.h"
#include "base/ratio.h"

namespace yibao {

enum class ItemKind : uint8_t {
  kDrug,
  kServiceItem,
  kConsumable
};                                              // 药品 / 医疗服务项目 / 医用耗材
enum class ItemClass : uint8_t { kA, kB, kC };  // 甲类 / 乙类 / 丙类 (`chrgitm_lv` 01/02/03)
enum class Sex : uint8_t { kAny, kMale, kFemale };  // `gend` 1 / 2
enum class CareSetting : uint8_t { kAny, kInpatientOnly, kOutpatientOnly };

const char* ItemKindName(ItemKind k);    // "drug" | "service" | "consumable"
const char* ItemClassName(ItemClass c);  // "甲" | "乙" | "丙"

// 限定支付范围. An empty field means "no restriction of this kind". Every restriction that a
// visit's own data can check (sex, age, setting, level, indication, insurance type, specialty,
// quantity) is checked at settlement; the others (step therapy, approval) need the hospital's
// approval flag
// (`hosp_appr_flag`) on the fee line. A failed restriction makes the line 全自费 unless approved.
struct PaymentRestriction {
  Sex sex = Sex::kAny;
  int min_age = -1;  // completed years, inclusive; -1 = none
  int max_age = -1;
  CareSetting setting = CareSetting::kAny;
  int min_level = 0;                     // lowest institution level (1/2/3); 0 = any
  std::vector<std::string> indications;  // diagnosis-code prefixes (ICD-10 医保版), any of
  std::vector<std::string> insutypes;    // e.g. "310", "510"; any of
  std::vector<std::string> specialties;  // department codes (`dept_codg` prefixes), any of
  bool step_therapy = false;    // 二线用药: only after first-line therapy, needs approval
  bool needs_approval = false;  // 需审批
  Quantity max_qty_per_visit;   // 0 = none; quantity above it is 全自费
  int max_days = 0;             // course limit in days per visit; 0 = none

  bool empty() const;
};

struct CatalogueItem {
  std::string code;  // `med_list_codg`
  std::string name;
  ItemKind kind = ItemKind::kDrug;
  ItemClass item_class = ItemClass::kA;
  Ratio selfpay_prop;  // `selfpay_prop`: 先行自付 share of 乙类 (and 放宽/implant) items
  std::optional<UnitPrice> price_cap;  // `pric_uplmt_amt`: payment standard per unit
  PaymentRestriction restriction;
  Date valid_from = Date::Min();  // inclusive
  Date valid_to = Date::Max();    // inclusive
  int source_line = 0;            // line in the catalogue file, for traces and messages
};

class Catalogue {
 public:
  Catalogue() = default;
  Catalogue(std::string admdvs, std::vector<CatalogueItem> items);

  const std::string& admdvs() const { return admdvs_; }
  const std::vector<CatalogueItem>& items() const { return items_; }
  size_t size() const { return items_.size(); }

  // The item version in force on `on`, or nullptr. O(1) expected: one hash lookup, then the
  // (usually single) versions of the code.
  const CatalogueItem* Find(std::string_view code, Date on) const;

 private:
  // Open addressing over a power-of-two table of (hash, first index of the code's versions): a
  // lookup is one hash of the code, a mask, and usually one string compare. std::unordered_map
  // spent most of a settlement's time in its modulo and node walks.
  struct Slot {
    uint64_t hash = 0;
    uint32_t first = UINT32_MAX;  // UINT32_MAX = empty
  };
  static uint64_t HashCode(std::string_view code);
  std::string admdvs_;
  std::vector<CatalogueItem> items_;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
};

}  // namespace yibao
