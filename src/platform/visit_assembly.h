// Assembles the engine's Visit from what the ledger holds about a visit of the national flow: the
// registration (2201 / 2401), the visit and discharge information (2203 / 2402), the live fee lines
// (2204 / 2301), the person's register entry and the institution's. The HIS never sends the
// person's sex, birthday, person type or identities: the platform's register is the authority.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "interface/prepare.h"
#include "ledger/ledger.h"
#include "region/region.h"
#include "settle/settle.h"

namespace yibao {

// The part of a visit kept in VisitRecord::info_json.
struct VisitDetails {
  std::string dept_codg;
  std::string dise_codg;               // 病种 (门慢特 disease) or the main diagnosis as sent
  std::vector<std::string> diagnoses;  // ICD-10 医保版, main first
  std::string dscg_way;
  std::string mdtrtarea_admvs;  // where the visit took place (the envelope's)
};
std::string VisitDetailsJson(const VisitDetails& d);
Result<VisitDetails> ParseVisitDetailsJson(std::string_view json);

struct VisitAssembly {
  const VisitRecord* visit = nullptr;
  VisitDetails details;
  const PersonRecord* person = nullptr;
  const InstitutionRecord* institution = nullptr;
  std::vector<const FeeLineRecord*> lines;  // the lines to settle (live ones)
  std::string med_type;                     // overrides the visit's when not empty
  std::string end_date;                     // YYYY-MM-DD the policy is chosen by
  bool use_account = false;
  Money account_balance;
  // The person's cross-region filings (FilingsOf). Called only when the visit is outside the
  // insured pool, so that a local settlement makes no extra ledger read; unset = no filings.
  std::function<std::vector<FilingRecord>()> filings;
};

// The engine's input: person type and identities in force on the visit's day, the institution's
// level, the lines, and — for a visit outside the insured pool — its cross-region class with the
// filing that applies (platform/filing_choice.h). Errors name the national field at fault.
//
// The service holds one region, whose catalogue prices every visit it settles, wherever the
// envelope's mdtrtarea_admvs says the visit took place; the policy is the insured place's.
Result<PreparedVisit> AssembleVisit(const VisitAssembly& a, const Region& region);

// A visit assembled from the ledger and settled against the person's year as it stands: what
// pre-settlement answers, what settlement commits, what fee upload classifies lines with.
struct PricedVisit {
  std::shared_ptr<const Region> region;  // keeps the policy and catalogue alive
  PreparedVisit prepared;
  Settlement settlement;
  InstitutionRecord institution;  // as the register had it
  VisitDetails details;           // the visit's stored details (diagnoses, department, place)
};
// Loads the person, the institution, the accumulators of the visit's year and (with
// `use_account`) the personal-account balance, then assembles and settles. `lines` are the lines
// to settle; `med_type` / `end_date` override the visit's when not empty.
Result<std::shared_ptr<PricedVisit>> PriceVisit(Ledger& ledger,
                                                std::shared_ptr<const Region> region,
                                                const VisitRecord& visit,
                                                std::span<const FeeLineRecord* const> lines,
                                                const std::string& med_type,
                                                const std::string& end_date, bool use_account);

// The insurance of `insutype`, if the person has one.
const InsuranceRecord* FindInsurance(const PersonRecord& p, std::string_view insutype);

}  // namespace yibao
