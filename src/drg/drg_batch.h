// DRG payment of a batch of discharges (a hospital's month, a region's year): each case is paid by
// PayCase, then the 5% limit on high outliers is applied per hospital and period (the rule's
// high_outlier_cap): the hospital's high outliers of the period are ranked by total − standard,
// largest first (ties: case id, then input position); the first Allowed(discharges) stay paid by
// item, the others become kHighOutlierCapped and are paid the normal formula. "Discharges" are all
// the hospital's cases of the period in the batch, whatever their group or kind.
//
// Pure and deterministic: with distinct case ids the result of every case does not depend on the
// order of the batch.
#pragma once

#include <string>
#include <vector>

#include "base/date.h"
#include "base/diagnostic.h"
#include "drg/drg_payment.h"
#include "drg/drg_statement.h"

namespace yibao {

struct DrgBatchCase {
  std::string id;
  Date discharge;      // 出院日期: the period of the cap and of the statements
  DrgCaseCosts costs;  // drg, level, institution, amounts (costs.year is taken from `discharge`)
};

// One PaidCase per batch case that could be priced, in batch order; a case the rule cannot price
// (PayCase's errors) is left out and reported in `errors` with its id as the field.
std::vector<PaidCase> PayDrgBatch(const DrgPaymentRule& rule, const DrgWeights& weights,
                                  const std::vector<DrgBatchCase>& batch, Diagnostics* errors);

}  // namespace yibao
