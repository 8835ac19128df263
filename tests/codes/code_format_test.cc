#include "codes/code_format.h"

#include <gtest/gtest.h>

namespace yibao {
namespace {

TEST(DiagnosisCode, AcceptsTheShapesOfTheNationalTable) {
  for (const char* good : {"A00", "A00.0", "A00.10", "K80.101", "A00.100x001", "A35.x00",
                           "B24.x01x002", "A17.000+G01*", "A01.001+K77.0*", "A01.000x005+J17.0*"})
    EXPECT_EQ(CheckDiagnosisCode(good), std::nullopt) << good;
}

TEST(DiagnosisCode, RejectsOtherShapes) {
  for (const char* bad : {"",
                          "a00.000",
                          "A0",
                          "A0.000",
                          "AA0.000",
                          "A00.",
                          "A00.0000",
                          "A00.x0",
                          "A00.x000",
                          "A00.100x01",
                          "A00.100x0001",
                          "A00.100X001",
                          "K80.101 ",
                          " K80.101",
                          "A00x001",
                          "A17.000+G01",
                          "A17.000+g01*",
                          "A17.000+G01.00*",
                          "A01.000x005+J17.0*x",
                          "C22.101M81600/3",
                          "K80,101"})
    EXPECT_NE(CheckDiagnosisCode(bad), std::nullopt) << bad;
}

TEST(DiagnosisCode, ReasonIsShortEnglish) {
  EXPECT_EQ(CheckDiagnosisCode("k80.101"), "diagnosis code must start with an uppercase letter");
  EXPECT_EQ(CheckDiagnosisCode(""), "diagnosis code is empty");
}

TEST(ProcedureCode, AcceptsTheShapesOfTheNationalTable) {
  for (const char* good : {"51.23", "51.230", "51.2300", "00.0200x001", "01.6x00", "03.4x00x001",
                           "17.91100", "17.912A0", "86.700x0013"})
    EXPECT_EQ(CheckProcedureCode(good), std::nullopt) << good;
}

TEST(ProcedureCode, RejectsOtherShapes) {
  for (const char* bad : {"", "5.23", "512300", "51.2", "51.", "51.230000", "51.2300x01",
                          "51.2300x00001", "51.2300X001", "01.6x0", "01.6x000", "17.91A00",
                          "17.912a0", "17.9120A", "A1.2300", "51-2300", "51.2300 "})
    EXPECT_NE(CheckProcedureCode(bad), std::nullopt) << bad;
}

TEST(DrugCode, TwentyOrTwentyThreeStartingXOrZ) {
  EXPECT_EQ(CheckDrugCode("XA01ABD075A002010100483"), std::nullopt);
  EXPECT_EQ(CheckDrugCode("ZA01AAA0001010101234"), std::nullopt);
  EXPECT_EQ(CheckDrugCode("XA01ABD075A0020101004"),
            "drug code must be 20 or 23 characters starting with X or Z");
  EXPECT_NE(CheckDrugCode("YA01ABD075A002010100483"), std::nullopt);
  EXPECT_NE(CheckDrugCode("Xa01ABD075A002010100483"), std::nullopt);
  EXPECT_NE(CheckDrugCode("XA01ABD075A00201010048-"), std::nullopt);
  EXPECT_NE(CheckDrugCode(""), std::nullopt);
}

TEST(ConsumableCode, CAndNineteen) {
  EXPECT_EQ(CheckConsumableCode("C0301010010000011710"), std::nullopt);
  EXPECT_EQ(CheckConsumableCode("C03010100100000117AB"), std::nullopt);
  EXPECT_NE(CheckConsumableCode("C030101001000001171"), std::nullopt);
  EXPECT_NE(CheckConsumableCode("D0301010010000011710"), std::nullopt);
  EXPECT_NE(CheckConsumableCode("C03010100100000117a0"), std::nullopt);
}

TEST(ServiceItemCode, NineToTwentyStartingWithADigit) {
  for (const char* good : {"120100001", "001101000010000", "250101001A", "12345678901234567890"})
    EXPECT_EQ(CheckServiceItemCode(good), std::nullopt) << good;
  for (const char* bad :
       {"12010000", "A20100001", "123456789012345678901", "120100001a", "120 100001"})
    EXPECT_NE(CheckServiceItemCode(bad), std::nullopt) << bad;
}

TEST(InstitutionCode, HospitalOrPharmacyAndElevenDigits) {
  EXPECT_EQ(CheckInstitutionCode("H37010200001"), std::nullopt);
  EXPECT_EQ(CheckInstitutionCode("P37010200001"), std::nullopt);
  for (const char* bad :
       {"", "H3701020000", "H370102000011", "X37010200001", "h37010200001", "H3701020000A"})
    EXPECT_NE(CheckInstitutionCode(bad), std::nullopt) << bad;
}

TEST(Admdvs, SixDigits) {
  EXPECT_EQ(CheckAdmdvs("370102"), std::nullopt);
  for (const char* bad : {"", "37010", "3701020", "37010A", " 370102"})
    EXPECT_EQ(CheckAdmdvs(bad), "admdvs must be 6 digits") << bad;
}

TEST(CheckCode, DispatchesOnKind) {
  EXPECT_EQ(CheckCode(CodeKind::kDiagnosis, "K80.101"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kProcedure, "51.2300"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kDrug, "XA01ABD075A002010100483"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kConsumable, "C0301010010000011710"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kServiceItem, "120100001"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kInstitution, "H37010200001"), std::nullopt);
  EXPECT_EQ(CheckCode(CodeKind::kAdmdvs, "370102"), std::nullopt);
  EXPECT_NE(CheckCode(CodeKind::kDiagnosis, "51.2300"), std::nullopt);
  EXPECT_NE(CheckCode(CodeKind::kProcedure, "K80.101"), std::nullopt);
  EXPECT_STREQ(CodeKindName(CodeKind::kServiceItem), "service item");
}

}  // namespace
}  // namespace yibao
