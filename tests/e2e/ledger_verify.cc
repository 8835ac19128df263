#include "e2e/ledger_verify.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "ledger/pg_ledger.h"
#include "ledger/sqlite_ledger.h"

namespace yibao::e2e {
namespace {

// Yuan text (≤ 2 decimals, maybe negative) → fen.
std::optional<int64_t> Fen(std::string_view s) {
  if (s.empty() || s == "?") return std::nullopt;
  bool neg = false;
  if (s[0] == '-') neg = true, s.remove_prefix(1);
  int64_t whole = 0, frac = 0;
  int digits = 0;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      if (!dot) {
        whole = whole * 10 + (c - '0');
      } else if (digits < 2) {
        frac = frac * 10 + (c - '0');
        ++digits;
      } else if (c != '0') {
        return std::nullopt;  // not a whole number of fen
      }
    } else {
      return std::nullopt;
    }
  }
  while (digits++ < 2) frac *= 10;
  return neg ? -(whole * 100 + frac) : whole * 100 + frac;
}

std::string Yuan(int64_t fen) {
  return fmt::format("{}{}.{:02d}", fen < 0 ? "-" : "", (fen < 0 ? -fen : fen) / 100,
                     (fen < 0 ? -fen : fen) % 100);
}

}  // namespace

std::vector<Ack> ReadAcks(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};  // nothing acknowledged yet
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<Ack> out;
  size_t start = 0;
  int line_no = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    ++line_no;
    std::istringstream line(text.substr(start, nl - start));
    Ack a;
    if (!(line >> a.setl_id >> a.psn_no >> a.insutype)) {
      if (nl == start) continue;
      error =
          fmt::format("{}:{}: expected \"setl_id psn_no insutype [key=value…]\"", path, line_no);
      return {};
    }
    for (std::string kv; line >> kv;) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        error = fmt::format("{}:{}: \"{}\" is not key=value", path, line_no, kv);
        return {};
      }
      const std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
      if (key == "mdtrt_id")
        a.mdtrt_id = value;
      else if (key == "cancels")
        a.cancels = value;
      else if (key == "medfee_sumamt")
        a.medfee_sumamt = Fen(value);
      else if (key == "fund_pay_sumamt")
        a.fund_pay_sumamt = Fen(value);
      else if (key == "acct_pay")
        a.acct_pay = Fen(value);
      else if (key == "psn_cash_pay")
        a.psn_cash_pay = Fen(value);
      else if (key == "act_pay_dedc")
        a.act_pay_dedc = Fen(value);
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string VerifyReport::Summary() const {
  return fmt::format(
      "{} acknowledged ({} cancellations) present; {} accounts replayed from {} stored records "
      "({} deltas); {} violations",
      acknowledged, cancellations, accounts, stored, deltas, violations.size());
}

VerifyReport VerifyLedger(Ledger& ledger, const std::vector<Ack>& acks) {
  VerifyReport report;
  auto violation = [&](std::string v) {
    if (report.violations.size() < 100) report.violations.push_back(std::move(v));
  };
  std::set<std::tuple<std::string, std::string, int>> accounts;

  // 1. Every acknowledgement is in the ledger, as the HIS was told.
  for (const Ack& a : acks) {
    ++report.acknowledged;
    if (!a.cancels.empty()) ++report.cancellations;
    auto r = ledger.FindSettlement(a.setl_id);
    if (!r) {
      violation("acknowledged " + a.setl_id + " (person " + a.psn_no + ") is not in the ledger");
      continue;
    }
    accounts.emplace(r->psn_no, r->insutype, r->year);
    if (r->psn_no != a.psn_no || r->insutype != a.insutype)
      violation(fmt::format("{}: stored for {}/{}, acknowledged for {}/{}", a.setl_id, r->psn_no,
                            r->insutype, a.psn_no, a.insutype));
    if (!a.mdtrt_id.empty() && r->mdtrt_id != a.mdtrt_id)
      violation(fmt::format("{}: stored for visit {}, acknowledged for visit {}", a.setl_id,
                            r->mdtrt_id, a.mdtrt_id));
    auto amount = [&](const char* name, const std::optional<int64_t>& told, int64_t stored) {
      if (told && *told != stored)
        violation(fmt::format("{}: {} stored {}, acknowledged {}", a.setl_id, name, Yuan(stored),
                              Yuan(*told)));
    };
    // The bill reads back (a frame decodes with the ledger's dictionaries) and is this one's.
    if (r->bill_json.find("\"setl_id\":\"" + a.setl_id + "\"") == std::string::npos)
      violation(fmt::format("{}: its stored bill is not its own: {:.80}", a.setl_id, r->bill_json));
    amount("medfee_sumamt", a.medfee_sumamt, r->medfee_sumamt);
    amount("fund_pay_sumamt", a.fund_pay_sumamt, r->fund_pay_sumamt);
    amount("acct_pay", a.acct_pay, r->acct_pay);
    amount("psn_cash_pay", a.psn_cash_pay, r->psn_cash_pay);
    const auto deltas = ledger.DeltasOf(a.setl_id);
    if (deltas.empty() && a.cancels.empty() &&
        (a.act_pay_dedc.value_or(0) != 0 || a.fund_pay_sumamt.value_or(0) != 0))
      violation(fmt::format("acknowledged {} (deductible {}, fund {}) has no accumulator deltas",
                            a.setl_id, Yuan(a.act_pay_dedc.value_or(0)),
                            Yuan(a.fund_pay_sumamt.value_or(0))));
    if (!a.cancels.empty()) {
      if (r->cancels != a.cancels)
        violation(fmt::format("{}: acknowledged as cancelling {}, stored as cancelling \"{}\"",
                              a.setl_id, a.cancels, r->cancels));
      std::map<std::string, int64_t> sum;
      for (const auto& [k, d] : deltas) sum[k] += d;
      for (const auto& [k, d] : ledger.DeltasOf(a.cancels)) sum[k] += d;
      for (const auto& [k, d] : sum)
        if (d != 0)
          violation(fmt::format("{}: delta {} does not negate {}'s (sum {})", a.setl_id, k,
                                a.cancels, d));
    }
  }

  // 2. The books balance.
  if (const int64_t sum = ledger.JournalSum(); sum != 0)
    violation(fmt::format("the journal sums to {} fen, not 0", sum));

  // 3. Accumulators = a replay of every settlement and cancellation's deltas; 4. every record has
  // a balanced journal; no visit settled twice.
  for (const auto& [psn_no, insutype, year] : accounts) {
    ++report.accounts;
    std::map<std::string, int64_t> replay;
    std::map<std::string, int> live;  // mdtrt_id → settlements − cancellations
    for (const SettlementRecord& s : ledger.SettlementsOf(psn_no, insutype, year)) {
      ++report.stored;
      for (const auto& [k, d] : ledger.DeltasOf(s.setl_id)) {
        replay[k] += d;
        ++report.deltas;
      }
      int64_t sum = 0, fund = 0, acct = 0;
      for (const auto& e : ledger.JournalOf(s.setl_id)) {
        sum += e.amount;
        if (e.account.starts_with("fund:")) fund += e.amount;
        if (e.account.starts_with("acct:")) acct += e.amount;
      }
      if (sum != 0) violation(fmt::format("{}: journal entries sum to {} fen", s.setl_id, sum));
      if (fund != -s.fund_pay_sumamt || acct != -s.acct_pay)
        violation(
            fmt::format("{} ({}/{}): journal has fund {} and account {}, the record fund {} "
                        "and account {}",
                        s.setl_id, psn_no, insutype, Yuan(-fund), Yuan(-acct),
                        Yuan(s.fund_pay_sumamt), Yuan(s.acct_pay)));
      live[s.fixmedins_code + "/" + s.mdtrt_id] += s.cancels.empty() ? 1 : -1;
    }
    for (const auto& [visit, n] : live)
      if (n != 0 && n != 1)
        violation(fmt::format("visit {} of {} has {} live settlements", visit, psn_no, n));
    auto stored = ledger.Accumulators(psn_no, insutype, year);
    std::set<std::string> keys;
    for (const auto& [k, v] : stored) keys.insert(k);
    for (const auto& [k, v] : replay) keys.insert(k);
    for (const auto& k : keys) {
      const int64_t have = stored.count(k) ? stored[k] : 0;
      const int64_t want = replay.count(k) ? replay[k] : 0;
      if (have != want)
        violation(fmt::format("accumulator {}/{}/{} {}: stored {}, replay of the deltas {}", psn_no,
                              insutype, year, k, have, want));
    }
  }
  return report;
}

Result<std::unique_ptr<Ledger>> OpenLedgerSpec(const std::string& spec) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "sqlite" && !rest.empty()) return OpenSqliteLedger(rest);
  if ((kind == "postgresql" || kind == "postgres") && !rest.empty()) return OpenPgLedger(rest);
  return Diagnostic{"", 0, "--ledger",
                    "expected sqlite:PATH or postgresql:CONNINFO, got \"" + spec + "\""};
}

StoredBills CountStoredBills(const std::string& spec, std::string& error) {
  constexpr const char* kCount =
      "SELECT count(bill), count(*) FROM settlement";  // count(bill): the non-NULL ones
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
  StoredBills out;
  if (kind == "sqlite") {
    sqlite3* db = nullptr;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_open_v2(rest.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(db, kCount, -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      out = {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
    } else {
      error = std::string("sqlite: ") + (db ? sqlite3_errmsg(db) : "cannot open");
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }
  PGconn* c = PQconnectdb(rest.c_str());
  PGresult* r = PQstatus(c) == CONNECTION_OK ? PQexec(c, kCount) : nullptr;
  if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
    out = {std::stoll(PQgetvalue(r, 0, 0)), std::stoll(PQgetvalue(r, 0, 1))};
  else
    error = std::string("postgresql: ") + PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  return out;
}

}  // namespace yibao::e2e
