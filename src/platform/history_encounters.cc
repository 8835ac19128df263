#include "platform/history_encounters.h"

#include <utility>

namespace yibao {

HistoryEncounters::HistoryEncounters(size_t capacity) : kept_(capacity, 64, &Weigh) {}

SharedEncounter HistoryEncounters::Get(const PersonVisit& h, const InstitutionRecord& institution,
                                       Date end, const std::string& region_admdvs,
                                       const std::function<SharedEncounter()>& build) {
  const std::string& key = h.visit->mdtrt_id;
  Kept k;
  if (kept_.Get(key, k) && k.visit == h.visit && k.lines == h.lines &&
      k.fixmedins_type == institution.fixmedins_type && k.hosp_lv == institution.hosp_lv &&
      k.end == end && k.region_admdvs == region_admdvs) {
    reused_.fetch_add(1, std::memory_order_relaxed);
    return k.encounter;
  }
  SharedEncounter built = build();
  if (built)
    kept_.Fill(key,
               Kept{h.visit, h.lines, institution.fixmedins_type, institution.hosp_lv, end,
                    region_admdvs, built},
               /*read_epoch=*/0);
  return built;
}

}  // namespace yibao
