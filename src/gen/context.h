// What every block of persons is generated from: the options, the catalogue and knowledge, the
// condition profiles, the institutions and the grouper. Built once by the generator, read-only
// while blocks are generated in parallel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/date.h"
#include "drg/grouper.h"
#include "gen/knowledge.h"
#include "gen/model.h"
#include "gen/profiles.h"

namespace yibao::gen {

// Item ids that care and injections name directly.
struct CommonItems {
  ItemId consult, consult_senior, consult_internet, inpatient_consult;
  ItemId bed, bed_double, nursing2, meal;
  ItemId iv_set, cannula, syringe, gauze;
  ItemId blood_count, liver, renal, lipids, ecg, dr, ct, ct_enhanced, b_ultrasound;
  ItemId big_dressing, small_dressing, suture, extraction;
  ItemId general_anaesthesia, sedation, oxygen, salbutamol, tramadol, paracetamol, ibuprofen_sr;
  ItemId omeprazole, amoxicillin, cefuroxime_tab, moxifloxacin, meropenem, smectite, lianhua;
  ItemId amlodipine, acupuncture, exercise_therapy, folic_acid, prenatal, ambroxol_inj;
  ItemId amoxicillin_granules, levofloxacin, sitagliptin, clotrimazole, psa, mri, ctpa;
  ItemId chemo_paclitaxel, chemo_cisplatin, chemo_oxaliplatin, chemo_pemetrexed, capecitabine;
  ItemId dialysis_session, hcg, fetal_ultrasound, child_granules;
  static CommonItems Resolve(const Knowledge& k);
};

struct GenOptions {
  uint64_t seed = 1;
  int64_t persons = 20'000;
  int year = 2025;
  int institutions = 0;            // 0: from the number of persons
  int64_t abuse_rate_ppm = 3'000;  // injections per family per visit (3 per thousand)
  int threads = 2;
  std::string admdvs = "379900";  // the region (the bundled sample city 青岚市)
};

struct GenContext {
  GenOptions options;
  const Knowledge* knowledge = nullptr;
  Profiles profiles;
  CommonItems items;
  std::vector<Institution> institutions;
  // Institutions by kind: clinics (基层), hospitals by level, pharmacies, internet hospitals.
  std::vector<uint32_t> clinics, hospitals, pharmacies, internet;
  std::vector<uint32_t> hospitals_by_level[4];
  std::vector<int> hospital_weights;  // by `hospitals`: 三级 6, 二级 3, 一级 1
  // Places of insurance other than the region: cities of the same province, of other provinces.
  std::vector<std::string> same_province, other_provinces;
  const DrgGrouper* grouper = nullptr;  // nullptr: no stay is DRG-paid
  Date year_begin, year_end;
};

// Persons and institutions (population.cc).
std::vector<Institution> MakeInstitutions(const GenOptions& o, int count);
int DefaultInstitutionCount(int64_t persons);

}  // namespace yibao::gen
