// The settlement engine: a pure function of (visit, catalogue, policy, the person's accumulators)
// → bill + accumulator deltas + trace. No I/O, no clock, no globals: the same inputs give the same
// bill, byte for byte. Pre-settlement (预结算) is the same call without committing the result.
//
// Order (DOMAIN.md §4): per line 全自费 → 超限价 → 先行自付 → 政策范围内; then each tier of the
// benefit in order, each on what the previous tiers left; then personal account; then cash.
//
// Rounding: half-up to the fen at exactly these points, nowhere else:
//   1. a line's amount pric × cnt (checked against `det_item_fee_sumamt`);
//   2. a line's 超限价 part, its excess-quantity/course part, and its 先行自付 share;
//   3. a deductible derived from a factor or a share of the total;
//   4. each band's payment (band amount × ratio) — the trace shows each, and they sum to the tier.
#pragma once

#include <span>

#include "base/diagnostic.h"
#include "catalogue/catalogue.h"
#include "policy/policy.h"
#include "settle/bill.h"
#include "visit/visit.h"

namespace yibao {

// Settles `visit`. `accumulators` are the person's values for the visit's insurance year, indexed
// by the policy's account slots (Policy::Accumulators builds them from names). On success fills
// `out` (reusing its capacity) and returns true; on bad input returns false and appends to `errors`
// diagnostics naming the field (national names, e.g. "fee_details[2].med_list_codg"). The bill
// keeps pointers into `catalogue` and `policy`: they must outlive it.
bool Settle(const Visit& visit, const Catalogue& catalogue, const Policy& policy,
            std::span<const int64_t> accumulators, Settlement* out, Diagnostics* errors);

// The cancellation (结算撤销) of `original`: every amount and every delta negated, lines and trace
// kept for the record. Applying both leaves the accumulators exactly as before.
Settlement Reversal(const Settlement& original);

// accumulators += deltas (both indexed by the same policy's slots).
void ApplyDeltas(std::span<int64_t> accumulators, std::span<const int64_t> deltas);

// Checks the bill identities; returns a description of the first violation, or empty. Settle runs
// it on every bill (a bill that does not balance is an internal error, never a result).
std::string CheckBillIdentities(const Bill& bill);

}  // namespace yibao
