#include "catalogue/catalogue.h"

#include <algorithm>

namespace yibao {

const char* ItemKindName(ItemKind k) {
  switch (k) {
    case ItemKind::kDrug:
      return "drug";
    case ItemKind::kServiceItem:
      return "service";
    case ItemKind::kConsumable:
      return "consumable";
  }
  return "?";
}

const char* ItemClassName(ItemClass c) {
  switch (c) {
    case ItemClass::kA:
      return "甲";
    case ItemClass::kB:
      return "乙";
    case ItemClass::kC:
      return "丙";
  }
  return "?";
}

bool PaymentRestriction::empty() const {
  return sex == Sex::kAny && min_age < 0 && max_age < 0 && setting == CareSetting::kAny &&
         min_level == 0 && indications.empty() && insutypes.empty() && specialties.empty() &&
         !step_therapy && !needs_approval && max_qty_per_visit.scaled() == 0 && max_days == 0;
}

Catalogue::Catalogue(std::string admdvs, std::vector<CatalogueItem> items)
    : admdvs_(std::move(admdvs)), items_(std::move(items)) {
  // Group versions of one code together (stable: file order within a code), newest last.
  std::stable_sort(items_.begin(), items_.end(),
                   [](const CatalogueItem& a, const CatalogueItem& b) {
                     if (a.code != b.code) return a.code < b.code;
                     return a.valid_from < b.valid_from;
                   });
  index_.reserve(items_.size());
  for (uint32_t i = 0; i < items_.size(); ++i) index_.try_emplace(items_[i].code, i);
}

const CatalogueItem* Catalogue::Find(std::string_view code, Date on) const {
  auto it = index_.find(code);
  if (it == index_.end()) return nullptr;
  for (uint32_t i = it->second; i < items_.size() && items_[i].code == code; ++i) {
    const CatalogueItem& item = items_[i];
    if (item.valid_from <= on && on <= item.valid_to) return &item;
  }
  return nullptr;
}

}  // namespace yibao
