#include "platform/register_seed.h"

#include <future>
#include <memory>
#include <vector>

namespace yibao {

PersonRecord ToPersonRecord(const RegisteredPerson& p, const std::string& admdvs) {
  PersonRecord r;
  r.psn_no = p.psn_no;
  r.psn_cert_type = p.psn_cert_type;
  r.certno = p.certno;
  r.psn_name = p.psn_name;
  r.gend = p.gend;
  r.brdy = p.brdy;
  r.naty = p.naty;
  for (const auto& i : p.insurances)
    r.insurances.push_back(InsuranceRecord{i.insutype, i.psn_type, i.psn_insu_stas, i.psn_insu_date,
                                           i.paus_insu_date, admdvs, i.emp_no, i.cvlserv_flag});
  for (const auto& i : p.identities)
    r.identities.push_back(IdentityRecord{i.id, i.begntime, i.endtime});
  return r;
}

InstitutionRecord ToInstitutionRecord(const Institution& inst, const Region& region) {
  InstitutionRecord r;
  r.fixmedins_code = inst.code;
  r.fixmedins_name = inst.name;
  r.fixmedins_type = inst.pharmacy ? "2" : "1";
  r.hosp_lv = inst.level;
  r.admdvs = region.admdvs;
  for (const auto& c : region.credentials)
    if (c.fixmedins_code == inst.code) r.credential_sm3 = c.credential_sm3;
  r.active = true;
  return r;
}

Result<size_t> SeedLedger(const Region& region, Ledger& ledger) {
  if (ledger.PersonCount() != 0 || !ledger.Institutions().empty()) return size_t(0);

  struct Pending {
    std::string what;
    bool duplicate_ok;
    std::future<WriteStatus> status;
  };
  std::vector<Pending> pending;
  auto submit = [&](LedgerWrite w, std::string what, bool duplicate_ok) {
    auto promise = std::make_shared<std::promise<WriteStatus>>();
    pending.push_back(Pending{std::move(what), duplicate_ok, promise->get_future()});
    ledger.Submit(std::move(w), [promise](WriteStatus s) { promise->set_value(s); });
  };

  // 1. The opening balances, each its own contribution (one contribution per write).
  const std::string carryover = "carryover:" + region.admdvs;
  for (const auto& p : region.persons)
    for (const auto& i : p.insurances) {
      if (i.opening_balance.is_zero()) continue;
      int64_t fen = i.opening_balance.fen();
      LedgerWrite w;
      ContributionRecord c;
      c.contribution_id = "opening-" + p.psn_no + "-" + i.insutype;
      c.psn_no = p.psn_no;
      c.emp_no = i.emp_no;
      c.insutype = i.insutype;
      c.period = "opening";
      c.to_account = fen;
      w.journal = {{"acct:" + p.psn_no, fen}, {carryover, -fen}};
      w.audit_operator = kSeedOperator;
      w.audit_action = "seed opening balance " + c.contribution_id;
      std::string what = c.contribution_id;
      w.contribution = std::move(c);
      submit(std::move(w), std::move(what), /*duplicate_ok=*/true);
    }

  // 2. The register, whole.
  LedgerWrite reg;
  for (const auto& inst : region.institutions)
    reg.institutions.push_back(ToInstitutionRecord(inst, region));
  for (const auto& e : region.employers)
    reg.employers.push_back(EmployerRecord{e.emp_no, e.emp_name, e.admdvs});
  for (const auto& p : region.persons) reg.persons.push_back(ToPersonRecord(p, region.admdvs));
  reg.audit_operator = kSeedOperator;
  reg.audit_action = "seed register of " + region.admdvs + ": " +
                     std::to_string(reg.institutions.size()) + " institutions, " +
                     std::to_string(reg.employers.size()) + " employers, " +
                     std::to_string(reg.persons.size()) + " persons";
  submit(std::move(reg), "register", /*duplicate_ok=*/false);

  Diagnostics errors;
  for (auto& p : pending) {
    WriteStatus s = p.status.get();
    if (s == WriteStatus::kDurable || (p.duplicate_ok && s == WriteStatus::kDuplicateMsgid))
      continue;
    errors.push_back(
        Diagnostic{"", 0, "ledger", "seeding " + p.what + " refused: " + WriteStatusName(s)});
  }
  if (!errors.empty()) return errors;
  return region.persons.size();
}

}  // namespace yibao
