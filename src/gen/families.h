// The 29 abuse families of docs/formats/claims.md: the `family` of a label. They are the review's
// rule families (review/family.h), so a label and a finding name a family the same way.
#pragma once

#include <string_view>

#include "review/family.h"

namespace yibao::gen {

using Family = RuleFamily;
inline constexpr int kFamilyCount = kRuleFamilyCount;

inline std::string_view FamilyName(Family f) { return RuleFamilyName(f); }

}  // namespace yibao::gen
