// The review engine: pure functions of a bound rule set (rule_set.h) and a claims store.
//
//   (a) ReviewVisit — one visit, given the person's prior history in the same store: 事前 (3101,
//       the doctor's orders) and 事中 (3102, at settlement);
//   (b) ReviewBatch — 事后: every visit of the store, across institutions and time, in parallel
//       over persons, with progress; the output order does not depend on the thread count.
//
// A finding names the rule, the visit, the fee lines, the amount involved (fen) and the evidence
// in words.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/money.h"
#include "review/rule_set.h"

namespace yibao {

struct Finding {
  uint32_t rule = 0;            // index into RuleSet::rules()
  uint32_t visit = 0;           // index into ClaimsStore::visits
  std::vector<uint32_t> lines;  // indices into ClaimsStore::lines (empty: the visit as a whole)
  Money amount;                 // the amount involved
  std::string evidence;
};

// Order of a finished review: by visit (the store's order), then rule, then first line.
bool FindingBefore(const Finding& a, const Finding& b);

// Reviews visit `visit` at `stage` (rules not in that stage are skipped). History: the person's
// other visits in the store that began no later than this visit ended (what a settlement can know).
void ReviewVisit(const BoundRules& rules, uint32_t visit, ReviewStage stage,
                 std::vector<Finding>* out);

struct BatchOptions {
  int threads = 2;
  // 事后 by default. At 事前/事中 each visit is reviewed as ReviewVisit does (only the history a
  // settlement could know), e.g. to see what the settlement-time rules would have said.
  ReviewStage stage = ReviewStage::kAfter;
  // Self-check (自查): only this institution's visits are reviewed; the history of its patients
  // at other institutions is still used. Index into ClaimsStore::institutions, or kNoCode for all.
  uint32_t institution = kNoCode;
  // Called now and then (from worker threads, one call at a time) with persons done and total.
  std::function<void(size_t done, size_t total)> progress;
};

struct FamilySummary {
  size_t findings = 0;
  size_t visits = 0;  // distinct visits with a finding
  Money amount;
};

struct BatchResult {
  std::vector<Finding> findings;  // in FindingBefore order
  std::array<FamilySummary, kRuleFamilyCount> families{};
  size_t visits_reviewed = 0;
  size_t lines_reviewed = 0;
};

// Review of the whole store (事后 unless options.stage says otherwise).
BatchResult ReviewBatch(const BoundRules& rules, const BatchOptions& options);

}  // namespace yibao
