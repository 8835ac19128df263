// Injected abuse: for each of the 29 families of docs/formats/claims.md, a number of cases in
// proportion to the block's visits (`abuse_rate_ppm` per family per visit), each clearly beyond
// the thresholds of the bundled rule base and labelled where claims.md says. Injections of
// different families go to different visits (an injected visit is not used again), and added
// visits are placed where normal care leaves room (no stay overlapping, nothing after death
// except for visit_after_death, no outpatient claim next to a DRG-paid stay at the same place),
// so that each label names one abuse.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "gen/care.h"
#include "gen/context.h"
#include "gen/random.h"

namespace yibao::gen {

// The persons and visits of one block while it is being made.
struct BlockData {
  uint64_t index = 0;
  int64_t first_person = 0;
  std::vector<Person> persons;
  std::vector<PersonLedger> ledgers;
  std::vector<std::vector<Visit>> visits;  // per person, sorted by begin date
  uint32_t seq = 0;
  std::array<int, kFamilyCount> injected{};  // injections made, per family
};

void InjectAbuse(const GenContext& g, Rng& rng, BlockData& b);

// Labels that follow from a person's whole year rather than from one injection: every dispensing
// visit that takes a drug's supply in a 90-day window over 90 × 1.5 days
// (visit_over_prescription), every visit whose line takes a person's yearly amount of an item
// over its maximum (standard_annual).
void LabelAcrossVisits(const GenContext& g, BlockData& b);

}  // namespace yibao::gen
