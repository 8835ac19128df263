#include "codes/icd_table.h"

#include <gtest/gtest.h>

namespace yibao {
namespace {

const std::string kIcdDir = std::string(YIBAO_SHARED_DATA) + "/icd";

class RealIcd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<IcdTables> r = IcdTables::LoadShared(kIcdDir);
    ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
    tables_ = new IcdTables(std::move(r.value()));
  }
  static void TearDownTestSuite() {
    delete tables_;
    tables_ = nullptr;
  }
  static const IcdTable& dx() { return tables_->diagnoses; }
  static const IcdTable& px() { return tables_->procedures; }
  static const IcdTables* tables_;
};
const IcdTables* RealIcd::tables_ = nullptr;

TEST_F(RealIcd, LoadsEveryRow) {
  // `wc -l` (and PROVENANCE.md) say 33306 and 13685: both files lack a final newline, so their last
  // rows (Z99.900, 99.9902) are not counted by wc.
  EXPECT_EQ(dx().size(), 33307u);
  EXPECT_EQ(px().size(), 13686u);
  EXPECT_EQ(dx().kind(), IcdKind::kDiagnosis);
  EXPECT_EQ(px().kind(), IcdKind::kProcedure);
  ASSERT_TRUE(dx().Id("Z99.900"));
  EXPECT_EQ(dx().Name(*dx().Id("Z99.900")), "依赖可启动机器和装置");
  ASSERT_TRUE(px().Id("99.9902"));
  EXPECT_EQ(px().Name(*px().Id("99.9902")), "蜂针疗法");
}

TEST_F(RealIcd, InternsCodesToDenseIdsInFileOrder) {
  EXPECT_EQ(dx().Id("A00.000"), 0u);
  EXPECT_EQ(dx().Code(0), "A00.000");
  EXPECT_EQ(dx().Name(0), "霍乱，由于O1群霍乱弧菌，霍乱生物型所致");
  std::optional<uint32_t> id = dx().Id("K80.101");
  ASSERT_TRUE(id);
  EXPECT_EQ(dx().Code(*id), "K80.101");
  EXPECT_EQ(dx().Name(*id), "胆囊结石伴慢性胆囊炎");
  EXPECT_EQ(dx().Id("K80.1010"), std::nullopt);
  EXPECT_EQ(dx().Id("51.2300"), std::nullopt);
  EXPECT_EQ(px().Name(*px().Id("51.2300")), "腹腔镜下胆囊切除术");
  // The shapes outside the textbook format are real rows, and load.
  EXPECT_TRUE(dx().Id("A35.x00"));
  EXPECT_TRUE(dx().Id("A17.000+G01*"));
  EXPECT_TRUE(px().Id("01.6x00"));
  EXPECT_TRUE(px().Id("17.912A0"));
  EXPECT_TRUE(px().Id("86.700x0013"));
  for (uint32_t i = 0; i < px().size(); ++i) ASSERT_EQ(px().Id(px().Code(i)), i);
}

TEST_F(RealIcd, GrayCodes) {
  EXPECT_TRUE(dx().IsGray(*dx().Id("A00.000")));
  EXPECT_FALSE(dx().IsGray(*dx().Id("A00.000x001")));
  EXPECT_FALSE(dx().IsGray(*dx().Id("K80.101")));
  EXPECT_TRUE(px().IsGray(*px().Id("00.0100")));
  EXPECT_FALSE(px().IsGray(*px().Id("00.0101")));
  EXPECT_FALSE(px().IsGray(UINT32_MAX));
  EXPECT_EQ(dx().gray_count(), 2695u);
  EXPECT_EQ(px().gray_count(), 2241u);
}

TEST_F(RealIcd, DataAnomaliesAreCountedNotFatal) {
  const IcdAnomalies& d = dx().anomalies();
  EXPECT_EQ(d.gray_not_in_table, 0u);
  EXPECT_EQ(d.gray_repeated, 30u);  // 18 codes listed twice or more in icd10-yb-2.0-gray.txt
  EXPECT_EQ(d.v1_targets_not_in_table, 0u);
  EXPECT_EQ(d.clinical_targets_not_in_table, 1u);  // P78.300x004 → K30.x00x002
  EXPECT_EQ(d.v1_sources_also_in_table, 0u);
  EXPECT_EQ(d.clinical_sources_also_in_table, 249u);
  const IcdAnomalies& p = px().anomalies();
  EXPECT_EQ(p.gray_not_in_table, 0u);
  EXPECT_EQ(p.gray_repeated, 0u);
  EXPECT_EQ(p.v1_targets_not_in_table, 1u);  // 00.6502 → 00.6400x007, itself a 1.0 code
  EXPECT_EQ(p.clinical_targets_not_in_table, 0u);
  EXPECT_EQ(p.v1_sources_also_in_table, 0u);
  EXPECT_EQ(p.clinical_sources_also_in_table, 4u);
}

TEST_F(RealIcd, MapsV1To20) {
  EXPECT_EQ(dx().MapFromV1("A18.800x041"), "A18.300x016");
  EXPECT_EQ(dx().MapFromV1("A00.000"), "A00.000");
  EXPECT_EQ(dx().MapFromV1("ZZZ"), std::nullopt);
  EXPECT_EQ(px().MapFromV1("00.6400x007"), "00.6500x014");

  std::optional<NormalizedCode> n = dx().Normalize("A18.800x041");
  ASSERT_TRUE(n);
  EXPECT_EQ(dx().Code(n->id), "A18.300x016");
  EXPECT_EQ(dx().Name(n->id), "腹膜后结核");
  EXPECT_EQ(n->via, Crosswalk::kFromV1);
  EXPECT_STREQ(CrosswalkName(n->via), "yb-1.0");
}

TEST_F(RealIcd, MapsClinicalTo20) {
  EXPECT_EQ(dx().MapFromClinical("A01.000x002"), "A01.003");
  EXPECT_EQ(px().MapFromClinical("37.8300x002"), "00.5000x004");

  std::optional<NormalizedCode> n = dx().Normalize("A01.000x002");
  ASSERT_TRUE(n);
  EXPECT_EQ(dx().Code(n->id), "A01.003");
  EXPECT_EQ(n->via, Crosswalk::kFromClinical);
  n = px().Normalize("37.8300x002");
  ASSERT_TRUE(n);
  EXPECT_EQ(px().Code(n->id), "00.5000x004");
  EXPECT_EQ(n->via, Crosswalk::kFromClinical);
}

TEST_F(RealIcd, NormalizeKeeps20CodesAndPrefersV1) {
  std::optional<NormalizedCode> n = dx().Normalize("K80.101");
  ASSERT_TRUE(n);
  EXPECT_EQ(dx().Code(n->id), "K80.101");
  EXPECT_EQ(n->via, Crosswalk::kNone);
  // A 国临 code that is also a (different) 2.0 code is read as the 2.0 code.
  EXPECT_EQ(dx().MapFromClinical("A19.000x001"), "A19.001");
  EXPECT_EQ(dx().Code(dx().Normalize("A19.000x001")->id), "A19.000x001");
  // C45.700x004 is 1.0 → C45.100 but 国临 → C45.700; the insurance lineage wins.
  EXPECT_EQ(dx().Code(dx().Normalize("C45.700x004")->id), "C45.100");
  // A crosswalk target missing from the table normalizes to nothing rather than to a phantom code.
  EXPECT_EQ(px().MapFromV1("00.6502"), "00.6400x007");
  EXPECT_EQ(px().Normalize("00.6502"), std::nullopt);
  EXPECT_EQ(dx().Normalize("not a code"), std::nullopt);
}

IcdTableTexts Texts(std::string_view codes, std::string_view gray = "",
                    std::string_view from_v1 = "", std::string_view from_clinical = "") {
  return IcdTableTexts{
      {"dx.txt", codes}, {"gray.txt", gray}, {"v1.txt", from_v1}, {"gl.txt", from_clinical}};
}

TEST(IcdParse, SmallTableBlankLinesCrlfAndTrailingSpaces) {
  Result<IcdTable> r = IcdTable::Parse(IcdKind::kDiagnosis,
                                       Texts("\xEF\xBB\xBF"
                                             "A00.000 霍乱 甲\r\n\n  \n  K80.101 胆囊结石 \n",
                                             "K80.101\n", "A00.001 A00.000\n", "K80.1 K80.101"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ(r->Name(0), "霍乱 甲");  // a name may hold spaces
  EXPECT_EQ(r->Name(1), "胆囊结石");
  EXPECT_TRUE(r->IsGray(1));
  EXPECT_FALSE(r->IsGray(0));
  EXPECT_EQ(r->Normalize("A00.001")->via, Crosswalk::kFromV1);
  EXPECT_EQ(r->Normalize("K80.1")->id, 1u);
}

TEST(IcdParse, ErrorsNameFileLineAndCode) {
  Result<IcdTable> r =
      ParseIcdTable(IcdKind::kDiagnosis,
                    "A00.000 霍乱\n"
                    "A00.000 霍乱\n"       // 2: duplicate
                    "K80.101\n"            // 3: missing name
                    "k80.101 胆囊结石\n"   // 4: bad code
                    "K80.102 \xBB\xF4\n"   // 5: GBK name
                    "51.2300 胆囊切除\n",  // 6: a procedure code in a diagnosis table
                    "icd10.txt");
  ASSERT_FALSE(r.ok());
  const Diagnostics& e = r.errors();
  ASSERT_EQ(e.size(), 5u) << FormatDiagnostics(e);
  EXPECT_EQ(e[0].ToString(), "icd10.txt:2: code: duplicate code A00.000 (first at line 1)");
  EXPECT_EQ(e[1].ToString(), "icd10.txt:3: name: missing name after code K80.101");
  EXPECT_EQ(e[2].ToString(),
            "icd10.txt:4: code: bad diagnosis code 'k80.101': diagnosis code must start with an "
            "uppercase letter");
  EXPECT_EQ(e[3].line, 5);
  EXPECT_EQ(e[3].field, "name");
  EXPECT_EQ(e[4].line, 6);
  EXPECT_NE(e[4].message.find("'51.2300'"), std::string::npos);
}

TEST(IcdParse, GrayAndCrosswalkErrors) {
  Result<IcdTable> r = IcdTable::Parse(
      IcdKind::kProcedure,
      Texts("51.2300 腹腔镜下胆囊切除术\n", "51.2300\n51.2300\n51.23 00\n51.9900\nK80.101\n",
            "51.2201 51.2300\n51.2201 51.2300\n51.2202\n", "51.22 51.2300 extra\n51.22 5l.2300\n"));
  ASSERT_FALSE(r.ok());
  const Diagnostics& e = r.errors();
  ASSERT_EQ(e.size(), 6u) << FormatDiagnostics(e);
  EXPECT_EQ(e[0].ToString(), "gray.txt:3: code: expected one code per line, found '51.23 00'");
  EXPECT_EQ(e[1].file, "gray.txt");
  EXPECT_EQ(e[1].line, 5);
  EXPECT_EQ(e[2].ToString(), "v1.txt:2: old code: old code 51.2201 is mapped already at line 1");
  EXPECT_EQ(e[3].ToString(), "v1.txt:3: expected 'old new': two codes separated by a space");
  EXPECT_EQ(e[4].file, "gl.txt");
  EXPECT_EQ(e[4].line, 1);
  EXPECT_EQ(e[5].line, 2);
  EXPECT_EQ(e[5].field, "new code");
}

TEST(IcdParse, AnomaliesOnASmallTable) {
  Result<IcdTable> r = IcdTable::Parse(
      IcdKind::kProcedure, Texts("51.2300 a\n51.2200 b\n", "51.2300\n51.2300\n51.9900\n",
                                 "51.2201 51.9900\n51.2200 51.2300\n"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->gray_count(), 1u);
  EXPECT_EQ(r->anomalies().gray_repeated, 1u);
  EXPECT_EQ(r->anomalies().gray_not_in_table, 1u);
  EXPECT_EQ(r->anomalies().v1_targets_not_in_table, 1u);
  EXPECT_EQ(r->anomalies().v1_sources_also_in_table, 1u);
  EXPECT_EQ(r->Normalize("51.2200")->id, 1u);  // still itself
}

TEST(IcdParse, TooManyErrorsStopsEarly) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "bad\n";
  Result<IcdTable> r = ParseIcdTable(IcdKind::kDiagnosis, text, "junk.bin");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors().size(), kMaxDiagnosticsPerFile + 1);
}

TEST(IcdLoad, MissingFilesAreNamed) {
  Result<IcdTables> r = IcdTables::LoadShared("/nonexistent/icd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors().size(), 8u);
  EXPECT_EQ(r.errors()[0].file, "/nonexistent/icd/icd10-yb-2.0.txt");
}

}  // namespace
}  // namespace yibao
