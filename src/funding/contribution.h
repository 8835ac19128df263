// Contributions (筹资) and the personal-account credits they produce — pure arithmetic on integer
// fen.
//
// Employees: the employer pays a rate on the contribution base (the wage, bounded by the region's
// floor and ceiling), the employee 2%. Under the 2021 outpatient mutual-aid reform (门诊共济) only
// the employee's share goes to the personal account; before it, part of the employer's share did
// too (typically 30%, i.e. 1.8 of 6 points). Retirees pay nothing; their account is credited from
// the pooled fund at a share of the regional average pension. Residents pay a flat amount, matched
// by a government subsidy; neither goes to an account. Both the pre- and post-reform rules are
// expressible through `employer_share_to_account` (0 after the reform).
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/money.h"
#include "base/ratio.h"

namespace yibao {

struct ContributionRule {
  std::string region;               // admdvs of the pool
  Ratio employer_rate;              // of the base, e.g. 7%
  Ratio employee_rate;              // of the base, e.g. 2%
  Ratio employer_share_to_account;  // of the employer contribution; 0 after the 2021 reform
  Money base_floor;  // monthly contribution base bounds (60% / 300% of the average wage)
  Money base_ceiling;
  Ratio retiree_account_share;  // of the regional average pension, credited monthly from the pool
  Money average_pension;        // monthly
  Money resident_individual;    // per person per year
  Money resident_subsidy;       // government subsidy per person per year
};

// One month of an employee's contributions, or one month of a retiree's credit, or one year of a
// resident's: who pays, what goes to the pool, what goes to the personal account.
struct Contribution {
  Money base;             // after the floor and ceiling
  Money employer;         // paid by the employer
  Money employee;         // paid by the employee (withheld from wages)
  Money government;       // resident subsidy
  Money individual;       // a resident's own contribution
  Money to_pool;          // credited to the pooled fund (统筹基金)
  Money to_account;       // credited to the personal account (个人账户)
  Money pool_to_account;  // a retiree's credit paid out of the pool (so to_pool is negative by it)
};

Contribution EmployeeMonth(const ContributionRule& rule, Money monthly_wage);
Contribution RetireeMonth(const ContributionRule& rule);
Contribution ResidentYear(const ContributionRule& rule);

// Reads `[contribution]` rules from a TOML text (docs/formats/contribution.md); errors name file,
// line and field.
Result<ContributionRule> ParseContributionRule(std::string_view toml_text,
                                               std::string_view file_name);

}  // namespace yibao
