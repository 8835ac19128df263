// Condition profiles: what normal care looks like for common conditions — the diagnoses (ICD-10
// 医保版 2.0), the setting, the drugs with their doses, exams, treatments, surgeries (ICD-9-CM-3
// 医保版 2.0), length of stay, and how often each happens by age (episodes per 1000 persons a
// year). Figures are documented in docs/formats/gen.md. Codes of items are catalogue codes and are
// resolved to ItemIds once (ResolveProfiles).
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "codes/icd_table.h"
#include "gen/knowledge.h"

namespace yibao::gen {

// Age bands of the incidence tables: 0–4, 5–14, 15–44, 45–64, 65+.
inline constexpr int kAgeBands = 5;
int AgeBand(int age);
using BandRates = std::array<int, kAgeBands>;  // per 1000 persons a year

// A drug: `sin_dos` units per dose, `freq` doses a day; `pct` the share of episodes that get it.
// `pack` > 0: a device or pack (inhaler, pen, eye drops) of which `pack` units last 30 days.
struct DrugRx {
  std::string_view code;
  int pct = 100;
  int sin_dos = 1;
  int freq = 1;
  int pack = 0;
  ItemId id = kNoItem;
};

// A non-drug item: `cnt_lo`..`cnt_hi` units.
struct ItemRx {
  std::string_view code;
  int pct = 100;
  int cnt_lo = 1, cnt_hi = 1;
  ItemId id = kNoItem;
};

// A daily item of a stay from day `from` (0 = admission day) to day `to` (-1: the last day of
// the stay; otherwise capped by the stay).
struct DailyRx {
  std::string_view code;
  int pct = 100;
  int sin_dos = 1, freq = 1;  // drugs; for other items cnt = sin_dos × freq
  int from = 0, to = -1;
  bool rehab = false;  // billed by the rehabilitation department
  ItemId id = kNoItem;
};

// A secondary diagnosis that some episodes carry; its evidence items (diagnosis_evidence.csv)
// are added to the stay with it.
struct SecondaryDx {
  std::string_view code;
  int pct = 0;
};

struct OutpatientProfile {
  std::string_view name;
  std::string_view dept;
  std::vector<std::string_view> dx;
  BandRates rates{};
  int sex = 0;  // 0 any, 1 male, 2 female
  int age_lo = 0, age_hi = 150;
  std::vector<ItemRx> items;
  std::vector<DrugRx> drugs;
  int days_lo = 3, days_hi = 7;  // course of the drugs
  std::vector<std::string_view> procs;
  int clinic_pct = 50;            // share seen at a 基层 clinic (the rest at a hospital)
  int internet_pct = 0;           // share seen at an internet hospital
  int pharmacy_pct = 0;           // share bought at a pharmacy instead (drugs only)
  int followup_pct = 0;           // share with a second visit a few days later
  int secondary_ratio_item = -1;  // index in items of a procedure whose second unit is discounted
};

struct StayProfile {
  std::string_view name;
  std::string_view dept;
  std::vector<std::string_view> dx;
  std::vector<SecondaryDx> secondary;
  std::vector<std::string_view> procs;  // main first; empty for medical stays
  BandRates rates{};
  int sex = 0;
  int age_lo = 0, age_hi = 150;
  int min_level = 1;
  int los_lo = 3, los_hi = 7;
  int surgery_day = -1;                          // day of the operation; -1 none
  std::string_view nursing = "001201000040000";  // Ⅱ级护理
  std::vector<ItemRx> admission;                 // on the admission day
  std::vector<ItemRx> surgery;                   // on the surgery day
  std::vector<DailyRx> daily;
};

// A chronic condition treated with regular dispensings (门诊慢特病, pharmacy, internet).
struct ChronicProfile {
  std::string_view name;
  std::string_view dept;
  std::string_view dx;
  BandRates prevalence{};  // per 1000 persons
  std::vector<DrugRx> drugs;
  std::vector<ItemRx> checkup;  // at a quarterly hospital visit
};

struct Profiles {
  std::vector<OutpatientProfile> outpatient;
  std::vector<StayProfile> stays;
  std::vector<ChronicProfile> chronic;
  // Special episodes built in care.cc, looked up by name.
  const StayProfile* Stay(std::string_view name) const;
};

// The built-in profiles with their item codes resolved against `k` (aborts on a code the
// catalogue lacks: the tables are compiled in).
Profiles BuiltinProfiles(const Knowledge& k);

// Every diagnosis and procedure code of the profiles is a 医保版 2.0 code and main codes are not
// 灰码 (else the grouper could not group the stays).
Diagnostics CheckProfileCodes(const Profiles& p, const IcdTables& icd);

}  // namespace yibao::gen
