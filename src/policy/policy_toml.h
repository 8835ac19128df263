// Reads a benefit policy file (TOML; format in docs/formats/policy.md) into a Policy, and validates
// it: every problem is reported with the file, the line and the field, and a policy with any error
// is never returned. Unknown keys are errors (a misspelt key silently ignored would change
// payments).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "policy/policy.h"

namespace yibao {

// The words a region defines for person types and identities; when given, every condition that
// names one is checked against it.
struct PolicyVocabulary {
  std::vector<std::string> psn_types;
  std::vector<std::string> identities;
};

Result<Policy> ParsePolicyToml(std::string_view text, std::string_view file_name,
                               const PolicyVocabulary* vocabulary = nullptr);
Result<Policy> LoadPolicyFile(const std::string& path,
                              const PolicyVocabulary* vocabulary = nullptr);

// Checks of a compiled policy that do not depend on the text (also run by ParsePolicyToml).
Diagnostics ValidatePolicy(const Policy& policy, const PolicyVocabulary* vocabulary);

}  // namespace yibao
