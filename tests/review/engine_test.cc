// The compiled rule set and the engine: indexing, rule scope, stages, self-check, determinism
// across thread counts, the 3101/3102 codec, and precision/recall.
#include <gtest/gtest.h>

#include "review/accuracy.h"
#include "review/review_io.h"
#include "review/review_json.h"
#include "review_test_util.h"

namespace yibao::review_test {
namespace {

TEST(RuleSet, IndexesItemsByWhatTheyCanTrigger) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "1", "0.5").Add("999999999", "1", "1");
  auto r = Review(b);
  const ItemFacts* pain = r->rules->Facts(kPain);
  ASSERT_NE(pain, nullptr);
  auto bit = [](RuleFamily f) { return 1u << unsigned(f); };
  EXPECT_TRUE(pain->families & bit(RuleFamily::kStandardDose));
  EXPECT_TRUE(pain->families & bit(RuleFamily::kStandardMarkup));
  EXPECT_FALSE(pain->families & bit(RuleFamily::kScopeSex));
  const ItemFacts* female = r->rules->Facts(kFemale);
  ASSERT_NE(female, nullptr);
  EXPECT_EQ(female->families, bit(RuleFamily::kScopeSex));
  EXPECT_EQ(r->rules->Facts("999999999"), nullptr);
  EXPECT_NE(r->rules->Facts(kInjection)->families & bit(RuleFamily::kChargeDuplicate), 0u);
  // Bound to the store: the unknown item has no slot, the known one does.
  EXPECT_EQ(r->bound->Item(r->store.items.Find("999999999")), nullptr);
  EXPECT_NE(r->bound->Item(r->store.items.Find(kPain)), nullptr);
  EXPECT_EQ(r->rules->RulesOf(RuleFamily::kScopeSex).size(), 1u);
  EXPECT_TRUE(r->rules->notes().empty());
}

TEST(RuleSet, MissingTablesAreNoted) {
  RuleSet set = RuleSet::Compile(BundledRules(), nullptr, nullptr, nullptr);
  std::string notes;
  for (const std::string& n : set.notes()) notes += n + "\n";
  EXPECT_NE(notes.find("standard_dose: no knowledge/items.csv"), std::string::npos) << notes;
  EXPECT_NE(notes.find("scope_sex: no catalogue.csv"), std::string::npos) << notes;
  EXPECT_NE(notes.find("visit_drg_upcoding: no CHS-DRG"), std::string::npos) << notes;
}

TEST(Engine, RuleScopeLimitsWhereARuleApplies) {
  RuleBase base;
  Diagnostics d = ParseRuleFile(
      "[[rule]]\nid = \"SEX-3\"\nname = \"n\"\nfamily = \"scope_sex\"\nresult = \"certain\"\n"
      "severity = \"refuse\"\nlevels = [3]\n"
      "[[rule]]\nid = \"SEX-IN\"\nname = \"n\"\nfamily = \"scope_sex\"\nresult = \"certain\"\n"
      "severity = \"refuse\"\nscenarios = [\"inpatient\"]\ninsutypes = [\"390\"]\n",
      "r.toml", base);
  ASSERT_TRUE(d.empty()) << FormatDiagnostics(d);
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kFemale, "1", "12");
  b.Visit("V2", "P1", "H1", "11", "2025-03-02").Add(kFemale, "1", "12");
  auto r = Review(b);
  KnowledgeBase kb = r->knowledge;
  RuleSet set = RuleSet::Compile(std::move(base), &kb, r->catalogue.get(), nullptr);
  BoundRules bound = Bind(set, r->store);
  BatchResult res = ReviewBatch(bound, BatchOptions{});
  ASSERT_EQ(res.findings.size(), 1u);  // level 3 only; the other rule wants 390 inpatients
  EXPECT_EQ(set.rules()[res.findings[0].rule].id, "SEX-3");
  EXPECT_EQ(r->store.mdtrt_ids[res.findings[0].visit], "V1");
}

TEST(Engine, StagesAndSingleVisitReviewUseOnlyPriorHistory) {
  ExportBuilder b;
  b.Visit("D1", "P1", "H3", "11", "2025-01-01").Add(kAmlo, "60", "1", "", "", "", "60");
  b.Visit("D2", "P1", "H1", "11", "2025-01-20").Add(kAmlo, "90", "1", "", "", "", "90");
  b.Visit("D3", "P1", "PH", "41", "2025-02-10").Add(kAmlo, "10", "1", "", "", "", "10");
  auto r = Review(b);
  uint32_t d2 = 1;
  std::vector<Finding> out;
  ReviewVisit(*r->bound, d2, ReviewStage::kDuring, &out);  // 150 days by 2025-01-20
  ASSERT_EQ(out.size(), 1u) << r->Describe();
  EXPECT_EQ(RuleFamilyName(r->rules->rules()[out[0].rule].family), "visit_over_prescription");
  out.clear();
  ReviewVisit(*r->bound, 0, ReviewStage::kDuring, &out);  // D1 cannot see D2 yet
  EXPECT_TRUE(out.empty());
  // The over-prescription rule does not run 事前 (stages during, after).
  ReviewVisit(*r->bound, d2, ReviewStage::kBefore, &out);
  EXPECT_TRUE(out.empty());
}

TEST(Engine, SelfCheckReviewsOneInstitutionWithFullHistory) {
  ExportBuilder b;
  b.Visit("S1", "P1", "H3", "21", "2025-03-01", "2025-03-10").Add(kBed, "9", "50");
  b.Visit("O1", "P1", "H1", "11", "2025-03-05").Add(kFemale, "1", "12");
  b.Visit("O2", "P1", "H3", "11", "2025-03-20").Add(kFemale, "1", "12");
  auto r = Review(b);
  BatchOptions o;
  o.institution = 2;  // H1
  ASSERT_EQ(r->store.institutions[2].code, "H1");
  BatchResult res = ReviewBatch(*r->bound, o);
  std::set<std::string> got;
  for (const Finding& f : res.findings)
    got.insert(std::string(RuleFamilyName(r->rules->rules()[f.rule].family)) + "@" +
               std::string(r->store.mdtrt_ids[f.visit]));
  EXPECT_EQ(got, (std::set<std::string>{"scope_sex@O1", "visit_outpatient_during_inpatient@O1"}));
  EXPECT_EQ(res.visits_reviewed, 1u);
}

// A few hundred persons with every kind of abuse of the family tests, to compare thread counts.
ExportBuilder Crowd() {
  ExportBuilder b;
  std::string persons;
  for (int p = 0; p < 600; ++p) {
    std::string id = "Q" + std::to_string(p);
    b.persons += id + "," + std::to_string(1 + p % 2) + ",19" + std::to_string(50 + p % 50) +
                 "-01-01,310,,379900," + (p % 97 == 0 ? "2025-02-01" : "") + "\n";
    for (int k = 0; k < 4; ++k) {
      std::string day = "2025-0" + std::to_string(1 + k * 2) + "-1" + std::to_string(p % 10);
      std::string vid = id + "-" + std::to_string(k);
      if (k == 1 && p % 5 == 0) {
        TestVisit& v =
            b.Visit(vid, id, p % 3 ? "H3" : "H2", "21", day, "2025-03-2" + std::to_string(p % 10));
        v.main_dx = p % 7 ? "J18.900" : "J06.900";
        v.Add(kBed, std::to_string(10 + p % 5), "50")
            .Add(kInjection, "1", "5")
            .Add(kInfusion, "1", "15");
        continue;
      }
      TestVisit& v = b.Visit(vid, id, k % 2 ? "H1" : "PH", k % 2 ? "11" : "41", day);
      v.Add(kAmlo, std::to_string(30 + p % 70), "1", "", "", "", std::to_string(30 + p % 70))
          .Add(kPain, "10", p % 11 ? "0.5" : "0.7", "", p % 13 ? "1" : "3", "2", "5")
          .Add(p % 2 ? kFemale : kAdult, "1", "12");
      if (p % 17 == 0) v.Add(kPanelA, "1", "20").Add(kPanelC, "1", "20");
    }
  }
  return b;
}

TEST(Engine, OneAndTwoThreadsGiveIdenticalFindings) {
  ExportBuilder b = Crowd();
  auto one = Review(b, 1);
  auto two = Review(b, 2);
  ASSERT_GT(one->result.findings.size(), 100u);
  ASSERT_EQ(one->result.findings.size(), two->result.findings.size());
  std::string a, c;
  for (const Finding& f : one->result.findings)
    AppendFindingCsv(*one->rules, one->store, ReviewStage::kAfter, f, a);
  for (const Finding& f : two->result.findings)
    AppendFindingCsv(*two->rules, two->store, ReviewStage::kAfter, f, c);
  EXPECT_EQ(a, c);
  for (size_t i = 1; i < one->result.findings.size(); ++i)
    EXPECT_FALSE(FindingBefore(one->result.findings[i], one->result.findings[i - 1]));
}

TEST(Engine, StageDuringBatchMatchesPerVisitReview) {
  ExportBuilder b = Crowd();
  auto r = Review(b, 2, ReviewStage::kDuring);
  std::vector<Finding> each;
  for (uint32_t v = 0; v < r->store.visits.size(); ++v)
    ReviewVisit(*r->bound, v, ReviewStage::kDuring, &each);
  std::stable_sort(each.begin(), each.end(), FindingBefore);
  ASSERT_EQ(each.size(), r->result.findings.size());
  for (size_t i = 0; i < each.size(); ++i) {
    EXPECT_EQ(each[i].rule, r->result.findings[i].rule);
    EXPECT_EQ(each[i].visit, r->result.findings[i].visit);
    EXPECT_EQ(each[i].evidence, r->result.findings[i].evidence);
  }
}

const char kRequest[] = R"({"data": {
  "patn_id": "P1", "gend": "1", "brdy": "1980-05-01", "insutype": "310", "curr_mdtrt_id": "M2",
  "fsi_encounter_dtos": [
    {"mdtrt_id": "M1", "medins_id": "H1", "medins_lv": "1", "med_type": "11",
     "adm_date": "2025-03-01", "dscg_date": "2025-03-01", "dept_codg": "A03",
     "fsi_diagnose_dtos": [{"dise_codg": "I10.x00", "maindiag_flag": "1"}],
     "fsi_order_dtos": [{"rx_id": "R1", "hilist_code": "XC08CAA001A001010100011", "cnt": 90,
                          "pric": "1", "sumamt": "90.00", "prd_days": "90"}]},
    {"mdtrt_id": "M2", "medins_id": "H3", "medins_lv": 3, "med_type": "11",
     "adm_date": "2025-03-20 09:30:00", "dept_codg": "A03",
     "fsi_diagnose_dtos": [{"dise_codg": "I10.x00", "maindiag_flag": "1"}],
     "fsi_order_dtos": [
       {"rx_id": "R2", "hilist_code": "XG01AFK001A001010100005", "cnt": "1", "pric": "12"},
       {"rx_id": "R3", "hilist_code": "XC08CAA001A001010100011", "cnt": "90", "pric": "1",
        "prd_days": 90, "sin_dos": "1", "used_frqu": "1", "hosp_appr_flag": "0",
        "fee_ocur_time": "2025-03-20"}]}]}})";

TEST(ReviewJson, RequestToFindingsToResponse) {
  auto req = ParseReviewRequest(kRequest);
  ASSERT_TRUE(req.ok()) << FormatDiagnostics(req.errors());
  ASSERT_EQ(req->store.visits.size(), 2u);
  EXPECT_EQ(req->current_visit, 1u);
  EXPECT_EQ(req->store.visits[1].total, Money::Yuan(102));
  ExportBuilder b;  // the catalogue and knowledge of the family tests
  auto r = Review(b);
  RuleSet set = RuleSet::Compile(BundledRules(), &r->knowledge, r->catalogue.get(), nullptr);
  BoundRules bound = Bind(set, req->store);
  std::vector<Finding> findings;
  ReviewVisit(bound, req->current_visit, ReviewStage::kDuring, &findings);
  std::string out;
  AppendReviewResponseJson(set, *req, findings, out);
  EXPECT_NE(out.find(R"("rule_id":"GZ-SC-005")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("vola_bhvr_type":"visit_over_prescription")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("jr_id":["R2"])"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("vola_amt":12.00)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("sev_deg":"1")"), std::string::npos) << out;
  // 事前: the rules that only run at settlement stay silent.
  findings.clear();
  ReviewVisit(bound, req->current_visit, ReviewStage::kBefore, &findings);
  for (const Finding& f : findings)
    EXPECT_NE(set.rules()[f.rule].family, RuleFamily::kVisitOverPrescription);
}

TEST(ReviewJson, ErrorsNameTheFieldPath) {
  std::string bad = kRequest;
  bad.replace(bad.find("\"cnt\": \"90\""), 11, "\"cnt\": \"x\"");
  auto r = ParseReviewRequest(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].field, "fsi_encounter_dtos[1].fsi_order_dtos[1].cnt");
  auto r2 = ParseReviewRequest(R"({"data": {"patn_id": "P1", "brdy": "1980-01-01",
      "curr_mdtrt_id": "M9", "fsi_encounter_dtos": [{"mdtrt_id": "M1", "medins_id": "H1",
      "med_type": "11", "adm_date": "2025-01-01"}]}})");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.errors()[0].field, "curr_mdtrt_id");
  auto r3 = ParseReviewRequest(R"({"data": {"patn_id": "P1", "brdy": "1980-01-01",
      "curr_mdtrt_id": "M1", "fsi_encounter_dtos": [{"mdtrt_id": "M1", "medins_id": "H1",
      "adm_date": "2025-01-01"}]}})");
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.errors()[0].field, "fsi_encounter_dtos[0].med_type");
  auto r4 = ParseReviewRequest(R"({"data": {"patn_id": "P1", "brdy": "1980-01-01",
      "curr_mdtrt_id": "M2", "fsi_encounter_dtos": [
        {"mdtrt_id": "M1", "medins_id": "H1", "med_type": "11", "adm_date": "2025-01-01"},
        {"mdtrt_id": "M2", "medins_id": "H1", "med_type": "11", "adm_date": "2025-01-02"},
        {"mdtrt_id": "M1", "medins_id": "H1", "med_type": "11", "adm_date": "2025-01-03"}]}})");
  ASSERT_FALSE(r4.ok());
  EXPECT_EQ(r4.errors()[0].field, "fsi_encounter_dtos[2].mdtrt_id");
  EXPECT_FALSE(ParseReviewRequest("{\"data\": [1]}").ok());
  EXPECT_FALSE(ParseReviewRequest("not json").ok());
}

TEST(Accuracy, PrecisionAndRecallPerFamilyAtTheVisitLevel) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kFemale, "1", "12").Add(kFemale, "1", "12");
  b.Visit("V2", "P1", "H3", "11", "2025-03-02").Add(kFemale, "1", "12");
  b.Visit("V3", "P2", "H3", "11", "2025-03-03").Add(kFemale, "1", "12");
  auto r = Review(b);
  ASSERT_EQ(r->Count("scope_sex"), 3u);  // two on V1, one on V2
  auto labels = ParseLabels(
      "family,mdtrt_id,feedetl_sn\nscope_sex,V1,V1-1\nscope_sex,V1,V1-2\nscope_sex,V3,\n"
      "scope_age,V2,\nscope_sex,NOPE,\n",
      "labels.csv");
  ASSERT_TRUE(labels.ok()) << FormatDiagnostics(labels.errors());
  Accuracy a = ComputeAccuracy(*labels, r->result.findings, *r->rules, r->store);
  const FamilyAccuracy& sex = a.families[size_t(RuleFamily::kScopeSex)];
  EXPECT_EQ(sex.tp, 1u);  // V1
  EXPECT_EQ(sex.fp, 1u);  // V2
  EXPECT_EQ(sex.fn, 1u);  // V3
  EXPECT_DOUBLE_EQ(sex.precision(), 0.5);
  EXPECT_DOUBLE_EQ(sex.recall(), 0.5);
  const FamilyAccuracy& age = a.families[size_t(RuleFamily::kScopeAge)];
  EXPECT_EQ(age.fn, 1u);
  EXPECT_EQ(age.precision(), -1);
  EXPECT_EQ(a.unknown_visits, 1u);
  std::string table = FormatAccuracyTable(a);
  EXPECT_NE(table.find("scope_sex"), std::string::npos);
  auto bad = ParseLabels("family,mdtrt_id\nscope_x,V1\n", "labels.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors()[0].ToString().substr(0, 19), "labels.csv:2: famil");
}

TEST(ReviewIo, FindingsCsvQuotesEvidence) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPanelA, "1", "20").Add(kPanelB, "1", "20");
  auto r = Review(b);
  std::string out;
  AppendFindingsCsvHeader(out);
  for (const Finding& f : r->result.findings)
    AppendFindingCsv(*r->rules, r->store, ReviewStage::kAfter, f, out);
  EXPECT_NE(out.find("GZ-CH-005,charge_split,certain,refuse,after,V1,V1-1;V1-2,40.00,\""),
            std::string::npos)
      << out;
  std::string json;
  AppendFindingJson(*r->rules, r->store, ReviewStage::kAfter, r->result.findings[0], json);
  EXPECT_NE(json.find(R"("feedetl_sn":["V1-1","V1-2"])"), std::string::npos) << json;
}

}  // namespace
}  // namespace yibao::review_test
