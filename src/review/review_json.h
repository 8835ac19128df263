// The 3101 (事前, the doctor's orders) and 3102 (事中, at settlement) interface of the review
// service, in the national style: the request names the patient and their encounters (the
// current one, `curr_mdtrt_id`, and any earlier ones as history) with diagnoses and orders; the
// reply lists the rules broken (docs/formats/review-rules.md, "3101/3102").
//
// Pure: JSON text in, a small claims store out; findings in, JSON text out. Errors name the field
// path, e.g. `fsi_encounter_dtos[0].fsi_order_dtos[2].cnt: …`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "review/claims.h"
#include "review/engine.h"
#include "review/review_request.h"

namespace yibao {

class JsonWriter;

// `input` is the transaction's input object: {"data": {...}}.
Result<ReviewRequest> ParseReviewRequest(std::string_view input);

// {"result": [ {rule_id, rule_name, vola_cont, mdtrt_id, vola_amt, sev_deg, vola_bhvr_type,
// rule_rslt_type, jr_id: [rx_id …]} … ]}
void AppendReviewResponseJson(const RuleSet& rules, const ReviewRequest& request,
                              const std::vector<Finding>& findings, std::string& out);
// The reply's array alone, written as the next value of `w` (settlement replies carry it too).
void WriteReviewFindings(const RuleSet& rules, const ReviewRequest& request,
                         const std::vector<Finding>& findings, JsonWriter& w);

}  // namespace yibao
