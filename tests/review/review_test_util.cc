#include "review_test_util.h"

#include <gtest/gtest.h>

#include "base/quantity.h"
#include "base/text.h"
#include "catalogue/catalogue_csv.h"
#include "codes/icd_table.h"
#include "drg/drg_spec.h"

namespace yibao::review_test {

TestVisit& TestVisit::Add(std::string code, std::string cnt, std::string pric, std::string date,
                          std::string sin_dos, std::string freq, std::string days, std::string appr,
                          std::string dept) {
  Line l;
  l.sn = id + "-" + std::to_string(lines.size() + 1);
  l.date = date.empty() ? begin : date;
  l.code = std::move(code);
  l.cnt = std::move(cnt);
  l.pric = std::move(pric);
  l.sin_dos = std::move(sin_dos);
  l.freq = std::move(freq);
  l.days = std::move(days);
  l.appr = std::move(appr);
  l.dept = std::move(dept);
  l.amount = LineAmount(*UnitPrice::Parse(l.pric), *Quantity::Parse(l.cnt)).ToString();
  lines.push_back(std::move(l));
  return *this;
}

ExportBuilder::ExportBuilder() {
  persons =
      "psn_no,gend,brdy,insutype,psn_type,insuplc_admdvs,death_date\n"
      "P1,1,1980-05-01,310,in_service,379900,\n"
      "P2,2,1985-02-01,310,in_service,379900,\n"
      "P3,1,2019-06-01,390,child,379900,\n"
      "P4,1,1970-01-01,390,adult,379900,\n"
      "P5,2,1960-01-01,390,adult,379900,\n"
      "P6,1,1975-01-01,390,adult,379900,\n"
      "PD,1,1950-01-01,310,retired,379900,2025-03-01\n";
  institutions =
      "fixmedins_code,fixmedins_name,hosp_lv,fixmedins_type,admdvs\n"
      "H3,第一医院,3,hospital,379900\n"
      "H2,第二医院,2,hospital,379900\n"
      "H1,社区卫生服务中心,1,clinic,379900\n"
      "PH,大药房,0,pharmacy,379900\n";
  catalogue = std::string(
                  "code,name,kind,class,sex,age_min,age_max,setting,min_level,indications,"
                  "insutypes,specialties,step_therapy\n") +
              kFolic + ",叶酸片,drug,甲,,,,,,,510,,\n" + kTertiary +
              ",某靶向药,drug,乙,,,,,3,,,,\n" + kWardOnly +
              ",某注射剂,drug,乙,,,,inpatient,,,,,\n" + kRehab + ",某康复药,drug,乙,,,,,,,,A21,\n" +
              kFemale + ",某阴道栓,drug,甲,F,,,,,,,,\n" + kAdult +
              ",某喹诺酮,drug,甲,,18,,,,,,,\n" + kDiabetic + ",某降糖药,drug,乙,,,,,,E11,,,\n" +
              kSecondLine + ",某二线抗菌药,drug,乙,,,,,,,,,Y\n" + kFirstLine +
              ",某一线抗菌药,drug,甲,,,,,,,,,\n" + kPain + ",某止痛药,drug,甲,,,,,,,,,\n" + kAmlo +
              ",某降压药,drug,甲,,,,,,,,,\n";
  knowledge[size_t(KnowledgeTable::kItems)] =
      std::string(
          "code,category,per_day,max_sin_dos,max_daily_freq,max_daily_qty,max_visit_qty,"
          "max_course_days,max_annual_amount,procurement_price,max_markup,secondary_ratio\n") +
      kPain + ",drug,,1,4,,,10,100,0.5,0,\n" + kAmlo + ",drug,,,,,,,,,,\n" + kFirstLine +
      ",drug,,,,,,,,,,\n" + kSecondLine + ",drug,,,,,,,,,,\n" + kBed + ",bed,1,,,,,,,,,\n" +
      kNursing + ",nursing,1,,,,,,,,,\n" + kMeal + ",meal,,,,,,,,,,\n" + kXray +
      ",exam,,,,1,2,,,,,\n" + kSuture + ",surgery,,,,,,,,,,0.5\n" + kAnaesthesia +
      ",treatment,,,,,,,,,,\n" + kPanel + ",exam,,,,,,,,,,\n" + kPanelA + ",exam,,,,,,,,,,\n" +
      kPanelB + ",exam,,,,,,,,,,\n" + kPanelC + ",exam,,,,,,,,,,\n" + kInfusion +
      ",treatment,,,,,,,,,,\n" + kInjection + ",treatment,,,,,,,,,,\n" + kCtScan +
      ",exam,,,,,,,,,,\n" + kXray2 + ",exam,,,,,,,,,,\n" + kOxygen + ",treatment,,,,,,,,,,\n";
  knowledge[size_t(KnowledgeTable::kIncludes)] =
      std::string("code,included_code\n") + kInfusion + "," + kInjection + "\n";
  knowledge[size_t(KnowledgeTable::kRequires)] =
      std::string("code,required_any\n") + kAnaesthesia + "," + kSuture + "\n";
  knowledge[size_t(KnowledgeTable::kBundles)] = std::string(
                                                    "bundle_code,component_codes,"
                                                    "min_components\n") +
                                                kPanel + "," + kPanelA + ";" + kPanelB + ";" +
                                                kPanelC + ",2\n";
  knowledge[size_t(KnowledgeTable::kSubstitution)] =
      std::string("billed_code,usual_code,evidence_any\n") + kCtScan + "," + kXray2 + ",S06;01.2\n";
  knowledge[size_t(KnowledgeTable::kStepTherapy)] =
      std::string("code,first_line_codes,window_days\n") + kSecondLine + "," + kFirstLine + ",30\n";
  knowledge[size_t(KnowledgeTable::kDiagnosisEvidence)] =
      std::string("dx_prefix,evidence_any\n") + "J96," + kOxygen + "\n";
  knowledge[size_t(KnowledgeTable::kMildDiagnoses)] = "dx_prefix,max_inpatient_days\nJ06,3\n";
}

TestVisit& ExportBuilder::Visit(std::string id, std::string psn, std::string inst,
                                std::string med_type, std::string begin, std::string end) {
  TestVisit v;
  v.id = std::move(id);
  v.psn = std::move(psn);
  v.inst = std::move(inst);
  v.med_type = std::move(med_type);
  v.begin = begin;
  v.end = end.empty() ? begin : end;
  v.dept = "A03";
  v.main_dx = "I10.x00";
  visits.push_back(std::move(v));
  return visits.back();
}

std::string ExportBuilder::VisitsCsv() const {
  std::string out =
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dept_codg,dscg_way,dise_codg,"
      "diag_codes,oprn_codes,insutype,mdtrtarea_admvs,medfee_sumamt,drg_code\n";
  for (const TestVisit& v : visits) {
    Money total;
    for (const auto& l : v.lines) total += *Money::ParseYuan(l.amount);
    out += v.id + "," + v.psn + "," + v.inst + "," + v.med_type + "," + v.begin + "," + v.end +
           "," + v.dept + "," + v.dscg + "," + v.main_dx + "," + v.diag + "," + v.oprn + "," +
           v.insutype + "," + (v.area.empty() ? "379900" : v.area) + "," + total.ToString() + "," +
           v.drg + "\n";
  }
  return out;
}

std::string ExportBuilder::FeeLinesCsv() const {
  std::string out =
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt,sin_dos,"
      "used_frqu,prd_days,bilg_dept_codg,hosp_appr_flag\n";
  for (const TestVisit& v : visits)
    for (const auto& l : v.lines)
      out += v.id + "," + l.sn + "," + l.date + "," + l.code + "," + l.cnt + "," + l.pric + "," +
             l.amount + "," + l.sin_dos + "," + l.freq + "," + l.days + "," + l.dept + "," +
             l.appr + "\n";
  return out;
}

RuleBase BundledRules() {
  Result<RuleBase> r = LoadRuleDir(std::string(YIBAO_SOURCE_DIR) + "/rules/national");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : FormatDiagnostics(r.errors()));
  return r.ok() ? std::move(*r) : RuleBase{};
}

const DrgGrouper* SharedGrouper() {
  struct Loaded {
    std::unique_ptr<DrgSpec> spec;
    std::unique_ptr<IcdTables> icd;
    DrgGrouper grouper;
  };
  static Loaded* loaded = [] {
    auto* l = new Loaded;
    Result<DrgSpec> s = LoadDrgSpec(std::string(YIBAO_SHARED_DATA) + "/chs-drg-1.1");
    Result<IcdTables> i = IcdTables::LoadShared(std::string(YIBAO_SHARED_DATA) + "/icd");
    if (s && i) {
      l->spec = std::make_unique<DrgSpec>(std::move(*s));
      l->icd = std::make_unique<IcdTables>(std::move(*i));
      l->grouper = DrgGrouper::Bind(l->spec.get(), l->icd.get());
    }
    return l;
  }();
  return loaded->spec ? &loaded->grouper : nullptr;
}

std::unique_ptr<ReviewRun> Review(const ExportBuilder& b, int threads, ReviewStage stage) {
  auto run = std::make_unique<ReviewRun>();
  std::string visits = b.VisitsCsv(), lines = b.FeeLinesCsv();
  Result<ClaimsStore> store = ParseClaims(ClaimsTexts{{"persons.csv", b.persons},
                                                      {"institutions.csv", b.institutions},
                                                      {"visits.csv", visits},
                                                      {"fee_lines.csv", lines}});
  if (!store) {
    ADD_FAILURE() << FormatDiagnostics(store.errors());
    return run;
  }
  run->store = std::move(*store);
  Result<Catalogue> cat = ParseCatalogueCsv(b.catalogue, "catalogue.csv", "379900");
  if (!cat) {
    ADD_FAILURE() << FormatDiagnostics(cat.errors());
    return run;
  }
  run->catalogue = std::make_unique<Catalogue>(std::move(*cat));
  KnowledgeTexts kt;
  for (int t = 0; t < kKnowledgeTableCount; ++t) {
    if (b.knowledge[size_t(t)].empty()) continue;
    kt.present[size_t(t)] = true;
    kt.tables[size_t(t)] = NamedText{KnowledgeTableFile(KnowledgeTable(t)), b.knowledge[size_t(t)]};
  }
  Result<KnowledgeBase> kb = ParseKnowledge(kt);
  if (!kb) {
    ADD_FAILURE() << FormatDiagnostics(kb.errors());
    return run;
  }
  run->knowledge = std::move(*kb);
  run->rules = std::make_unique<RuleSet>(
      RuleSet::Compile(BundledRules(), &run->knowledge, run->catalogue.get(), SharedGrouper()));
  run->bound = std::make_unique<BoundRules>(Bind(*run->rules, run->store));
  BatchOptions o;
  o.threads = threads;
  o.stage = stage;
  run->result = ReviewBatch(*run->bound, o);
  return run;
}

const Finding* ReviewRun::Find(std::string_view family, std::string_view mdtrt) const {
  if (!rules) return nullptr;
  for (const Finding& f : result.findings)
    if (RuleFamilyName(rules->rules()[f.rule].family) == family &&
        store.mdtrt_ids[f.visit] == mdtrt)
      return &f;
  return nullptr;
}

bool ReviewRun::Has(std::string_view family, std::string_view mdtrt) const {
  return Find(family, mdtrt) != nullptr;
}

size_t ReviewRun::Count(std::string_view family) const {
  size_t n = 0;
  if (!rules) return 0;
  for (const Finding& f : result.findings)
    n += RuleFamilyName(rules->rules()[f.rule].family) == family;
  return n;
}

std::string ReviewRun::Describe() const {
  std::string out;
  if (!rules) return out;
  for (const Finding& f : result.findings)
    out += std::string(RuleFamilyName(rules->rules()[f.rule].family)) + "@" +
           std::string(store.mdtrt_ids[f.visit]) + ": " + f.evidence + "\n";
  return out;
}

}  // namespace yibao::review_test
