#include "drg/drg_spec.h"

#include <gtest/gtest.h>

#include "drg_test_util.h"

namespace yibao {
namespace {

TEST(RealDrgSpec, LoadsTheNationalScheme) {
  const DrgSpec& s = RealSpec();
  // `wc -l` counts newlines; every file lacks a final one, so each has one line more than it says:
  // 1_MDC 26 (MDCA, the pre-MDC category, and 25 MDCs), 2_ADRG 376, 3_DRG 628 (PROVENANCE's 627
  // is the newline count).
  EXPECT_EQ(s.mdcs.size(), 26u);
  EXPECT_TRUE(s.mdcs[0].pre_mdc);
  EXPECT_EQ(s.mdcs[0].code, "MDCA");
  EXPECT_EQ(s.mdcs[0].table, UINT32_MAX);
  EXPECT_EQ(s.adrgs.size(), 376u);
  EXPECT_EQ(s.drgs.size(), 628u);
  // 214 "表" lines start a line of 7_CCE; 9 more tables start inside lines merged at page breaks.
  EXPECT_EQ(s.cce.size(), 223u);
  for (const DrgAdrg& a : s.adrgs) {
    EXPECT_FALSE(a.any.empty()) << a.code;
    EXPECT_FALSE(a.drgs.empty()) << a.code;
    EXPECT_GT(a.detail.line, 0) << a.code;
  }
  size_t adrgs_in_mdcs = 0;
  for (const DrgMdc& m : s.mdcs) adrgs_in_mdcs += m.adrgs.size();
  EXPECT_EQ(adrgs_in_mdcs, 376u);
  // WJ1 has no rule lines: a surgical ADRG, read as 全部手术.
  EXPECT_EQ(s.anomalies.empty_adrgs, 1u);
  EXPECT_EQ(s.anomalies.glued_codes, 2u);
  // MDCZ's table is nine body-site tables.
  const DrgMdc& z = s.mdcs[s.FindMdc("MDCZ")];
  EXPECT_EQ(z.sites.size(), 9u);
  EXPECT_EQ(z.sites[0].name, "头颈部创伤");
}

TEST(RealDrgSpec, ReadsEveryRulePhrasing) {
  const DrgSpec& s = RealSpec();
  auto adrg = [&](const char* code) -> const DrgAdrg& { return s.adrgs[s.FindAdrg(code)]; };
  // 包含以下主要诊断 + 包含以下主要手术或操作: one alternative, both lists.
  ASSERT_EQ(adrg("BB1").any.size(), 1u);
  EXPECT_EQ(adrg("BB1").any[0].all.size(), 2u);
  EXPECT_EQ(adrg("BB1").any[0].all[0].kind, DrgConditionKind::kMainDiagnosis);
  EXPECT_EQ(adrg("BB1").any[0].all[1].kind, DrgConditionKind::kMainProcedure);
  // 同时包含以下手术 … 和 …
  ASSERT_EQ(adrg("AC1").any[0].all.size(), 2u);
  EXPECT_EQ(adrg("AC1").any[0].all[0].kind, DrgConditionKind::kSomeProcedure);
  EXPECT_EQ(adrg("AC1").any[0].all[1].kind, DrgConditionKind::kSomeProcedure);
  // Formulas: JA1 = 主要诊断+手术表 1+手术表 2 | 主要诊断+手术表 1+手术表 3+手术表 4.
  ASSERT_EQ(adrg("JA1").any.size(), 2u);
  EXPECT_EQ(adrg("JA1").any[0].all.size(), 3u);
  EXPECT_EQ(adrg("JA1").any[1].all.size(), 4u);
  ASSERT_EQ(adrg("NA1").any.size(), 2u);  // "手术 1：" for "手术表 1："
  // 主要诊断或其他诊断中包含以下诊断, plus the birth weight from the name.
  EXPECT_EQ(adrg("PS1").any[0].all[0].kind, DrgConditionKind::kAnyDiagnosis);
  ASSERT_EQ(adrg("PS1").implied.size(), 1u);
  EXPECT_EQ(adrg("PS1").implied[0].hi, 1499);
  EXPECT_EQ(adrg("PS2").implied[0].lo, 1500);
  EXPECT_EQ(adrg("PS2").implied[0].hi, 1999);
  EXPECT_EQ(adrg("PS4").implied[0].lo, 2500);
  // Ages from the names: PB1 "出生年龄＜29 天", PV1 "29 天≤出生年龄＜1 周岁".
  ASSERT_EQ(adrg("PB1").implied.size(), 1u);
  EXPECT_EQ(adrg("PB1").implied[0].hi, 28);
  ASSERT_EQ(adrg("PV1").implied.size(), 1u);
  EXPECT_EQ(adrg("PV1").implied[0].lo, 29);
  EXPECT_EQ(adrg("PV1").implied[0].hi, 364);
  // 全部手术 / 包含全部手术; an empty surgical ADRG; 包含以下诊断 on a surgical ADRG.
  EXPECT_EQ(adrg("SB1").any[0].all[0].kind, DrgConditionKind::kSurgery);
  EXPECT_EQ(adrg("XJ1").any[0].all[0].kind, DrgConditionKind::kSurgery);
  EXPECT_EQ(adrg("WJ1").any[0].all[0].kind, DrgConditionKind::kSurgery);
  ASSERT_EQ(adrg("YC1").any[0].all.size(), 2u);
  EXPECT_EQ(adrg("YC1").any[0].all[0].kind, DrgConditionKind::kAnyDiagnosis);
  EXPECT_EQ(adrg("YC1").any[0].all[1].kind, DrgConditionKind::kSurgery);
  // 符合 MDCZ 主诊表，且无手术.
  ASSERT_EQ(adrg("ZZ1").any[0].all.size(), 2u);
  EXPECT_EQ(adrg("ZZ1").any[0].all[0].kind, DrgConditionKind::kMdcTable);
  EXPECT_EQ(adrg("ZZ1").any[0].all[1].kind, DrgConditionKind::kNoSurgery);
}

TEST(RealDrgSpec, SeverityAndExclusions) {
  const DrgSpec& s = RealSpec();
  uint32_t n17 = s.DiagnosisId("N17.900"), j09 = s.DiagnosisId("J09.x00"),
           j01 = s.DiagnosisId("J01.000"), j18 = s.DiagnosisId("J18.900");
  ASSERT_NE(n17, kDrgNoCode);
  EXPECT_EQ(s.dx_severity[n17], DrgSeverity::kMcc);
  EXPECT_EQ(s.dx_severity[j09], DrgSeverity::kMcc);
  EXPECT_EQ(s.dx_severity[j01], DrgSeverity::kCc);
  EXPECT_EQ(s.cce[s.dx_cce[j09]].name, "7-101");
  EXPECT_TRUE(s.Excludes(s.dx_cce[j09], j18));
  EXPECT_FALSE(s.Excludes(s.dx_cce[n17], j18));
  // U82.* (drug resistance) rows say 无: no exclusion table.
  uint32_t u82 = s.DiagnosisId("U82.100");
  ASSERT_NE(u82, kDrgNoCode);
  EXPECT_EQ(s.dx_cce[u82], kDrgNone);
}

// A small scheme in the same layout, for the error paths.
struct Mini {
  std::string mdc = "MDCA 先期分组\nMDCB 神经系统\n";
  std::string adrg = "AA1 心脏移植\nBR1 颅内出血\nBB1 开颅术\n";
  std::string drg =
      "AA19 心脏移植\nBR11 颅内出血，伴严重并发症或合并症\nBR15 颅内出血，不伴\nBB19 开颅术\n";
  std::string detail =
      "MDCA 先期分组\nAA1 心脏移植\n包含以下主要手术或操作：\n37.5100 心脏移植术\n"
      "MDCB 神经系统\nMDCB 主诊表\n包含以下主要诊断：\nI61.000 脑出血\nI62.000 硬膜下出血\n"
      "BB1 开颅术\n包含以下主要手术或操作：\n01.2400 开颅术\n"
      "BR1 颅内出血\n包含以下主要诊断：\nI61.000 脑出血\nI62.000 硬膜下出血\n";
  std::string mcc = "疾病编码 疾病名称 排除内容\nJ96.000 急性呼吸衰竭 表 7-1\n";
  std::string cc = "疾病编码 疾病名称 排除内容\nJ18.900 肺炎 表\n7-1\nU82.100 耐药 无\n";
  std::string cce = "表 7-1\n包含以下主要诊断：\nJ96.000 急性呼吸衰竭\n";
  Result<DrgSpec> Parse() const {
    return ParseDrgSpec(DrgSpecTexts{{"1_MDC.txt", mdc},
                                     {"2_ADRG.txt", adrg},
                                     {"3_DRG.txt", drg},
                                     {"4_ADRG_DETAIL.txt", detail},
                                     {"5_MCC.txt", mcc},
                                     {"6_CC.txt", cc},
                                     {"7_CCE.txt", cce}});
  }
};

std::string Errors(const Result<DrgSpec>& r) { return r.ok() ? "" : FormatDiagnostics(r.errors()); }

TEST(MiniDrgSpec, ParsesAndGroups) {
  Mini m;
  Result<DrgSpec> r = m.Parse();
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r->mdcs.size(), 2u);
  EXPECT_EQ(r->adrgs.size(), 3u);
  // Spec order in 4_ADRG_DETAIL: BB1 before BR1, whatever 2_ADRG says.
  ASSERT_EQ(r->mdcs[1].adrgs.size(), 2u);
  EXPECT_EQ(r->adrgs[r->mdcs[1].adrgs[0]].code, "BB1");
  // A row wrapped over two lines ("表" / "7-1") still reads.
  EXPECT_EQ(r->dx_severity[r->DiagnosisId("J18.900")], DrgSeverity::kCc);
}

TEST(MiniDrgSpec, ErrorsNameFileAndLine) {
  struct Bad {
    std::string Mini::*field;
    std::string text;
    std::string expect;
  } cases[] = {
      {&Mini::mdc, "MDCA 先期分组\nXYZ\n", "1_MDC.txt:2: expected \"MDCx name\""},
      {&Mini::adrg, "AA1 心脏移植\nBR1 颅内出血\nBB1 开颅术\nCC1 角膜\n",
       "2_ADRG.txt:4: CC1: no MDCC"},
      {&Mini::drg, "AA19 x\nBR11 y\nBR15 z\nBB19 w\nBB17 v\n", "3_DRG.txt:5: BB17: the fourth"},
      {&Mini::detail,
       "MDCA 先期分组\nAA1 心脏移植\n包含以下主要手术或操作：\n37.5100 心脏移植术\n"
       "MDCB 神经系统\nMDCB 主诊表\n包含以下主要诊断：\nI61.000 脑出血\n"
       "BB1 开颅术\n仅限以下手术：\n01.2400 开颅术\nBR1 颅内出血\n包含以下主要诊断：\nI61.000 "
       "脑出血\n",
       "4_ADRG_DETAIL.txt:10: unrecognised rule line \"仅限以下手术：\" in ADRG BB1"},
      {&Mini::detail,
       "MDCA 先期分组\nAA1 心脏移植\n包含以下主要手术或操作：\nI61.000 脑出血\n"
       "MDCB 神经系统\nMDCB 主诊表\n包含以下主要诊断：\nI61.000 脑出血\n"
       "BB1 开颅术\n包含以下主要手术或操作：\n01.2400 开颅术\nBR1 "
       "颅内出血\n包含以下主要诊断：\nI61.000 x\n",
       "4_ADRG_DETAIL.txt:4: I61.000 is a diagnosis code in a list of procedures"},
      {&Mini::mcc, "J96.000 急性呼吸衰竭 表 7-9\n", "5_MCC.txt:1: J96.000: 表 7-9 is not in 7_CCE"},
      {&Mini::mcc, "J96.000 急性呼吸衰竭\nJ96.100 慢性呼吸衰竭 表 7-1\n",
       "5_MCC.txt:1: J96.000: no exclusion column"},
      {&Mini::cc, "J18.900 肺炎 表 7-1\n垃圾\n",
       "6_CC.txt:2: expected a diagnosis code, got \"垃圾\""},
      {&Mini::cce, "包含以下主要诊断：\nJ96.000 急性呼吸衰竭\n", "7_CCE.txt:1: a list before any"},
  };
  for (const Bad& b : cases) {
    Mini m;
    m.*(b.field) = b.text;
    Result<DrgSpec> r = m.Parse();
    ASSERT_FALSE(r.ok()) << b.expect;
    EXPECT_NE(Errors(r).find(b.expect), std::string::npos) << Errors(r) << "\nwanted: " << b.expect;
  }
}

// A birth weight in an ADRG's name is a condition of it; a number too long for any weight is no
// condition, and no crash (found by drg_spec_fuzz: std::stoi threw out_of_range).
TEST(MiniDrgSpec, BirthWeightInANameIsReadAndAnAbsurdOneIgnored) {
  Mini m;
  m.adrg = "AA1 心脏移植\nBR1 颅内出血，出生体重＜1500g\nBB1 开颅术，出生体重＜99999999999999g\n";
  Result<DrgSpec> r = m.Parse();
  ASSERT_TRUE(r.ok()) << Errors(r);
  for (const DrgAdrg& a : r->adrgs) {
    if (a.code == "BR1") {
      ASSERT_EQ(a.implied.size(), 1u);
      EXPECT_EQ(a.implied[0].kind, DrgConditionKind::kBirthWeightGrams);
      EXPECT_EQ(a.implied[0].hi, 1499);
    }
    if (a.code == "BB1") EXPECT_TRUE(a.implied.empty());
  }
}

TEST(MiniDrgSpec, RejectsBinaryInput) {
  Mini m;
  m.cce = std::string("\xff\xfe\x00x", 4);
  Result<DrgSpec> r = m.Parse();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("7_CCE.txt"), std::string::npos);
}

TEST(RealDrgSpec, MissingDirectoryNamesTheFile) {
  Result<DrgSpec> r = LoadDrgSpec("/nonexistent-drg");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Errors(r).find("/nonexistent-drg/1_MDC.txt"), std::string::npos) << Errors(r);
}

}  // namespace
}  // namespace yibao
