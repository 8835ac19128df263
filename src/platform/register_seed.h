// Seeding a fresh ledger with a region's register files (docs/formats/region.md): every institution
// (institutions.csv, with its sign-in credential from credentials.csv), employer and person (with
// their insurances and identities), and each person's opening personal-account balance.
//
// Only a fresh store is seeded — one with no persons and no institutions; anything else is left
// alone (a ledger is the system of record once it has begun; the files only start it).
//
// Writes (all audited as operator "seed"): one LedgerWrite per opening balance — a
// ContributionRecord "opening-<psn_no>-<insutype>" (to_account = the balance) with the balanced
// journal posting acct:<psn_no> +X, carryover:<admdvs> −X — then one LedgerWrite with the whole
// register. The register comes last on purpose: a seed interrupted before it leaves the store
// "fresh", and seeding again finds the balances already there (their contribution ids are refused
// as duplicates, which the seed accepts) and completes.
//
// Thread safety: call once at start-up, before serving; blocks until every write is durable.
#pragma once

#include <cstddef>

#include "base/diagnostic.h"
#include "ledger/ledger.h"
#include "region/region.h"

namespace yibao {

inline constexpr const char* kSeedOperator = "seed";

// The persons seeded (0 when the ledger was not fresh, and then nothing is written); an error when
// the ledger refused a write.
Result<size_t> SeedLedger(const Region& region, Ledger& ledger);

// The ledger's records for the region's register (also used by the tests).
PersonRecord ToPersonRecord(const RegisteredPerson& person, const std::string& admdvs);
InstitutionRecord ToInstitutionRecord(const Institution& institution, const Region& region);

}  // namespace yibao
