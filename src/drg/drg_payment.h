// Per-case DRG payment: what the fund pays a hospital for one discharged case, from the case's DRG,
// the city's group table (RW, and where a city publishes them, payment standards per hospital
// level) and the city's payment rule (base rate, level coefficients, outlier multiples, formula).
// Rules are data: the group table is the CSV layout of ../shared/data/drg-payment/*.csv, the rule a
// TOML file. docs/formats/drg.md, "Payment", describes both; in short:
//   - 支付标准 = RW × 基础费率 × 等级系数 (or the institution's own coefficient), rounded half-up
//   to
//     the fen once; or the table's published standard for the hospital level (standard_source);
//   - high outlier (费用极高): total fee > standard × multiple (三级 3×, 二级 2×, others 2× by
//     default); low outlier (费用极低): total fee < standard × 30%; equality is not an outlier (the
//     national text says "高于" / "低于"). Outliers, ungrouped cases (0000, QY) and groups the
//     table pays by item (no RW, RW 0, "按项目据实支付") are paid by item: the fund pays what the
//     item-based settlement gave it to pay;
//   - a normal case is paid by the formula: "standard_minus_paid" (费用扣减法):
//     standard − (total − fund item payment), floored at 0; "standard_minus_selfpay":
//     (standard − 全自费 − 先自付 − 起付线) × 基金支付比例, 0 when not positive.
//
// Exact throughout: RW, rates and coefficients are kept as integers scaled by 10^9 (the files carry
// up to 9 decimals), money as int64 fen; products are taken in 128 bits and rounded half-up to the
// fen only where the documentation says.
//
// Thread safety: DrgWeights and DrgPaymentRule are immutable after loading; PayCase is pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"
#include "drg/drg_statement.h"

namespace yibao {

// Decimal numbers of the group tables and rules: value × 10^9.
inline constexpr int64_t kDrgDecimalScale = 1'000'000'000;

// What a numeric column of a group table holds, read from its header.
struct DrgAmountColumn {
  enum class Kind { kStandard, kCoefficient, kRate };
  std::string header;  // as in the file, e.g. "支付标准（三级职工）", "三级医院系数"
  Kind kind = Kind::kStandard;
  int level = 0;  // 1, 2, 3 (一级/二级/三级); 0 any level; -1 a named class (三甲, 青医/市立/…)
  int scheme = 0;  // 1 职工 (employees), 2 居民 (residents), 0 both
};

struct DrgGroupWeight {
  std::string code;  // "ES31"
  std::string name;
  int line = 0;               // in the table file
  std::optional<int64_t> rw;  // × 10^9; none when the cell is empty or not a number
  std::string rw_text;        // a non-numeric RW cell, e.g. "按项目据实支付", "无"
  std::string flag;           // 病组标识 / 病组类型, e.g. "基础组", "未覆盖组"
  bool duplicate = false;     // the code is on several lines of the file: no standard is trusted
  // One value per DrgWeights::columns, × 10^9 (yuan for standards and rates); none when empty.
  std::vector<std::optional<int64_t>> values;
};

struct DrgWeights {
  std::string file;
  std::vector<DrgAmountColumn> columns;
  std::vector<DrgGroupWeight> groups;  // sorted by code
  // Lines that load but deserve a look (a code on two lines, a short row), as file:line: message.
  Diagnostics anomalies;

  const DrgGroupWeight* Find(std::string_view code) const;
};

// Pure: `text` must be UTF-8. Recognised columns (any order; other columns are ignored):
//   code DRG编码 / DRG / DRG组编码 / 分组编码 (required); name DRG名称 / DRG组名称 / 分组名称;
//   RW RW / 权重 / 初始权重; flag 病组标识 / 病组类型; standards: headers containing 支付标准,
//   coefficients: containing 系数, rates: containing 费率 — each with its level (一级/二级/三级)
//   and scheme (职工/居民) read from the header (a header containing 病组 is a flag, e.g.
//   同等费率病组). Numeric cells must be plain decimals (or empty);
//   anything else is an error "file:line: column: message".
Result<DrgWeights> ParseDrgWeightsCsv(std::string_view text, std::string_view file_name);
// Reads the file; a table that is not UTF-8 is decoded as GB18030 (several cities publish GBK).
Result<DrgWeights> LoadDrgWeights(const std::string& path);

// The national limit on high outliers (Part C (d)): per hospital and period, at most `share` of
// the hospital's discharges are paid by item as high outliers; the rest are paid the normal
// formula. The allowed count is share × discharges rounded by `rounding` (floor by default, so the
// share is never exceeded). Applied to a batch of cases (drg_batch.h), not by PayCase.
struct HighOutlierCap {
  enum class Rounding { kFloor, kHalfUp, kCeil };
  enum class Period { kMonth, kYear };
  bool enabled = true;
  Ratio share = Ratio::Percent(5);
  Rounding rounding = Rounding::kFloor;
  Period period = Period::kMonth;
  // share × discharges rounded by the rule.
  int64_t Allowed(int64_t discharges) const;
};

struct DrgPaymentRule {
  enum class Formula { kStandardMinusPaid, kStandardMinusSelfpay };
  enum class StandardSource { kComputed, kFile };
  std::string region;
  Formula formula = Formula::kStandardMinusPaid;
  StandardSource standard_source = StandardSource::kComputed;
  std::optional<int64_t> base_rate;          // yuan per RW × 10^9, one for all years
  std::map<int, int64_t> base_rate_by_year;  // or per year
  std::map<int, int64_t> level_coefficient;  // level 1/2/3 (0: others) → × 10^9; empty: all 1
  std::map<std::string, int64_t, std::less<>> institution_coefficient;  // code → × 10^9
  std::map<int, int64_t> high_outlier_multiple = {{3, 3 * kDrgDecimalScale},
                                                  {2, 2 * kDrgDecimalScale}};
  int64_t high_outlier_multiple_default = 2 * kDrgDecimalScale;
  Ratio low_outlier_ratio = Ratio::Percent(30);
  HighOutlierCap high_outlier_cap;  // [drg_payment.high_outlier_cap]
  PaymentSchedule schedule;         // [drg_payment.statement], [drg_payment.clearing]
};

// From a TOML file with a [drg_payment] table (docs/formats/drg.md, "Payment"). Bare floats are
// refused: decimals are quoted strings, whole numbers may be integers.
Result<DrgPaymentRule> ParseDrgPaymentRule(std::string_view text, std::string_view file_name);

struct DrgCaseCosts {
  std::string drg;          // the grouper's DRG code; "0000" or "…QY" when ungrouped
  int hospital_level = 0;   // 1, 2, 3; 0 other / unknown
  std::string institution;  // fixmedins_code, for an institution coefficient
  int scheme = 0;    // 1 职工, 2 居民, 0 unspecified (for per-scheme published standards)
  int year = 0;      // for a per-year base rate
  Money total;       // 医疗总费用 (medfee_sumamt)
  Money fund_item;   // 基本统筹基金支付 under item-based settlement (hifp_pay)
  Money ownpay;      // 全自费 (fulamt_ownpay_amt)
  Money preselfpay;  // 先行自付 (preselfpay_amt)
  Money deductible;  // 起付线 paid in this stay
  Ratio fund_ratio;  // 基金支付比例
};

struct DrgCasePayment {
  // kHighOutlierCapped: a high outlier beyond the hospital's 5% (drg_batch.h), paid by formula.
  enum class Kind { kNormal, kHighOutlier, kLowOutlier, kUngrouped, kByItem, kHighOutlierCapped };
  Money standard;  // 支付标准 of the group at this hospital; 0 when there is none
  Kind kind = Kind::kNormal;
  Money fund_payment;   // what the fund pays for the case
  Money hospital_gain;  // fund_payment − fund_item: > 0 the hospital gains under DRG, < 0 it loses
  std::string explanation;
};

std::string_view DrgPaymentKindName(DrgCasePayment::Kind kind);  // "normal", "high_outlier", …

// The normal formula for a case whose standard is known (rule.formula), with its explanation.
Money DrgFormulaPayment(const DrgPaymentRule& rule, Money standard, const DrgCaseCosts& c,
                        std::string* explanation);

// Errors only for a rule that cannot price the case (no base rate for the year, no coefficient for
// the level, no published standard column for the level).
Result<DrgCasePayment> PayCase(const DrgPaymentRule& rule, const DrgWeights& weights,
                               const DrgCaseCosts& c);

}  // namespace yibao
