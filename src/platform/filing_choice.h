// Which cross-region filing (异地就医备案) a visit outside the insured pool settles under.
//
// A person treated outside the insured pool is settled as filed only when a filing of theirs
// applies to the visit (DOMAIN.md §5; 医保发〔2022〕22号): it is not revoked, its filed place
// covers the place of treatment, and its validity overlaps the visit. Overlap, not "in force on the
// admission day": a patient admitted without filing may file before discharge settlement and still
// settle directly (规程 第16条), and an emergency is usually filed afterwards (补办). When several
// apply, the one giving the home standard wins: long-term residence, then referral, then emergency.
//
// Pure: no ledger, no clock. The caller reads the person's filings (only for a visit outside the
// insured pool) and passes them in.
#pragma once

#include <span>
#include <string_view>

#include "base/date.h"
#include "ledger/ledger.h"
#include "visit/visit.h"

namespace yibao {

// "long_term", "referral", "emergency" → the engine's Filing; anything else → kNone.
Filing FilingKind(std::string_view filing_type);
inline bool IsFilingType(std::string_view filing_type) {
  return FilingKind(filing_type) != Filing::kNone;
}

// Whether a filing for `filed` (a 6-digit admdvs) covers treatment in `treatment`: a province code
// (xx0000) the whole province, a city code (xxxx00) the city, any other code only itself.
bool FiledPlaceCovers(std::string_view filed, std::string_view treatment);

// The filing the visit settles under, or nullptr when none applies. `treatment_admdvs` is where
// the visit takes place; [begin, end] its days (end = discharge, or the visit's day). A filing
// whose dates cannot be read never applies. Among several that apply: by type (long-term, referral,
// emergency), then the first in `filings` (FilingsOf gives them by begndate, filing_id).
const FilingRecord* ChooseFiling(std::span<const FilingRecord> filings,
                                 std::string_view treatment_admdvs, Date begin, Date end);

}  // namespace yibao
