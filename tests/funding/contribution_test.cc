// Contributions and personal-account credits, with the reform arithmetic of DOMAIN.md §3.
#include "funding/contribution.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace yibao {
namespace {

ContributionRule Rule(const char* employer_to_account) {
  ContributionRule r;
  r.employer_rate = *Ratio::Parse("6%");
  r.employee_rate = *Ratio::Parse("2%");
  r.employer_share_to_account = *Ratio::Parse(employer_to_account);
  r.base_floor = Money::Yuan(4000);
  r.base_ceiling = Money::Yuan(20000);
  r.retiree_account_share = *Ratio::Parse("2%");
  r.average_pension = Money::Yuan(3500);
  r.resident_individual = Money::Yuan(350);
  r.resident_subsidy = Money::Yuan(610);
  return r;
}

TEST(Contribution, TheReformMovesTheEmployerShareFromAccountsToThePool) {
  // Before 2021: 30% of the employer's 6 points (1.8 points) went to the account as well.
  Contribution before = EmployeeMonth(Rule("30%"), Money::Yuan(10000));
  EXPECT_EQ(before.employer.ToString(), "600.00");
  EXPECT_EQ(before.employee.ToString(), "200.00");
  EXPECT_EQ(before.to_account.ToString(), "380.00");
  EXPECT_EQ(before.to_pool.ToString(), "420.00");
  // After: only the employee's 2%.
  Contribution after = EmployeeMonth(Rule("0%"), Money::Yuan(10000));
  EXPECT_EQ(after.to_account.ToString(), "200.00");
  EXPECT_EQ(after.to_pool.ToString(), "600.00");
  // Accounts shrink by 1.8 / 3.8 ≈ 47%.
  EXPECT_EQ((before.to_account - after.to_account).fen() * 1000 / before.to_account.fen(), 473);
  // Nothing is lost: what is paid is what is credited.
  for (const Contribution& c : {before, after})
    EXPECT_EQ(c.employer + c.employee, c.to_pool + c.to_account);
}

TEST(Contribution, TheBaseIsBoundedByFloorAndCeiling) {
  EXPECT_EQ(EmployeeMonth(Rule("0%"), Money::Yuan(2000)).base.ToString(), "4000.00");
  EXPECT_EQ(EmployeeMonth(Rule("0%"), Money::Yuan(50000)).base.ToString(), "20000.00");
  EXPECT_EQ(EmployeeMonth(Rule("0%"), Money::Fen(1234567)).employee.ToString(),
            "246.91");  // half-up
}

TEST(Contribution, RetireesAreCreditedFromThePool) {
  Contribution c = RetireeMonth(Rule("0%"));
  EXPECT_EQ(c.to_account.ToString(), "70.00");
  EXPECT_EQ(c.to_pool.ToString(), "-70.00");
  EXPECT_EQ(c.employer + c.employee, c.to_pool + c.to_account);  // a transfer, not new money
}

TEST(Contribution, ResidentsPayAFlatAmountMatchedByTheSubsidy) {
  Contribution c = ResidentYear(Rule("0%"));
  EXPECT_EQ(c.to_pool.ToString(), "960.00");  // 2022: 350 + 610
  EXPECT_TRUE(c.to_account.is_zero());
}

TEST(Contribution, TheSampleRegionRuleLoads) {
  std::ifstream in(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan/contributions.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = ParseContributionRule(ss.str(), "contributions.toml");
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->region, "379900");
  EXPECT_TRUE(r->employer_share_to_account.is_zero());
}

TEST(Contribution, BadRulesNameFileLineAndField) {
  auto r = ParseContributionRule(
      "[contribution]\nregion = \"379900\"\nemployer_rate = \"160%\"\nemployee_rate = \"2%\"\n"
      "employer_share_to_account = \"0%\"\nbase_floor = 5000\nbase_ceiling = 4000\n"
      "retiree_account_share = \"2%\"\naverage_pension = 3500\nresident_individual = 380\n"
      "resident_subsidy = 640\nemployer_rte = \"7%\"\n",
      "c.toml");
  ASSERT_FALSE(r.ok());
  std::string all = FormatDiagnostics(r.errors());
  EXPECT_NE(all.find("c.toml:3: contribution.employer_rate"), std::string::npos) << all;
  EXPECT_NE(all.find("c.toml:12: contribution.employer_rte: unknown key"), std::string::npos)
      << all;
}

}  // namespace
}  // namespace yibao
