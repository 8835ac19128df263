#include "review/rule_set.h"

#include <fmt/format.h>

namespace yibao {

namespace {

constexpr uint32_t Bit(RuleFamily f) { return 1u << unsigned(f); }

// The line families a catalogue restriction can trigger.
uint32_t RestrictionFamilies(const PaymentRestriction& r) {
  uint32_t m = 0;
  if (!r.insutypes.empty()) m |= Bit(RuleFamily::kScopeInsutype);
  if (r.min_level > 0) m |= Bit(RuleFamily::kScopeLevel);
  if (r.setting != CareSetting::kAny) m |= Bit(RuleFamily::kScopeSetting);
  if (!r.specialties.empty()) m |= Bit(RuleFamily::kScopeSpecialty);
  if (r.sex != Sex::kAny) m |= Bit(RuleFamily::kScopeSex);
  if (r.min_age >= 0 || r.max_age >= 0) m |= Bit(RuleFamily::kScopeAge);
  if (!r.indications.empty()) m |= Bit(RuleFamily::kScopeIndication);
  return m;
}

uint32_t KnowledgeFamilies(const KnowledgeItem& k) {
  uint32_t m = 0;
  if (k.max_sin_dos) m |= Bit(RuleFamily::kStandardDose);
  if (k.max_daily_freq) m |= Bit(RuleFamily::kStandardFrequency);
  if (k.max_daily_qty || k.max_visit_qty) m |= Bit(RuleFamily::kStandardQuantity);
  if (k.max_course_days) m |= Bit(RuleFamily::kStandardCourse);
  if (k.max_annual_amount) m |= Bit(RuleFamily::kStandardAnnual);
  if (k.procurement_price) m |= Bit(RuleFamily::kStandardMarkup);
  if (k.per_day) m |= Bit(RuleFamily::kChargeFictitious);
  if (k.secondary_ratio) m |= Bit(RuleFamily::kChargePricedAlike);
  return m;
}

// Which knowledge table (or other input) each family needs.
struct Need {
  RuleFamily family;
  int table;  // KnowledgeTable, or -1 catalogue, -2 DRG grouper
};
constexpr Need kNeeds[] = {
    {RuleFamily::kScopeInsutype, -1},
    {RuleFamily::kScopeLevel, -1},
    {RuleFamily::kScopeSetting, -1},
    {RuleFamily::kScopeSpecialty, -1},
    {RuleFamily::kScopeSex, -1},
    {RuleFamily::kScopeAge, -1},
    {RuleFamily::kScopeIndication, -1},
    {RuleFamily::kScopeStepTherapy, int(KnowledgeTable::kStepTherapy)},
    {RuleFamily::kStandardDose, int(KnowledgeTable::kItems)},
    {RuleFamily::kStandardFrequency, int(KnowledgeTable::kItems)},
    {RuleFamily::kStandardQuantity, int(KnowledgeTable::kItems)},
    {RuleFamily::kStandardCourse, int(KnowledgeTable::kItems)},
    {RuleFamily::kStandardAnnual, int(KnowledgeTable::kItems)},
    {RuleFamily::kStandardMarkup, int(KnowledgeTable::kItems)},
    {RuleFamily::kChargeDuplicate, int(KnowledgeTable::kIncludes)},
    {RuleFamily::kChargeMissingAssociated, int(KnowledgeTable::kRequires)},
    {RuleFamily::kChargeSubstitution, int(KnowledgeTable::kSubstitution)},
    {RuleFamily::kChargeSplit, int(KnowledgeTable::kBundles)},
    {RuleFamily::kChargePricedAlike, int(KnowledgeTable::kItems)},
    {RuleFamily::kVisitBedWithoutTreatment, int(KnowledgeTable::kItems)},
    {RuleFamily::kVisitCostShifting, int(KnowledgeTable::kItems)},
    {RuleFamily::kVisitDrgUpcoding, int(KnowledgeTable::kDiagnosisEvidence)},
    {RuleFamily::kVisitDrgUpcoding, -2},
    {RuleFamily::kVisitLowSeverityAdmission, int(KnowledgeTable::kMildDiagnoses)},
};

}  // namespace

RuleSet RuleSet::Compile(RuleBase base, const KnowledgeBase* knowledge, const Catalogue* catalogue,
                         const DrgGrouper* grouper) {
  RuleSet s;
  s.rules_ = std::move(base.rules);
  s.knowledge_ = knowledge;
  s.catalogue_ = catalogue;
  s.grouper_ = grouper;
  uint32_t with_rules = 0;
  for (uint32_t i = 0; i < s.rules_.size(); ++i) {
    s.by_family_[size_t(s.rules_[i].family)].push_back(i);
    with_rules |= Bit(s.rules_[i].family);
  }
  for (const Need& n : kNeeds) {
    if (!(with_rules & Bit(n.family))) continue;
    std::string missing;
    if (n.table >= 0 && !(knowledge && knowledge->has(KnowledgeTable(n.table))))
      missing = std::string("no knowledge/") + KnowledgeTableFile(KnowledgeTable(n.table));
    if (n.table == -1 && !catalogue) missing = "no catalogue.csv";
    if (n.table == -2 && !(grouper && grouper->spec)) missing = "no CHS-DRG specification (--data)";
    if (!missing.empty())
      s.notes_.push_back(
          fmt::format("{}: {}; its rules find nothing", RuleFamilyName(n.family), missing));
  }

  auto facts = [&](const std::string& code) -> ItemFacts& { return s.facts_[code]; };
  if (knowledge) {
    for (const KnowledgeItem& k : knowledge->items) {
      ItemFacts& f = facts(k.code);
      f.item = &k;
      f.families |= KnowledgeFamilies(k);
    }
    for (const KnowledgeIncludes& r : knowledge->includes) {
      ItemFacts& f = facts(r.included);
      f.included_by.push_back(r.code);
      f.families |= Bit(RuleFamily::kChargeDuplicate);
    }
    for (const KnowledgeRequires& r : knowledge->requires_any) {
      ItemFacts& f = facts(r.code);
      f.requires_rows.push_back(&r);
      f.families |= Bit(RuleFamily::kChargeMissingAssociated);
    }
    for (const KnowledgeBundle& b : knowledge->bundles)
      for (const std::string& c : b.components) {
        ItemFacts& f = facts(c);
        if (f.bundles.empty() || f.bundles.back() != &b) f.bundles.push_back(&b);
        f.families |= Bit(RuleFamily::kChargeSplit);
      }
    for (const KnowledgeSubstitution& r : knowledge->substitutions) {
      ItemFacts& f = facts(r.billed);
      f.substitutions.push_back(&r);
      f.families |= Bit(RuleFamily::kChargeSubstitution);
    }
    for (const KnowledgeStepTherapy& r : knowledge->step_therapy) {
      ItemFacts& f = facts(r.code);
      f.step = &r;
      f.families |= Bit(RuleFamily::kScopeStepTherapy);
    }
  }
  if (catalogue) {
    for (const CatalogueItem& c : catalogue->items()) {
      uint32_t m = RestrictionFamilies(c.restriction);
      auto it = s.facts_.find(c.code);
      if (!m && it == s.facts_.end()) continue;
      ItemFacts& f = facts(c.code);
      f.families |= m;
      f.versions.push_back(&c);
    }
  }
  for (auto& [code, f] : s.facts_) f.families &= with_rules;
  return s;
}

const ItemFacts* RuleSet::Facts(std::string_view code) const {
  auto it = facts_.find(std::string(code));
  return it == facts_.end() ? nullptr : &it->second;
}

BoundRules Bind(const RuleSet& set, const ClaimsStore& store) {
  BoundRules b;
  b.set = &set;
  b.store = &store;
  const uint32_t n = store.items.size();
  b.item_slot.assign(n, kNoCode);
  b.category.assign(n, ItemCategory::kUnknown);
  b.is_drug.assign(n, 0);
  for (const Rule& r : set.rules()) b.line_families |= 1u << unsigned(r.family);
  auto ids = [&](const std::vector<std::string>& codes) {
    std::vector<uint32_t> out;
    for (const std::string& c : codes) out.push_back(store.items.Find(c));
    return out;
  };
  std::unordered_map<const KnowledgeBundle*, uint32_t> bundle_index;
  for (uint32_t id = 0; id < n; ++id) {
    std::string_view code = store.items.Name(id);
    if (set.catalogue()) {
      // Whether an item is a drug matters to over-prescription; the catalogue knows every item.
      if (const CatalogueItem* c = set.catalogue()->Find(code, Date::Max()))
        b.is_drug[id] = c->kind == ItemKind::kDrug;
      else if (const CatalogueItem* c0 = set.catalogue()->Find(code, Date::FromYmd(2000, 1, 1)))
        b.is_drug[id] = c0->kind == ItemKind::kDrug;
    }
    const ItemFacts* f = set.Facts(code);
    if (!f) continue;
    if (f->item) {
      b.category[id] = f->item->category;
      if (f->item->category == ItemCategory::kDrug) b.is_drug[id] = 1;
    }
    if (!f->versions.empty() && !b.is_drug[id])
      b.is_drug[id] = f->versions.front()->kind == ItemKind::kDrug;
    BoundItem bi;
    bi.facts = f;
    bi.included_by = ids(f->included_by);
    for (const KnowledgeRequires* r : f->requires_rows)
      bi.requires_any.push_back(ids(r->required_any));
    for (const KnowledgeBundle* kb : f->bundles) {
      auto [it, fresh] = bundle_index.emplace(kb, uint32_t(b.bundles.size()));
      if (fresh) b.bundles.push_back({kb, store.items.Find(kb->bundle), ids(kb->components)});
      bi.bundles.push_back(it->second);
    }
    for (const KnowledgeSubstitution* r : f->substitutions)
      bi.substitution_items.push_back(ids(r->evidence_any));
    if (f->step) bi.first_line = ids(f->step->first_line);
    b.item_slot[id] = uint32_t(b.items.size());
    b.items.push_back(std::move(bi));
  }
  if (set.knowledge())
    for (const KnowledgeDxEvidence& d : set.knowledge()->dx_evidence)
      b.dx_evidence.push_back({&d, ids(d.evidence_any)});
  return b;
}

}  // namespace yibao
