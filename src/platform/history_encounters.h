// The encounters the 事中 review built from a person's history, kept by visit, so that the next
// settlement of the same person does not build them again.
//
// Why: each settlement is reviewed with the person's claims of the past year (settlement_review.h).
// Building one history visit's encounter parses its details and, per fee line, its quantity,
// price and day: in `perf` of `yibao serve` in `enforce` mode that was a quarter of the review,
// for visits that had not changed since the last settlement of the same person.
//
// When a kept encounter is used: only when it was built from the very records the ledger hands out
// now — the same shared visit record and the same shared vector of live lines (a record or a vector
// a reader holds never changes; a write replaces it, ledger.h) — and from the same institution
// fields, end day and region. The entry holds those records, so their addresses cannot be reused
// while it compares with them. Anything else builds the encounter again. On a ledger without the
// read cache every call hands out new records, so nothing kept is ever used: it only costs the
// entry's upkeep.
//
// What holding the records costs: the read cache appends a visit's new lines in place only while
// no reader holds its vector (read_cache.h), so a visit whose encounter is kept has its vector
// copied on its next line upload. Only a stay still open while another visit of the same person
// is settled gets lines after its encounter is kept; a settled visit's lines do not change.
//
// Thread safety: every method from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/date.h"
#include "ledger/cache_shards.h"
#include "ledger/ledger.h"
#include "review/review_request.h"

namespace yibao {

using SharedEncounter = std::shared_ptr<const ReviewEncounter>;

class HistoryEncounters {
 public:
  // At most `capacity` in weight: an encounter counts 1 and each of its orders 1.
  explicit HistoryEncounters(size_t capacity = 800'000);

  // The encounter of `h` at `institution`, ending on `end`, in `region_admdvs`: the one kept when
  // it was built from the same inputs, else `build()`'s (kept when it is not null). A template,
  // not a std::function: the review calls it once per history visit, and a capturing callable
  // would be allocated each time.
  template <class Build>
  SharedEncounter Get(const PersonVisit& h, const InstitutionRecord& institution, Date end,
                      const std::string& region_admdvs, Build&& build) {
    if (SharedEncounter kept = Find(h, institution, end, region_admdvs)) return kept;
    SharedEncounter built = build();
    if (built) Keep(h, institution, end, region_admdvs, built);
    return built;
  }

  // How many Get calls answered with a kept encounter.
  uint64_t reused() const { return reused_.load(std::memory_order_relaxed); }

 private:
  struct Kept {
    SharedVisit visit;
    SharedFeeLines lines;
    std::string fixmedins_type;
    int hosp_lv = 0;
    Date end;
    std::string region_admdvs;
    SharedEncounter encounter;
  };
  SharedEncounter Find(const PersonVisit& h, const InstitutionRecord& institution, Date end,
                       const std::string& region_admdvs);
  void Keep(const PersonVisit& h, const InstitutionRecord& institution, Date end,
            const std::string& region_admdvs, const SharedEncounter& built);
  static size_t Weigh(const Kept& k) { return 1 + k.encounter->orders.size(); }

  CacheShards<Kept> kept_;  // by mdtrt_id; no writes are announced to it, so every fill is kept
  std::atomic<uint64_t> reused_{0};
};

}  // namespace yibao
