// The calculation trace (`setl_proc_info`): the steps Settle took, as compact records with numbers,
// rendered to text only when someone asks (RenderTrace), so that tracing costs nothing per fen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/ratio.h"

namespace yibao {

enum class TraceKind : uint8_t {
  kBenefit,      // n = benefit index
  kTotals,       // the catalogue split; numbers are on the bill
  kTierSkipped,  // the visit does not match the tier's eligibility
  kTierBase,     // a = base; n = components mask; b = overflow of tier `ref` (if any)
  kDeductible,   // a = due, b = borne now, c = paid earlier this year; n = admission; ref = period
  kDeductibleFactor,  // a = before, b = after; ref = adjustment index
  kAdjustment,        // ref = adjustment index (applies to every band ratio)
  kBand,              // a = from, b = to, r = base ratio, r2 = adjusted ratio, c = fund payment
  kCap,               // a = cap, b = used earlier, c = room; ref = cap index; n = 1 per visit
  kCapReached,        // a = base position where the cap was reached, b = base left unpaid above it
  kTierPaid,          // a = payment
  kAccount,           // a = paid from own account, b = balance
  kMutualAid,         // a = paid by family mutual aid, b = family balance
  kCash,              // a = cash
  kDeposit,           // a = deposit, b = refund
};

struct TraceStep {
  TraceKind kind;
  int16_t tier = -1;
  int16_t ref = -1;
  int32_t line = 0;  // policy file line of the rule that fired
  int32_t n = 0;
  Money a, b, c;
  Ratio r, r2;
};

using Trace = std::vector<TraceStep>;

}  // namespace yibao
