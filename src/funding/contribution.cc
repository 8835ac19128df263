#include "funding/contribution.h"

#include <toml++/toml.h>

#include <algorithm>

namespace yibao {

Contribution EmployeeMonth(const ContributionRule& r, Money wage) {
  Contribution c;
  c.base = Max(r.base_floor, wage);
  if (r.base_ceiling.fen() > 0) c.base = Min(c.base, r.base_ceiling);
  c.employer = r.employer_rate.Apply(c.base);
  c.employee = r.employee_rate.Apply(c.base);
  Money employer_to_account = r.employer_share_to_account.Apply(c.employer);
  c.to_account = c.employee + employer_to_account;
  c.to_pool = c.employer - employer_to_account;
  return c;
}

Contribution RetireeMonth(const ContributionRule& r) {
  Contribution c;
  c.pool_to_account = r.retiree_account_share.Apply(r.average_pension);
  c.to_account = c.pool_to_account;
  c.to_pool = -c.pool_to_account;
  return c;
}

Contribution ResidentYear(const ContributionRule& r) {
  Contribution c;
  c.individual = r.resident_individual;
  c.government = r.resident_subsidy;
  c.to_pool = c.individual + c.government;
  return c;
}

Result<ContributionRule> ParseContributionRule(std::string_view text, std::string_view file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Diagnostic{std::string(file), int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  Diagnostics errors;
  auto error = [&](const toml::node* n, const std::string& field, const std::string& msg) {
    errors.push_back(
        Diagnostic{std::string(file), n ? int(n->source().begin.line) : 0, field, msg});
  };
  const toml::table* t = root.get_as<toml::table>("contribution");
  if (!t) return Diagnostic{std::string(file), 1, "contribution", "missing [contribution] table"};
  static constexpr std::string_view kKeys[] = {"region",
                                               "employer_rate",
                                               "employee_rate",
                                               "employer_share_to_account",
                                               "base_floor",
                                               "base_ceiling",
                                               "retiree_account_share",
                                               "average_pension",
                                               "resident_individual",
                                               "resident_subsidy"};
  for (const auto& [k, v] : *t)
    if (std::find(std::begin(kKeys), std::end(kKeys), k.str()) == std::end(kKeys))
      error(&v, "contribution." + std::string(k.str()), "unknown key (misspelt?)");
  ContributionRule r;
  r.region = t->get("region") ? t->get("region")->value_or(std::string()) : "";
  auto ratio = [&](std::string_view key, Ratio& out) {
    const toml::node* n = t->get(key);
    std::string field = "contribution." + std::string(key);
    if (!n) return error(t, field, "missing");
    auto s = n->value_exact<std::string>();
    auto parsed = s ? Ratio::Parse(*s) : std::nullopt;
    if (!parsed || parsed->ppm() < 0 || parsed->ppm() > Ratio::kOne)
      return error(n, field, "expected a ratio within 0%..100% like \"2%\"");
    out = *parsed;
  };
  auto money = [&](std::string_view key, Money& out) {
    const toml::node* n = t->get(key);
    std::string field = "contribution." + std::string(key);
    if (!n) return error(t, field, "missing");
    std::optional<Money> m;
    if (auto i = n->value_exact<int64_t>(); i && *i >= 0 && *i <= Money::kMaxAbsFen / 100)
      m = Money::Yuan(*i);
    if (auto s = n->value_exact<std::string>()) m = Money::ParseYuan(*s);
    if (!m || m->is_negative()) return error(n, field, "expected a non-negative amount in yuan");
    out = *m;
  };
  ratio("employer_rate", r.employer_rate);
  ratio("employee_rate", r.employee_rate);
  ratio("employer_share_to_account", r.employer_share_to_account);
  money("base_floor", r.base_floor);
  money("base_ceiling", r.base_ceiling);
  ratio("retiree_account_share", r.retiree_account_share);
  money("average_pension", r.average_pension);
  money("resident_individual", r.resident_individual);
  money("resident_subsidy", r.resident_subsidy);
  if (errors.empty() && r.base_ceiling < r.base_floor)
    error(t->get("base_ceiling"), "contribution.base_ceiling", "below base_floor");
  if (!errors.empty()) return errors;
  return r;
}

}  // namespace yibao
