// A bureau clerk edits policy files by hand, so every mistake must come back naming the file, the
// line and the field, with a message that says what is wrong. Each test starts from a small valid
// policy, makes one mistake, and checks the diagnostic that names it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "policy/policy_toml.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view kFile = "policies/test.toml";

// The 1-based line of the first occurrence of `needle` in `text` (0 if absent), so that expected
// lines follow the text of each test instead of being counted by hand.
int LineOf(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  return 1 + int(std::count(text.begin(), text.begin() + at, '\n'));
}

const char* kHead = R"([policy]
region = "379900"
insutype = "390"
version = "t1"
effective_from = "2025-01-01"

[[benefit]]
id = "inpatient"
med_types = ["21"]
admission = true
)";

// The diagnostics of a policy that must not load.
Diagnostics ErrorsOf(const std::string& text, const PolicyVocabulary* vocabulary = nullptr) {
  auto r = ParsePolicyToml(text, kFile, vocabulary);
  EXPECT_FALSE(r.ok()) << "the policy loaded, but it has a mistake:\n" << text;
  if (r.ok()) return {};
  return r.errors();
}

// The first diagnostic on `field`; fails (listing them all) if there is none.
Diagnostic On(const Diagnostics& errors, std::string_view field) {
  for (const auto& d : errors)
    if (d.field == field) return d;
  ADD_FAILURE() << "no diagnostic on " << field << ":\n" << FormatDiagnostics(errors);
  return Diagnostic{};
}

TEST(PolicyErrors, TheBaselineLoads) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
)";
  auto r = ParsePolicyToml(text, kFile);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->file, kFile);
  ASSERT_EQ(r->benefits.size(), 1u);
  EXPECT_EQ(r->benefits[0].tiers.size(), 1u);
}

TEST(PolicyErrors, OverlappingBands) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500

[[tier.ratio]]
bands = [
  { upto = 10000, ratio = "80%" },
  { from = 8000, upto = 30000, ratio = "85%" },
  { ratio = "90%" },
]
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.ratio[0].bands[1].from");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "from = 8000"));
  EXPECT_THAT(d.message, HasSubstr("overlaps the previous one"));
  EXPECT_THAT(d.message, HasSubstr("8000.00"));
  EXPECT_THAT(d.message, HasSubstr("10000.00"));
}

TEST(PolicyErrors, GapBetweenBands) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500

[[tier.ratio]]
bands = [
  { upto = 10000, ratio = "80%" },
  { from = 12000, upto = 30000, ratio = "85%" },
  { ratio = "90%" },
]
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.ratio[0].bands[1].from");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "from = 12000"));
  EXPECT_THAT(d.message, HasSubstr("gap between bands"));
}

TEST(PolicyErrors, BandRatioAbove100Percent) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500

[[tier.ratio]]
bands = [
  { upto = 10000, ratio = "80%" },
  { ratio = "120%" },
]
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.ratio[0].bands[1].ratio");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "\"120%\""));
  EXPECT_THAT(d.message, HasSubstr("120%"));
  EXPECT_THAT(d.message, HasSubstr("outside 0%..100%"));
}

TEST(PolicyErrors, PlainRatioAbove100Percent) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "105%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.ratio.ratio");
  EXPECT_EQ(d.line, LineOf(text, "ratio = \"105%\""));
  EXPECT_THAT(d.message, HasSubstr("outside 0%..100%"));
}

TEST(PolicyErrors, CapBelowTheDeductible) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
cap = 300
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.cap.amount");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "cap = 300"));
  EXPECT_THAT(d.message, HasSubstr("cap 300.00 is below the deductible 500.00"));
  EXPECT_THAT(d.message, HasSubstr("line " + std::to_string(LineOf(text, "deductible = 500"))));
}

TEST(PolicyErrors, UnknownKeyIsATypo) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductable = 500
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.deductable");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "deductable"));
  EXPECT_THAT(d.message, HasSubstr("unknown key"));
}

TEST(PolicyErrors, UnknownKeyInANestedEntry) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"

[[tier.deductible]]
levl = 3
amount = 1000
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.deductible[0].levl");
  EXPECT_EQ(d.line, LineOf(text, "levl"));
  EXPECT_THAT(d.message, HasSubstr("unknown key"));
}

TEST(PolicyErrors, UnknownFund) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifx"
deductible = 500
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.fund");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "fund = \"hifx\""));
  EXPECT_THAT(d.message, HasSubstr("unknown fund \"hifx\""));
}

TEST(PolicyErrors, TierForAnUnknownBenefit) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "outpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.outpatient.basic.benefit");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "benefit = \"outpatient\""));
  EXPECT_THAT(d.message, HasSubstr("no [[benefit]] with id \"outpatient\""));
}

TEST(PolicyErrors, RatioEntryAfterAnUnconditionalOneIsUnreachable) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500

[[tier.ratio]]
ratio = "80%"

[[tier.ratio]]
level = 3
ratio = "85%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.ratio");
  EXPECT_EQ(d.file, kFile);
  const int first = LineOf(text, "ratio = \"80%\"") - 1;  // the [[tier.ratio]] header
  const int second = LineOf(text, "level = 3") - 1;
  EXPECT_EQ(d.line, second);
  EXPECT_THAT(d.message, HasSubstr("unreachable"));
  EXPECT_THAT(d.message, HasSubstr("line " + std::to_string(first)));
}

TEST(PolicyErrors, DeductibleEntryAfterAnUnconditionalOneIsUnreachable) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"

[[tier.deductible]]
amount = 500

[[tier.deductible]]
psn_type = "retired"
amount = 300
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.deductible");
  EXPECT_EQ(d.line, LineOf(text, "psn_type = \"retired\"") - 1);
  EXPECT_THAT(d.message, HasSubstr("unreachable"));
}

TEST(PolicyErrors, CapOnTheSameAccountAfterAnUnconditionalOneIsUnreachable) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"

[[tier.cap]]
amount = 100000

[[tier.cap]]
identity = "dibao"
amount = 200000
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.cap");
  EXPECT_EQ(d.line, LineOf(text, "identity = \"dibao\"") - 1);
  EXPECT_THAT(d.message, HasSubstr("unreachable"));
}

TEST(PolicyErrors, MedTypeClaimedByTwoBenefits) {
  std::string text = std::string(kHead) + R"(
[[benefit]]
id = "day_surgery"
med_types = ["2101", "21"]

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "benefit[1].med_types");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "med_types = [\"2101\""));
  EXPECT_THAT(d.message, HasSubstr("med_type 21 is already settled by benefit \"inpatient\""));
}

TEST(PolicyErrors, FundOrderViolated) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "assistance"
fund = "maf"
ratio = "70%"

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.fund");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "id = \"basic\"") - 2);  // the second [[tier]] header
  EXPECT_THAT(d.message, HasSubstr("fund hifp is listed after a later-stage fund"));
}

TEST(PolicyErrors, ByAdmissionOnAYearDeductible) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"

[[tier.deductible]]
period = "year"
amount = 1000
by_admission = ["100%", "50%"]
)";
  Diagnostic d = On(ErrorsOf(text), "tier.inpatient.basic.deductible[0].by_admission");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "by_admission"));
  EXPECT_THAT(d.message, HasSubstr("only for period = \"admission\""));
}

TEST(PolicyErrors, UnknownIdentityWithAVocabulary) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"

[[tier.adjust]]
identity = ["dibao", "vip"]
label = "low income"
deductible_factor = "0%"
)";
  PolicyVocabulary vocabulary{{"in_service", "retired"}, {"dibao", "destitute"}};
  Diagnostic d = On(ErrorsOf(text, &vocabulary), "tier.inpatient.basic.adjust.identity");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, LineOf(text, "[[tier.adjust]]"));
  EXPECT_THAT(d.message, HasSubstr("identity \"vip\" is not declared by the region"));
  // Without a vocabulary the words are not checked.
  EXPECT_TRUE(ParsePolicyToml(text, kFile).ok());
}

TEST(PolicyErrors, UnknownPersonTypeWithAVocabulary) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"

[[tier.deductible]]
psn_type = "retried"
amount = 300

[[tier.deductible]]
amount = 500
)";
  PolicyVocabulary vocabulary{{"in_service", "retired"}, {}};
  Diagnostic d = On(ErrorsOf(text, &vocabulary), "tier.inpatient.basic.deductible.psn_type");
  EXPECT_EQ(d.line, LineOf(text, "psn_type = \"retried\"") - 1);
  EXPECT_THAT(d.message, HasSubstr("person type \"retried\" is not declared by the region"));
}

TEST(PolicyErrors, TomlSyntaxErrorWithItsLine) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500 500
ratio = "80%"
)";
  Diagnostics errors = ErrorsOf(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, kFile);
  EXPECT_EQ(errors[0].line, LineOf(text, "deductible = 500 500"));
  EXPECT_THAT(errors[0].message, HasSubstr("TOML syntax"));
}

TEST(PolicyErrors, UnterminatedStringWithItsLine) {
  std::string text = R"([policy]
region = "379900"
insutype = "390
version = "t1"
)";
  Diagnostics errors = ErrorsOf(text);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, kFile);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_THAT(errors[0].message, HasSubstr("TOML syntax"));
}

TEST(PolicyErrors, MissingPolicyTable) {
  std::string text = R"([[benefit]]
id = "inpatient"
med_types = ["21"]

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "policy");
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.line, 1);
  EXPECT_THAT(d.message, HasSubstr("missing [policy]"));
}

TEST(PolicyErrors, MissingRequiredPolicyKey) {
  std::string text = R"([policy]
region = "379900"
version = "t1"
effective_from = "2025-01-01"

[[benefit]]
id = "inpatient"
med_types = ["21"]

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
ratio = "80%"
)";
  Diagnostic d = On(ErrorsOf(text), "policy.insutype");
  EXPECT_EQ(d.line, 1);
  EXPECT_THAT(d.message, HasSubstr("missing"));
}

TEST(PolicyErrors, EveryProblemIsReportedInLineOrder) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifx"
deductible = 500
ratio = "80%"
capp = 1000

[[tier]]
benefit = "outpatient"
id = "basic"
fund = "hifp"
ratio = "50%"
)";
  Diagnostics errors = ErrorsOf(text);
  ASSERT_GE(errors.size(), 3u) << FormatDiagnostics(errors);
  for (size_t i = 1; i < errors.size(); ++i) EXPECT_LE(errors[i - 1].line, errors[i].line);
  EXPECT_EQ(On(errors, "tier.inpatient.basic.fund").line, LineOf(text, "hifx"));
  EXPECT_EQ(On(errors, "tier.inpatient.basic.capp").line, LineOf(text, "capp"));
  EXPECT_EQ(On(errors, "tier.outpatient.basic.benefit").line, LineOf(text, "\"outpatient\""));
  // The rendered form names file, line and field, as the clerk sees it.
  EXPECT_THAT(FormatDiagnostics(errors),
              HasSubstr(std::string(kFile) + ":" + std::to_string(LineOf(text, "hifx")) +
                        ": tier.inpatient.basic.fund"));
}

TEST(PolicyErrors, LoadPolicyFileNamesThePath) {
  fs::path dir = fs::temp_directory_path() / ("yibao_policy_errors_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "bad.toml";
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifx"
ratio = "80%"
)";
  std::ofstream(file) << text;
  auto r = LoadPolicyFile(file.string());
  fs::remove_all(dir);
  ASSERT_FALSE(r.ok());
  Diagnostic d = On(r.errors(), "tier.inpatient.basic.fund");
  EXPECT_EQ(d.file, file.string());
  EXPECT_EQ(d.line, LineOf(text, "hifx"));

  auto missing = LoadPolicyFile((dir / "absent.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.errors()[0].file, (dir / "absent.toml").string());
  EXPECT_THAT(missing.errors()[0].message, HasSubstr("cannot read"));
}

// The engine works with fixed-size arrays (policy.h: kMaxAdjustmentsPerTier, kMaxCapsPerTier,
// kMaxTiersPerBenefit). A policy beyond them must be refused at load, never have rules silently
// ignored (see also SettleLimits in tests/settle/property_test.cc).
std::string TierWith(const std::string& entries) {
  return std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 0
ratio = "100%"
)" + entries;
}

TEST(PolicyLimits, MoreAdjustmentsThanTheEngineAppliesAreRefused) {
  std::string entries;
  for (int i = 0; i < 33; ++i)
    entries += "\n[[tier.adjust]]\nlabel = \"a" + std::to_string(i) + "\"\npoints = -1\n";
  std::string text = TierWith(entries);
  auto r = ParsePolicyToml(text, kFile);
  EXPECT_FALSE(r.ok()) << "33 adjustments on one tier loaded, but the engine applies only 32";
}

TEST(PolicyLimits, MoreCapsThanTheEngineChecksAreRefused) {
  std::string entries;
  for (int i = 0; i < 17; ++i)
    entries += "\n[[tier.cap]]\naccount = \"acc" + std::to_string(i) +
               "\"\namount = " + std::to_string(100000 - i) + "\n";
  std::string text = TierWith(entries);
  auto r = ParsePolicyToml(text, kFile);
  EXPECT_FALSE(r.ok()) << "17 cap accounts on one tier loaded, but the engine checks only 16";
}

TEST(PolicyLimits, MoreTiersThanTheEngineSettlesAreRefused) {
  std::string text = kHead;
  for (int i = 0; i < 17; ++i)
    text += "\n[[tier]]\nbenefit = \"inpatient\"\nid = \"t" + std::to_string(i) +
            "\"\nfund = \"oth\"\nratio = \"1%\"\n";
  auto r = ParsePolicyToml(text, kFile);
  EXPECT_FALSE(r.ok()) << "17 tiers loaded, but Settle refuses every visit of such a benefit";
}

TEST(PolicyErrors, BareFloatsAreRefusedForMoneyAndRatios) {
  std::string text = std::string(kHead) + R"(
[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 1300.5
ratio = 0.8
)";
  Diagnostics errors = ErrorsOf(text);
  Diagnostic d = On(errors, "tier.inpatient.basic.deductible.amount");
  EXPECT_EQ(d.line, LineOf(text, "1300.5"));
  EXPECT_THAT(d.message, HasSubstr("in quotes"));
  Diagnostic r = On(errors, "tier.inpatient.basic.ratio.ratio");
  EXPECT_EQ(r.line, LineOf(text, "0.8"));
  EXPECT_THAT(r.message, HasSubstr("never a float"));
}

}  // namespace
}  // namespace yibao
