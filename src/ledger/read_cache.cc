#include "ledger/read_cache.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ledger/cache_shards.h"
#include "ledger/msgid_filter.h"

namespace yibao {
namespace {

std::string Key(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a).push_back('\x1f');
  k.append(b);
  return k;
}
std::string AccumulatorKey(std::string_view psn_no, std::string_view insutype, int year) {
  return Key(Key(psn_no, insutype), std::to_string(year));
}
// (fixmedins_code, mdtrt_id) of a visit's Key.
std::pair<std::string, std::string> VisitOfKey(const std::string& key) {
  const size_t at = key.find('\x1f');
  return {key.substr(0, at), key.substr(at + 1)};
}

// A visit's fee lines as the cache keeps them: all of them (upload order, cancelled ones flagged),
// and the live ones when some are cancelled (else `all` is the live list too). Readers get shared
// references (ClaimedVisitsOf hands out the live list as it is); a landing write changes a vector
// in place when the cache holds its only reference, and otherwise replaces it, so what a reader
// holds never changes under it.
struct VisitLines {
  std::shared_ptr<std::vector<FeeLineRecord>> all;
  std::shared_ptr<std::vector<FeeLineRecord>> live;  // null: no line cancelled, `all` is live
  SharedFeeLines Live() const { return live ? live : all; }
};

VisitLines MakeVisitLines(std::shared_ptr<std::vector<FeeLineRecord>> all) {
  VisitLines v;
  v.all = std::move(all);
  if (std::any_of(v.all->begin(), v.all->end(),
                  [](const FeeLineRecord& l) { return l.cancelled; })) {
    v.live = std::make_shared<std::vector<FeeLineRecord>>();
    for (const FeeLineRecord& l : *v.all)
      if (!l.cancelled) v.live->push_back(l);
  }
  return v;
}

// A write's cancellations and uploads of the visit `key` applied to its cached lines, as the
// backends apply them. Each vector is changed in place when the cache holds the only reference
// (`v` and the local copy here make two), and replaced by a changed copy when a reader holds it;
// the live list is kept up as lines come and go instead of being rebuilt, so that a long stay's
// upload costs the writer its own lines, not the stay's.
template <class Change>
void ApplyLines(const Change& c, const std::string& key, VisitLines& v) {
  auto own = [](std::shared_ptr<std::vector<FeeLineRecord>>& lines) {
    if (lines && lines.use_count() > 2)
      lines = std::make_shared<std::vector<FeeLineRecord>>(*lines);
  };
  std::shared_ptr<std::vector<FeeLineRecord>> all = v.all, live = v.live;
  own(all);
  std::vector<const std::string*> cancelled;  // feedetl_sn, live until this write
  for (const auto& l : c.fee_lines_cancelled) {
    if (Key(l.fixmedins_code, l.mdtrt_id) != key) continue;
    for (auto& have : *all)
      if (!have.cancelled && have.feedetl_sn == l.feedetl_sn) {
        have.cancelled = true;
        cancelled.push_back(&l.feedetl_sn);
        break;
      }
  }
  if (!live && !cancelled.empty()) {
    live = MakeVisitLines(all).live;  // the first cancellation: the live list starts here
  } else if (live) {
    own(live);
    for (const std::string* sn : cancelled)  // a feedetl_sn is live at most once
      for (auto it = live->begin(); it != live->end(); ++it)
        if (it->feedetl_sn == *sn) {
          live->erase(it);
          break;
        }
  }
  for (const auto& l : c.fee_lines) {
    if (Key(l.fixmedins_code, l.mdtrt_id) != key) continue;
    all->push_back(l);
    all->back().cancelled = false;
    if (live) live->push_back(all->back());
  }
  v.all = std::move(all);
  v.live = std::move(live);
}

// What a visit's "has a live settlement" cache holds.
constexpr char kNoLiveSettlement = 0, kLiveSettlement = 1;

// ClaimedVisitsOf from the caches gives up for the backend's two statements after this many
// misses: one person's history read visit by visit from the store costs more than the query.
constexpr int kClaimsMissesAtMost = 4;

// What one write will change in the caches, taken from it before it goes to the backend (which
// owns it from then on) and applied when it lands.
struct CacheChange {
  std::vector<std::string> persons, institutions, employers, sign_ins;
  bool filings = false;
  SharedVisit visit;          // the record the cache keeps once it lands
  bool visit_is_new = false;  // then, once durable, it has no lines and no settlement yet
  std::vector<FeeLineRecord> fee_lines, fee_lines_cancelled;
  std::string settled_visit;  // the visit key of a settlement or cancellation, if any
  // A cancellation: the visit of the settlement it cancels, which then has no live settlement;
  // that settlement not found when announced, every visit's answer is dropped instead (rare).
  std::string unsettled_visit;
  bool unsettle_any = false;
  // (person, visit key): the visit may have become one of the person's claims (upserted for the
  // person, or settled while the person's).
  std::vector<std::pair<std::string, std::string>> claims;
  std::string accumulator_key;
  std::vector<AccumulatorDelta> deltas;  // non-zero only
  std::vector<JournalEntry> journal;
};

// The calling thread's read scope (Ledger::ReadTogether) on a cached ledger.
struct CacheReadScope {
  const Ledger* owner = nullptr;
  int depth = 0;
  uint64_t epoch = 0;  // the writer's, when the outermost scope began
  std::optional<Ledger::ReadScope> backend;
};
thread_local CacheReadScope scope_;

class CachedLedger final : public Ledger {
 public:
  CachedLedger(std::unique_ptr<Ledger> backend, const ReadCacheOptions& o)
      : backend_(std::move(backend)),
        persons_(o.persons, o.shards),
        institutions_(o.register_entries, o.shards),
        employers_(o.register_entries, o.shards),
        sign_ins_(o.register_entries, o.shards),
        filings_(o.register_entries, o.shards),
        visits_(o.visits, o.shards),
        live_settlement_(o.visits, o.shards),
        person_claims_(o.claims, o.shards,
                       [](const std::vector<std::string>& keys) { return 1 + keys.size(); }),
        fee_lines_(o.fee_lines, o.shards,
                   [](const VisitLines& lines) { return 1 + lines.all->size(); }),
        accumulators_(o.accumulators, o.shards),
        balances_(o.balances, o.shards),
        msgids_(
            [this](const std::string& fixmedins_code, std::string* ceiling) {
              return backend_->MsgidCeiling(fixmedins_code, ceiling);
            },
            o.msgids_recent) {}
  // The backend goes first: stopping it lands its last writes, in the caches still here.
  ~CachedLedger() override { backend_.reset(); }

  void Submit(LedgerWrite write, std::function<void(WriteStatus)> done) override {
    auto change = std::make_shared<CacheChange>(Announce(write));
    backend_->Submit(std::move(write),
                     [this, change = std::move(change), done = std::move(done)](WriteStatus s) {
                       Land(*change, s == WriteStatus::kDurable);
                       done(s);
                     });
  }

  std::map<std::string, int64_t> Accumulators(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    return Cached(accumulators_, AccumulatorKey(psn_no, insutype, year),
                  [&] { return backend_->Accumulators(psn_no, insutype, year); });
  }
  int64_t AccountBalance(const std::string& journal_account) override {
    return Cached(balances_, journal_account,
                  [&] { return backend_->AccountBalance(journal_account); });
  }
  std::optional<SettlementRecord> LiveSettlementOfVisit(const std::string& fixmedins_code,
                                                        const std::string& mdtrt_id) override {
    // Only whether there is one is kept: "none" is what a settlement finds, and the bill is large.
    const std::string key = Key(fixmedins_code, mdtrt_id);
    char live;
    if (live_settlement_.Get(key, live) && live == kNoLiveSettlement) return Hit(std::nullopt);
    const uint64_t epoch = ReadEpoch();
    auto record = backend_->LiveSettlementOfVisit(fixmedins_code, mdtrt_id);
    ++misses_;
    live_settlement_.Fill(key, record ? kLiveSettlement : kNoLiveSettlement, epoch);
    return record;
  }
  std::optional<PersonRecord> FindPerson(const std::string& psn_no) override {
    return Cached(persons_, psn_no, [&] { return backend_->FindPerson(psn_no); });
  }
  std::optional<EmployerRecord> FindEmployer(const std::string& emp_no) override {
    return Cached(employers_, emp_no, [&] { return backend_->FindEmployer(emp_no); });
  }
  std::optional<InstitutionRecord> FindInstitution(const std::string& fixmedins_code) override {
    return Cached(institutions_, fixmedins_code,
                  [&] { return backend_->FindInstitution(fixmedins_code); });
  }
  std::optional<SignInRecord> FindSignIn(const std::string& sign_no) override {
    return Cached(sign_ins_, sign_no, [&] { return backend_->FindSignIn(sign_no); });
  }
  std::vector<FilingRecord> FilingsOf(const std::string& psn_no) override {
    return Cached(filings_, psn_no, [&] { return backend_->FilingsOf(psn_no); });
  }
  std::optional<VisitRecord> FindVisit(const std::string& fixmedins_code,
                                       const std::string& mdtrt_id) override {
    SharedVisit v = CachedVisit(Key(fixmedins_code, mdtrt_id), fixmedins_code, mdtrt_id);
    return v ? std::optional<VisitRecord>(*v) : std::nullopt;
  }
  SharedFeeLines FeeLinesOf(const std::string& fixmedins_code,
                            const std::string& mdtrt_id) override {
    return LinesOf(Key(fixmedins_code, mdtrt_id), fixmedins_code, mdtrt_id).all;
  }

  LedgerStats Stats() override {
    LedgerStats s = backend_->Stats();
    s.cache_hits = hits_.load(std::memory_order_relaxed);
    s.cache_misses = misses_.load(std::memory_order_relaxed);
    return s;
  }

  // A new msgid's check answered without the store when the filter can tell (msgid_filter.h).
  std::optional<std::string> FindReply(const std::string& fixmedins_code, const std::string& msgid,
                                       std::string* infno) override {
    if (msgids_.SurelyAbsent(fixmedins_code, msgid)) return Hit(std::nullopt);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return backend_->FindReply(fixmedins_code, msgid, infno);
  }
  bool MsgidCeiling(const std::string& fixmedins_code, std::string* ceiling) override {
    return backend_->MsgidCeiling(fixmedins_code, ceiling);
  }

  // Straight to the backend.
  std::optional<SettlementRecord> FindSettlement(const std::string& setl_id) override {
    return backend_->FindSettlement(setl_id);
  }
  int64_t JournalSum() override { return backend_->JournalSum(); }
  std::vector<SettlementRecord> SettlementsOf(const std::string& psn_no,
                                              const std::string& insutype, int year) override {
    return backend_->SettlementsOf(psn_no, insutype, year);
  }
  std::vector<std::pair<std::string, int64_t>> DeltasOf(const std::string& setl_id) override {
    return backend_->DeltasOf(setl_id);
  }
  std::vector<JournalEntry> JournalOf(const std::string& setl_id) override {
    return backend_->JournalOf(setl_id);
  }
  std::optional<PersonRecord> FindPersonByCert(const std::string& psn_cert_type,
                                               const std::string& certno) override {
    return backend_->FindPersonByCert(psn_cert_type, certno);
  }
  std::vector<InstitutionRecord> Institutions() override { return backend_->Institutions(); }
  int64_t PersonCount() override { return backend_->PersonCount(); }
  std::optional<FilingRecord> FindFiling(const std::string& filing_id) override {
    return backend_->FindFiling(filing_id);
  }
  // From the caches: the person's visit keys (every visit that may be one of the person's claims),
  // each visit as it is now, whether it has a live settlement, and its lines, filtered and ordered
  // as the backends' query does. Several misses, or a person not cached, go to the backend.
  std::vector<PersonVisit> ClaimedVisitsOf(const std::string& psn_no,
                                           const std::string& since) override {
    auto scope = ReadTogether();  // one snapshot for whatever misses
    std::vector<std::string> keys;
    if (!person_claims_.Get(psn_no, keys)) {
      ++misses_;
      // The whole history (since ""), so that the keys hold for any `since` later.
      const uint64_t epoch = ReadEpoch();
      std::vector<PersonVisit> all = backend_->ClaimedVisitsOf(psn_no, "");
      for (const PersonVisit& v : all)
        keys.push_back(Key(v.visit->fixmedins_code, v.visit->mdtrt_id));
      person_claims_.Fill(psn_no, std::move(keys), epoch);
      std::erase_if(all, [&](const PersonVisit& v) { return !Within(*v.visit, since); });
      return all;
    }
    ++hits_;
    int misses = 0;  // this call's
    std::vector<PersonVisit> out;
    for (const std::string& key : keys) {
      if (misses > kClaimsMissesAtMost) return backend_->ClaimedVisitsOf(psn_no, since);
      const auto [fixmedins_code, mdtrt_id] = VisitOfKey(key);
      SharedVisit visit = CachedVisit(key, fixmedins_code, mdtrt_id, &misses);
      if (!visit || visit->psn_no != psn_no || !Within(*visit, since)) continue;
      const bool settled = HasLiveSettlement(key, fixmedins_code, mdtrt_id, misses);
      if (!settled && visit->status != "admitted" && visit->status != "discharged") continue;
      PersonVisit& v = out.emplace_back();
      v.visit = std::move(visit);
      v.settled = settled;
      v.lines = LinesOf(key, fixmedins_code, mdtrt_id, &misses).Live();  // shared, not copied
    }
    if (misses > kClaimsMissesAtMost) return backend_->ClaimedVisitsOf(psn_no, since);
    std::sort(out.begin(), out.end(), [](const PersonVisit& a, const PersonVisit& b) {
      return std::tie(a.visit->begntime, a.visit->fixmedins_code, a.visit->mdtrt_id) <
             std::tie(b.visit->begntime, b.visit->fixmedins_code, b.visit->mdtrt_id);
    });
    return out;
  }
  std::vector<ContributionRecord> ContributionsOf(const std::string& psn_no) override {
    return backend_->ContributionsOf(psn_no);
  }
  ReconciliationTotals Reconcile(const std::string& fixmedins_code, const std::string& insutype,
                                 const std::string& clr_type, const std::string& begin_date,
                                 const std::string& end_date) override {
    return backend_->Reconcile(fixmedins_code, insutype, clr_type, begin_date, end_date);
  }
  std::vector<AuditEntry> AuditLog(size_t limit) override { return backend_->AuditLog(limit); }

 protected:
  // The outermost scope takes the epoch before the backend's snapshot can begin, and every fill
  // inside the scope uses it: a value read in the snapshot is no newer than the scope's start.
  bool BeginReadScope() override {
    CacheReadScope& t = scope_;
    if (t.depth > 0 && t.owner != this) return false;  // another ledger's scope on this thread
    if (t.depth++ == 0) {
      t.owner = this;
      t.epoch = epoch_.load();
      t.backend.emplace(backend_->ReadTogether());
    }
    return true;
  }
  void EndReadScope() override {
    CacheReadScope& t = scope_;
    if (--t.depth > 0) return;
    t.backend.reset();
    t.owner = nullptr;
  }

 private:
  // Still open, or ended on or after `since` (the backends compare the text alike).
  static bool Within(const VisitRecord& v, const std::string& since) {
    return v.endtime.empty() || v.endtime >= since;
  }

  bool HasLiveSettlement(const std::string& key, const std::string& fixmedins_code,
                         const std::string& mdtrt_id, int& misses) {
    char live;
    if (live_settlement_.Get(key, live)) return Hit(live == kLiveSettlement);
    ++misses;
    return LiveSettlementOfVisit(fixmedins_code, mdtrt_id).has_value();
  }

  uint64_t ReadEpoch() const {
    const CacheReadScope& t = scope_;
    return t.depth > 0 && t.owner == this ? t.epoch : epoch_.load();
  }

  template <class T>
  T Hit(T value) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return value;
  }

  // `local_misses`, if given, counts this read's miss too.
  template <class V, class Read>
  V Cached(CacheShards<V>& cache, const std::string& key, Read read, int* local_misses = nullptr) {
    V value;
    if (cache.Get(key, value)) return Hit(std::move(value));
    misses_.fetch_add(1, std::memory_order_relaxed);
    if (local_misses) ++*local_misses;
    const uint64_t epoch = ReadEpoch();
    value = read();
    cache.Fill(key, value, epoch);
    return value;
  }

  // A visit's record, from the cache or (filling it) from the backend; null if there is none.
  SharedVisit CachedVisit(const std::string& key, const std::string& fixmedins_code,
                          const std::string& mdtrt_id, int* local_misses = nullptr) {
    return Cached(
        visits_, key,
        [&] {
          auto v = backend_->FindVisit(fixmedins_code, mdtrt_id);
          return v ? std::make_shared<const VisitRecord>(std::move(*v)) : SharedVisit();
        },
        local_misses);
  }

  // A visit's lines, from the cache or (filling it) from the backend.
  VisitLines LinesOf(const std::string& key, const std::string& fixmedins_code,
                     const std::string& mdtrt_id, int* local_misses = nullptr) {
    VisitLines lines;
    if (fee_lines_.Get(key, lines)) return Hit(std::move(lines));
    misses_.fetch_add(1, std::memory_order_relaxed);
    if (local_misses) ++*local_misses;
    const uint64_t epoch = ReadEpoch();
    SharedFeeLines read = backend_->FeeLinesOf(fixmedins_code, mdtrt_id);
    // A backend's vector is made for this call and held by nobody else: the cache takes it over
    // (writes change it in place while the cache alone holds it, see ApplyLines).
    lines = MakeVisitLines(read.use_count() == 1
                               ? std::const_pointer_cast<std::vector<FeeLineRecord>>(read)
                               : std::make_shared<std::vector<FeeLineRecord>>(*read));
    fee_lines_.Fill(key, lines, epoch);
    return lines;
  }

  // Every key `w` may change is pending from now until it lands.
  CacheChange Announce(const LedgerWrite& w) {
    CacheChange c;
    // Before the write can be durable: its msgid may be stored from now on.
    if (!w.msgid.empty()) msgids_.Announce(w.fixmedins_code, w.msgid);
    for (const auto& p : w.persons) persons_.Pend(c.persons.emplace_back(p.psn_no));
    for (const auto& i : w.institutions)
      institutions_.Pend(c.institutions.emplace_back(i.fixmedins_code));
    for (const auto& e : w.employers) employers_.Pend(c.employers.emplace_back(e.emp_no));
    if (w.sign_in) sign_ins_.Pend(c.sign_ins.emplace_back(w.sign_in->sign_no));
    // A filing upserted may move from one person to another: every person's list is dropped.
    if (!w.filings.empty()) {
      c.filings = true;
      filings_.PendAll();
    }
    if (w.visit) {
      c.visit = std::make_shared<const VisitRecord>(*w.visit);
      const std::string key = Key(w.visit->fixmedins_code, w.visit->mdtrt_id);
      visits_.Pend(key);
      if (w.visit_is_new) {
        c.visit_is_new = true;
        fee_lines_.Pend(key);
        live_settlement_.Pend(key);
      }
      c.claims.emplace_back(w.visit->psn_no, key);
    }
    c.fee_lines_cancelled = w.fee_lines_cancelled;
    c.fee_lines = w.fee_lines;
    for (const auto* lines : {&c.fee_lines_cancelled, &c.fee_lines})
      for (const auto& l : *lines) fee_lines_.Pend(Key(l.fixmedins_code, l.mdtrt_id));
    if (w.settlement) {
      const SettlementRecord& r = *w.settlement;
      c.settled_visit = Key(r.fixmedins_code, r.mdtrt_id);
      // A cancellation unsettles the visit of the settlement it names (the service's is its own;
      // the ledger does not require it).
      if (r.cancels.empty()) {
        live_settlement_.Pend(c.settled_visit);
      } else if (auto original = backend_->FindSettlement(r.cancels)) {
        c.unsettled_visit = Key(original->fixmedins_code, original->mdtrt_id);
        live_settlement_.Pend(c.unsettled_visit);
      } else {
        c.unsettle_any = true;
        live_settlement_.PendAll();
      }
      // Claims go by the visit's person (the settlement's may differ); a visit upserted at the
      // same time, or moved to another person meanwhile, is added to that person by its own write.
      if (SharedVisit visit = CachedVisit(c.settled_visit, r.fixmedins_code, r.mdtrt_id))
        c.claims.emplace_back(visit->psn_no, c.settled_visit);
      // The backends apply accumulator deltas only with a settlement, and skip zero ones.
      c.accumulator_key = AccumulatorKey(r.psn_no, r.insutype, r.year);
      for (const auto& d : w.accumulators)
        if (d.delta != 0) c.deltas.push_back(d);
      accumulators_.Pend(c.accumulator_key);
    }
    c.journal = w.journal;
    for (const auto& e : c.journal) balances_.Pend(e.account);
    for (const auto& [psn_no, key] : c.claims) person_claims_.Pend(psn_no);
    return c;
  }

  // Runs on the backend's writer thread, once `c`'s write is durable (or refused), before its
  // callback. Writes land one at a time, in commit order.
  void Land(const CacheChange& c, bool durable) {
    const uint64_t epoch = epoch_.fetch_add(1) + 1;
    auto erase = [&](auto& cache, const std::vector<std::string>& keys) {
      for (const auto& k : keys) {
        if (durable)
          cache.LandErase(k, epoch);
        else
          cache.LandChange(k, epoch, nullptr);
      }
    };
    erase(persons_, c.persons);
    erase(institutions_, c.institutions);
    erase(employers_, c.employers);
    erase(sign_ins_, c.sign_ins);
    if (c.filings) filings_.LandAll(epoch, durable);
    if (c.visit) {
      const std::string key = Key(c.visit->fixmedins_code, c.visit->mdtrt_id);
      if (durable)
        visits_.LandSet(key, epoch, c.visit);  // upserted whole
      else
        visits_.LandChange(key, epoch, nullptr);
      // A new visit inserted has no lines and no live settlement: the fee upload's first reads
      // need not ask the store. Set before the write's own lines and settlement land; a refused
      // one teaches nothing.
      if (c.visit_is_new && durable) {
        fee_lines_.LandSet(key, epoch,
                           MakeVisitLines(std::make_shared<std::vector<FeeLineRecord>>()));
        live_settlement_.LandSet(key, epoch, kNoLiveSettlement);
      } else if (c.visit_is_new) {
        fee_lines_.LandChange(key, epoch, nullptr);
        live_settlement_.LandChange(key, epoch, nullptr);
      }
    }
    // Per visit, cancellations first, then uploads (a write may cancel a line and upload its
    // feedetl_sn again), each line in its visit's upload order; one change a visit, so that a
    // vector a reader holds is copied once a write, not once a line.
    // (visit key, lines of it in the write): each line was pended once, so each is landed once.
    std::vector<std::pair<std::string, size_t>> line_visits;
    for (const auto* lines : {&c.fee_lines_cancelled, &c.fee_lines})
      for (const auto& l : *lines) {
        std::string k = Key(l.fixmedins_code, l.mdtrt_id);
        auto it = std::find_if(line_visits.begin(), line_visits.end(),
                               [&k](const auto& v) { return v.first == k; });
        if (it == line_visits.end())
          line_visits.emplace_back(std::move(k), 1);
        else
          ++it->second;
      }
    // Named references, not structured bindings: clang 14 (the fuzzing build) cannot capture those.
    for (const auto& visit_pends : line_visits) {
      const std::string& key = visit_pends.first;
      for (size_t i = 1; i < visit_pends.second; ++i) fee_lines_.LandChange(key, epoch, nullptr);
      fee_lines_.LandChange(key, epoch,
                            durable ? [&](VisitLines& v) { ApplyLines(c, key, v); }
                                    : std::function<void(VisitLines&)>());
    }
    if (!c.settled_visit.empty()) {
      // A settlement gives its visit a live one; a cancellation takes it from the cancelled one's.
      const std::string& visit = c.unsettled_visit.empty() ? c.settled_visit : c.unsettled_visit;
      if (c.unsettle_any)
        live_settlement_.LandAll(epoch, durable);
      else if (durable)
        live_settlement_.LandSet(visit, epoch,
                                 c.unsettled_visit.empty() ? kLiveSettlement : kNoLiveSettlement);
      else
        live_settlement_.LandChange(visit, epoch, nullptr);
      accumulators_.LandChange(c.accumulator_key, epoch,
                               durable ? [&c](std::map<std::string, int64_t>& values) {
                                 for (const auto& d : c.deltas) values[d.account] += d.delta;
                               }
                                       : std::function<void(std::map<std::string, int64_t>&)>());
    }
    for (const auto& e : c.journal)
      balances_.LandChange(e.account, epoch,
                           durable ? [&e](int64_t& balance) { balance += e.amount; }
                                   : std::function<void(int64_t&)>());
    // A person's keys only grow: a visit that is no longer a claim (or no longer the person's)
    // is left out when read.
    for (const auto& claim : c.claims) {
      const std::string& key = claim.second;
      person_claims_.LandChange(claim.first, epoch,
                                durable ? [&key](std::vector<std::string>& keys) {
                                  if (std::find(keys.begin(), keys.end(), key) == keys.end())
                                    keys.push_back(key);
                                }
                                        : std::function<void(std::vector<std::string>&)>());
    }
  }

  std::unique_ptr<Ledger> backend_;
  std::atomic<uint64_t> epoch_{0};  // of the last write landed
  std::atomic<uint64_t> hits_{0}, misses_{0};
  CacheShards<std::optional<PersonRecord>> persons_;
  CacheShards<std::optional<InstitutionRecord>> institutions_;
  CacheShards<std::optional<EmployerRecord>> employers_;
  CacheShards<std::optional<SignInRecord>> sign_ins_;
  CacheShards<std::vector<FilingRecord>> filings_;
  CacheShards<SharedVisit> visits_;                      // null: no such visit
  CacheShards<char> live_settlement_;                    // kLiveSettlement or kNoLiveSettlement
  CacheShards<std::vector<std::string>> person_claims_;  // visit keys by psn_no
  CacheShards<VisitLines> fee_lines_;
  CacheShards<std::map<std::string, int64_t>> accumulators_;
  CacheShards<int64_t> balances_;
  MsgidFilter msgids_;
};

}  // namespace

std::unique_ptr<Ledger> WithReadCache(std::unique_ptr<Ledger> backend, ReadCacheOptions options) {
  return std::make_unique<CachedLedger>(std::move(backend), options);
}

}  // namespace yibao
