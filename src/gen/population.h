// Who is insured: age from China's 2020 census pyramid, sex ratio by age, insurance type (employee
// or resident, in service or retired, maternity cover), the place of insurance, and deaths.
#pragma once

#include <cstdint>

#include "gen/context.h"
#include "gen/random.h"

namespace yibao::gen {

// The person numbered `seq` (0-based across the region).
Person MakePerson(const GenContext& g, Rng& rng, int64_t seq);

}  // namespace yibao::gen
