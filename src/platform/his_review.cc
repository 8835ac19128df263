// 3101 明细审核事前分析 and 3102 明细审核事中分析: the HIS sends the patient's encounters (the
// current one and earlier ones as history) with diagnoses and orders; the reply lists the rules
// broken with the evidence and the amount involved. Nothing is written: these are analyses.
#include "platform/his_common.h"
#include "platform/his_service.h"
#include "review/engine.h"
#include "review/review_json.h"

namespace yibao {

void HisService::Review(const Envelope& env, Reply reply) {
  if (auto e = Admission(env); !e.empty()) return reply(TransactionResult::Fail(e));
  if (!options_.review)
    return reply(TransactionResult::Fail("infno: " + env.infno +
                                         " needs a rule base; start the server with --rules"));
  auto request = ParseReviewRequest(env.input_json);
  if (!request) return reply(FailWith(request.errors()));
  const ReviewStage stage = env.infno == "3101" ? ReviewStage::kBefore : ReviewStage::kDuring;
  BoundRules bound = Bind(options_.review->rules, request->store);
  std::vector<Finding> findings;
  ReviewVisit(bound, request->current_visit, stage, &findings);
  std::string out;
  AppendReviewResponseJson(options_.review->rules, *request, findings, out);
  reply(TransactionResult::Ok(std::move(out)));
}

}  // namespace yibao
