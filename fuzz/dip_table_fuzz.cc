// Feeds arbitrary bytes to the case-mix payment loaders that bureaus and hospitals edit: the DIP
// score table (CSV), the DIP and DRG payment rules (TOML), and the payment case readers. Whatever
// loads is used: cases are matched and scored against a loaded table and rule, a year is settled,
// and the statements and clearing must balance to the fen.
//
// The first byte picks the reader: 0 a DIP score table, 1 a DIP rule, 2 a DRG rule, 3 payment cases
// as JSON, 4 as CSV.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "drg/dip_payment.h"
#include "drg/dip_table.h"
#include "drg/drg_payment.h"
#include "drg/drg_statement.h"
#include "drg/pay_case.h"

namespace {

using namespace yibao;

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckDiagnostics(const Diagnostics& ds) {
  Check(!ds.empty());
  for (const Diagnostic& d : ds) Check(!d.file.empty() && !d.message.empty());
}

const DipScoreTable& FixedTable() {
  static const DipScoreTable t = *ParseDipScoreTable(
      "group,type,diagnosis,procedures,procedure_class,score,mean_cost\n"
      "G1,core,K80.1,51.2300,,1000,10000\nG2,core,K80.1,,,400,3000\n"
      "G3,comprehensive,K80,,相关手术,800,8000\n",
      "fixed.csv");
  return t;
}

const DipPaymentRule& FixedRule() {
  static const DipPaymentRule r = *ParseDipPaymentRule(
      "[dip_payment]\nyear = 2024\nbudget = 100000\nreserve = \"3%\"\n"
      "[dip_payment.procedure_class]\nsurgery = [\"51\"]\n",
      "fixed.toml");
  return r;
}

void Settle(const DipPaymentRule& rule, const DipScoreTable& table, std::vector<DipCase> cases) {
  Diagnostics errors;
  Result<DipYear> y = SettleDipYear(rule, table, cases, &errors);
  if (!y.ok()) return;
  Money owed;
  for (const PaidCase& c : y->cases) owed += c.fund_payment;
  if (y->total_points > 0) Check(owed == y->distributable + y->by_item);
  auto st = BuildMonthlyStatements(y->cases, rule.schedule);
  for (const MonthlyStatement& s : st) Check(s.advance + s.deposit + s.remainder == s.owed);
  for (const AnnualClearing& c : ClearYears(st, rule.schedule, {}))
    Check(c.advances + c.deposit_released + c.final_payment == c.amount_owed);
}

DipCase Sample(std::string dx, std::vector<std::string> procs, int64_t fen) {
  DipCase c;
  c.id = dx;
  c.institution = "H1";
  c.level = 3;
  c.discharge = Date::FromYmd(2024, 5, 1);
  c.main_dx = std::move(dx);
  c.procedures = std::move(procs);
  c.total = Money::Fen(fen);
  c.fund_item = Money::Fen(fen / 2);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int which = data[0] % 5;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (which) {
    case 0: {
      Result<DipScoreTable> t = ParseDipScoreTable(text, "fuzz.csv");
      if (!t.ok()) return CheckDiagnostics(t.errors()), 0;
      std::vector<DipCase> cases;
      for (const DipGroup& g : t->groups) {
        Check(g.score > 0);
        cases.push_back(Sample(g.diagnosis + "00", g.procedures, g.mean_cost.fen() * 3));
        cases.push_back(Sample(g.diagnosis, {}, g.mean_cost.fen() / 3));
      }
      Settle(FixedRule(), *t, std::move(cases));
      break;
    }
    case 1: {
      Result<DipPaymentRule> r = ParseDipPaymentRule(text, "fuzz.toml");
      if (!r.ok()) return CheckDiagnostics(r.errors()), 0;
      Check(r->Reserve() <= r->budget);
      std::vector<DipCase> cases = {Sample("K80.100", {"51.2300"}, 3'000'000),
                                    Sample("K80.100", {}, 100'000),
                                    Sample("K80.000", {"51.2200"}, 900'000)};
      for (DipCase& c : cases) c.discharge = Date::FromYmd(r->year, 3, 1);
      Settle(*r, FixedTable(), std::move(cases));
      break;
    }
    case 2: {
      Result<DrgPaymentRule> r = ParseDrgPaymentRule(text, "fuzz.toml");
      if (!r.ok()) return CheckDiagnostics(r.errors()), 0;
      Check(r->schedule.advance_share.ppm() + r->schedule.deposit_share.ppm() <= Ratio::kOne);
      break;
    }
    default: {
      Diagnostics errors;
      auto sink = [](Result<PayCaseRecord>&& c, size_t) {
        if (!c.ok()) return CheckDiagnostics(c.errors());
        Check(!c->institution.empty() && c->fund_item <= c->total);
      };
      if (which == 3)
        ForEachPayCaseJson(text, "fuzz.jsonl", sink, &errors);
      else
        ForEachPayCaseCsv(text, "fuzz.csv", sink, &errors);
      break;
    }
  }
  return 0;
}
