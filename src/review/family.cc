#include "review/family.h"

#include <array>

namespace yibao {
namespace {

constexpr std::array<std::string_view, kRuleFamilyCount> kNames = {
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

}  // namespace

std::string_view RuleFamilyName(RuleFamily f) { return kNames[size_t(f)]; }

std::optional<RuleFamily> ParseRuleFamily(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return RuleFamily(i);
  return std::nullopt;
}

WindowKind FamilyWindowKind(RuleFamily f) {
  switch (f) {
    case RuleFamily::kStandardAnnual:
      return WindowKind::kYear;
    case RuleFamily::kScopeStepTherapy:
    case RuleFamily::kVisitSplitHospitalisation:
    case RuleFamily::kVisitOverPrescription:
    case RuleFamily::kVisitFakeHospitalisation:
    case RuleFamily::kVisitCostShifting:
      return WindowKind::kDays;
    default:
      return WindowKind::kVisit;
  }
}

int FamilyDefaultWindowDays(RuleFamily f) {
  switch (f) {
    case RuleFamily::kScopeStepTherapy:
      return 180;  // used only where step_therapy.csv leaves window_days empty
    case RuleFamily::kVisitSplitHospitalisation:
      return 15;
    case RuleFamily::kVisitOverPrescription:
      return 90;
    case RuleFamily::kVisitFakeHospitalisation:
      return 60;
    case RuleFamily::kVisitCostShifting:
      return 7;
    default:
      return 0;
  }
}

bool IsLineFamily(RuleFamily f) { return f < RuleFamily::kVisitSplitHospitalisation; }

}  // namespace yibao
