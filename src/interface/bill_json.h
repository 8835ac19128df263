// Writes a settlement as JSON with the national interface's field names (the 2207/2304 `output`
// shape: setlinfo, setldetail, plus the per-line classification of 2204 and the accumulator
// deltas). Output is deterministic: fixed key order, money with exactly two decimals.
#pragma once

#include <span>
#include <string>

#include "base/json_text.h"  // AppendJsonString, for the writers that include this header
#include "settle/bill.h"
#include "visit/visit.h"

namespace yibao {

void WriteBillJson(const Settlement& settlement, const Visit& visit,
                   std::span<const int64_t> accumulators_before, std::string& out);
// The same with `setl_id` (结算ID) first in `setlinfo` (the 2207 / 2304 reply); empty = none.
void WriteBillJson(const Settlement& settlement, const Visit& visit,
                   std::span<const int64_t> accumulators_before, std::string_view setl_id,
                   std::string& out);

// The 2204 / 2301 reply's `result`: one entry per line of `line_indexes` (into visit.lines) with
// its classification (甲乙丙, self-pay share, price cap) and split as the engine made it.
void WriteLineClassificationJson(const Settlement& settlement, const Visit& visit,
                                 std::span<const uint32_t> line_indexes, std::string& out);

}  // namespace yibao
