// The hand-checked cases of tests/golden/drg/cases.jsonl, grouped with the real scheme and the
// real ICD tables (1.0/国临 crosswalks, 灰码).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>

#include "drg/drg_case.h"
#include "drg/grouper.h"
#include "drg_test_util.h"

namespace yibao {
namespace {

TEST(DrgGolden, EveryCaseGroupsAsHandChecked) {
  const std::string path = std::string(YIBAO_SOURCE_DIR) + "/tests/golden/drg/cases.jsonl";
  Result<std::string> text = ReadTextFile(path);
  ASSERT_TRUE(text.ok()) << FormatDiagnostics(text.errors());
  DrgGrouper g;
  g.spec = &RealSpec();
  g.icd = &RealIcd();
  LineReader lines(*text);
  std::string_view line;
  int cases = 0;
  std::set<std::string> mdcs;
  while (lines.Next(line)) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    Result<DrgCase> c = ParseDrgCaseJson(line, path, lines.line_number());
    ASSERT_TRUE(c.ok()) << FormatDiagnostics(c.errors());
    simdjson::dom::parser parser;
    simdjson::padded_string padded(line);
    simdjson::dom::element expect = parser.parse(padded)["expect"];
    GroupResult r;
    GroupCase(g, *c, &r);
    std::string trace;
    for (const GroupStep& s : r.trace) trace += "\n  " + RenderTraceStep(*g.spec, r, s);
    SCOPED_TRACE(c->id + " (line " + std::to_string(lines.line_number()) + ")" + trace);
    std::string_view v;
    if (!expect["drg"].get(v)) {
      EXPECT_EQ(r.drg, v);
    }
    if (!expect["adrg"].get(v)) {
      ASSERT_NE(r.adrg, kDrgNone);
      EXPECT_EQ(g.spec->adrgs[r.adrg].code, v);
    }
    if (!expect["mdc"].get(v)) {
      ASSERT_NE(r.mdc, kDrgNone);
      EXPECT_EQ(g.spec->mdcs[r.mdc].code, v);
    }
    if (!expect["status"].get(v)) {
      EXPECT_EQ(GroupStatusName(r.status), v);
    } else {
      EXPECT_EQ(r.status, GroupStatus::kGrouped) << r.reason;
    }
    if (!expect["severity"].get(v)) {
      EXPECT_EQ(DrgSeverityName(r.severity), v);
    }
    if (!expect["reason_contains"].get(v)) {
      EXPECT_NE(r.reason.find(v), std::string::npos) << r.reason;
    }
    // Every result carries a trace whose last step says how it ended.
    ASSERT_FALSE(r.trace.empty());
    if (r.status == GroupStatus::kGrouped) {
      EXPECT_EQ(r.trace.back().kind, GroupStepKind::kDrg);
      mdcs.insert(g.spec->mdcs[r.mdc].code);
    } else {
      EXPECT_FALSE(r.reason.empty());
    }
    ++cases;
  }
  EXPECT_GE(cases, 45);
  // Every one of the 26 MDCs (MDCA included) has at least one grouped golden case.
  EXPECT_EQ(mdcs.size(), g.spec->mdcs.size());
}

TEST(DrgGolden, NoMainDiagnosisIsUngroupable) {
  DrgCase c;
  c.procedures = {"37.5100"};
  GroupResult r;
  GroupCase(RealSpec(), c, &r);
  EXPECT_EQ(r.status, GroupStatus::kUngroupable);
  EXPECT_EQ(r.drg, "0000");
  EXPECT_EQ(r.reason, "no main diagnosis");
}

TEST(DrgGolden, JsonResultCarriesTheTrace) {
  DrgGrouper g{&RealSpec(), &RealIcd(), {}};
  DrgCase c;
  c.id = "x";
  c.main_dx = "J18.900";
  c.secondary_dx = {"J09.x00"};
  GroupResult r;
  GroupCase(g, c, &r);
  std::string out;
  AppendGroupResultJson(*g.spec, c, r, out);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(out);
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(padded).get(doc)) << out;
  EXPECT_EQ(std::string_view(doc["drg"]), "ES35");
  EXPECT_NE(out.find("\"exclusion_table\":\"7-101\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"rule\":\"5_MCC.txt:1098\""), std::string::npos) << out;
}

}  // namespace
}  // namespace yibao
