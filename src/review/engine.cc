#include "review/engine.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "review/checks.h"

namespace yibao {

bool RuleApplies(const Rule& r, const ClaimsStore& s, const ClaimsVisit& v, ReviewStage stage) {
  if (!r.InStage(stage)) return false;
  if (!(r.scenarios & (1u << unsigned(v.scenario)))) return false;
  if (v.cross_province && !r.cross_province) return false;
  const ClaimsInstitution& in = s.institutions[v.institution];
  if (!(r.levels & (1u << unsigned(in.level)))) return false;
  if (!(r.institution_types & (1u << unsigned(in.type)))) return false;
  if (!r.insutypes.empty() &&
      std::find(r.insutypes.begin(), r.insutypes.end(), v.insutype) == r.insutypes.end())
    return false;
  return true;
}

void Emit(const PersonReview& p, uint32_t rule, uint32_t visit, std::vector<uint32_t> lines,
          Money amount, std::string evidence) {
  Finding f;
  f.rule = rule;
  f.visit = visit;
  f.lines = std::move(lines);
  f.amount = amount;
  f.evidence = std::move(evidence);
  p.out->push_back(std::move(f));
}

bool FindingBefore(const Finding& a, const Finding& b) {
  if (a.visit != b.visit) return a.visit < b.visit;
  if (a.rule != b.rule) return a.rule < b.rule;
  uint32_t la = a.lines.empty() ? 0 : a.lines.front();
  uint32_t lb = b.lines.empty() ? 0 : b.lines.front();
  return la < lb;
}

namespace {

// Reviews the target visits of one person over `history` (visit indices in date order).
void ReviewPersonVisits(const BoundRules& b, uint32_t person, const uint32_t* hb,
                        const uint32_t* he, ReviewStage stage, const ReviewTargets& targets,
                        ReviewScratch& scratch, std::vector<Finding>* out) {
  PersonReview p{b, *b.store, person, hb, he, stage, targets, scratch, out};
  bool any = false;
  for (const uint32_t* h = hb; h != he; ++h) {
    if (!targets.Has(*b.store, *h)) continue;
    any = true;
    CheckLines(p, *h);
    CheckVisit(p, *h);
  }
  if (any) CheckPersonTotals(p);
}

// One visit with the history a settlement could know: the person's visits that began no later
// than this one ended. Visit families across persons are left to the caller.
void ReviewOneVisit(const BoundRules& b, uint32_t visit, ReviewStage stage, ReviewScratch& scratch,
                    std::vector<uint32_t>& history, std::vector<Finding>* out) {
  const ClaimsStore& s = *b.store;
  const ClaimsVisit& v = s.visits[visit];
  auto [hb, he] = s.VisitsOf(v.person);
  history.clear();
  for (const uint32_t* h = hb; h != he; ++h)
    if (!(v.end < s.visits[*h].begin)) history.push_back(*h);
  ReviewTargets targets;
  targets.visit = visit;
  ReviewPersonVisits(b, v.person, history.data(), history.data() + history.size(), stage, targets,
                     scratch, out);
}

}  // namespace

void ReviewVisit(const BoundRules& b, uint32_t visit, ReviewStage stage,
                 std::vector<Finding>* out) {
  ReviewScratch scratch;
  std::vector<uint32_t> history;
  size_t first = out->size();
  ReviewOneVisit(b, visit, stage, scratch, history, out);
  ReviewTargets targets;
  targets.visit = visit;
  CheckFakeHospitalisation(b, stage, targets, out);
  std::stable_sort(out->begin() + std::ptrdiff_t(first), out->end(), FindingBefore);
}

BatchResult ReviewBatch(const BoundRules& b, const BatchOptions& options) {
  const ClaimsStore& s = *b.store;
  ReviewTargets targets;
  targets.institution = options.institution;
  const size_t persons = s.persons.size();
  constexpr size_t kBlock = 512;  // persons per work unit
  const size_t blocks = (persons + kBlock - 1) / kBlock;
  std::vector<std::vector<Finding>> per_block(blocks);
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex progress_mu;
  auto work = [&] {
    ReviewScratch scratch;
    std::vector<uint32_t> history;
    for (size_t blk; (blk = next.fetch_add(1)) < blocks;) {
      size_t end = std::min(persons, (blk + 1) * kBlock);
      for (size_t person = blk * kBlock; person < end; ++person) {
        auto [hb, he] = s.VisitsOf(uint32_t(person));
        if (options.stage == ReviewStage::kAfter) {
          if (hb != he)
            ReviewPersonVisits(b, uint32_t(person), hb, he, ReviewStage::kAfter, targets, scratch,
                               &per_block[blk]);
          continue;
        }
        for (const uint32_t* h = hb; h != he; ++h)
          if (targets.Has(s, *h))
            ReviewOneVisit(b, *h, options.stage, scratch, history, &per_block[blk]);
      }
      size_t d = done.fetch_add(end - blk * kBlock) + (end - blk * kBlock);
      if (options.progress && (blk % 16 == 15 || d == persons)) {
        std::lock_guard<std::mutex> lock(progress_mu);
        options.progress(d, persons);
      }
    }
  };
  int threads = std::max(1, options.threads);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();

  BatchResult result;
  size_t total = 0;
  for (const auto& v : per_block) total += v.size();
  result.findings.reserve(total);
  for (auto& v : per_block)
    for (Finding& f : v) result.findings.push_back(std::move(f));
  CheckFakeHospitalisation(b, options.stage, targets, &result.findings);
  std::stable_sort(result.findings.begin(), result.findings.end(), FindingBefore);

  std::array<uint32_t, kRuleFamilyCount> last_visit_of{};
  last_visit_of.fill(kNoCode);
  for (const Finding& f : result.findings) {
    size_t fam = size_t(b.set->rules()[f.rule].family);
    FamilySummary& sum = result.families[fam];
    ++sum.findings;
    sum.amount += f.amount;
    if (last_visit_of[fam] != f.visit) {
      ++sum.visits;
      last_visit_of[fam] = f.visit;
    }
  }
  for (uint32_t v = 0; v < s.visits.size(); ++v)
    if (targets.Has(s, v)) {
      ++result.visits_reviewed;
      result.lines_reviewed += s.visits[v].line_end - s.visits[v].line_begin;
    }
  return result;
}

}  // namespace yibao
