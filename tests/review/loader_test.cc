// Loading: the claims export (columns by name, quoting, errors with file, line and column), the
// knowledge base and the rule files (errors with file, line and key).
#include <gtest/gtest.h>

#include "review/claims.h"
#include "review/knowledge.h"
#include "review/rules.h"
#include "review_test_util.h"

namespace yibao::review_test {
namespace {

const char kPersons[] =
    "psn_no,gend,brdy,insutype,psn_type,insuplc_admdvs,death_date\nP1,1,1980-01-01,310,,379900,\n";
const char kInstitutions[] =
    "fixmedins_code,fixmedins_name,hosp_lv,fixmedins_type,admdvs\nH1,\"医院, "
    "一\",3,hospital,379900\n";

Result<ClaimsStore> Parse(std::string_view visits, std::string_view lines,
                          std::string_view persons = kPersons) {
  return ParseClaims(ClaimsTexts{{"persons.csv", persons},
                                 {"institutions.csv", kInstitutions},
                                 {"visits.csv", visits},
                                 {"fee_lines.csv", lines}});
}

std::string Errors(const Result<ClaimsStore>& r) {
  return r.ok() ? std::string("(loaded)") : FormatDiagnostics(r.errors());
}

TEST(ClaimsLoader, ColumnsByNameInAnyOrderWithQuotesCommentsAndCrlf) {
  auto r = Parse(
      "# a comment line\r\n"
      "psn_no,mdtrt_id,fixmedins_code,med_type,begntime,endtime,diag_codes,medfee_sumamt\r\n"
      "P1,V1,H1,21,2025-03-01,2025-03-04,\"E11.900; I10.x00\",12.50\r\n"
      "\r\n"
      "P1,V2,H1,11,2025-04-01,2025-04-01,,0\r\n",
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n"
      "V1,1,2025-03-01,\"110900001000000\",1,12.5,12.50\n");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const ClaimsStore& s = *r;
  ASSERT_EQ(s.visits.size(), 2u);
  EXPECT_EQ(s.institutions[0].name, "医院, 一");
  EXPECT_EQ(s.visits[0].dx_end - s.visits[0].dx_begin, 2u);
  EXPECT_EQ(s.DxCode(s.visit_dx[s.visits[0].dx_begin + 1]), "I10.x00");
  EXPECT_EQ(s.visits[0].line_end - s.visits[0].line_begin, 1u);
  EXPECT_EQ(s.visits[1].line_begin, s.visits[1].line_end);  // a visit without lines
  EXPECT_EQ(s.lines[0].amount, Money::Fen(1250));
  EXPECT_EQ(s.visits[0].stay_days(), 3);
  EXPECT_TRUE(s.visits[0].inpatient());
  auto [b, e] = s.VisitsOf(0);
  EXPECT_EQ(e - b, 2);
}

// Many fields with doubled quotes in one record: each keeps its own text (found by fuzzing: the
// copies of earlier fields must not move when later ones are made).
TEST(ClaimsLoader, ManyQuotedFieldsWithDoubledQuotes) {
  std::string persons = "psn_no,gend,brdy,insutype,psn_type,insuplc_admdvs,death_date\n";
  persons += "\"P\"\"1\",1,1980-01-01,\"3\"\"1\",\"a\"\"b long enough to leave SSO\",\"x\"\"y\",\n";
  auto r = ParseClaims(ClaimsTexts{
      {"persons.csv", persons},
      {"institutions.csv", kInstitutions},
      {"visits.csv", "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime\n"},
      {"fee_lines.csv",
       "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n"}});
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->persons[0].psn_no, "P\"1");
  EXPECT_EQ(r->persons[0].insutype, "3\"1");
  EXPECT_EQ(r->persons[0].psn_type, "a\"b long enough to leave SSO");
  EXPECT_EQ(r->persons[0].insuplc_admdvs, "x\"y");
}

TEST(ClaimsLoader, UnknownColumnNamesFileLineAndColumn) {
  auto r =
      Parse("# header on line 2\nmdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,colour\n",
            "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].file, "visits.csv");
  EXPECT_EQ(r.errors()[0].line, 2);
  EXPECT_EQ(r.errors()[0].field, "colour");
  EXPECT_NE(r.errors()[0].message.find("unknown column"), std::string::npos);
}

TEST(ClaimsLoader, BadValuesNameTheirLineAndColumn) {
  auto r = Parse(
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime\n"
      "V1,P1,H1,11,2025-03-01,2025-03-01\n",
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n"
      "V1,1,2025-03-01,X,1,2,2.00\n"
      "V1,2,2025-03-01,X,1.23456,2,2.00\n"
      "V1,3,2025-02-30,X,1,2,2.001\n");
  ASSERT_FALSE(r.ok());
  std::string all = Errors(r);
  EXPECT_NE(all.find("fee_lines.csv:3: cnt:"), std::string::npos) << all;
  EXPECT_NE(all.find("fee_lines.csv:4: fee_ocur_time:"), std::string::npos) << all;
  EXPECT_NE(all.find("fee_lines.csv:4: det_item_fee_sumamt:"), std::string::npos) << all;
}

TEST(ClaimsLoader, UnknownPersonAndLinesOutOfOrder) {
  auto r = Parse(
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime\n"
      "V1,P9,H1,11,2025-03-01,2025-03-01\n",
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].line, 2);
  EXPECT_EQ(r.errors()[0].field, "psn_no");
  auto r2 = Parse(
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime\n"
      "V1,P1,H1,11,2025-03-01,2025-03-01\nV2,P1,H1,11,2025-03-02,2025-03-02\n",
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n"
      "V2,1,2025-03-02,X,1,2,2.00\nV1,1,2025-03-01,X,1,2,2.00\n");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.errors()[0].line, 3);
  EXPECT_NE(r2.errors()[0].message.find("contiguous"), std::string::npos);
}

TEST(ClaimsLoader, UnterminatedQuoteNamesTheLineItStarts) {
  auto r = Parse(
      "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime\n"
      "V1,P1,H1,11,2025-03-01,2025-03-01\n",
      "mdtrt_id,feedetl_sn,fee_ocur_time,med_list_codg,cnt,pric,det_item_fee_sumamt\n"
      "V1,1,2025-03-01,\"X,1,2,2.00\nV1,2,2025-03-01,X,1,2,2.00\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].line, 2);
  EXPECT_EQ(r.errors()[0].field, "med_list_codg");
}

TEST(KnowledgeLoader, BadCategoryAndMissingColumn) {
  KnowledgeTexts t;
  t.present[size_t(KnowledgeTable::kItems)] = true;
  t.tables[size_t(KnowledgeTable::kItems)] = {"items.csv", "code,category\nX1,food\n"};
  t.present[size_t(KnowledgeTable::kMildDiagnoses)] = true;
  t.tables[size_t(KnowledgeTable::kMildDiagnoses)] = {"mild_diagnoses.csv", "dx_prefix\nJ06\n"};
  auto r = ParseKnowledge(t);
  ASSERT_FALSE(r.ok());
  std::string all = FormatDiagnostics(r.errors());
  EXPECT_NE(all.find("items.csv:2: category:"), std::string::npos) << all;
  EXPECT_NE(all.find("mild_diagnoses.csv:1: max_inpatient_days: missing column"), std::string::npos)
      << all;
}

Diagnostics ParseRules(std::string_view text) {
  RuleBase base;
  return ParseRuleFile(text, "r.toml", base);
}

TEST(RuleLoader, UnknownKeyNamesFileLineAndKey) {
  Diagnostics d = ParseRules(
      "[[rule]]\nid = \"A\"\nname = \"n\"\nfamily = \"scope_sex\"\nresult = \"certain\"\n"
      "severity = \"refuse\"\nseverty = \"flag\"\n");
  ASSERT_EQ(d.size(), 1u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].ToString(), "r.toml:7: severty: unknown key (misspelt?)");
}

TEST(RuleLoader, BadValuesAndParametersOfAnotherFamily) {
  Diagnostics d = ParseRules(
      "[[rule]]\nid = \"A\"\nname = \"n\"\nfamily = \"scope_sex\"\nresult = \"maybe\"\n"
      "severity = \"refuse\"\nstages = [\"later\"]\nmin_days = 3\nwindow = \"15d\"\n"
      "levels = [4]\n");
  std::string all = FormatDiagnostics(d);
  EXPECT_NE(all.find("r.toml:5: result:"), std::string::npos) << all;
  EXPECT_NE(all.find("r.toml:7: stages[0]: unknown stage 'later'"), std::string::npos) << all;
  EXPECT_NE(all.find("r.toml:8: min_days: does not apply to family scope_sex"), std::string::npos)
      << all;
  EXPECT_NE(all.find("r.toml:9: window: family scope_sex takes \"visit\""), std::string::npos)
      << all;
  EXPECT_NE(all.find("r.toml:10: levels[0]:"), std::string::npos) << all;
}

TEST(RuleLoader, MissingKeysUnknownFamilyDuplicateIdAndSyntax) {
  Diagnostics d = ParseRules(
      "[[rule]]\nid = \"A\"\nname = \"n\"\nfamily = \"scope_sex\"\nresult = \"certain\"\n"
      "severity = \"refuse\"\n"
      "[[rule]]\nid = \"A\"\nname = \"n\"\nfamily = \"scope_sexx\"\nresult = \"certain\"\n"
      "severity = \"refuse\"\n"
      "[[rule]]\nid = \"B\"\nfamily = \"visit_split_hospitalisation\"\nwindow = \"x\"\n");
  std::string all = FormatDiagnostics(d);
  EXPECT_NE(all.find("r.toml:8: id: rule id 'A' already used at r.toml:1"), std::string::npos)
      << all;
  EXPECT_NE(all.find("r.toml:10: family: unknown family 'scope_sexx'"), std::string::npos) << all;
  EXPECT_NE(all.find("r.toml:13: rule[2].name: missing"), std::string::npos) << all;
  EXPECT_NE(all.find("r.toml:16: window:"), std::string::npos) << all;
  Diagnostics syntax = ParseRules("[[rule]]\nid = \"A\nname = 1\n");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_EQ(syntax[0].line, 2);
}

TEST(RuleLoader, ParametersAndScope) {
  RuleBase base;
  Diagnostics d = ParseRuleFile(
      "[[rule]]\nid = \"A\"\nname = \"n\"\nfamily = \"visit_split_hospitalisation\"\n"
      "result = \"suspect\"\nseverity = \"flag\"\nstages = [\"after\"]\nwindow = \"30d\"\n"
      "scenarios = [\"inpatient\"]\nlevels = [2, 3]\ninstitution_types = [\"hospital\"]\n"
      "insutypes = [\"310\"]\nexempt_dx = [\"Z51\", \"O80\"]\ndx_category_chars = 4\n",
      "r.toml", base);
  ASSERT_TRUE(d.empty()) << FormatDiagnostics(d);
  ASSERT_EQ(base.rules.size(), 1u);
  const Rule& r = base.rules[0];
  EXPECT_EQ(r.window_days, 30);
  EXPECT_EQ(r.stages, 1u << unsigned(ReviewStage::kAfter));
  EXPECT_EQ(r.scenarios, 1u << unsigned(CareScenario::kInpatient));
  EXPECT_FALSE(r.cross_province);
  EXPECT_EQ(r.levels, 0b1100);
  EXPECT_EQ(r.insutypes, std::vector<uint32_t>{310});
  EXPECT_EQ(r.params.exempt_dx.size(), 2u);
  EXPECT_EQ(r.params.dx_category_chars, 4);
  EXPECT_EQ(r.line, 1);
}

TEST(RuleLoader, TheBundledRuleBaseLoads) {
  RuleBase base = BundledRules();
  EXPECT_GE(base.rules.size(), size_t(kRuleFamilyCount));
}

}  // namespace
}  // namespace yibao::review_test
