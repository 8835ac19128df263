// The rule base compiled once into indexed structures: what each item code can trigger (its
// knowledge facts, its catalogue restrictions, and so the set of line families that can fire on
// it), and the visit rules by family. Reviewing a fee line then costs one array lookup of its item,
// not a loop over every rule.
//
// A RuleSet is independent of any claims store; Bind() maps it onto one store's interned item ids
// (BoundRules), which is what the engine runs.
//
// Thread safety: both are immutable once built; share them between threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalogue/catalogue.h"
#include "drg/grouper.h"
#include "review/claims.h"
#include "review/knowledge.h"
#include "review/rules.h"

namespace yibao {

// What the rule base knows about one item code.
struct ItemFacts {
  const KnowledgeItem* item = nullptr;
  std::vector<std::string> included_by;  // codes that already include this one
  std::vector<const KnowledgeRequires*> requires_rows;
  std::vector<const KnowledgeBundle*> bundles;              // bundles this is a component of
  std::vector<const KnowledgeSubstitution*> substitutions;  // rows billing this code
  const KnowledgeStepTherapy* step = nullptr;
  std::vector<const CatalogueItem*> versions;  // catalogue versions with restrictions
  uint32_t families = 0;                       // bit RuleFamily: line families that can fire
};

class RuleSet {
 public:
  // `knowledge` and `catalogue` must outlive the set; either may be null (then the families that
  // need them find nothing). `grouper` is needed by visit_drg_upcoding only.
  static RuleSet Compile(RuleBase base, const KnowledgeBase* knowledge, const Catalogue* catalogue,
                         const DrgGrouper* grouper);

  const std::vector<Rule>& rules() const { return rules_; }
  const std::vector<uint32_t>& RulesOf(RuleFamily f) const { return by_family_[size_t(f)]; }
  const ItemFacts* Facts(std::string_view code) const;
  const KnowledgeBase* knowledge() const { return knowledge_; }
  const Catalogue* catalogue() const { return catalogue_; }
  const DrgGrouper* grouper() const { return grouper_; }
  // One line per family that has rules but lacks what it needs ("standard_dose: no
  // knowledge/items.csv"): the run summary shows them.
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  std::vector<Rule> rules_;
  std::array<std::vector<uint32_t>, kRuleFamilyCount> by_family_;
  std::unordered_map<std::string, ItemFacts> facts_;
  const KnowledgeBase* knowledge_ = nullptr;
  const Catalogue* catalogue_ = nullptr;
  const DrgGrouper* grouper_ = nullptr;
  std::vector<std::string> notes_;
};

// An item's facts with the codes it names mapped to one store's item ids (kNoCode: the code never
// occurs in the store, so it cannot be present on a visit).
struct BoundItem {
  const ItemFacts* facts = nullptr;
  std::vector<uint32_t> included_by;
  std::vector<std::vector<uint32_t>> requires_any;        // one list per requires.csv row
  std::vector<uint32_t> bundles;                          // indices into BoundRules::bundles
  std::vector<std::vector<uint32_t>> substitution_items;  // per row: evidence item ids
  std::vector<uint32_t> first_line;                       // step therapy
};

struct BoundBundle {
  const KnowledgeBundle* row = nullptr;
  uint32_t bundle_item = kNoCode;
  std::vector<uint32_t> components;
};

struct BoundDxEvidence {
  const KnowledgeDxEvidence* row = nullptr;
  std::vector<uint32_t> items;
};

struct BoundRules {
  const RuleSet* set = nullptr;
  const ClaimsStore* store = nullptr;
  std::vector<uint32_t> item_slot;  // store item id → index into `items`, kNoCode when none
  std::vector<BoundItem> items;
  std::vector<BoundBundle> bundles;
  std::vector<BoundDxEvidence> dx_evidence;
  std::vector<ItemCategory> category;  // store item id → category (kUnknown when not known)
  std::vector<uint8_t> is_drug;        // store item id → a drug (knowledge or catalogue)
  uint32_t line_families = 0;          // families with at least one rule

  const BoundItem* Item(uint32_t item) const {
    uint32_t s = item_slot[item];
    return s == kNoCode ? nullptr : &items[s];
  }
};

BoundRules Bind(const RuleSet& set, const ClaimsStore& store);

}  // namespace yibao
