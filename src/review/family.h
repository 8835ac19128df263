// The 29 rule families of the review rule base (docs/formats/claims.md, "The families"): the kind
// of abuse a rule catches. A family is implemented once, in C++ (line_checks.cc, visit_checks.cc);
// a rule is one parameterised instance of a family, written as data (docs/formats/review-rules.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace yibao {

enum class RuleFamily : uint8_t {
  // 超支付范围 (beyond the payment scope): the catalogue's 限定支付范围 on one fee line.
  kScopeInsutype,
  kScopeLevel,
  kScopeSetting,
  kScopeSpecialty,
  kScopeSex,
  kScopeAge,
  kScopeIndication,
  kScopeStepTherapy,
  // 超标准 (beyond the payment standard): the knowledge base's limits.
  kStandardDose,
  kStandardFrequency,
  kStandardQuantity,
  kStandardCourse,
  kStandardAnnual,
  kStandardMarkup,
  // 收费 (charging) within one visit.
  kChargeDuplicate,
  kChargeMissingAssociated,
  kChargeSubstitution,
  kChargeFictitious,
  kChargeSplit,
  kChargePricedAlike,
  // Across visits, persons and time.
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
inline constexpr int kRuleFamilyCount = 29;

// "scope_insutype" … "visit_cost_shifting": the names of claims.md, used in rule files, findings
// and labels.
std::string_view RuleFamilyName(RuleFamily f);
std::optional<RuleFamily> ParseRuleFamily(std::string_view name);

// What a rule's `window` may be for a family (docs/formats/review-rules.md, "window").
enum class WindowKind : uint8_t {
  kVisit,  // this visit only
  kDays,   // a number of days around the visit ("15d")
  kYear,   // the insurance (calendar) year
};
WindowKind FamilyWindowKind(RuleFamily f);
int FamilyDefaultWindowDays(RuleFamily f);  // for kDays families

// Whether a family judges single fee lines (indexed by item code) or visits.
bool IsLineFamily(RuleFamily f);

}  // namespace yibao
