// Day arithmetic on base/date.h's Date, which is a day number without a "plus days".
#pragma once

#include <cstdint>

#include "base/date.h"

namespace yibao::gen {

// The date `days` days after 1970-01-01 (Hinnant's civil_from_days).
inline Date DateFromDays(int32_t days) {
  int64_t z = int64_t(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return Date::FromYmd(int(y + (m <= 2 ? 1 : 0)), int(m), int(d));
}

inline Date PlusDays(Date d, int n) { return DateFromDays(d.days() + n); }

}  // namespace yibao::gen
