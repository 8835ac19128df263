// The family checks behind the engine (engine.cc drives them). Internal to src/review.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drg/grouper.h"
#include "review/engine.h"

namespace yibao {

// Which visits a review reports on.
struct ReviewTargets {
  uint32_t visit = kNoCode;        // one visit (事前/事中), or kNoCode for every visit
  uint32_t institution = kNoCode;  // self-check: only this institution's visits
  bool Has(const ClaimsStore& s, uint32_t v) const {
    if (visit != kNoCode) return v == visit;
    return institution == kNoCode || s.visits[v].institution == institution;
  }
};

// Reused buffers of one thread.
struct ReviewScratch {
  std::vector<std::pair<uint64_t, uint32_t>> keyed;  // (item << 32 | day, line), sorted
  std::vector<uint32_t> ids;
  std::vector<std::pair<uint64_t, uint32_t>> dispensing;
  DrgCase drg_case;
  GroupResult with, without;
};

// One person's review: the visible history (visit indices in date order) and the stage.
struct PersonReview {
  const BoundRules& b;
  const ClaimsStore& s;
  uint32_t person;
  const uint32_t* history_begin;
  const uint32_t* history_end;
  ReviewStage stage;
  ReviewTargets targets;
  ReviewScratch& scratch;
  std::vector<Finding>* out;
};

// Whether rule `r` covers visit `v` at `stage` (stage, scenario, cross-province, level,
// institution type, insurance type).
bool RuleApplies(const Rule& r, const ClaimsStore& s, const ClaimsVisit& v, ReviewStage stage);

// Calls f(rule_index) for every rule of `family` that covers visit `v`.
template <typename F>
void ForRules(const PersonReview& p, RuleFamily family, uint32_t v, F&& f) {
  const RuleSet& set = *p.b.set;
  for (uint32_t r : set.RulesOf(family))
    if (RuleApplies(set.rules()[r], p.s, p.s.visits[v], p.stage)) f(r);
}

void Emit(const PersonReview& p, uint32_t rule, uint32_t visit, std::vector<uint32_t> lines,
          Money amount, std::string evidence);

// Line families of one visit (all but standard_annual, which is per person and year).
void CheckLines(const PersonReview& p, uint32_t visit);
// Families over a person's visits in time: standard_annual, visit_over_prescription,
// scope_step_therapy needs the history too but runs inside CheckLines.
void CheckPersonTotals(const PersonReview& p);
// Visit families of one visit (all but visit_fake_hospitalisation, which is across persons).
void CheckVisit(const PersonReview& p, uint32_t visit);
// visit_fake_hospitalisation over the whole store: findings for the visits in `targets`.
void CheckFakeHospitalisation(const BoundRules& b, ReviewStage stage, const ReviewTargets& targets,
                              std::vector<Finding>* out);

// "2025-03-14"
inline std::string Day(Date d) { return d.ToString(); }
// Quantity-scaled value as text ("2", "0.5").
std::string QtyText(int64_t scaled);
// The line's amount × part ÷ whole, for the share of a line beyond a limit.
Money Share(Money amount, int64_t part, int64_t whole);

}  // namespace yibao
