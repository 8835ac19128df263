// 事中 review at settlement: before 2207 / 2304 commit (and in 2206 / 2303 pre-settlement), the
// rule base runs over the visit being settled with the person's history as the platform's ledger
// holds it — every institution's visits, which a hospital's own 3102 request cannot show.
//
// A finding of a `refuse` rule stops the settlement in `enforce` mode: the reply is infcode −1
// naming the rule, the fee lines (feedetl_sn) and the amount, with the findings under
// output.review_result; the HIS cancels or corrects the lines (2205 / 2302) and settles again.
// `flag` findings, and every finding in `flag` mode, ride along in the bill under review_result
// and are kept with it (5203 and msgid replays return them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "ledger/ledger.h"
#include "platform/history_encounters.h"
#include "platform/review_base.h"
#include "platform/visit_assembly.h"
#include "review/engine.h"
#include "review/review_request.h"

namespace yibao {

enum class SettlementReviewMode : uint8_t {
  kOff,      // settlement runs no rules (3101/3102 still answer)
  kFlag,     // findings are reported in the bill; nothing is refused
  kEnforce,  // findings of `refuse` rules refuse the settlement; the rest are reported
};
const char* SettlementReviewModeName(SettlementReviewMode m);  // "off" | "flag" | "enforce"
std::optional<SettlementReviewMode> ParseSettlementReviewMode(std::string_view s);

struct SettlementReview {
  ReviewRequest request;          // the person's encounters: the visit settled and its history
  std::vector<Finding> findings;  // on the settled visit, in FindingBefore order
  bool refuses = false;           // some finding is of a `refuse` rule
};

// How far back the history reaches from the settled visit's first day `begin`: a year, or the
// longest day window of the rules run at settlement when that is longer.
Date HistorySince(const RuleSet& rules, Date begin);

// Reviews `priced` (the visit as PriceVisit assembled it, settled over `lines` until `end_date`)
// with the person's visits from the ledger: those with a live settlement, and stays (admitted or
// discharged) not settled yet. Reads the visits, their fee lines and their institutions. With
// `kept`, a history visit's encounter built for an earlier settlement is used again when its
// records have not changed since (history_encounters.h).
Result<SettlementReview> ReviewAtSettlement(Ledger& ledger, const ReviewBase& base,
                                            const PricedVisit& priced, const VisitRecord& visit,
                                            std::span<const FeeLineRecord* const> lines,
                                            HistoryEncounters* kept = nullptr);

// infcode −1's err_msg for a refused settlement: every refusing finding with its rule, evidence,
// lines and amount.
std::string RefusalMessage(const ReviewBase& base, const SettlementReview& review);

// Adds `"review_result": [...]` (3102's result objects) to the JSON object in `json`.
void AppendReviewResult(const ReviewBase& base, const SettlementReview& review, std::string& json);

}  // namespace yibao
