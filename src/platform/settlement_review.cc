#include "platform/settlement_review.h"

#include <algorithm>
#include <map>

#include "interface/json_writer.h"
#include "review/review_json.h"

namespace yibao {

const char* SettlementReviewModeName(SettlementReviewMode m) {
  switch (m) {
    case SettlementReviewMode::kOff:
      return "off";
    case SettlementReviewMode::kFlag:
      return "flag";
    case SettlementReviewMode::kEnforce:
      return "enforce";
  }
  return "?";
}

std::optional<SettlementReviewMode> ParseSettlementReviewMode(std::string_view s) {
  for (auto m :
       {SettlementReviewMode::kOff, SettlementReviewMode::kFlag, SettlementReviewMode::kEnforce})
    if (s == SettlementReviewModeName(m)) return m;
  return std::nullopt;
}

Date HistorySince(const RuleSet& rules, Date begin) {
  int32_t days = 366;
  for (const Rule& r : rules.rules())
    if (r.InStage(ReviewStage::kDuring)) days = std::max(days, int32_t(r.window_days));
  return PlusDays(begin, -days);
}

namespace {

// The day of a "YYYY-MM-DD…" text, or `fallback` when it has none.
Date DayOf(std::string_view text, Date fallback) {
  auto d = Date::Parse(text.substr(0, 10));
  return d ? *d : fallback;
}

const FeeLineRecord& LineOf(const FeeLineRecord& l) { return l; }
const FeeLineRecord& LineOf(const FeeLineRecord* l) { return *l; }

// One encounter from what the ledger holds, ending on `end`. `lines` hold fee lines (a history
// visit's, as the ledger shares them) or point at them (the visit being settled).
template <class Lines>
Result<ReviewEncounter> Encounter(const VisitRecord& v, const VisitDetails& details,
                                  const InstitutionRecord& institution, const Lines& lines,
                                  Date end, const std::string& region_admdvs) {
  ReviewEncounter e;
  e.mdtrt_id = v.mdtrt_id;
  e.medins_id = v.fixmedins_code;
  e.medins_type = institution.fixmedins_type == "2" ? "pharmacy" : "hospital";
  e.level = std::clamp(institution.hosp_lv, 0, 3);
  e.med_type = v.med_type;
  e.dept = details.dept_codg;
  e.insutype = v.insutype;
  e.area = details.mdtrtarea_admvs.empty() ? region_admdvs : details.mdtrtarea_admvs;
  auto begin = Date::Parse(v.begntime.substr(0, 10));
  if (!begin) return Diagnostic{"", 0, "begntime", "unreadable visit begin \"" + v.begntime + "\""};
  e.begin = *begin;
  e.has_begin = true;
  e.end = std::max(end, e.begin);
  e.has_end = true;
  if (details.dscg_way.size() == 1 && details.dscg_way[0] >= '1' && details.dscg_way[0] <= '9')
    e.discharge = details.dscg_way[0] - '0';
  if (!details.diagnoses.empty()) {
    e.main_dx = details.diagnoses.front();
    e.secondary.assign(details.diagnoses.begin() + 1, details.diagnoses.end());
  } else if (!details.dise_codg.empty() && details.dise_codg[0] != 'M') {
    e.main_dx = details.dise_codg;  // an ICD code sent as 病种 (M… is a 门慢特 disease)
  }
  e.orders.reserve(lines.size());  // grown one by one, each order's strings would move each time
  // A visit's lines mostly share their day: each day text is parsed once.
  std::string_view last_day;
  Date last_date;
  for (const auto& item : lines) {
    const FeeLineRecord& l = LineOf(item);
    if (l.cancelled) continue;
    ReviewOrder o;
    o.rx_id = l.feedetl_sn;
    o.code = l.med_list_codg;
    auto cnt = Quantity::Parse(l.cnt);
    auto pric = UnitPrice::Parse(l.pric);
    if (!cnt || !pric)
      return Diagnostic{"", 0, "feedetl_sn", "stored fee line " + l.feedetl_sn + " is unreadable"};
    o.cnt = *cnt;
    o.pric = *pric;
    o.sumamt = Money::Fen(l.det_item_fee_sumamt);
    o.has_sumamt = true;
    const std::string_view day = std::string_view(l.fee_ocur_time).substr(0, 10);
    if (day.empty() || day != last_day) {
      last_day = day;
      last_date = DayOf(day, e.begin);
    }
    o.date = std::clamp(last_date, e.begin, e.end);
    o.has_date = true;
    o.prd_days = l.prd_days > 0 ? l.prd_days : -1;
    o.approved = l.hosp_appr_flag == "1";
    e.orders.push_back(std::move(o));
  }
  return e;
}

}  // namespace

Result<SettlementReview> ReviewAtSettlement(Ledger& ledger, const ReviewBase& base,
                                            const PricedVisit& priced, const VisitRecord& visit,
                                            std::span<const FeeLineRecord* const> lines,
                                            HistoryEncounters* kept) {
  const Visit& settled = priced.prepared.visit;
  const std::string& region_admdvs = priced.region->admdvs;
  ReviewPatient patient;
  patient.psn_no = settled.person.psn_no;
  patient.insutype = settled.person.insutype;
  patient.insuplc = settled.person.insured_admdvs;
  patient.sex = settled.person.sex == Sex::kMale ? 1 : settled.person.sex == Sex::kFemale ? 2 : 0;
  patient.birthday = settled.person.birthday;
  patient.has_birthday = true;
  patient.current = visit.mdtrt_id;

  // History first (by begin date), then the visit being settled.
  std::map<std::string, std::optional<InstitutionRecord>> institutions;
  institutions[priced.institution.fixmedins_code] = priced.institution;
  const std::vector<PersonVisit> history =
      ledger.ClaimedVisitsOf(patient.psn_no, HistorySince(base.rules, settled.begin).ToString());
  std::vector<SharedEncounter> past;  // held while the request is built from them
  past.reserve(history.size());
  for (const PersonVisit& h : history) {
    const VisitRecord& v = *h.visit;
    if (v.fixmedins_code == visit.fixmedins_code && v.mdtrt_id == visit.mdtrt_id) continue;
    // The ledger returns claims: settled visits, and stays whether settled or not (the patient is
    // in hospital either way).
    auto& inst = institutions[v.fixmedins_code];
    if (!inst) inst = ledger.FindInstitution(v.fixmedins_code);
    if (!inst) continue;
    const Date begin = DayOf(v.begntime, settled.begin);
    if (begin > settled.end) continue;  // later than this visit: not history
    // A stay not discharged yet runs on past the settled visit: its end is taken as the day after.
    const Date end = v.endtime.empty() ? PlusDays(settled.end, 1) : DayOf(v.endtime, begin);
    auto build = [&]() -> SharedEncounter {
      auto details = ParseVisitDetailsJson(v.info_json);
      if (!details) return nullptr;  // unreadable history is not the settled visit's fault
      auto e = Encounter(v, *details, *inst, *h.lines, end, region_admdvs);
      return e ? std::make_shared<const ReviewEncounter>(std::move(*e)) : nullptr;
    };
    if (SharedEncounter e = kept ? kept->Get(h, *inst, end, region_admdvs, build) : build())
      past.push_back(std::move(e));
  }
  auto current =
      Encounter(visit, priced.details, priced.institution, lines, settled.end, region_admdvs);
  if (!current) return current.errors();
  current->med_type = settled.med_type;
  std::vector<const ReviewEncounter*> encounters;
  encounters.reserve(past.size() + 1);
  for (const SharedEncounter& e : past) encounters.push_back(e.get());
  encounters.push_back(&*current);

  auto request = BuildReviewRequest(patient, encounters);
  if (!request) return request.errors();
  SettlementReview out;
  out.request = std::move(*request);
  BoundRules bound = Bind(base.rules, out.request.store);
  ReviewVisit(bound, out.request.current_visit, ReviewStage::kDuring, &out.findings);
  std::sort(out.findings.begin(), out.findings.end(), FindingBefore);
  for (const Finding& f : out.findings)
    out.refuses |= base.rules.rules()[f.rule].severity == RuleSeverity::kRefuse;
  return out;
}

std::string RefusalMessage(const ReviewBase& base, const SettlementReview& review) {
  std::string msg = "事中审核 refuses the settlement:";
  for (const Finding& f : review.findings) {
    const Rule& r = base.rules.rules()[f.rule];
    if (r.severity != RuleSeverity::kRefuse) continue;
    msg += " rule " + r.id + " (" + r.name + "): " + f.evidence;
    if (!f.lines.empty()) {
      msg += "; feedetl_sn";
      for (size_t i = 0; i < f.lines.size(); ++i)
        msg += (i ? ", " : " ") + review.request.rx_ids[f.lines[i]];
    }
    msg += "; amount " + f.amount.ToString() + ".";
  }
  return msg;
}

void AppendReviewResult(const ReviewBase& base, const SettlementReview& review, std::string& json) {
  // `json` is an object: reopen it before its closing brace.
  if (json.empty() || json.back() != '}') json = "{}";
  json.pop_back();
  if (json.size() > 1) json += ',';
  json += "\"review_result\":";
  JsonWriter w(json);
  WriteReviewFindings(base.rules, review.request, review.findings, w);
  json += '}';
}

}  // namespace yibao
