#include "interface/prepare.h"

#include <algorithm>
#include <charconv>

#include "codes/code_format.h"

namespace yibao {

bool IsCounterSlot(const Policy& policy, int slot) {
  for (const auto& b : policy.benefits)
    if (b.admission_slot == slot) return true;
  return false;
}

std::vector<std::pair<std::string, std::string>> FormatAccumulators(
    const Policy& policy, std::span<const int64_t> values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < values.size() && i < policy.accounts().size(); ++i) {
    if (values[i] == 0) continue;
    out.emplace_back(policy.accounts()[i], IsCounterSlot(policy, int(i))
                                               ? std::to_string(values[i])
                                               : Money::Fen(values[i]).ToString());
  }
  return out;
}

Result<PreparedVisit> PrepareVisit(VisitInput input, const Region& insured,
                                   const Region& treatment) {
  PreparedVisit out;
  Visit& v = input.visit;
  // National code formats are checked at the edge, so that a HIS learns of a malformed code at once
  // rather than through a restriction silently failing on it.
  for (size_t i = 0; i < v.diagnoses.size(); ++i)
    if (auto why = CheckDiagnosisCode(v.diagnoses[i]))
      return Diagnostic{"", 0, i == 0 ? "dise_codg" : "diag_codes[" + std::to_string(i - 1) + "]",
                        "\"" + v.diagnoses[i] + "\": " + *why};
  if (!v.institution.empty())
    if (auto why = CheckInstitutionCode(v.institution))
      return Diagnostic{"", 0, "fixmedins_code", "\"" + v.institution + "\": " + *why};
  for (auto [field, code] :
       {std::pair<const char*, const std::string*>{"insuplc_admdvs", &v.person.insured_admdvs},
        {"mdtrtarea_admvs", &v.treatment_admdvs}})
    if (!code->empty())
      if (auto why = CheckAdmdvs(*code))
        return Diagnostic{"", 0, field, "\"" + *code + "\": " + *why};
  if (v.person.insured_admdvs.empty()) v.person.insured_admdvs = insured.admdvs;
  if (v.treatment_admdvs.empty()) v.treatment_admdvs = treatment.admdvs;
  if (v.person.insured_admdvs != insured.admdvs)
    return Diagnostic{"", 0, "insuplc_admdvs",
                      "person is insured in " + v.person.insured_admdvs + ", this node settles " +
                          insured.admdvs};
  if (v.treatment_admdvs != treatment.admdvs)
    return Diagnostic{"", 0, "mdtrtarea_admvs",
                      "no catalogue loaded for place of treatment " + v.treatment_admdvs};
  if (!v.person.psn_type.empty()) {
    std::string id = insured.PersonTypeId(v.person.psn_type);
    if (id.empty())
      return Diagnostic{"", 0, "psn_type", "unknown person type \"" + v.person.psn_type + "\""};
    v.person.psn_type = id;
  }
  for (size_t i = 0; i < v.person.identities.size(); ++i)
    if (std::find(insured.vocabulary.identities.begin(), insured.vocabulary.identities.end(),
                  v.person.identities[i]) == insured.vocabulary.identities.end())
      return Diagnostic{"", 0, "psn_idet_type[" + std::to_string(i) + "]",
                        "unknown identity \"" + v.person.identities[i] + "\""};
  if (!input.has_level) {
    const Institution* inst = treatment.FindInstitution(v.institution);
    if (!inst)
      return Diagnostic{"", 0, "fixmedins_code",
                        "unknown institution \"" + v.institution +
                            "\" (give hosp_lv for institutions outside the region)"};
    v.institution_level = inst->level;
  }
  v.cross = ClassifyCrossRegion(v.person.insured_admdvs, v.treatment_admdvs, input.filing,
                                insured.province_pooling);
  out.policy = insured.PolicyFor(v.person.insutype, v.end);
  if (!out.policy)
    return Diagnostic{"", 0, "insutype",
                      "no policy of insurance type " + v.person.insutype + " in force on " +
                          v.end.ToString() + " in " + insured.admdvs};
  out.catalogue = &treatment.catalogue;
  out.accumulators.assign(out.policy->accounts().size(), 0);
  for (const auto& [name, text] : input.accumulators) {
    int slot = out.policy->Slot(name);
    std::string field = "accumulators." + name;
    if (slot < 0)
      return Diagnostic{"", 0, field, "not an account of policy " + out.policy->version};
    if (IsCounterSlot(*out.policy, slot)) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size() || n < 0 || n > 366)
        return Diagnostic{"", 0, field, "expected a count 0..366"};
      out.accumulators[size_t(slot)] = n;
    } else {
      auto m = Money::ParseYuan(text);
      if (!m || m->is_negative())
        return Diagnostic{"", 0, field, "expected a non-negative amount in yuan"};
      out.accumulators[size_t(slot)] = m->fen();
    }
  }
  out.visit = std::move(v);
  return out;
}

}  // namespace yibao
