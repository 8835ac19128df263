#include "drg/payment_toml.h"

#include <algorithm>

#include "base/decimal.h"
#include "base/text.h"

namespace yibao::payment_toml {

void Reader::Error(const toml::node* n, std::string field, std::string message) const {
  if (errors->size() < kMaxDiagnosticsPerFile)
    errors->push_back(Diagnostic{file, n ? int(n->source().begin.line) : 0, std::move(field),
                                 std::move(message)});
}

void Reader::CheckKeys(const toml::table& t, std::string_view prefix,
                       std::initializer_list<std::string_view> keys) const {
  for (const auto& [k, v] : t)
    if (std::find(keys.begin(), keys.end(), k.str()) == keys.end())
      Error(&v, std::string(prefix) + "." + std::string(k.str()), "unknown key (misspelt?)");
}

std::optional<Ratio> Reader::RatioValue(const toml::node& n, const std::string& field, int64_t lo,
                                        int64_t hi) const {
  if (n.is_floating_point()) {
    Error(&n, field, "bare TOML float refused: quote the ratio (\"5%\" or \"0.05\")");
    return std::nullopt;
  }
  std::optional<Ratio> r;
  if (auto i = n.value_exact<int64_t>(); i && *i >= -100 && *i <= 100)
    r = Ratio::Ppm(*i * Ratio::kOne);
  if (auto s = n.value_exact<std::string>()) r = Ratio::Parse(Trim(*s));
  if (!r || r->ppm() < lo || r->ppm() > hi) {
    Error(&n, field,
          "expected a quoted ratio within " + Ratio::Ppm(lo).ToString() + ".." +
              Ratio::Ppm(hi).ToString() + " like \"5%\" or \"0.05\"");
    return std::nullopt;
  }
  return r;
}

std::optional<Money> Reader::MoneyValue(const toml::node& n, const std::string& field) const {
  if (n.is_floating_point()) {
    Error(&n, field, "bare TOML float refused: quote the amount (\"1200000.00\")");
    return std::nullopt;
  }
  std::optional<Money> m;
  if (auto i = n.value_exact<int64_t>(); i && *i >= 0 && *i <= Money::kMaxAbsFen / 100)
    m = Money::Yuan(*i);
  if (auto s = n.value_exact<std::string>()) m = Money::ParseYuan(Trim(*s));
  if (!m || m->is_negative()) {
    Error(&n, field, "expected an amount in yuan (integer or quoted, ≤ 2 decimals, ≥ 0)");
    return std::nullopt;
  }
  return m;
}

std::optional<int64_t> Reader::ScoreValue(const toml::node& n, const std::string& field) const {
  std::optional<int64_t> v;
  if (auto i = n.value_exact<int64_t>(); i && *i >= 0 && *i <= 100) v = *i * 100;
  if (auto s = n.value_exact<std::string>())
    v = ParseScaledDecimal(Trim(*s), {.decimals = 2, .limit = 10000});
  if (!v) {
    Error(&n, field, "expected an assessment score 0..100 (≤ 2 decimals, quoted or integer)");
    return std::nullopt;
  }
  return v;
}

void Reader::Schedule(const toml::table& parent, const std::string& prefix,
                      PaymentSchedule* schedule) const {
  if (const toml::node* n = parent.get("statement")) {
    const toml::table* t = n->as_table();
    if (!t) return Error(n, prefix + ".statement", "expected a table");
    CheckKeys(*t, prefix + ".statement", {"advance_share", "deposit_share"});
    if (const toml::node* v = t->get("advance_share"))
      if (auto r = RatioValue(*v, prefix + ".statement.advance_share", 0, Ratio::kOne))
        schedule->advance_share = *r;
    if (const toml::node* v = t->get("deposit_share"))
      if (auto r = RatioValue(*v, prefix + ".statement.deposit_share", 0, Ratio::kOne))
        schedule->deposit_share = *r;
    if (schedule->advance_share.ppm() + schedule->deposit_share.ppm() > Ratio::kOne)
      Error(n, prefix + ".statement",
            "advance_share + deposit_share is above 100%: the fund would pay more than it owes");
  }
  if (const toml::node* n = parent.get("clearing")) {
    const toml::table* t = n->as_table();
    if (!t) return Error(n, prefix + ".clearing", "expected a table");
    CheckKeys(*t, prefix + ".clearing", {"default_score", "deposit_release"});
    if (const toml::node* v = t->get("default_score"))
      if (auto s = ScoreValue(*v, prefix + ".clearing.default_score"))
        schedule->default_score_x100 = *s;
    if (const toml::node* v = t->get("deposit_release")) {
      std::string field = prefix + ".clearing.deposit_release";
      if (auto s = v->value_exact<std::string>(); s && *s == "linear") {
        schedule->release_bands.clear();
      } else if (const toml::array* bands = v->as_array(); bands && !bands->empty()) {
        schedule->release_bands.clear();
        for (size_t i = 0; i < bands->size(); ++i) {
          std::string f = field + "[" + std::to_string(i) + "]";
          const toml::table* b = (*bands)[i].as_table();
          if (!b) {
            Error(&(*bands)[i], f, "expected a table { min_score = …, release = \"…%\" }");
            continue;
          }
          CheckKeys(*b, f, {"min_score", "release"});
          const toml::node* ms = b->get("min_score");
          const toml::node* rel = b->get("release");
          if (!ms || !rel) {
            Error(b, f, "needs min_score and release");
            continue;
          }
          auto score = ScoreValue(*ms, f + ".min_score");
          auto ratio = RatioValue(*rel, f + ".release", 0, Ratio::kOne);
          if (score && ratio) schedule->release_bands.push_back({*score, *ratio});
        }
        std::stable_sort(schedule->release_bands.begin(), schedule->release_bands.end(),
                         [](const DepositReleaseBand& a, const DepositReleaseBand& b) {
                           return a.min_score_x100 > b.min_score_x100;
                         });
        for (size_t i = 1; i < schedule->release_bands.size(); ++i) {
          const auto& hi = schedule->release_bands[i - 1];
          const auto& lo = schedule->release_bands[i];
          if (hi.min_score_x100 == lo.min_score_x100)
            Error(v, field, "two bands with the same min_score");
          else if (hi.release < lo.release)
            Error(v, field, "a higher score must not release less of the deposit");
        }
      } else {
        Error(v, field, "expected \"linear\" or an array of { min_score, release } tables");
      }
    }
  }
}

}  // namespace yibao::payment_toml
