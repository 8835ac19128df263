// A pooling region as shipped on disk (docs/formats/region.md): region.toml naming the region, its
// person types and identities, its catalogue, its institutions and its policy files. Loading checks
// everything together: each policy against the region's vocabulary, and that no two policies of one
// insurance type are in force on the same day.
//
// Thread safety: immutable after loading.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "catalogue/catalogue.h"
#include "policy/policy.h"
#include "policy/policy_toml.h"

namespace yibao {

struct Institution {
  std::string code;  // `fixmedins_code`
  std::string name;
  int level = 0;  // 0 基层/未定级, 1, 2, 3
  bool pharmacy = false;
};

struct PersonType {
  std::string id;
  std::string name;
  std::string national_code;  // `psn_type` code a HIS may send instead of the id
};

class Region {
 public:
  std::string dir;
  std::string admdvs;
  std::string name;
  bool province_pooling = false;  // pooled at province level (otherwise city)
  std::vector<PersonType> person_types;
  std::vector<std::pair<std::string, std::string>> identities;  // id, name
  PolicyVocabulary vocabulary;
  Catalogue catalogue;
  std::vector<Institution> institutions;
  std::vector<Policy> policies;

  // The policy of `insutype` in force on `on`, or nullptr.
  const Policy* PolicyFor(std::string_view insutype, Date on) const;
  const Institution* FindInstitution(std::string_view code) const;
  // A person type id from an id or a national code; empty if unknown.
  std::string PersonTypeId(std::string_view id_or_code) const;
};

Result<Region> LoadRegion(const std::string& dir);

// Just the policies of a directory (or one file), validated; for `yibao policy check` on a draft.
Result<std::vector<Policy>> LoadPolicies(const std::string& path,
                                         const PolicyVocabulary* vocabulary);

}  // namespace yibao
