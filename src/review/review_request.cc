#include "review/review_request.h"

#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <map>
#include <string_view>

namespace yibao {

Result<ReviewRequest> BuildReviewRequest(const ReviewPatient& pt) {
  std::vector<const ReviewEncounter*> encounters;
  encounters.reserve(pt.encounters.size());
  for (const ReviewEncounter& e : pt.encounters) encounters.push_back(&e);
  return BuildReviewRequest(pt, encounters);
}

Result<ReviewRequest> BuildReviewRequest(const ReviewPatient& pt,
                                         std::span<const ReviewEncounter* const> encounters) {
  ReviewRequest out;
  ClaimsStore& s = out.store;
  ClaimsPerson person;
  person.psn_no = pt.psn_no;
  person.sex = uint8_t(pt.sex);
  person.birthday = pt.birthday;
  person.insutype = pt.insutype;
  person.insuplc_admdvs = pt.insuplc;
  s.persons.push_back(std::move(person));
  std::map<std::string, uint32_t> institutions;
  bool has_current = false;
  // Hashed, not compared pairwise: a chronic patient's year may hold a hundred visits.
  boost::unordered_flat_set<std::string_view> mdtrt_ids;
  mdtrt_ids.reserve(encounters.size());
  for (size_t i = 0; i < encounters.size(); ++i) {
    const ReviewEncounter& e = *encounters[i];
    if (!mdtrt_ids.insert(e.mdtrt_id).second)
      return Diagnostic{"", 0, "fsi_encounter_dtos[" + std::to_string(i) + "].mdtrt_id",
                        "encounter '" + e.mdtrt_id + "' given twice"};
    auto [it, fresh] = institutions.emplace(e.medins_id, uint32_t(s.institutions.size()));
    if (fresh) {
      ClaimsInstitution in;
      in.code = e.medins_id;
      in.level = e.level;
      in.type =
          e.medins_type.empty() ? InstitutionType::kHospital : *ParseInstitutionType(e.medins_type);
      s.institutions.push_back(std::move(in));
    }
    ClaimsVisit v;
    v.person = 0;
    v.institution = it->second;
    v.med_type = SmallNumber(e.med_type);
    v.scenario = ScenarioOfMedType(e.med_type);
    InstitutionType ty = s.institutions[v.institution].type;
    if (v.scenario == CareScenario::kOutpatient && ty == InstitutionType::kPharmacy)
      v.scenario = CareScenario::kPharmacy;
    if (v.scenario == CareScenario::kOutpatient && ty == InstitutionType::kInternet)
      v.scenario = CareScenario::kInternet;
    v.begin = e.begin;
    v.end = e.has_end ? e.end : e.begin;  // 事前: not discharged yet
    if (!e.dept.empty()) v.dept = s.depts.Intern(e.dept);
    v.discharge = uint8_t(e.discharge);
    if (!e.main_dx.empty()) v.main_dx = s.diagnoses.Intern(e.main_dx);
    v.dx_begin = uint32_t(s.visit_dx.size());
    for (const std::string& d : e.secondary) s.visit_dx.push_back(s.diagnoses.Intern(d));
    v.dx_end = uint32_t(s.visit_dx.size());
    v.proc_begin = uint32_t(s.visit_proc.size());
    for (const std::string& d : e.procedures) s.visit_proc.push_back(s.procedures.Intern(d));
    v.proc_end = uint32_t(s.visit_proc.size());
    v.insutype = SmallNumber(e.insutype.empty() ? pt.insutype : e.insutype);
    v.area = SmallNumber(e.area);
    if (pt.insuplc.size() >= 2 && e.area.size() >= 2)
      v.cross_province = pt.insuplc.compare(0, 2, e.area, 0, 2) != 0;
    if (!e.drg.empty()) v.drg = s.drgs.Intern(e.drg);
    v.line_begin = uint32_t(s.lines.size());
    for (const ReviewOrder& o : e.orders) {
      ClaimLine l;
      l.item = s.items.Intern(o.code);
      l.date = o.has_date ? o.date : e.begin;
      l.cnt = o.cnt.scaled();
      l.pric = o.pric.micro_yuan();
      l.amount = o.has_sumamt ? o.sumamt : LineAmount(o.pric, o.cnt);
      if (!o.sin_dos.empty()) l.sin_dos = Quantity::Parse(o.sin_dos)->scaled();
      if (!o.used_frqu.empty()) {
        int64_t f = Quantity::Parse(o.used_frqu)->scaled();
        l.freq = int32_t(std::min<int64_t>(f, 1000 * Quantity::kScale));
      }
      l.prd_days = o.prd_days;
      if (!o.dept.empty()) l.dept = s.depts.Intern(o.dept);
      l.approved = o.approved;
      v.total += l.amount;
      s.line_sns.Add(o.rx_id);
      out.rx_ids.push_back(o.rx_id);
      s.lines.push_back(l);
    }
    v.line_end = uint32_t(s.lines.size());
    if (e.mdtrt_id == pt.current) {
      out.current_visit = uint32_t(s.visits.size());
      has_current = true;
    }
    s.mdtrt_ids.Add(e.mdtrt_id);
    s.visits.push_back(v);
  }
  if (!has_current)
    return Diagnostic{"", 0, "curr_mdtrt_id",
                      "'" + pt.current + "' is not among fsi_encounter_dtos"};
  s.IndexPersons();
  return out;
}

}  // namespace yibao
