// Properties over random cases drawn from the real scheme's own code lists: grouping is total
// (a DRG, or QY/0000 with a reason), deterministic, and independent of the order of the secondary
// diagnoses.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "drg/grouper.h"
#include "drg_test_util.h"

namespace yibao {
namespace {

DrgCase RandomCase(const DrgSpec& s, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto chance = [&](int percent) { return static_cast<int>(pick(100)) < percent; };
  DrgCase c;
  c.id = std::to_string(rng());
  c.sex = static_cast<int>(pick(3));
  if (chance(10)) {  // newborns
    c.age_years = 0;
    c.age_days = static_cast<int>(pick(40));
    c.birth_weight_g = chance(80) ? 500 + static_cast<int>(pick(4000)) : 0;
  } else {
    c.age_years = chance(95) ? static_cast<int>(pick(100)) : -1;
  }
  c.los_days = chance(95) ? static_cast<int>(pick(70)) : -1;
  c.discharge = static_cast<int>(pick(6));
  c.main_dx = chance(97) ? s.dx_codes[pick(s.dx_codes.size())] : "Q99.ZZZ";
  size_t nsec = pick(8);
  for (size_t i = 0; i < nsec; ++i) c.secondary_dx.push_back(s.dx_codes[pick(s.dx_codes.size())]);
  size_t nproc = chance(50) ? pick(4) : 0;
  for (size_t i = 0; i < nproc; ++i)
    c.procedures.push_back(s.proc_codes[pick(s.proc_codes.size())]);
  return c;
}

void CheckTotal(const DrgSpec& s, const GroupResult& r) {
  ASSERT_FALSE(r.trace.empty());
  switch (r.status) {
    case GroupStatus::kGrouped: {
      ASSERT_LT(r.drg_index, s.drgs.size());
      const DrgDrg& d = s.drgs[r.drg_index];
      EXPECT_EQ(r.drg, d.code);
      EXPECT_EQ(d.adrg, r.adrg);
      EXPECT_EQ(s.adrgs[r.adrg].mdc, r.mdc);
      EXPECT_TRUE(r.reason.empty());
      EXPECT_EQ(r.trace.back().kind, GroupStepKind::kDrg);
      // The split matches the severity where the ADRG has that split.
      if (d.split == '1') {
        EXPECT_EQ(r.severity, DrgSeverity::kMcc);
      }
      if (d.split == '3') {
        EXPECT_NE(r.severity, DrgSeverity::kNone);
      }
      break;
    }
    case GroupStatus::kAmbiguous:
      EXPECT_TRUE(r.drg == "QY" || (r.drg.size() == 3 && r.drg.substr(1) == "QY")) << r.drg;
      EXPECT_FALSE(r.reason.empty());
      break;
    case GroupStatus::kUngroupable:
      EXPECT_EQ(r.drg, "0000");
      EXPECT_FALSE(r.reason.empty());
      break;
  }
}

bool SameOutcome(const GroupResult& a, const GroupResult& b) {
  return a.status == b.status && a.drg == b.drg && a.mdc == b.mdc && a.adrg == b.adrg &&
         a.severity == b.severity && a.reason == b.reason;
}

TEST(DrgProperties, TotalDeterministicAndOrderIndependent) {
  const DrgSpec& s = RealSpec();
  for (const IcdTables* icd : {static_cast<const IcdTables*>(nullptr), &RealIcd()}) {
    DrgGrouper g = DrgGrouper::Bind(&s, icd);
    std::mt19937_64 rng(icd ? 20240601 : 7);
    GroupResult reused, fresh, shuffled;
    size_t counts[3] = {0, 0, 0};
    for (int i = 0; i < 20000; ++i) {
      DrgCase c = RandomCase(s, rng);
      GroupCase(g, c, &reused);
      ASSERT_NO_FATAL_FAILURE(CheckTotal(s, reused)) << c.main_dx;
      ++counts[static_cast<int>(reused.status)];
      // Deterministic: a fresh result, the same outcome and the same trace.
      fresh = GroupResult();
      GroupCase(g, c, &fresh);
      ASSERT_TRUE(SameOutcome(reused, fresh)) << c.main_dx;
      ASSERT_EQ(reused.trace.size(), fresh.trace.size());
      for (size_t k = 0; k < fresh.trace.size(); ++k)
        ASSERT_EQ(RenderTraceStep(s, reused, reused.trace[k]),
                  RenderTraceStep(s, fresh, fresh.trace[k]));
      // Order of the secondary diagnoses does not matter.
      DrgCase d = c;
      std::shuffle(d.secondary_dx.begin(), d.secondary_dx.end(), rng);
      std::reverse(d.secondary_dx.begin(), d.secondary_dx.end());
      GroupCase(g, d, &shuffled);
      ASSERT_TRUE(SameOutcome(reused, shuffled))
          << c.main_dx << ": " << reused.drg << " vs " << shuffled.drg;
    }
    // The generator reaches every outcome.
    EXPECT_GT(counts[0], 1000u);
    EXPECT_GT(counts[1], 10u);
    EXPECT_GT(counts[2], 10u);
  }
}

// Cases built from each ADRG's own lists reach that ADRG or an earlier one of the spec order:
// no ADRG is unreachable because of the loader.
TEST(DrgProperties, EveryAdrgIsReachable) {
  const DrgSpec& s = RealSpec();
  std::set<std::string> reached;
  GroupResult r;
  for (const DrgAdrg& a : s.adrgs) {
    for (const DrgAlternative& alt : a.any) {
      DrgCase c;
      c.sex = s.mdcs[a.mdc].letter == 'M' ? 1 : 2;
      c.age_years = 0;
      c.age_days = 10;
      c.los_days = 5;
      c.birth_weight_g = 3000;
      for (const DrgCondition& k : a.implied) {
        if (k.kind == DrgConditionKind::kBirthWeightGrams) c.birth_weight_g = std::max(k.lo, 1);
        if (k.kind == DrgConditionKind::kAgeDays) c.age_days = k.lo;
      }
      std::string proc_main;
      for (const DrgCondition& k : alt.all) {
        const auto& ids = s.sets[k.set].ids;
        switch (k.kind) {
          case DrgConditionKind::kMainDiagnosis:
          case DrgConditionKind::kAnyDiagnosis:
            if (c.main_dx.empty()) c.main_dx = s.dx_codes[ids.front()];
            break;
          case DrgConditionKind::kMainProcedure:
            proc_main = s.proc_codes[ids.front()];
            break;
          case DrgConditionKind::kSomeProcedure:
            c.procedures.push_back(s.proc_codes[ids.front()]);
            break;
          default:
            break;
        }
      }
      if (!proc_main.empty()) c.procedures.insert(c.procedures.begin(), proc_main);
      if (c.main_dx.empty()) {  // procedure-only ADRGs: a main diagnosis of the MDC
        const DrgMdc& m = s.mdcs[a.mdc];
        if (m.table != UINT32_MAX)
          c.main_dx = s.dx_codes[s.sets[m.table].ids.front()];
        else
          c.main_dx = "I50.900";
      }
      GroupCase(s, c, &r);
      if (r.status == GroupStatus::kGrouped) reached.insert(s.adrgs[r.adrg].code);
    }
  }
  // Most ADRGs are reached by their own first codes; the rest are shadowed by an earlier ADRG of
  // the spec order (a first code that an earlier list also has) or need codes of two MDCs.
  EXPECT_GT(reached.size(), 300u);
}

}  // namespace
}  // namespace yibao
