#include "platform/history_encounters.h"

#include <utility>

namespace yibao {

HistoryEncounters::HistoryEncounters(size_t capacity) : kept_(capacity, 64, &Weigh) {}

SharedEncounter HistoryEncounters::Find(const PersonVisit& h, const InstitutionRecord& institution,
                                        Date end, const std::string& region_admdvs) {
  Kept k;
  if (!kept_.Get(h.visit->mdtrt_id, k) || k.visit != h.visit || k.lines != h.lines ||
      k.fixmedins_type != institution.fixmedins_type || k.hosp_lv != institution.hosp_lv ||
      k.end != end || k.region_admdvs != region_admdvs)
    return nullptr;
  reused_.fetch_add(1, std::memory_order_relaxed);
  return k.encounter;
}

void HistoryEncounters::Keep(const PersonVisit& h, const InstitutionRecord& institution, Date end,
                             const std::string& region_admdvs, const SharedEncounter& built) {
  kept_.Fill(h.visit->mdtrt_id,
             Kept{h.visit, h.lines, institution.fixmedins_type, institution.hosp_lv, end,
                  region_admdvs, built},
             /*read_epoch=*/0);
}

}  // namespace yibao
