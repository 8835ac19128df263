// One patient's encounters as a review request: what 3101/3102 send (review_json.h parses them) and
// what the settlement-time review assembles from the ledger (platform/settlement_review.h). Both
// are turned into the same small claims store, so the rules read them alike.
//
// Pure: the encounters in, a one-person store out.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/date.h"
#include "base/diagnostic.h"
#include "base/money.h"
#include "base/quantity.h"
#include "review/claims.h"

namespace yibao {

// An order or fee line (fsi_order_dtos).
struct ReviewOrder {
  std::string rx_id;  // the order's id, or the fee line's feedetl_sn: what findings point at
  std::string code;   // hilist_code (med_list_codg)
  std::string dept;
  Date date;
  bool has_date = false;  // false: the encounter's first day
  Quantity cnt;
  UnitPrice pric;
  Money sumamt;
  bool has_sumamt = false;         // false: pric × cnt
  std::string sin_dos, used_frqu;  // decimal text or empty (already validated)
  int prd_days = -1;
  bool approved = false;
};

// An encounter (fsi_encounter_dtos): a visit with its diagnoses and orders.
struct ReviewEncounter {
  std::string mdtrt_id, medins_id, medins_type, med_type, dept, insutype, area, drg;
  int level = 0;
  Date begin, end;
  bool has_begin = false, has_end = false;
  int discharge = 0;
  std::string main_dx;
  std::vector<std::string> secondary, procedures;
  std::vector<ReviewOrder> orders;
};

struct ReviewPatient {
  std::string psn_no, insutype, insuplc;
  int sex = 0;  // 1 male, 2 female, 0 unknown
  Date birthday;
  bool has_birthday = false;
  std::string current;  // the mdtrt_id under review
  std::vector<ReviewEncounter> encounters;
};

struct ReviewRequest {
  ClaimsStore store;                // one person, the encounters as visits, the orders as lines
  uint32_t current_visit = 0;       // the encounter named by `current`
  std::vector<std::string> rx_ids;  // per line: the order's rx_id (also its feedetl_sn)
};

// The store of `patient`. Errors: an mdtrt_id given twice, `current` not among the encounters.
// Encounters must have begin ≤ end and valid order fields (the parsers check them).
Result<ReviewRequest> BuildReviewRequest(const ReviewPatient& patient);
// The same with the encounters `encounters` in place of patient.encounters (not read): for
// encounters kept elsewhere, which need not be copied into a patient first.
Result<ReviewRequest> BuildReviewRequest(const ReviewPatient& patient,
                                         std::span<const ReviewEncounter* const> encounters);

}  // namespace yibao
