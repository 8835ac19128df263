// Turns a parsed visit request into what the engine needs: the person type and institution level
// resolved against the region, the region status (本地/省内/跨省, 备案) classified, the policy in
// force chosen, and the accumulators mapped onto the policy's slots. The catalogue is the place of
// treatment's (就医地目录), the policy the insured place's (参保地政策).
#pragma once

#include <cstdint>
#include <vector>

#include "base/diagnostic.h"
#include "interface/visit_json.h"
#include "region/region.h"

namespace yibao {

struct PreparedVisit {
  Visit visit;
  const Policy* policy = nullptr;
  const Catalogue* catalogue = nullptr;
  std::vector<int64_t> accumulators;
};

// `treatment` is the region whose catalogue applies (the same as `insured` for local care).
Result<PreparedVisit> PrepareVisit(VisitInput input, const Region& insured,
                                   const Region& treatment);

// Money accounts in yuan, counters (admissions) as integers, keyed by account name.
std::vector<std::pair<std::string, std::string>> FormatAccumulators(
    const Policy& policy, std::span<const int64_t> values);
bool IsCounterSlot(const Policy& policy, int slot);

}  // namespace yibao
