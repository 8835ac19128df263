// The review's kept encounters (platform/history_encounters.h): one is used again only when it was
// built from the very records the ledger hands out now; and, over a read-cached ledger whose
// history keeps changing, the review at settlement with kept encounters is the review without.
#include "platform/history_encounters.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "../ledger/ledger_test_util.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "platform/register_seed.h"
#include "platform/review_base.h"
#include "platform/settlement_review.h"
#include "platform/visit_assembly.h"
#include "region/region.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;

PersonVisit History(const std::string& mdtrt_id) {
  VisitRecord v;
  v.fixmedins_code = "H37990000001";
  v.mdtrt_id = mdtrt_id;
  v.begntime = "2025-03-01 09:00:00";
  FeeLineRecord l;
  l.feedetl_sn = "1";
  return PersonVisit{std::make_shared<const VisitRecord>(v), true,
                     std::make_shared<const std::vector<FeeLineRecord>>(1, l)};
}

InstitutionRecord Hospital(int level) {
  InstitutionRecord i;
  i.fixmedins_code = "H37990000001";
  i.fixmedins_type = "1";
  i.hosp_lv = level;
  return i;
}

TEST(HistoryEncounters, AKeptEncounterIsUsedOnlyForTheSameRecordsAndFields) {
  HistoryEncounters kept;
  int builds = 0;
  auto build = [&] {
    ++builds;
    auto e = std::make_shared<ReviewEncounter>();
    e->mdtrt_id = "built " + std::to_string(builds);
    return SharedEncounter(std::move(e));
  };
  const Date end = *Date::Parse("2025-03-01");
  PersonVisit h = History("V1");
  SharedEncounter first = kept.Get(h, Hospital(3), end, "379900", build);
  EXPECT_EQ(kept.Get(h, Hospital(3), end, "379900", build), first);
  EXPECT_EQ(builds, 1);
  EXPECT_EQ(kept.reused(), 1u);

  // Equal contents in new records are not the same records: a write replaced them.
  PersonVisit relined = h;
  relined.lines = std::make_shared<const std::vector<FeeLineRecord>>(*h.lines);
  EXPECT_NE(kept.Get(relined, Hospital(3), end, "379900", build), first);
  PersonVisit revisited = relined;
  revisited.visit = std::make_shared<const VisitRecord>(*h.visit);
  kept.Get(revisited, Hospital(3), end, "379900", build);
  EXPECT_EQ(builds, 3);
  // The institution's fields, the end day and the region each count.
  kept.Get(revisited, Hospital(2), end, "379900", build);
  kept.Get(revisited, Hospital(2), PlusDays(end, 1), "379900", build);
  kept.Get(revisited, Hospital(2), PlusDays(end, 1), "379800", build);
  EXPECT_EQ(builds, 6);
  SharedEncounter last = kept.Get(revisited, Hospital(2), PlusDays(end, 1), "379800", build);
  EXPECT_EQ(builds, 6);
  EXPECT_EQ(last->mdtrt_id, "built 6");
  // A build that gives nothing keeps nothing.
  PersonVisit other = History("V2");
  auto none = [&] {
    ++builds;
    return SharedEncounter();
  };
  EXPECT_EQ(kept.Get(other, Hospital(3), end, "379900", none), nullptr);
  EXPECT_EQ(kept.Get(other, Hospital(3), end, "379900", none), nullptr);
  EXPECT_EQ(builds, 8);
}

// The review's request as text: every visit and line field the rules read.
std::string Describe(const ReviewRequest& r) {
  const ClaimsStore& s = r.store;
  std::ostringstream o;
  o << "current " << r.current_visit << "\n";
  for (size_t i = 0; i < s.visits.size(); ++i) {
    const ClaimsVisit& v = s.visits[i];
    const ClaimsInstitution& in = s.institutions[v.institution];
    o << s.mdtrt_ids[i] << " at " << in.code << " lv " << in.level << " "
      << InstitutionTypeName(in.type) << " med " << v.med_type << " "
      << CareScenarioName(v.scenario) << " " << v.begin.ToString() << ".." << v.end.ToString()
      << " dept " << (v.dept == kNoCode ? "-" : std::string(s.depts.Name(v.dept))) << " dx "
      << (v.main_dx == kNoCode ? "-" : std::string(s.DxCode(v.main_dx)));
    for (uint32_t k = v.dx_begin; k < v.dx_end; ++k) o << "," << s.DxCode(s.visit_dx[k]);
    o << " insutype " << v.insutype << " area " << v.area << " cross " << v.cross_province
      << " total " << v.total.ToString() << " discharge " << int(v.discharge) << "\n";
    for (uint32_t k = v.line_begin; k < v.line_end; ++k) {
      const ClaimLine& l = s.lines[k];
      o << "  " << s.line_sns[k] << " " << s.ItemCode(l) << " " << l.date.ToString() << " " << l.cnt
        << " x " << l.pric << " = " << l.amount.ToString() << " days " << l.prd_days << " approved "
        << l.approved << " rx " << r.rx_ids[k] << "\n";
    }
  }
  return o.str();
}

constexpr const char* kPerson = "37990000000000000001";  // 张伟, employee (310)
constexpr const char* kHospitals[] = {"H37990000001", "H37990000012"};

struct Item {
  const char* code;
  const char* cnt;
  const char* pric;
  int64_t fen;
};
// Items the bundled rules price and review; amoxicillin above its cap makes findings.
constexpr Item kItems[] = {{"001102000010000", "1", "10", 1000},
                           {"XJ01CAB007A002010101373", "24", "0.10", 240},
                           {"002501010150000", "1", "20", 2000},
                           {"XA10BAG462A001010190618", "30", "0.025", 75}};

class KeptEncountersReviewTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("yibao-kept-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto region = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
    ASSERT_TRUE(region.ok()) << FormatDiagnostics(region.errors());
    region_ = std::make_shared<const Region>(std::move(*region));
    auto ledger = OpenSqliteLedger((dir_ / "ledger.db").string());
    ASSERT_TRUE(ledger.ok());
    ledger_ = WithReadCache(std::move(*ledger));  // as `yibao serve` reads it
    ASSERT_TRUE(SeedLedger(*region_, *ledger_));
    auto review = LoadReviewBase(std::string(YIBAO_SOURCE_DIR) + "/rules/national",
                                 std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan/knowledge",
                                 region_->catalogue);
    ASSERT_TRUE(review.ok()) << FormatDiagnostics(review.errors());
    review_ = *review;
  }
  void TearDown() override {
    ledger_.reset();
    fs::remove_all(dir_);
  }

  VisitRecord Visit(int n, int hospital, int day, const std::string& dx) {
    VisitRecord v;
    v.fixmedins_code = kHospitals[hospital];
    v.mdtrt_id = "V" + std::to_string(n);
    v.psn_no = kPerson;
    v.insutype = "310";
    v.med_type = "11";
    v.ipt_otp_no = "MZ" + std::to_string(n);
    v.begntime = "2025-03-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + " 09:00:00";
    v.endtime = v.begntime;
    v.status = "registered";
    VisitDetails d;
    d.dept_codg = "A03";
    d.diagnoses = {dx};
    v.info_json = VisitDetailsJson(d);
    return v;
  }
  FeeLineRecord Line(const VisitRecord& v, int sn, const Item& item) {
    FeeLineRecord l;
    l.fixmedins_code = v.fixmedins_code;
    l.mdtrt_id = v.mdtrt_id;
    l.feedetl_sn = std::to_string(sn);
    l.chrg_bchno = "1";
    l.med_list_codg = item.code;
    l.medins_list_codg = item.code;
    l.cnt = item.cnt;
    l.pric = item.pric;
    l.det_item_fee_sumamt = item.fen;
    l.hosp_appr_flag = "0";
    l.fee_ocur_time = v.begntime;
    return l;
  }
  void Write(LedgerWrite w) {
    const std::string what = w.visit        ? "visit " + w.visit->mdtrt_id
                             : w.settlement ? "settlement " + w.settlement->setl_id
                                            : "other";
    ASSERT_EQ(ledger_->SubmitAndWait(std::move(w)), WriteStatus::kDurable) << what;
  }
  // A live settlement row makes a visit a claim; its amounts do not matter to the review.
  void Settle(const VisitRecord& v, const std::string& setl_id, const std::string& cancels = "") {
    LedgerWrite w = ledger_test::Settlement(setl_id, v.mdtrt_id, kPerson, 0, 0, 100);
    w.fixmedins_code = w.settlement->fixmedins_code = v.fixmedins_code;
    w.settlement->cancels = cancels;
    w.journal = {{std::string("cash:") + kPerson, -100}, {"hospital:" + v.fixmedins_code, 100}};
    Write(std::move(w));
  }

  // The review of `current` with `kept`, as text with its findings.
  std::string Review(const VisitRecord& current, const std::vector<FeeLineRecord>& lines,
                     HistoryEncounters* kept) {
    std::vector<const FeeLineRecord*> refs;
    for (const FeeLineRecord& l : lines) refs.push_back(&l);
    auto priced = PriceVisit(*ledger_, region_, current, refs, "", "", true);
    EXPECT_TRUE(priced.ok()) << FormatDiagnostics(priced.errors());
    if (!priced) return "";
    auto review = ReviewAtSettlement(*ledger_, *review_, **priced, current, refs, kept);
    EXPECT_TRUE(review.ok()) << FormatDiagnostics(review.errors());
    if (!review) return "";
    std::string text = Describe(review->request);
    for (const Finding& f : review->findings)
      text += "finding " + review_->rules.rules()[f.rule].id + " " + f.amount.ToString() + "\n";
    return text;
  }

  fs::path dir_;
  std::shared_ptr<const Region> region_;
  std::unique_ptr<Ledger> ledger_;
  std::shared_ptr<const ReviewBase> review_;
};

// Visits registered, re-diagnosed, moved in time; lines uploaded and cancelled; settlements made
// and cancelled; the institution's level changed: after each, the review with kept encounters
// (kept across all of them, as the server keeps them) equals the review that builds every one.
TEST_F(KeptEncountersReviewTest, ReviewWithKeptEncountersEqualsTheReviewWithout) {
  std::mt19937 rng(20261124);
  auto pick = [&](int n) { return int(rng() % unsigned(n)); };
  const char* kDiagnoses[] = {"E11.900", "J06.900", "I10.x00"};
  HistoryEncounters kept;
  std::vector<VisitRecord> visits;
  std::vector<int> next_sn;
  std::vector<std::vector<std::string>> live_sns;
  std::vector<std::string> live_setl;  // per visit: its live setl_id, or ""
  int setl_seq = 0;
  auto add_visit = [&] {
    const int n = int(visits.size());
    VisitRecord v = Visit(n, pick(2), 1 + pick(27), kDiagnoses[pick(3)]);
    LedgerWrite w;
    w.visit = v;
    next_sn.push_back(0);
    live_sns.emplace_back();
    for (int k = 0, lines = 1 + pick(4); k < lines; ++k) {
      w.fee_lines.push_back(Line(v, ++next_sn.back(), kItems[pick(4)]));
      live_sns.back().push_back(w.fee_lines.back().feedetl_sn);
    }
    Write(std::move(w));
    visits.push_back(v);
    live_setl.push_back("");
  };
  for (int i = 0; i < 6; ++i) add_visit();

  const VisitRecord current = Visit(999, 0, 28, "E11.900");
  std::vector<FeeLineRecord> current_lines;
  for (int k = 0; k < 3; ++k) current_lines.push_back(Line(current, k + 1, kItems[k + 1]));
  {
    LedgerWrite w;
    w.visit = current;
    w.fee_lines = current_lines;
    Write(std::move(w));
  }

  int steps_with_findings = 0;
  for (int step = 0; step < 160; ++step) {
    const int i = pick(int(visits.size()));
    VisitRecord& v = visits[i];
    switch (pick(7)) {
      case 0: {  // re-diagnosed, or moved to another day (2203 again)
        VisitDetails d;
        d.dept_codg = "A03";
        d.diagnoses = {kDiagnoses[pick(3)]};
        v.info_json = VisitDetailsJson(d);
        if (pick(2)) v.begntime = v.endtime = Visit(i, 0, 1 + pick(27), "").begntime;
        LedgerWrite w;
        w.visit = v;
        Write(std::move(w));
        break;
      }
      case 1: {  // a line uploaded
        LedgerWrite w;
        w.fee_lines.push_back(Line(v, ++next_sn[i], kItems[pick(4)]));
        live_sns[i].push_back(w.fee_lines.back().feedetl_sn);
        Write(std::move(w));
        break;
      }
      case 2: {  // a line cancelled
        if (live_sns[i].empty()) break;
        const size_t k = size_t(pick(int(live_sns[i].size())));
        LedgerWrite w;
        FeeLineRecord gone = Line(v, 0, kItems[0]);
        gone.feedetl_sn = live_sns[i][k];
        w.fee_lines_cancelled.push_back(gone);
        live_sns[i].erase(live_sns[i].begin() + long(k));
        Write(std::move(w));
        break;
      }
      case 3:  // settled, or its settlement cancelled
        if (live_setl[i].empty()) {
          live_setl[i] = "S" + std::to_string(++setl_seq);
          Settle(v, live_setl[i]);
        } else {
          Settle(v, "S" + std::to_string(++setl_seq), live_setl[i]);
          live_setl[i].clear();
        }
        break;
      case 4: {  // the institution's level changes (the register's upsert)
        auto in = ledger_->FindInstitution(kHospitals[pick(2)]);
        ASSERT_TRUE(in.has_value());
        in->hosp_lv = 1 + pick(3);
        LedgerWrite w;
        w.institutions.push_back(*in);
        Write(std::move(w));
        break;
      }
      case 5:
        if (visits.size() < 14) add_visit();
        break;
      default:  // nothing written: the next review should use what it kept
        break;
    }
    const std::string with_kept = Review(current, current_lines, &kept);
    const std::string without = Review(current, current_lines, nullptr);
    ASSERT_EQ(with_kept, without) << "after step " << step;
    if (without.find("finding ") != std::string::npos) ++steps_with_findings;
  }
  // The comparison covered findings too, not only the encounters.
  EXPECT_GT(steps_with_findings, 0);
  EXPECT_GT(kept.reused(), 100u)
      << "the kept encounters were hardly ever used: the test proves little";
}

}  // namespace
}  // namespace yibao
