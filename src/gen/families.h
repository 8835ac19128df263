// The 29 abuse families of docs/formats/claims.md, in the order of its table: the `family` of a
// label (and of a review rule and a finding).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace yibao::gen {

enum class Family : uint8_t {
  kScopeInsutype,
  kScopeLevel,
  kScopeSetting,
  kScopeSpecialty,
  kScopeSex,
  kScopeAge,
  kScopeIndication,
  kScopeStepTherapy,
  kStandardDose,
  kStandardFrequency,
  kStandardQuantity,
  kStandardCourse,
  kStandardAnnual,
  kStandardMarkup,
  kChargeDuplicate,
  kChargeMissingAssociated,
  kChargeSubstitution,
  kChargeFictitious,
  kChargeSplit,
  kChargePricedAlike,
  kVisitSplitHospitalisation,
  kVisitOutpatientDuringInpatient,
  kVisitBedWithoutTreatment,
  kVisitAfterDeath,
  kVisitOverPrescription,
  kVisitFakeHospitalisation,
  kVisitDrgUpcoding,
  kVisitLowSeverityAdmission,
  kVisitCostShifting,
};

inline constexpr int kFamilyCount = 29;

inline constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "scope_insutype",
    "scope_level",
    "scope_setting",
    "scope_specialty",
    "scope_sex",
    "scope_age",
    "scope_indication",
    "scope_step_therapy",
    "standard_dose",
    "standard_frequency",
    "standard_quantity",
    "standard_course",
    "standard_annual",
    "standard_markup",
    "charge_duplicate",
    "charge_missing_associated",
    "charge_substitution",
    "charge_fictitious",
    "charge_split",
    "charge_priced_alike",
    "visit_split_hospitalisation",
    "visit_outpatient_during_inpatient",
    "visit_bed_without_treatment",
    "visit_after_death",
    "visit_over_prescription",
    "visit_fake_hospitalisation",
    "visit_drg_upcoding",
    "visit_low_severity_admission",
    "visit_cost_shifting",
};

inline std::string_view FamilyName(Family f) { return kFamilyNames[size_t(f)]; }

}  // namespace yibao::gen
