// Every rule family of the bundled rule base on small hand-made exports: a positive case (the
// abuse, found on the right visit) and a negative case (normal care beside it, not found).
#include <gtest/gtest.h>

#include "review_test_util.h"

namespace yibao::review_test {
namespace {

#define EXPECT_FOUND(run, family, visit) \
  EXPECT_TRUE((run)->Has(family, visit)) << "findings:\n" << (run)->Describe()
#define EXPECT_NOT_FOUND(run, family, visit) \
  EXPECT_FALSE((run)->Has(family, visit)) << "findings:\n" << (run)->Describe()

// ---- scope_*

TEST(ScopeInsutype, MaternityDrugUnderEmployeeInsurance) {
  ExportBuilder b;
  b.Visit("V1", "P2", "H3", "11", "2025-03-01").Add(kFolic, "1", "5");
  auto r = Review(b);
  EXPECT_FOUND(r, "scope_insutype", "V1");
  EXPECT_EQ(r->Find("scope_insutype", "V1")->amount, Money::Yuan(5));
}
TEST(ScopeInsutype, UnderMaternityInsuranceIsFine) {
  ExportBuilder b;
  TestVisit& v = b.Visit("V1", "P2", "H3", "11", "2025-03-01");
  v.insutype = "510";
  v.Add(kFolic, "1", "5");
  EXPECT_NOT_FOUND(Review(b), "scope_insutype", "V1");
}

TEST(ScopeLevel, TertiaryDrugAtCommunityClinic) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H1", "11", "2025-03-01").Add(kTertiary, "1", "100");
  EXPECT_FOUND(Review(b), "scope_level", "V1");
}
TEST(ScopeLevel, AtTertiaryHospitalIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kTertiary, "1", "100");
  EXPECT_NOT_FOUND(Review(b), "scope_level", "V1");
}

TEST(ScopeSetting, WardOnlyDrugInOutpatientClinic) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kWardOnly, "2", "30");
  EXPECT_FOUND(Review(b), "scope_setting", "V1");
}
TEST(ScopeSetting, OnTheWardIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-03").Add(kWardOnly, "2", "30");
  EXPECT_NOT_FOUND(Review(b), "scope_setting", "V1");
}

TEST(ScopeSpecialty, RehabilitationDrugFromGeneralMedicine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kRehab, "1", "20", "", "", "", "", "", "A03");
  EXPECT_FOUND(Review(b), "scope_specialty", "V1");
}
TEST(ScopeSpecialty, FromRehabilitationIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01")
      .Add(kRehab, "1", "20", "", "", "", "", "", "A21.01");
  EXPECT_NOT_FOUND(Review(b), "scope_specialty", "V1");
}

TEST(ScopeSex, FemaleOnlyDrugForAMan) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kFemale, "1", "12");
  auto r = Review(b);
  EXPECT_FOUND(r, "scope_sex", "V1");
  EXPECT_NE(r->Find("scope_sex", "V1")->evidence.find("female"), std::string::npos);
}
TEST(ScopeSex, ForAWomanIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P2", "H3", "11", "2025-03-01").Add(kFemale, "1", "12");
  EXPECT_NOT_FOUND(Review(b), "scope_sex", "V1");
}

TEST(ScopeAge, AdultOnlyDrugForAChild) {
  ExportBuilder b;
  b.Visit("V1", "P3", "H3", "11", "2025-03-01").Add(kAdult, "1", "8");
  EXPECT_FOUND(Review(b), "scope_age", "V1");
}
TEST(ScopeAge, ForAnAdultIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kAdult, "1", "8");
  EXPECT_NOT_FOUND(Review(b), "scope_age", "V1");
}

TEST(ScopeIndication, DiabetesDrugWithoutDiabetes) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kDiabetic, "30", "2");
  EXPECT_FOUND(Review(b), "scope_indication", "V1");
}
TEST(ScopeIndication, WithASecondaryDiabetesDiagnosisIsFine) {
  ExportBuilder b;
  TestVisit& v = b.Visit("V1", "P1", "H3", "11", "2025-03-01");
  v.diag = "E11.900";
  v.Add(kDiabetic, "30", "2");
  EXPECT_NOT_FOUND(Review(b), "scope_indication", "V1");
}
TEST(ScopeIndication, ApprovedLineIsNotAFinding) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kDiabetic, "30", "2", "", "", "", "", "1");
  EXPECT_NOT_FOUND(Review(b), "scope_indication", "V1");
}

TEST(ScopeStepTherapy, SecondLineWithoutFirstLine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-10").Add(kSecondLine, "6", "20");
  EXPECT_FOUND(Review(b), "scope_step_therapy", "V1");
}
TEST(ScopeStepTherapy, AfterFirstLineElsewhereIsFine) {
  ExportBuilder b;
  b.Visit("V0", "P1", "H1", "11", "2025-03-01").Add(kFirstLine, "12", "1");
  b.Visit("V1", "P1", "H3", "11", "2025-03-10").Add(kSecondLine, "6", "20");
  EXPECT_NOT_FOUND(Review(b), "scope_step_therapy", "V1");
}
TEST(ScopeStepTherapy, FirstLineOutsideTheWindowDoesNotCount) {
  ExportBuilder b;
  b.Visit("V0", "P1", "H1", "11", "2025-01-01").Add(kFirstLine, "12", "1");
  b.Visit("V1", "P1", "H3", "11", "2025-03-10").Add(kSecondLine, "6", "20");
  EXPECT_FOUND(Review(b), "scope_step_therapy", "V1");  // 68 days > 30
}

// ---- standard_*

TEST(StandardDose, SingleDoseAboveMaximum) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.5", "", "2", "2", "5");
  auto r = Review(b);
  EXPECT_FOUND(r, "standard_dose", "V1");
  EXPECT_EQ(r->Find("standard_dose", "V1")->amount, Money::Fen(250));  // half of 5.00
}
TEST(StandardDose, WithinMaximumIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.5", "", "1", "2", "5");
  EXPECT_NOT_FOUND(Review(b), "standard_dose", "V1");
}

TEST(StandardFrequency, TimesPerDayAboveMaximum) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.5", "", "1", "6", "2");
  EXPECT_FOUND(Review(b), "standard_frequency", "V1");
}
TEST(StandardFrequency, WithinMaximumIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.5", "", "1", "3", "3");
  EXPECT_NOT_FOUND(Review(b), "standard_frequency", "V1");
}

TEST(StandardQuantity, TwoXraysOnOneDay) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kXray, "1", "40").Add(kXray, "1", "40");
  auto r = Review(b);
  EXPECT_FOUND(r, "standard_quantity", "V1");
  EXPECT_EQ(r->Find("standard_quantity", "V1")->lines.size(), 2u);
  EXPECT_EQ(r->Find("standard_quantity", "V1")->amount, Money::Yuan(40));
}
TEST(StandardQuantity, ThreeOnAStayAboveTheVisitMaximum) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-05")
      .Add(kXray, "1", "40", "2025-03-01")
      .Add(kXray, "1", "40", "2025-03-02")
      .Add(kXray, "1", "40", "2025-03-03");
  EXPECT_FOUND(Review(b), "standard_quantity", "V1");
}
TEST(StandardQuantity, OneADayOnTwoDaysIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-05")
      .Add(kXray, "1", "40", "2025-03-01")
      .Add(kXray, "1", "40", "2025-03-03");
  EXPECT_NOT_FOUND(Review(b), "standard_quantity", "V1");
}

// A line for a course of N days (prd_days) supplies its count over them: 2 over 2 days is 1 a day
// (the maximum), 3 over 2 days is 2 a day (rounded up).
TEST(StandardQuantity, ACourseSpreadsItsCountOverItsDays) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kXray, "2", "40", "", "", "", "2");
  EXPECT_NOT_FOUND(Review(b), "standard_quantity", "V1");
  ExportBuilder over;
  over.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kXray, "3", "40", "", "", "", "2");
  EXPECT_FOUND(Review(over), "standard_quantity", "V1");
}

TEST(StandardCourse, CourseAboveMaximum) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "28", "0.5", "", "1", "2", "14");
  EXPECT_FOUND(Review(b), "standard_course", "V1");
}
TEST(StandardCourse, WithinMaximumIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "14", "0.5", "", "1", "2", "7");
  EXPECT_NOT_FOUND(Review(b), "standard_course", "V1");
}

TEST(StandardAnnual, SecondVisitTakesTheYearAboveTheMaximum) {
  ExportBuilder b;                                                         // kPain: 100 yuan a year
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "120", "0.5");  // 60
  b.Visit("V2", "P1", "H1", "11", "2025-05-01").Add(kPain, "120", "0.5");  // 120 in all
  auto r = Review(b);
  EXPECT_NOT_FOUND(r, "standard_annual", "V1");
  EXPECT_FOUND(r, "standard_annual", "V2");
  EXPECT_EQ(r->Find("standard_annual", "V2")->amount, Money::Yuan(20));
}
TEST(StandardAnnual, WithinTheYearOrAcrossYearsIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2024-12-01").Add(kPain, "120", "0.5");
  b.Visit("V2", "P1", "H1", "11", "2025-05-01").Add(kPain, "120", "0.5");
  auto r = Review(b);
  EXPECT_NOT_FOUND(r, "standard_annual", "V1");
  EXPECT_NOT_FOUND(r, "standard_annual", "V2");
}

TEST(StandardMarkup, PriceAboveProcurementPrice) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.6");
  auto r = Review(b);
  EXPECT_FOUND(r, "standard_markup", "V1");
  EXPECT_EQ(r->Find("standard_markup", "V1")->amount, Money::Yuan(1));
}
TEST(StandardMarkup, AtProcurementPriceIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPain, "10", "0.5");
  EXPECT_NOT_FOUND(Review(b), "standard_markup", "V1");
}

// ---- charge_*

TEST(ChargeDuplicate, InjectionChargedWithTheInfusionThatIncludesIt) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kInfusion, "1", "15").Add(kInjection, "1", "5");
  auto r = Review(b);
  EXPECT_FOUND(r, "charge_duplicate", "V1");
  ASSERT_EQ(r->Find("charge_duplicate", "V1")->lines.size(), 1u);
  EXPECT_EQ(r->store.line_sns[r->Find("charge_duplicate", "V1")->lines[0]], "V1-2");
}
TEST(ChargeDuplicate, OnDifferentDaysIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-04")
      .Add(kInfusion, "1", "15", "2025-03-01")
      .Add(kInjection, "1", "5", "2025-03-02");
  EXPECT_NOT_FOUND(Review(b), "charge_duplicate", "V1");
}

TEST(ChargeMissingAssociated, AnaesthesiaWithoutSurgery) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kAnaesthesia, "1", "200");
  EXPECT_FOUND(Review(b), "charge_missing_associated", "V1");
}
TEST(ChargeMissingAssociated, WithTheSurgeryIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01")
      .Add(kAnaesthesia, "1", "200")
      .Add(kSuture, "1", "100");
  EXPECT_NOT_FOUND(Review(b), "charge_missing_associated", "V1");
}

TEST(ChargeSubstitution, CtBilledWithoutHeadInjury) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kCtScan, "1", "150");
  EXPECT_FOUND(Review(b), "charge_substitution", "V1");
}
TEST(ChargeSubstitution, JustifiedByTheDiagnosisIsFine) {
  ExportBuilder b;
  TestVisit& v = b.Visit("V1", "P1", "H3", "11", "2025-03-01");
  v.main_dx = "S06.000";
  v.Add(kCtScan, "1", "150");
  EXPECT_NOT_FOUND(Review(b), "charge_substitution", "V1");
}

TEST(ChargeFictitious, BedDaysBeyondTheStay) {
  ExportBuilder b;  // 3 days of stay: at most 4 bed-days
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-04").Add(kBed, "6", "50");
  auto r = Review(b);
  EXPECT_FOUND(r, "charge_fictitious", "V1");
  EXPECT_EQ(r->Find("charge_fictitious", "V1")->amount, Money::Yuan(100));
}
TEST(ChargeFictitious, LineDatedAfterDischarge) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-04")
      .Add(kBed, "3", "50")
      .Add(kAmlo, "7", "1", "2025-03-09");
  auto r = Review(b);
  EXPECT_FOUND(r, "charge_fictitious", "V1");
  EXPECT_NE(r->Find("charge_fictitious", "V1")->evidence.find("2025-03-09"), std::string::npos);
}
TEST(ChargeFictitious, BedDaysWithinTheStayAreFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-04").Add(kBed, "4", "50");
  EXPECT_NOT_FOUND(Review(b), "charge_fictitious", "V1");
}

TEST(ChargeSplit, PanelComponentsChargedSeparately) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kPanelA, "1", "20").Add(kPanelB, "1", "20");
  auto r = Review(b);
  EXPECT_FOUND(r, "charge_split", "V1");
  EXPECT_EQ(r->Find("charge_split", "V1")->lines.size(), 2u);
}
TEST(ChargeSplit, ThePanelItselfIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "21", "2025-03-01", "2025-03-03")
      .Add(kPanel, "1", "35")
      .Add(kPanelA, "1", "20", "2025-03-02");  // one component alone, another day
  EXPECT_NOT_FOUND(Review(b), "charge_split", "V1");
}

TEST(ChargePricedAlike, SecondSutureAtFullPrice) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kSuture, "2", "100");
  auto r = Review(b);
  EXPECT_FOUND(r, "charge_priced_alike", "V1");
  EXPECT_EQ(r->Find("charge_priced_alike", "V1")->amount, Money::Yuan(50));
}
TEST(ChargePricedAlike, SecondAtHalfPriceIsFine) {
  ExportBuilder b;
  b.Visit("V1", "P1", "H3", "11", "2025-03-01").Add(kSuture, "1", "100").Add(kSuture, "1", "50");
  EXPECT_NOT_FOUND(Review(b), "charge_priced_alike", "V1");
}

// ---- visit_*

void Stay(ExportBuilder& b, std::string id, std::string psn, std::string inst, std::string begin,
          std::string end, std::string dx) {
  TestVisit& v = b.Visit(std::move(id), std::move(psn), std::move(inst), "21", begin, end);
  v.main_dx = std::move(dx);
  v.dscg = "1";
  v.Add(kBed, "1", "50", begin).Add(kWardOnly, "1", "30", begin);
}

TEST(VisitSplitHospitalisation, ReadmissionWithinFifteenDays) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-10", "J18.900");
  Stay(b, "S2", "P1", "H3", "2025-03-15", "2025-03-22", "J18.000");
  auto r = Review(b);
  EXPECT_NOT_FOUND(r, "visit_split_hospitalisation", "S1");
  EXPECT_FOUND(r, "visit_split_hospitalisation", "S2");
}
TEST(VisitSplitHospitalisation, LaterOrPlannedOrElsewhereIsFine) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-10", "J18.900");
  Stay(b, "S2", "P1", "H3", "2025-04-01", "2025-04-05", "J18.900");  // 22 days
  Stay(b, "S3", "P2", "H3", "2025-03-01", "2025-03-03", "C34.900");
  Stay(b, "S4", "P2", "H3", "2025-03-10", "2025-03-11", "Z51.100");  // chemotherapy: planned
  Stay(b, "S5", "P4", "H3", "2025-03-01", "2025-03-03", "K80.000");
  Stay(b, "S6", "P4", "H2", "2025-03-06", "2025-03-09", "K80.000");  // another hospital
  auto r = Review(b);
  EXPECT_EQ(r->Count("visit_split_hospitalisation"), 0u) << r->Describe();
}

TEST(VisitOutpatientDuringInpatient, ClinicVisitInsideAStay) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-10", "J18.900");
  b.Visit("O1", "P1", "H1", "11", "2025-03-05").Add(kAmlo, "7", "1");
  auto r = Review(b);
  EXPECT_FOUND(r, "visit_outpatient_during_inpatient", "O1");
  EXPECT_NOT_FOUND(r, "visit_outpatient_during_inpatient", "S1");
}
TEST(VisitOutpatientDuringInpatient, OnTheDischargeDayIsFine) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-10", "J18.900");
  b.Visit("O1", "P1", "PH", "41", "2025-03-10").Add(kAmlo, "7", "1");
  EXPECT_NOT_FOUND(Review(b), "visit_outpatient_during_inpatient", "O1");
}

TEST(VisitBedWithoutTreatment, SixDaysOfBedAndNursingOnly) {
  ExportBuilder b;
  TestVisit& v = b.Visit("S1", "P1", "H3", "21", "2025-03-01", "2025-03-07");
  v.Add(kWardOnly, "1", "30", "2025-03-01");  // treatment on the first day only
  for (int d = 1; d <= 6; ++d) {
    std::string day = "2025-03-0" + std::to_string(d);
    v.Add(kBed, "1", "50", day).Add(kNursing, "1", "20", day);
  }
  EXPECT_FOUND(Review(b), "visit_bed_without_treatment", "S1");
}
TEST(VisitBedWithoutTreatment, TreatmentEveryDayIsFine) {
  ExportBuilder b;
  TestVisit& v = b.Visit("S1", "P1", "H3", "21", "2025-03-01", "2025-03-07");
  for (int d = 1; d <= 6; ++d) {
    std::string day = "2025-03-0" + std::to_string(d);
    v.Add(kBed, "1", "50", day).Add(kNursing, "1", "20", day).Add(kWardOnly, "1", "30", day);
  }
  EXPECT_NOT_FOUND(Review(b), "visit_bed_without_treatment", "S1");
}

TEST(VisitAfterDeath, VisitAfterTheDateOfDeath) {
  ExportBuilder b;
  b.Visit("V1", "PD", "H1", "11", "2025-03-05").Add(kAmlo, "7", "1");
  EXPECT_FOUND(Review(b), "visit_after_death", "V1");
}
TEST(VisitAfterDeath, BeforeDeathIsFine) {
  ExportBuilder b;
  b.Visit("V1", "PD", "H1", "11", "2025-02-20").Add(kAmlo, "7", "1");
  EXPECT_NOT_FOUND(Review(b), "visit_after_death", "V1");
}

TEST(VisitOverPrescription, SupplyAcrossThreeInstitutions) {
  ExportBuilder b;  // 60 + 60 + 60 days within 41 days: above 135
  b.Visit("D1", "P1", "H3", "11", "2025-01-01").Add(kAmlo, "60", "1", "", "", "", "60");
  b.Visit("D2", "P1", "H1", "11", "2025-01-20").Add(kAmlo, "60", "1", "", "", "", "60");
  b.Visit("D3", "P1", "PH", "41", "2025-02-10").Add(kAmlo, "60", "1", "", "", "", "60");
  auto r = Review(b);
  EXPECT_NOT_FOUND(r, "visit_over_prescription", "D1");
  EXPECT_NOT_FOUND(r, "visit_over_prescription", "D2");
  EXPECT_FOUND(r, "visit_over_prescription", "D3");
}
TEST(VisitOverPrescription, MonthlyRefillsAreFine) {
  ExportBuilder b;
  const char* days[] = {"2025-01-01", "2025-01-31", "2025-03-02", "2025-04-01", "2025-05-01"};
  for (int i = 0; i < 5; ++i)
    b.Visit("D" + std::to_string(i), "P1", i % 2 ? "H1" : "PH", i % 2 ? "11" : "41", days[i])
        .Add(kAmlo, "30", "1", "", "", "", "30");
  EXPECT_EQ(Review(b)->Count("visit_over_prescription"), 0u);
}

void TemplateStay(ExportBuilder& b, std::string id, std::string psn, std::string begin,
                  std::string end, std::string xrays) {
  TestVisit& v = b.Visit(std::move(id), std::move(psn), "H2", "21", begin, end);
  v.main_dx = "M54.500";
  v.Add(kBed, "5", "50", begin).Add(kNursing, "5", "20", begin).Add(kXray, xrays, "40", begin);
}

TEST(VisitFakeHospitalisation, ThreePersonsWithIdenticalBills) {
  ExportBuilder b;
  TemplateStay(b, "F1", "P4", "2025-03-01", "2025-03-06", "1");
  TemplateStay(b, "F2", "P5", "2025-03-20", "2025-03-25", "1");
  TemplateStay(b, "F3", "P6", "2025-04-15", "2025-04-20", "1");
  auto r = Review(b);
  EXPECT_FOUND(r, "visit_fake_hospitalisation", "F1");
  EXPECT_FOUND(r, "visit_fake_hospitalisation", "F2");
  EXPECT_FOUND(r, "visit_fake_hospitalisation", "F3");
}
TEST(VisitFakeHospitalisation, DifferentCountsOrTooFarApartAreFine) {
  ExportBuilder b;
  TemplateStay(b, "F1", "P4", "2025-03-01", "2025-03-06", "1");
  TemplateStay(b, "F2", "P5", "2025-03-20", "2025-03-25", "2");  // another bill
  TemplateStay(b, "F3", "P6", "2025-04-15", "2025-04-20", "1");
  TemplateStay(b, "F4", "P1", "2025-06-15", "2025-06-20", "1");  // 106 days after F1
  EXPECT_EQ(Review(b)->Count("visit_fake_hospitalisation"), 0u);
}

TEST(VisitDrgUpcoding, RespiratoryFailureWithoutOxygen) {
  if (!SharedGrouper()) GTEST_SKIP() << "no CHS-DRG data under " << YIBAO_SHARED_DATA;
  ExportBuilder b;
  TestVisit& v = b.Visit("S1", "P1", "H3", "21", "2025-03-01", "2025-03-08");
  v.main_dx = "J18.900";
  v.diag = "J96.000";
  v.dscg = "1";
  v.drg = "ES31";
  v.Add(kBed, "7", "50").Add(kWardOnly, "7", "30");
  auto r = Review(b);
  EXPECT_FOUND(r, "visit_drg_upcoding", "S1");
  EXPECT_NE(r->Find("visit_drg_upcoding", "S1")->evidence.find("ES35"), std::string::npos)
      << r->Find("visit_drg_upcoding", "S1")->evidence;
}
TEST(VisitDrgUpcoding, WithOxygenGivenIsFine) {
  if (!SharedGrouper()) GTEST_SKIP() << "no CHS-DRG data under " << YIBAO_SHARED_DATA;
  ExportBuilder b;
  TestVisit& v = b.Visit("S1", "P1", "H3", "21", "2025-03-01", "2025-03-08");
  v.main_dx = "J18.900";
  v.diag = "J96.000";
  v.dscg = "1";
  v.drg = "ES31";
  v.Add(kBed, "7", "50").Add(kWardOnly, "7", "30").Add(kOxygen, "5", "20");
  EXPECT_NOT_FOUND(Review(b), "visit_drg_upcoding", "S1");
}

TEST(VisitLowSeverityAdmission, ColdAdmittedForTwoDays) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H2", "2025-03-01", "2025-03-03", "J06.900");
  EXPECT_FOUND(Review(b), "visit_low_severity_admission", "S1");
}
TEST(VisitLowSeverityAdmission, LongerStayOrWithAProcedureIsFine) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H2", "2025-03-01", "2025-03-08", "J06.900");
  Stay(b, "S2", "P2", "H2", "2025-03-01", "2025-03-02", "J06.900");
  b.visits.back().oprn = "96.0400";
  auto r = Review(b);
  EXPECT_EQ(r->Count("visit_low_severity_admission"), 0u) << r->Describe();
}

TEST(VisitCostShifting, ExamsAtTheSameHospitalJustAfterADrgStay) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-08", "J18.900");
  b.visits.back().drg = "ES35";
  b.Visit("O1", "P1", "H3", "11", "2025-03-10").Add(kXray, "1", "40");
  auto r = Review(b);
  EXPECT_FOUND(r, "visit_cost_shifting", "O1");
  EXPECT_EQ(r->Find("visit_cost_shifting", "O1")->amount, Money::Yuan(40));
}
TEST(VisitCostShifting, LaterOrNotDrgPaidIsFine) {
  ExportBuilder b;
  Stay(b, "S1", "P1", "H3", "2025-03-01", "2025-03-08", "J18.900");
  b.visits.back().drg = "ES35";
  b.Visit("O1", "P1", "H3", "11", "2025-03-20").Add(kXray, "1", "40");  // 12 days after
  Stay(b, "S2", "P2", "H3", "2025-03-01", "2025-03-08", "J18.900");     // not DRG-paid
  b.Visit("O2", "P2", "H3", "11", "2025-03-10").Add(kXray, "1", "40");
  EXPECT_EQ(Review(b)->Count("visit_cost_shifting"), 0u);
}

// Every family of claims.md has a rule in the bundled base and a test above.
TEST(BundledRules, EveryFamilyHasARule) {
  RuleBase base = BundledRules();
  for (int f = 0; f < kRuleFamilyCount; ++f) {
    bool found = false;
    for (const Rule& r : base.rules) found = found || r.family == RuleFamily(f);
    EXPECT_TRUE(found) << RuleFamilyName(RuleFamily(f));
  }
}

}  // namespace
}  // namespace yibao::review_test
