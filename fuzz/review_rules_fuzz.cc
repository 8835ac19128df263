// Feeds arbitrary bytes to the review rule-file loader (a bureau's rule clerk edits these files by
// hand). Every diagnostic must name the file; whatever loads is compiled and run over a small
// fixed claims export, so odd parameters meet the engine too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "review/claims.h"
#include "review/engine.h"
#include "review/knowledge.h"
#include "review/rule_set.h"
#include "review/rules.h"

namespace {

using namespace yibao;

void Check(bool ok) {
  if (!ok) std::abort();
}

const ClaimsStore& Store() {
  static const ClaimsStore* store = [] {
    auto r = ParseClaims(ClaimsTexts{
        {"persons.csv",
         "psn_no,gend,brdy,insutype,death_date\nP1,1,1980-01-01,310,\nP2,2,2019-01-01,390,2025-06-"
         "01\n"},
        {"institutions.csv", "fixmedins_code,hosp_lv,fixmedins_type\nH1,1,clinic\nH3,3,hospital\n"},
        {"visits.csv",
         "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dise_codg,drg_code\n"
         "V1,P1,H3,21,2025-03-01,2025-03-05,J18.900,ES35\nV2,P1,H3,11,2025-03-03,2025-03-03,I10,\n"
         "V3,P1,H3,21,2025-03-10,2025-03-12,J18.000,\nV4,P2,H1,41,2025-07-01,2025-07-01,J06,\n"},
        {"fee_lines.csv",
         "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt,prd_days\n"
         "V1,1,2025-03-01,B,9,50,450.00,\nV1,2,2025-03-02,D,1,10,10.00,\n"
         "V2,1,2025-03-03,D,100,1,100.00,100\nV3,1,2025-03-12,B,2,50,100.00,\n"
         "V4,1,2025-07-01,D,100,1,100.00,100\n"}});
    Check(r.ok());
    return new ClaimsStore(std::move(*r));
  }();
  return *store;
}

const KnowledgeBase& Knowledge() {
  static const KnowledgeBase* kb = [] {
    KnowledgeTexts t;
    t.present[size_t(KnowledgeTable::kItems)] = true;
    t.tables[size_t(KnowledgeTable::kItems)] = {
        "items.csv", "code,category,per_day,max_visit_qty\nB,bed,1,\nD,drug,,10\n"};
    t.present[size_t(KnowledgeTable::kMildDiagnoses)] = true;
    t.tables[size_t(KnowledgeTable::kMildDiagnoses)] = {"mild_diagnoses.csv",
                                                        "dx_prefix,max_inpatient_days\nJ18,9\n"};
    auto r = ParseKnowledge(t);
    Check(r.ok());
    return new KnowledgeBase(std::move(*r));
  }();
  return *kb;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  RuleBase base;
  Diagnostics d = ParseRuleFile(text, "fuzz.toml", base);
  for (const Diagnostic& e : d) Check(e.file == "fuzz.toml" && !e.message.empty());
  if (!d.empty()) return 0;
  for (const Rule& r : base.rules) Check(!r.id.empty() && r.stages != 0);
  RuleSet set = RuleSet::Compile(std::move(base), &Knowledge(), nullptr, nullptr);
  BoundRules bound = Bind(set, Store());
  BatchOptions o;
  o.threads = 1;
  BatchResult res = ReviewBatch(bound, o);
  for (const Finding& f : res.findings)
    Check(f.rule < set.rules().size() && f.visit < Store().visits.size() && !f.evidence.empty());
  std::vector<Finding> one;
  ReviewVisit(bound, 1, ReviewStage::kDuring, &one);
  return 0;
}
