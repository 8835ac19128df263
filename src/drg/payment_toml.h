// TOML value readers shared by the DRG and DIP payment rules (internal to src/drg): every value
// is checked and a bad one becomes a diagnostic "file:line: field: message". Decimals are quoted
// strings or integers; bare TOML floats are refused everywhere (policy.md's rule), because a float
// has already lost the decimal the clerk typed.
#pragma once

#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"
#include "drg/drg_statement.h"

namespace yibao::payment_toml {

struct Reader {
  std::string file;
  Diagnostics* errors;

  void Error(const toml::node* n, std::string field, std::string message) const;
  // Unknown keys of `t` (misspellings) are errors.
  void CheckKeys(const toml::table& t, std::string_view prefix,
                 std::initializer_list<std::string_view> keys) const;
  // A quoted ratio ("5%", "0.05") within [lo, hi] ppm.
  std::optional<Ratio> RatioValue(const toml::node& n, const std::string& field, int64_t lo,
                                  int64_t hi) const;
  // Yuan: a quoted decimal with ≤ 2 decimals, or an integer; ≥ 0.
  std::optional<Money> MoneyValue(const toml::node& n, const std::string& field) const;
  // An assessment score 0..100 with ≤ 2 decimals, quoted or integer → × 100.
  std::optional<int64_t> ScoreValue(const toml::node& n, const std::string& field) const;
  // The [<prefix>.statement] and [<prefix>.clearing] tables of `parent` into `schedule`.
  void Schedule(const toml::table& parent, const std::string& prefix,
                PaymentSchedule* schedule) const;
};

}  // namespace yibao::payment_toml
