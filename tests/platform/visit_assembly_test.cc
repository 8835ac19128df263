// AssembleVisit's cross-region class: the place of treatment from the visit's details, the filing
// from the person's filings — read only for a visit outside the insured pool.
#include "platform/visit_assembly.h"

#include <gtest/gtest.h>

namespace yibao {
namespace {

const Region& Sample() {
  static const Region region = [] {
    auto r = LoadRegion(std::string(YIBAO_SOURCE_DIR) + "/regions/qinglan");
    if (!r) ADD_FAILURE() << FormatDiagnostics(r.errors());
    return r ? std::move(*r) : Region();
  }();
  return region;
}

class VisitAssemblyTest : public testing::Test {
 protected:
  void SetUp() override {
    visit_.fixmedins_code = "H37990000001";
    visit_.mdtrt_id = "V1";
    visit_.psn_no = "P1";
    visit_.insutype = "310";
    visit_.med_type = "21";
    visit_.begntime = "2025-04-02 08:00:00";
    person_.psn_no = "P1";
    person_.gend = "1";
    person_.brdy = "1982-06-15";
    person_.insurances.push_back({"310", "in_service", "1", "2005-07-01", "", "379900", "", "0"});
    institution_.fixmedins_code = "H37990000001";
    institution_.hosp_lv = 3;
    line_.feedetl_sn = "1";
    line_.med_list_codg = "001110000010000";
    line_.cnt = "1";
    line_.pric = "11000";
    line_.det_item_fee_sumamt = 1100000;
  }

  // The class of the visit treated in `place` with `filings`; counts the reads of the filings.
  std::string ClassIn(const std::string& place, std::vector<FilingRecord> filings = {}) {
    VisitAssembly a;
    a.visit = &visit_;
    a.details.mdtrtarea_admvs = place;
    a.details.diagnoses = {"K80.101"};
    a.person = &person_;
    a.institution = &institution_;
    a.lines = {&line_};
    a.end_date = "2025-04-14";
    a.filings = [this, filings] {
      ++reads_;
      return filings;
    };
    auto prepared = AssembleVisit(a, Sample());
    if (!prepared) return FormatDiagnostics(prepared.errors());
    EXPECT_EQ(prepared->visit.treatment_admdvs, place.empty() ? "379900" : place);
    return CrossRegionName(prepared->visit.cross);
  }

  VisitRecord visit_;
  PersonRecord person_;
  InstitutionRecord institution_;
  FeeLineRecord line_;
  int reads_ = 0;
};

FilingRecord Filed(std::string type, std::string place, std::string begin = "2025-01-01") {
  return FilingRecord{"BA-1", "P1", std::move(type), std::move(place), std::move(begin), "", false};
}

TEST_F(VisitAssemblyTest, ALocalVisitNeverReadsTheFilings) {
  EXPECT_EQ(ClassIn(""), "local");
  EXPECT_EQ(ClassIn("379900"), "local");
  EXPECT_EQ(ClassIn("379902", {Filed("long_term", "379902")}), "local");  // same city pool
  EXPECT_EQ(reads_, 0);
}

TEST_F(VisitAssemblyTest, OutsideThePoolTheFilingThatAppliesDecides) {
  EXPECT_EQ(ClassIn("440300"), "cross_unfiled");
  EXPECT_EQ(reads_, 1);
  EXPECT_EQ(ClassIn("440305", {Filed("long_term", "440000")}), "cross_filed");
  EXPECT_EQ(ClassIn("440305", {Filed("referral", "440300")}), "cross_referral");
  // Filed during the stay (补办): counts at the discharge settlement.
  EXPECT_EQ(ClassIn("440305", {Filed("emergency", "440305", "2025-04-10")}), "cross_emergency");
  EXPECT_EQ(ClassIn("440305", {Filed("emergency", "440305", "2025-04-15")}), "cross_unfiled");
  EXPECT_EQ(ClassIn("440305", {Filed("long_term", "450000")}), "cross_unfiled");
  // Another pool of the same province.
  EXPECT_EQ(ClassIn("370100"), "in_province_unfiled");
  EXPECT_EQ(ClassIn("370100", {Filed("referral", "370100")}), "in_province");
  EXPECT_EQ(reads_, 8);  // every visit outside the pool, once
}

TEST_F(VisitAssemblyTest, AMalformedPlaceOfTreatmentIsRefusedByName) {
  EXPECT_NE(ClassIn("44030X").find("mdtrtarea_admvs"), std::string::npos);
  EXPECT_EQ(reads_, 0);
}

}  // namespace
}  // namespace yibao
