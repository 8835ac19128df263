// The visit as a HIS sends it: JSON with the national interface's field names
// (docs/formats/visit.md). This is the edge where national names become the core's readable ones.
// Every problem is reported with the field's path (e.g. "fee_details[2].cnt"), and nothing is ever
// rounded on input.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "visit/visit.h"

namespace yibao {

struct VisitInput {
  Visit visit;
  bool has_level = false;  // `hosp_lv` was given; otherwise the region's institution table decides
  Filing filing = Filing::kNone;
  // Accumulators as given ("account" → exact decimal text); interpreted against the policy later.
  std::vector<std::pair<std::string, std::string>> accumulators;
};

// Limits that keep one request bounded (TigerBeetle style: a limit on everything).
constexpr size_t kMaxVisitJsonBytes = 8 << 20;
constexpr size_t kMaxFeeLines = 10'000;

Result<VisitInput> ParseVisitJson(std::string_view json);

}  // namespace yibao
