#include "catalogue/catalogue.h"

#include <algorithm>
#include <cstring>

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

uint64_t Catalogue::HashCode(std::string_view code) {
  // Eight bytes at a time (codes are 9–23 bytes: two or three rounds), then a splitmix finaliser so
  // that the low bits used by the mask depend on every byte.
  uint64_t h = 0x9e3779b97f4a7c15ull ^ code.size();
  size_t i = 0;
  for (; i + 8 <= code.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, code.data() + i, 8);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < code.size()) {
    uint64_t chunk = 0;
    std::memcpy(&chunk, code.data() + i, code.size() - i);
    h = (h ^ chunk) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

Catalogue::Catalogue(std::string admdvs, std::vector<CatalogueItem> items)
    : admdvs_(std::move(admdvs)), items_(std::move(items)) {
  // Group versions of one code together (stable: file order within a code), oldest first.
  std::stable_sort(items_.begin(), items_.end(),
                   [](const CatalogueItem& a, const CatalogueItem& b) {
                     if (a.code != b.code) return a.code < b.code;
                     return a.valid_from < b.valid_from;
                   });
  size_t capacity = 16;
  while (capacity < items_.size() * 2) capacity *= 2;  // load factor ≤ 0.5
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (uint32_t i = 0; i < items_.size(); ++i) {
    if (i > 0 && items_[i].code == items_[i - 1].code)
      continue;  // a later version of the same code
    uint64_t h = HashCode(items_[i].code);
    for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
      if (slots_[s].first == UINT32_MAX) {
        slots_[s] = Slot{h, i};
        break;
      }
    }
  }
}

const CatalogueItem* Catalogue::Find(std::string_view code, Date on) const {
  if (slots_.empty()) return nullptr;
  uint64_t h = HashCode(code);
  for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
    const Slot& slot = slots_[s];
    if (slot.first == UINT32_MAX) return nullptr;
    if (slot.hash != h || items_[slot.first].code != code) continue;
    for (uint32_t i = slot.first; i < items_.size() && items_[i].code == code; ++i) {
      const CatalogueItem& item = items_[i];
      if (item.valid_from <= on && on <= item.valid_to) return &item;
    }
    return nullptr;
  }
}

}  // namespace yibao
