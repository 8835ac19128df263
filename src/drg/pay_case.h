// Reading the cases `yibao pay` pays: the grouping fields of `yibao group` (drg_case.h) plus the
// costs and the hospital (docs/formats/drg.md, "Payment cases"): institution, level, scheme,
// discharge_date, total, fund_item, ownpay, preselfpay, deductible, fund_ratio, procedure_class,
// also under their national names (fixmedins_code, medfee_sumamt, hifp_pay, fulamt_ownpay_amt,
// preselfpay_amt, act_pay_dedc, insutype, dscg_date).
//
// Amounts are yuan with at most two decimals, read exactly: CSV cells and JSON strings as typed;
// a JSON number through its shortest round-trip decimal form (12345.67 stays 12345.67), so quote
// amounts when in doubt. Pure: the text is given; errors name file, line and field.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/date.h"
#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"
#include "drg/dip_table.h"
#include "drg/grouper.h"

namespace yibao {

struct PayCaseRecord {
  DrgCase grouping;  // id, diagnoses, procedures, age, …
  int line = 0;      // in the case file (0 inside a JSON array)
  std::string institution;
  int level = 0;   // hospital level 1/2/3, 0 others
  int scheme = 0;  // 1 职工, 2 居民, 0 unspecified
  Date discharge_date;
  Money total;
  Money fund_item;
  Money ownpay;
  Money preselfpay;
  Money deductible;
  std::optional<Ratio> fund_ratio;
  std::optional<DipProcedureClass> procedure_class;
};

using PayCaseSink = std::function<void(Result<PayCaseRecord>&&, size_t bytes_done)>;

// JSON Lines or a JSON array; false when the text as a whole cannot be read.
bool ForEachPayCaseJson(std::string_view text, std::string_view file, const PayCaseSink& each,
                        Diagnostics* errors);
// CSV with a header naming the columns, any order.
bool ForEachPayCaseCsv(std::string_view text, std::string_view file, const PayCaseSink& each,
                       Diagnostics* errors);

}  // namespace yibao
