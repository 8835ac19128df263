// Normal care: a person's year of visits built from the condition profiles — acute outpatient
// episodes, chronic dispensings (门诊慢特病, pharmacy, internet), dialysis, pregnancy and birth,
// chemotherapy cycles and inpatient stays with per-day lines — then made consistent (no stay
// overlapping another, no outpatient claim inside a stay, nothing after death) so that normal care
// does not look like abuse. The line builders are shared with the injections (abuse.h).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "gen/context.h"
#include "gen/random.h"

namespace yibao::gen {

// What a payment restriction is checked against (the visit, and the department billing a line).
struct VisitFacts {
  int sex = 1;
  int age = 0;
  bool inpatient = false;
  int level = 0;
  const std::vector<std::string_view>* dx = nullptr;
  std::string_view insutype;
  uint8_t dept = 0;
};

// Whether normal care may give `item` in `s`: every restriction of its catalogue row that visit
// data can show (sex, age, setting, level, indication, insurance type, specialty) holds.
bool Allowed(const ItemInfo& item, const VisitFacts& s);
VisitFacts SettingOf(const GenContext& g, const Person& p, const Visit& v);

// A person's dispensings and yearly amounts, kept so that normal care stays within the
// over-prescription window and the annual limits.
struct PersonLedger {
  struct Supply {
    ItemId item;
    int32_t day;
    int days;
  };
  std::vector<Supply> supplies;
  std::vector<std::pair<ItemId, int64_t>> annual_fen;
  // Whether `days` more of `item` dispensed on `day` keep every 90-day window at most `limit`.
  bool SupplyFits(ItemId item, int32_t day, int days, int limit) const;
  int64_t Annual(ItemId item) const;
  void AddAnnual(ItemId item, int64_t fen);
};

// Builds lines into visits. `price` 0 = the item's normal price.
class LineMaker {
 public:
  LineMaker(const GenContext& g, const Person& p, PersonLedger& ledger)
      : g_(g), k_(*g.knowledge), p_(p), ledger_(ledger) {}

  // A non-drug item: `units` whole units on `day`, if normal care may give it. Returns whether a
  // line was added.
  bool Item(Visit& v, ItemId item, int32_t day, int units, uint8_t dept = 0);
  // A drug given in a stay: `sin_dos` units `freq` times on `day`.
  bool StayDrug(Visit& v, ItemId item, int32_t day, int sin_dos, int freq, int extra_units = 0);
  // A dispensing: `sin_dos` × `freq` a day for `days` days (or `pack` units lasting them), only
  // if the over-prescription window allows it.
  bool Dispense(Visit& v, ItemId item, int sin_dos, int freq, int days, int pack = 0);
  // A line without any check (injections use it to break rules on purpose).
  Line& Raw(Visit& v, ItemId item, int32_t day, int64_t cnt_scaled, int64_t price = 0);

  const Person& person() const { return p_; }

 private:
  bool Check(const Visit& v, ItemId item, uint8_t dept) const;
  const GenContext& g_;
  const Knowledge& k_;
  const Person& p_;
  PersonLedger& ledger_;
};

// A person's whole year of normal care, in `visits` (sorted by begin date; `seq` numbers visits
// in creation order across the block).
void PlanPersonYear(const GenContext& g, Rng& rng, const Person& p, uint32_t person_index,
                    PersonLedger& ledger, std::vector<Visit>& visits, uint32_t& seq);

// Builds one stay of `profile` at `inst` from `begin` with length `los` (used by injections);
// `main_dx` empty: one of the profile's.
Visit MakeStay(const GenContext& g, Rng& rng, const Person& p, uint32_t person_index,
               PersonLedger& ledger, const StayProfile& profile, uint32_t inst, Date begin, int los,
               uint32_t seq, std::string_view main_dx = {});

// Groups the stay with the CHS-DRG grouper when its institution is DRG-paid; the code, or empty.
std::string GroupStay(const GenContext& g, const Person& p, const Visit& v);

// Sorts by begin date (then creation order).
void SortVisits(std::vector<Visit>& visits);

// The 3-character category of a diagnosis code ("I63.900" → "I63").
inline std::string_view Category3(std::string_view dx) { return dx.substr(0, 3); }

}  // namespace yibao::gen
