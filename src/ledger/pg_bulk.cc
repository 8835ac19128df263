#include "ledger/pg_bulk.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

namespace yibao {

// Each takes one array a column. unnest yields the rows in the arrays' order, so serial keys
// (fee_line.line_id, journal.entry_id, settlement.seq) follow the batch's order as they would
// write by write.
const PgBulkStatementSql kPgBulkStatements[] = {
    {"bulk_visit_new", R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json)
      SELECT u.f, u.m,
        CASE WHEN EXISTS (SELECT 1 FROM fee_line l WHERE l.fixmedins_code = u.f AND l.mdtrt_id = u.m)
               OR EXISTS (SELECT 1 FROM settlement s WHERE s.fixmedins_code = u.f AND s.mdtrt_id = u.m)
             THEN NULL ELSE u.p END,
        u.i, u.t, u.o, u.b, u.e, u.s, u.j
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                  $7::text[], $8::text[], $9::text[], $10::text[]) AS u(f, m, p, i, t, o, b, e, s, j))sql"},
    {"bulk_visit_upsert", R"sql(
      INSERT INTO visit (fixmedins_code, mdtrt_id, psn_no, insutype, med_type, ipt_otp_no,
        begntime, endtime, status, info_json)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::text[], $8::text[], $9::text[], $10::text[])
      )sql" YIBAO_PG_VISIT_UPSERT},
    {"bulk_fee_line", R"sql(
      INSERT INTO fee_line (fixmedins_code, mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg,
        medins_list_codg, cnt, pric, det_item_fee_sumamt, hosp_appr_flag, prd_days, fee_ocur_time)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::text[], $8::text[], $9::bigint[], $10::text[], $11::int[],
                           $12::text[]))sql"},
    {"bulk_settlement", R"sql(
      INSERT INTO settlement (setl_id, cancels, mdtrt_id, psn_no, fixmedins_code, insutype, med_type,
        year, policy_region, policy_version, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay,
        psn_cash_pay, bill_json, clr_type, setl_time, bill)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::text[], $8::int[], $9::text[], $10::text[], $11::bigint[],
                           $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::text[],
                           $17::text[], $18::text[], $19::bytea[]))sql"},
    {"bulk_accumulator", R"sql(
      INSERT INTO accumulator (psn_no, insutype, year, account, value)
      SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[])
      ON CONFLICT (psn_no, insutype, year, account)
      DO UPDATE SET value = accumulator.value + EXCLUDED.value)sql"},
    {"bulk_delta", R"sql(
      INSERT INTO accumulator_delta (setl_id, account, delta)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))sql"},
    {"bulk_journal", R"sql(
      INSERT INTO journal (setl_id, account, amount)
      SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]))sql"},
    {"bulk_balance", R"sql(
      INSERT INTO account_balance (account, balance)
      SELECT * FROM unnest($1::text[], $2::bigint[])
      ON CONFLICT (account) DO UPDATE SET balance = account_balance.balance + EXCLUDED.balance)sql"},
    {"bulk_reply", R"sql(
      INSERT INTO msgid_reply (fixmedins_code, msgid, infno, reply)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))sql"},
};
const size_t kPgBulkStatementCount = std::size(kPgBulkStatements);

namespace {

// The element types of a bulk statement's parameters, read from its SQL: parameter $k is cast as
// `$k::T[]`, T one of text, int, bigint, bytea. Read from the SQL so that the arrays are built with
// the very types the statement was prepared with (a binary array of another element type is an
// error of the server's, which would send every batch down the per-write path).
enum class Element : uint32_t { kText = 25, kInt4 = 23, kInt8 = 20, kBytea = 17 };  // type OIDs

std::vector<Element> ElementTypesOf(std::string_view sql) {
  static constexpr std::pair<std::string_view, Element> kNames[] = {{"text[]", Element::kText},
                                                                    {"int[]", Element::kInt4},
                                                                    {"bigint[]", Element::kInt8},
                                                                    {"bytea[]", Element::kBytea}};
  std::vector<Element> types;
  for (size_t at = sql.find('$'); at != std::string_view::npos; at = sql.find('$', at + 1)) {
    size_t k = at + 1, n = 0;
    while (k < sql.size() && sql[k] >= '0' && sql[k] <= '9') n = n * 10 + size_t(sql[k++] - '0');
    if (n == 0 || sql.substr(k, 2) != "::")
      throw std::logic_error("pg_bulk: a parameter without its array cast");
    std::optional<Element> type;
    for (const auto& [name, t] : kNames)
      if (sql.substr(k + 2, name.size()) == name) type = t;
    if (!type || n != types.size() + 1)
      throw std::logic_error("pg_bulk: parameter $" + std::to_string(n) +
                             " is out of order or of a type the bulk arrays do not build");
    types.push_back(*type);
  }
  return types;
}

const std::vector<Element>& ElementTypes(std::string_view statement) {
  static const auto* all = [] {
    auto* m = new std::map<std::string_view, std::vector<Element>>;
    for (const auto& s : std::span(kPgBulkStatements, kPgBulkStatementCount))
      (*m)[s.name] = ElementTypesOf(s.sql);
    return m;
  }();
  return all->at(statement);
}

// A one-dimensional PostgreSQL array in the binary form the server's array_recv reads, built
// element by element: a header (one dimension, whether there are NULLs, the element type, the
// length, lower bound 1), then each element as its byte length and its bytes (-1: NULL), numbers
// in network order. Text and bytes go as they are: nothing to escape, nothing for the server to
// parse (the text form's parsing was the backend's largest cost in a batch).
class PgArray {
 public:
  explicit PgArray(Element element) : element_(element), bytes_(kHeader, '\0') {}
  void Add(std::string_view text) {  // text or bytea
    if (element_ != Element::kText && element_ != Element::kBytea)
      throw std::logic_error("pg_bulk: bytes given to a numeric array");
    Append32(uint32_t(text.size()));
    bytes_.append(text);
    ++size_;
  }
  void Add(int64_t n) {
    if (element_ == Element::kInt4) {
      if (n < INT32_MIN || n > INT32_MAX) throw std::logic_error("pg_bulk: over an int's range");
      Append32(4);
      Append32(uint32_t(int32_t(n)));
    } else if (element_ == Element::kInt8) {
      Append32(8);
      Append32(uint32_t(uint64_t(n) >> 32));
      Append32(uint32_t(uint64_t(n)));
    } else {
      throw std::logic_error("pg_bulk: a number given to a text array");
    }
    ++size_;
  }
  void AddNull() {
    Append32(uint32_t(-1));
    has_null_ = true;
    ++size_;
  }
  size_t size() const { return size_; }
  // The array, its header filled in; the builder is spent.
  std::string Take() && {
    const uint32_t header[] = {1, has_null_ ? 1u : 0u, uint32_t(element_), uint32_t(size_), 1};
    for (size_t i = 0; i < std::size(header); ++i) Write32(&bytes_[4 * i], header[i]);
    return std::move(bytes_);
  }

 private:
  // Dimensions, has-NULLs, element type, then the one dimension's length and lower bound.
  static constexpr size_t kHeader = 5 * 4;
  static void Write32(char* at, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) *at++ = char(v >> shift);
  }
  void Append32(uint32_t v) {
    char b[4];
    Write32(b, v);
    bytes_.append(b, 4);
  }
  Element element_;
  std::string bytes_;
  size_t size_ = 0;
  bool has_null_ = false;
};

// Only the parts the bulk statements write (see the header).
bool IsPlain(const LedgerWrite& w) {
  if (w.contribution || !w.fee_lines_cancelled.empty() || !w.persons.empty() ||
      !w.employers.empty() || !w.institutions.empty() || !w.filings.empty() || w.sign_in ||
      !w.audit_operator.empty())
    return false;
  if (w.settlement) return w.settlement->cancels.empty();
  return w.accumulators.empty() && w.journal.empty();  // posted under nothing: not a plain write
}

// Whether two writes of `todo` touch one visit (by a settlement, a visit record or fee lines). The
// keys are views into the batch: nothing is copied for each fee line.
bool AVisitIsTouchedTwice(const std::vector<LedgerWrite>& batch, const std::vector<long>& todo) {
  using Touch = std::tuple<std::string_view, std::string_view, long>;  // code, mdtrt_id, write
  std::vector<Touch> touches;
  for (long i : todo) {
    const LedgerWrite& w = batch[size_t(i)];
    if (w.settlement) touches.emplace_back(w.settlement->fixmedins_code, w.settlement->mdtrt_id, i);
    if (w.visit) touches.emplace_back(w.visit->fixmedins_code, w.visit->mdtrt_id, i);
    for (const auto& f : w.fee_lines) touches.emplace_back(f.fixmedins_code, f.mdtrt_id, i);
  }
  // Sorted, one visit's touches are together, in write order: two writes meet at a boundary.
  std::sort(touches.begin(), touches.end());
  for (size_t k = 1; k < touches.size(); ++k) {
    const auto& [code, visit, write] = touches[k];
    const auto& [prev_code, prev_visit, prev_write] = touches[k - 1];
    if (code == prev_code && visit == prev_visit && write != prev_write) return true;
  }
  return false;
}

// The parameters of bulk statement `name`: an array a column, of the types its SQL casts to.
class Columns {
 public:
  explicit Columns(const char* name) : name_(name) {
    for (Element e : ElementTypes(name)) column_.emplace_back(e);
  }
  PgArray& operator[](size_t i) { return column_.at(i); }
  void Emit(std::vector<PgBulkStatement>& out) {
    if (column_.front().size() == 0) return;
    PgBulkStatement s{name_, {}};
    s.params.reserve(column_.size());
    for (auto& c : column_) s.params.push_back(std::move(c).Take());
    out.push_back(std::move(s));
  }

 private:
  const char* name_;
  std::vector<PgArray> column_;
};

}  // namespace

std::optional<std::vector<PgBulkStatement>> BulkStatements(const std::vector<LedgerWrite>& batch,
                                                           const std::vector<long>& todo,
                                                           BillCodec& codec) {
  for (long i : todo)
    if (!IsPlain(batch[size_t(i)])) return std::nullopt;
  if (AVisitIsTouchedTwice(batch, todo)) return std::nullopt;

  Columns visit_new("bulk_visit_new"), visit_upsert("bulk_visit_upsert");
  Columns fee_line("bulk_fee_line"), settlement("bulk_settlement");
  Columns delta("bulk_delta"), journal("bulk_journal"), reply("bulk_reply");
  // Summed by key, so that no upsert meets its key twice (views into the batch).
  std::map<std::tuple<std::string_view, std::string_view, int, std::string_view>, int64_t>
      accumulators;
  std::map<std::string_view, int64_t> balances;
  std::string frame;
  for (long i : todo) {
    const LedgerWrite& w = batch[size_t(i)];
    if (w.visit) {
      const VisitRecord& v = *w.visit;
      auto& c = w.visit_is_new ? visit_new : visit_upsert;
      const std::string_view fields[] = {v.fixmedins_code, v.mdtrt_id,   v.psn_no,   v.insutype,
                                         v.med_type,       v.ipt_otp_no, v.begntime, v.endtime,
                                         v.status,         v.info_json};
      for (size_t k = 0; k < 10; ++k) c[k].Add(fields[k]);
    }
    for (const auto& f : w.fee_lines) {
      const std::string_view text[] = {
          f.fixmedins_code, f.mdtrt_id,         f.feedetl_sn, f.chrg_bchno,
          f.med_list_codg,  f.medins_list_codg, f.cnt,        f.pric};
      for (size_t k = 0; k < 8; ++k) fee_line[k].Add(text[k]);
      fee_line[8].Add(f.det_item_fee_sumamt);
      fee_line[9].Add(f.hosp_appr_flag);
      fee_line[10].Add(int64_t(f.prd_days));
      fee_line[11].Add(f.fee_ocur_time);
    }
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      const std::string_view head[] = {r.setl_id,        r.cancels,  r.mdtrt_id, r.psn_no,
                                       r.fixmedins_code, r.insutype, r.med_type};
      for (size_t k = 0; k < 7; ++k) settlement[k].Add(head[k]);
      settlement[7].Add(int64_t(r.year));
      settlement[8].Add(r.policy_region);
      settlement[9].Add(r.policy_version);
      const int64_t amounts[] = {r.medfee_sumamt, r.fund_pay_sumamt, r.psn_part_amt, r.acct_pay,
                                 r.psn_cash_pay};
      for (size_t k = 0; k < 5; ++k) settlement[10 + k].Add(amounts[k]);
      const bool framed = codec.Encode(r.bill_json, frame);
      settlement[15].Add(framed ? std::string_view() : std::string_view(r.bill_json));
      settlement[16].Add(r.clr_type);
      settlement[17].Add(r.setl_time);
      if (framed)
        settlement[18].Add(std::string_view(frame));
      else
        settlement[18].AddNull();
      for (const auto& d : w.accumulators) {
        if (d.delta == 0) continue;
        accumulators[{r.psn_no, r.insutype, r.year, d.account}] += d.delta;
        delta[0].Add(r.setl_id);
        delta[1].Add(d.account);
        delta[2].Add(d.delta);
      }
      for (const auto& e : w.journal) {
        journal[0].Add(r.setl_id);
        journal[1].Add(e.account);
        journal[2].Add(e.amount);
        balances[e.account] += e.amount;
      }
    }
    if (!w.msgid.empty()) {
      reply[0].Add(w.fixmedins_code);
      reply[1].Add(w.msgid);
      reply[2].Add(w.infno);
      reply[3].Add(StoredReply(w));
    }
  }
  Columns accumulator("bulk_accumulator");
  for (const auto& [key, value] : accumulators) {
    const auto& [psn_no, insutype, year, account] = key;
    accumulator[0].Add(psn_no);
    accumulator[1].Add(insutype);
    accumulator[2].Add(int64_t(year));
    accumulator[3].Add(account);
    accumulator[4].Add(value);
  }
  Columns balance("bulk_balance");
  for (const auto& [account, amount] : balances) {
    balance[0].Add(account);
    balance[1].Add(amount);
  }

  // The parts in the per-write path's order (settlement with its deltas, fee lines, visit,
  // journal, reply), the balances after the journal.
  std::vector<PgBulkStatement> out;
  settlement.Emit(out);
  accumulator.Emit(out);
  delta.Emit(out);
  fee_line.Emit(out);
  visit_new.Emit(out);
  visit_upsert.Emit(out);
  journal.Emit(out);
  balance.Emit(out);
  reply.Emit(out);
  return out;
}

}  // namespace yibao
