// A pooling region as shipped on disk (docs/formats/region.md): region.toml naming the region, its
// person types and identities, its catalogue, its institutions and its policy files, and optionally
// the register that seeds a fresh ledger (persons, employers, institution credentials). Loading
// checks everything together: each policy against the region's vocabulary, that no two policies of
// one insurance type are in force on the same day, and every register row (file:line: column).
//
// The register structs here are the files' content, not the ledger's records: src/region does not
// depend on src/ledger; src/platform/register_seed.h converts.
//
// Thread safety: immutable after loading.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"
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

// ---- The register files (persons.csv, employers.csv, credentials.csv) ---------------------------

// One insurance of a registered person (one row of persons.csv).
struct RegisteredInsurance {
  std::string insutype;        // 3 digits: 310, 320, 390, …
  std::string psn_type;        // a person-type id of the region (a national code is turned into it)
  std::string psn_insu_stas;   // "1" 正常参保, "2" 暂停, "4" 终止
  std::string psn_insu_date;   // YYYY-MM-DD
  std::string paus_insu_date;  // YYYY-MM-DD when suspended or ended; empty otherwise
  std::string emp_no;          // an employer of employers.csv, or empty
  std::string cvlserv_flag;    // "0" / "1"
  Money opening_balance;       // personal account at seeding (`acct_balc`), ≥ 0
  int line = 0;
};

struct RegisteredIdentity {
  std::string id;        // an identity id of the region
  std::string begntime;  // YYYY-MM-DD (default: the person's earliest psn_insu_date)
  std::string endtime;   // YYYY-MM-DD, empty = open
};

struct RegisteredPerson {
  std::string psn_no;
  std::string psn_cert_type;  // "01" 居民身份证 (default)
  std::string certno;
  std::string psn_name;
  std::string gend;                             // "1" / "2"
  std::string brdy;                             // YYYY-MM-DD
  std::string naty;                             // 民族 code, default "01"
  std::vector<RegisteredInsurance> insurances;  // in file order; one per insutype
  std::vector<RegisteredIdentity> identities;
  int line = 0;  // of the person's first row
};

struct RegisteredEmployer {
  std::string emp_no;
  std::string emp_name;
  std::string admdvs;
  int line = 0;
};

// An institution's sign-in credential as its SM3 (64 lower-case hex digits).
struct InstitutionCredential {
  std::string fixmedins_code;
  std::string credential_sm3;
  int line = 0;
};

// GB 11643 (公民身份号码): the check digit ('0'..'9' or 'X') of the first 17 digits of `id`; '\0'
// when they are not 17 digits.
char ResidentIdCheckDigit(std::string_view first17);
// Why `certno` is not a well-formed 18-character resident ID number (17 digits, a valid birth date
// in positions 7–14, the right check digit; a lower-case x is refused); empty when it is.
std::string ResidentIdProblem(std::string_view certno);

class Region {
 public:
  std::string dir;
  std::string admdvs;
  std::string name;
  bool province_pooling = false;  // pooled at province level (otherwise city)
  // Every national-interface call must carry the institution's SM2 signature
  // (docs/formats/signature.md); `yibao serve --require-signature` also turns it on.
  bool require_signature = false;
  std::vector<PersonType> person_types;
  std::vector<std::pair<std::string, std::string>> identities;  // id, name
  PolicyVocabulary vocabulary;
  Catalogue catalogue;
  std::vector<Institution> institutions;
  std::vector<Policy> policies;
  // Resolved paths of the files region.toml names (for installing a new catalogue or policy).
  std::string catalogue_file;
  std::string policies_dir;
  // The register (empty when region.toml names no such files).
  std::vector<RegisteredPerson> persons;
  std::vector<RegisteredEmployer> employers;
  std::vector<InstitutionCredential> credentials;

  // The policy of `insutype` in force on `on`, or nullptr.
  const Policy* PolicyFor(std::string_view insutype, Date on) const;
  const Institution* FindInstitution(std::string_view code) const;
  // A person type id from an id or a national code; empty if unknown.
  std::string PersonTypeId(std::string_view id_or_code) const;
  bool HasIdentity(std::string_view id) const;
  const RegisteredPerson* FindRegisteredPerson(std::string_view psn_no) const;
};

Result<Region> LoadRegion(const std::string& dir);

// Just the policies of a directory (or one file), validated; for `yibao policy check` on a draft.
Result<std::vector<Policy>> LoadPolicies(const std::string& path,
                                         const PolicyVocabulary* vocabulary);

}  // namespace yibao
