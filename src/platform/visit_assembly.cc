#include "platform/visit_assembly.h"

#include <simdjson.h>

#include "codes/code_format.h"
#include "interface/bill_json.h"
#include "platform/filing_choice.h"

namespace yibao {

std::string VisitDetailsJson(const VisitDetails& d) {
  std::string out = "{\"dept_codg\":";
  AppendJsonString(out, d.dept_codg);
  out += ",\"dise_codg\":";
  AppendJsonString(out, d.dise_codg);
  out += ",\"diagnoses\":[";
  for (size_t i = 0; i < d.diagnoses.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, d.diagnoses[i]);
  }
  out += "],\"dscg_way\":";
  AppendJsonString(out, d.dscg_way);
  out += ",\"mdtrtarea_admvs\":";
  AppendJsonString(out, d.mdtrtarea_admvs);
  out += '}';
  return out;
}

Result<VisitDetails> ParseVisitDetailsJson(std::string_view json) {
  namespace od = simdjson::ondemand;
  thread_local od::parser parser;
  simdjson::padded_string padded(json);
  od::document doc;
  VisitDetails d;
  auto bad = [] { return Diagnostic{"", 0, "visit.info_json", "unreadable stored visit"}; };
  if (parser.iterate(padded).get(doc)) return bad();
  od::object root;
  if (doc.get_object().get(root)) return bad();
  for (auto field : root) {
    std::string_view key, text;
    if (field.unescaped_key().get(key)) return bad();
    if (key == "diagnoses") {
      od::array arr;
      if (field.value().get_array().get(arr)) return bad();
      for (auto v : arr) {
        if (v.get_string().get(text)) return bad();
        d.diagnoses.emplace_back(text);
      }
      continue;
    }
    if (field.value().get_string().get(text)) return bad();
    if (key == "dept_codg") d.dept_codg = text;
    if (key == "dise_codg") d.dise_codg = text;
    if (key == "dscg_way") d.dscg_way = text;
    if (key == "mdtrtarea_admvs") d.mdtrtarea_admvs = text;
  }
  return d;
}

const InsuranceRecord* FindInsurance(const PersonRecord& p, std::string_view insutype) {
  for (const auto& i : p.insurances)
    if (i.insutype == insutype) return &i;
  return nullptr;
}

namespace {

Diagnostic Error(std::string field, std::string message) {
  return Diagnostic{"", 0, std::move(field), std::move(message)};
}

Sex SexOf(std::string_view gend) {
  if (gend == "1") return Sex::kMale;
  if (gend == "2") return Sex::kFemale;
  return Sex::kAny;
}

}  // namespace

Result<PreparedVisit> AssembleVisit(const VisitAssembly& a, const Region& region) {
  const VisitRecord& rec = *a.visit;
  const PersonRecord& person = *a.person;
  VisitInput input;
  Visit& v = input.visit;
  v.visit_id = rec.mdtrt_id;
  v.med_type = a.med_type.empty() ? rec.med_type : a.med_type;
  v.institution = rec.fixmedins_code;
  v.institution_level = a.institution->hosp_lv;
  input.has_level = true;
  auto begin = Date::Parse(rec.begntime.substr(0, 10));
  auto end = Date::Parse(a.end_date.empty() ? rec.begntime.substr(0, 10) : a.end_date);
  if (!begin) return Error("begntime", "unreadable visit begin \"" + rec.begntime + "\"");
  if (!end) return Error("endtime", "unreadable visit end \"" + a.end_date + "\"");
  v.begin = *begin;
  v.end = *end;

  const InsuranceRecord* insurance = FindInsurance(person, rec.insutype);
  if (!insurance)
    return Error("insutype", "person " + person.psn_no + " has no insurance " + rec.insutype);
  Person& p = v.person;
  p.psn_no = person.psn_no;
  p.sex = SexOf(person.gend);
  auto brdy = Date::Parse(person.brdy);
  if (!brdy) return Error("brdy", "the register has no birthday for person " + person.psn_no);
  p.birthday = *brdy;
  p.insutype = insurance->insutype;
  p.psn_type = insurance->psn_type;
  p.insured_admdvs = insurance->insuplc_admdvs.empty() ? region.admdvs : insurance->insuplc_admdvs;
  const std::string day = v.begin.ToString();
  for (const auto& id : person.identities) {
    // An identity counts when it is in force on the visit's first day.
    if (!id.begntime.empty() && id.begntime.substr(0, 10) > day) continue;
    if (!id.endtime.empty() && id.endtime.substr(0, 10) < day) continue;
    p.identities.push_back(id.psn_idet_type);
  }
  // Where the visit took place; PrepareVisit checks it against the catalogue's region, so the visit
  // is prepared there and given its own place and class afterwards.
  const std::string treatment =
      a.details.mdtrtarea_admvs.empty() ? region.admdvs : a.details.mdtrtarea_admvs;
  if (auto why = CheckAdmdvs(treatment))
    return Error("mdtrtarea_admvs", "\"" + treatment + "\": " + *why);
  v.treatment_admdvs = region.admdvs;
  v.diagnoses = a.details.diagnoses;
  if (v.diagnoses.empty() && !a.details.dise_codg.empty() && a.details.dise_codg[0] != 'M')
    v.diagnoses.push_back(a.details.dise_codg);
  v.department = a.details.dept_codg;
  // 门诊慢特病 diseases are coded M…; any other dise_codg is an ICD code, not a chronic disease.
  if (!a.details.dise_codg.empty() && a.details.dise_codg[0] == 'M')
    v.chronic_disease = a.details.dise_codg;
  v.use_account = a.use_account;
  v.account_balance = a.account_balance.is_negative() ? Money::Zero() : a.account_balance;

  v.lines.reserve(a.lines.size());
  for (const FeeLineRecord* l : a.lines) {
    FeeLine line;
    line.serial = l->feedetl_sn;
    line.code = l->med_list_codg;
    auto cnt = Quantity::Parse(l->cnt);
    auto pric = UnitPrice::Parse(l->pric);
    if (!cnt || !pric)
      return Error("feedetl_sn", "stored fee line " + l->feedetl_sn + " is unreadable");
    line.count = *cnt;
    line.price = *pric;
    line.amount = Money::Fen(l->det_item_fee_sumamt);
    line.approved = l->hosp_appr_flag == "1";
    line.days = l->prd_days;
    v.lines.push_back(std::move(line));
  }
  // A filing matters only outside the insured pool; only then are the filings read.
  const std::string insured = p.insured_admdvs;
  Filing filing = Filing::kNone;
  if (a.filings && ClassifyCrossRegion(insured, treatment, Filing::kNone,
                                       region.province_pooling) != CrossRegion::kLocal) {
    const std::vector<FilingRecord> filings = a.filings();
    if (const FilingRecord* f = ChooseFiling(filings, treatment, v.begin, v.end))
      filing = FilingKind(f->filing_type);
  }
  auto prepared = PrepareVisit(std::move(input), region, region);
  if (!prepared) return prepared;
  prepared->visit.treatment_admdvs = treatment;
  prepared->visit.cross = ClassifyCrossRegion(insured, treatment, filing, region.province_pooling);
  return prepared;
}

Result<std::shared_ptr<PricedVisit>> PriceVisit(Ledger& ledger,
                                                std::shared_ptr<const Region> region,
                                                const VisitRecord& visit,
                                                std::span<const FeeLineRecord* const> lines,
                                                const std::string& med_type,
                                                const std::string& end_date, bool use_account) {
  auto person = ledger.FindPerson(visit.psn_no);
  if (!person) return Error("psn_no", "person " + visit.psn_no + " is not in the register");
  auto institution = ledger.FindInstitution(visit.fixmedins_code);
  if (!institution)
    return Error("fixmedins_code", "institution " + visit.fixmedins_code + " is not registered");
  auto details = ParseVisitDetailsJson(visit.info_json);
  if (!details) return details.errors();
  VisitAssembly a;
  a.visit = &visit;
  a.details = std::move(*details);
  a.person = &*person;
  a.institution = &*institution;
  a.lines.assign(lines.begin(), lines.end());
  a.med_type = med_type;
  a.end_date = end_date;
  a.use_account = use_account;
  if (use_account) a.account_balance = Money::Fen(ledger.AccountBalance("acct:" + visit.psn_no));
  a.filings = [&ledger, &visit] { return ledger.FilingsOf(visit.psn_no); };
  auto prepared = AssembleVisit(a, *region);
  if (!prepared) return prepared.errors();
  auto priced = std::make_shared<PricedVisit>();
  priced->region = std::move(region);
  priced->prepared = std::move(*prepared);
  priced->institution = std::move(*institution);
  priced->details = std::move(a.details);
  PreparedVisit& p = priced->prepared;
  const Visit& v = p.visit;
  p.accumulators =
      p.policy->Accumulators(ledger.Accumulators(v.person.psn_no, v.person.insutype, v.end.year()));
  Diagnostics errors;
  if (!Settle(v, *p.catalogue, *p.policy, p.accumulators, &priced->settlement, &errors))
    return errors;
  return priced;
}

}  // namespace yibao
