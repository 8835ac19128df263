// The region loader: the bundled sample region loads whole; the policy in force is picked by date;
// overlapping policy versions and bad institution lines are refused with file and line; a HIS may
// send a person type's national code instead of its id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "base/csv_reader.h"
#include "base/text.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "region/region.h"

namespace yibao {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kSample = fs::path(YIBAO_SOURCE_DIR) / "regions/qinglan";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// Data records of a CSV file (comments, blank lines and the header row excluded).
size_t CsvRecords(const fs::path& p) {
  std::string text = ReadFile(p);
  CsvReader reader(text);
  CsvRow row;
  size_t n = 0;
  while (reader.Next(row)) ++n;
  return n == 0 ? 0 : n - 1;
}

const Region& Sample() {
  static const Region* region = [] {
    auto r = LoadRegion(kSample.string());
    if (!r) {
      ADD_FAILURE() << FormatDiagnostics(r.errors());
      return new Region;
    }
    return new Region(std::move(*r));
  }();
  return *region;
}

// A scratch directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("yibao_region_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A copy of the sample region to break.
void CopySample(const fs::path& to) {
  fs::copy(kSample, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::string PolicyText(std::string_view version, std::string_view from, std::string_view to) {
  std::string text = "[policy]\nregion = \"379900\"\ninsutype = \"390\"\nversion = \"";
  text += version;
  text += "\"\neffective_from = \"";
  text += from;
  text += "\"\n";
  if (!to.empty()) text += "effective_to = \"" + std::string(to) + "\"\n";
  text += R"(
[[benefit]]
id = "inpatient"
med_types = ["21"]
admission = true

[[tier]]
benefit = "inpatient"
id = "basic"
fund = "hifp"
deductible = 500
ratio = "80%"
)";
  return text;
}

TEST(Region, SampleLoadsWhole) {
  const Region& r = Sample();
  EXPECT_EQ(r.admdvs, "379900");
  EXPECT_EQ(r.name, "青岚市");
  EXPECT_FALSE(r.province_pooling);
  // Every record of the data files is loaded.
  EXPECT_EQ(r.catalogue.size(), CsvRecords(kSample / "catalogue.csv"));
  EXPECT_GE(r.catalogue.size(), 300u);
  EXPECT_EQ(r.catalogue.admdvs(), "379900");
  EXPECT_EQ(r.institutions.size(), CsvRecords(kSample / "institutions.csv"));
  EXPECT_EQ(r.institutions.size(), 18u);
  size_t policy_files = 0;
  for (const auto& e : fs::directory_iterator(kSample / "policies"))
    policy_files += e.path().extension() == ".toml";
  EXPECT_EQ(r.policies.size(), policy_files);
  EXPECT_EQ(r.policies.size(), 3u);
  EXPECT_EQ(r.person_types.size(), 6u);
  EXPECT_EQ(r.identities.size(), 8u);
  EXPECT_EQ(r.vocabulary.psn_types.size(), r.person_types.size());
  EXPECT_EQ(r.vocabulary.identities.size(), r.identities.size());
  for (const auto& p : r.policies) EXPECT_EQ(p.region, r.admdvs) << p.file;
  // Institutions by code, with their level; pharmacies are level 0.
  const Institution* first = r.FindInstitution("H37990000001");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->level, 3);
  EXPECT_FALSE(first->pharmacy);
  const Institution* pharmacy = r.FindInstitution("P37990000001");
  ASSERT_NE(pharmacy, nullptr);
  EXPECT_TRUE(pharmacy->pharmacy);
  EXPECT_EQ(pharmacy->level, 0);
  EXPECT_EQ(r.FindInstitution("H37990099999"), nullptr);
}

TEST(Region, PolicyForPicksTheVersionInForce) {
  const Region& r = Sample();
  auto version = [&](std::string_view insutype, std::string_view day) -> std::string {
    const Policy* p = r.PolicyFor(insutype, *Date::Parse(day));
    return p ? p->version : "none";
  };
  EXPECT_EQ(version("390", "2024-01-01"), "2024.1");
  EXPECT_EQ(version("390", "2024-06-15"), "2024.1");
  EXPECT_EQ(version("390", "2024-12-31"), "2024.1");
  EXPECT_EQ(version("390", "2025-01-01"), "2025.1");
  EXPECT_EQ(version("390", "2025-12-31"), "2025.1");
  EXPECT_EQ(version("390", "2023-12-31"), "none");
  EXPECT_EQ(version("390", "2026-01-01"), "none");
  EXPECT_EQ(version("310", "2025-03-01"), "2025.1");
  EXPECT_EQ(version("310", "2024-06-15"), "none");
  EXPECT_EQ(version("510", "2025-03-01"), "none");
  const Policy* p2024 = r.PolicyFor("390", *Date::Parse("2024-06-15"));
  const Policy* p2025 = r.PolicyFor("390", *Date::Parse("2025-06-15"));
  ASSERT_TRUE(p2024 && p2025);
  EXPECT_EQ(p2024->insutype, "390");
  EXPECT_NE(p2024, p2025);
}

TEST(Region, ADischargeAcrossNewYearTakesTheNewPolicy) {
  // The end date (discharge) picks the policy: admitted in 2024, discharged in 2025.
  std::string json = ReadFile(kSample / "visits/04-resident-child-inpatient.json");
  auto input = ParseVisitJson(json);
  ASSERT_TRUE(input.ok()) << FormatDiagnostics(input.errors());
  input->visit.begin = *Date::Parse("2024-12-20");
  input->visit.end = *Date::Parse("2025-01-05");
  auto prepared = PrepareVisit(std::move(*input), Sample(), Sample());
  ASSERT_TRUE(prepared.ok()) << FormatDiagnostics(prepared.errors());
  EXPECT_EQ(prepared->policy->version, "2025.1");
}

TEST(Region, OverlappingPolicyVersionsAreRejected) {
  TempDir dir;
  WriteFile(dir.path() / "a-2025.toml", PolicyText("2025.1", "2025-01-01", "2025-12-31"));
  WriteFile(dir.path() / "b-2025h2.toml", PolicyText("2025.2", "2025-07-01", ""));
  auto r = LoadPolicies(dir.path().string(), nullptr);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors().size(), 1u) << FormatDiagnostics(r.errors());
  const Diagnostic& d = r.errors()[0];
  EXPECT_EQ(d.file, (dir.path() / "b-2025h2.toml").string());
  EXPECT_EQ(d.field, "policy.effective_from");
  EXPECT_THAT(d.message, HasSubstr("in force on the same days as"));
  EXPECT_THAT(d.message, HasSubstr("a-2025.toml"));
  EXPECT_THAT(d.message, HasSubstr("390"));
}

TEST(Region, PolicyVersionsMeetingAtADayBoundaryLoad) {
  TempDir dir;
  WriteFile(dir.path() / "a.toml", PolicyText("2025.1", "2025-01-01", "2025-06-30"));
  WriteFile(dir.path() / "b.toml", PolicyText("2025.2", "2025-07-01", ""));
  auto r = LoadPolicies(dir.path().string(), nullptr);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->size(), 2u);
  // Sharing a single day is already an overlap.
  WriteFile(dir.path() / "b.toml", PolicyText("2025.2", "2025-06-30", ""));
  EXPECT_FALSE(LoadPolicies(dir.path().string(), nullptr).ok());
}

TEST(Region, AnOverlappingPolicyFileMakesTheRegionFail) {
  TempDir dir;
  CopySample(dir.path());
  WriteFile(dir.path() / "policies/resident-2025-draft.toml",
            PolicyText("2025.9", "2025-03-01", "2025-12-31"));
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  bool named = false;
  for (const auto& d : r.errors())
    named = named || (d.file.find("resident-2025") != std::string::npos &&
                      d.message.find("in force on the same days") != std::string::npos);
  EXPECT_TRUE(named) << FormatDiagnostics(r.errors());
}

TEST(Region, RequireSignatureIsABooleanOfTheRegion) {
  TempDir dir;
  CopySample(dir.path());
  const fs::path toml = dir.path() / "region.toml";
  std::string text = ReadTextFile(toml.string()).value();
  const std::string with = "[region]\nrequire_signature = true\n";
  text.replace(text.find("[region]\n"), 9, with);
  WriteFile(toml, text);
  auto r = LoadRegion(dir.path().string());
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_TRUE(r->require_signature);
  text.replace(text.find("require_signature = true"), 24, "require_signature = \"yes\"");
  WriteFile(toml, text);
  auto bad = LoadRegion(dir.path().string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.errors()[0].field, "region.require_signature");
  EXPECT_EQ(bad.errors()[0].line, 4);  // the line after [region]
}

TEST(Region, BadInstitutionLinesNameFileAndLine) {
  TempDir dir;
  CopySample(dir.path());
  const fs::path file = dir.path() / "institutions.csv";
  WriteFile(file,
            "# test institutions\n"                         // 1
            "code,name,level,kind\n"                        // 2
            "H37990000001,青岚市第一人民医院,3,hospital\n"  // 3
            "H37990000002,某医院,5,hospital\n"              // 4: level out of range
            "H3799000003,短编码医院,2,hospital\n"           // 5: code too short
            "P37990000001,某药房,0,shop\n"                  // 6: unknown kind
            "H37990000007,少一列,2\n"                       // 7: missing field
            "H37990000001,重复,2,hospital\n");              // 8: duplicate code
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  auto find = [&](int line, std::string_view field) -> const Diagnostic* {
    for (const auto& d : r.errors())
      if (d.line == line && d.field == field) return &d;
    return nullptr;
  };
  const Diagnostic* level = find(4, "level");
  ASSERT_NE(level, nullptr) << FormatDiagnostics(r.errors());
  EXPECT_EQ(level->file, file.string());
  EXPECT_THAT(level->message, HasSubstr("0, 1, 2 or 3"));
  const Diagnostic* code = find(5, "code");
  ASSERT_NE(code, nullptr) << FormatDiagnostics(r.errors());
  EXPECT_EQ(code->file, file.string());
  const Diagnostic* kind = find(6, "kind");
  ASSERT_NE(kind, nullptr) << FormatDiagnostics(r.errors());
  const Diagnostic* fields = find(7, "");
  ASSERT_NE(fields, nullptr) << FormatDiagnostics(r.errors());
  EXPECT_THAT(fields->message, HasSubstr("expected 4 fields"));
  const Diagnostic* duplicate = find(8, "code");
  ASSERT_NE(duplicate, nullptr) << FormatDiagnostics(r.errors());
  EXPECT_THAT(duplicate->message, HasSubstr("duplicate"));
  // Nothing else is blamed: the good line 3 has no diagnostic.
  for (const auto& d : r.errors()) EXPECT_NE(d.line, 3) << d.ToString();
}

TEST(Region, UnknownInstitutionColumnIsReported) {
  TempDir dir;
  CopySample(dir.path());
  const fs::path file = dir.path() / "institutions.csv";
  WriteFile(file, "code,name,levle,kind\nH37990000001,医院,3,hospital\n");
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.errors())
    found = found || (d.file == file.string() && d.line == 1 && d.field == "levle");
  EXPECT_TRUE(found) << FormatDiagnostics(r.errors());
}

TEST(Region, PersonTypeNationalCodes) {
  const Region& r = Sample();
  EXPECT_EQ(r.PersonTypeId("12"), "retired");
  EXPECT_EQ(r.PersonTypeId("retired"), "retired");
  EXPECT_EQ(r.PersonTypeId("11"), "in_service");
  EXPECT_EQ(r.PersonTypeId("16"), "resident_elderly");
  EXPECT_EQ(r.PersonTypeId("99"), "");
  EXPECT_EQ(r.PersonTypeId(""), "");
  EXPECT_EQ(r.PersonTypeId("Retired"), "");
}

TEST(Region, PrepareMapsANationalPersonTypeCode) {
  // Sample visit 06 sends psn_type "12".
  std::string json = ReadFile(kSample / "visits/06-retiree-chronic-hypertension.json");
  ASSERT_THAT(json, HasSubstr("\"psn_type\": \"12\""));
  auto input = ParseVisitJson(json);
  ASSERT_TRUE(input.ok()) << FormatDiagnostics(input.errors());
  auto prepared = PrepareVisit(std::move(*input), Sample(), Sample());
  ASSERT_TRUE(prepared.ok()) << FormatDiagnostics(prepared.errors());
  EXPECT_EQ(prepared->visit.person.psn_type, "retired");

  // An unknown code is refused on psn_type.
  auto unknown = ParseVisitJson(json);
  ASSERT_TRUE(unknown.ok());
  unknown->visit.person.psn_type = "99";
  auto refused = PrepareVisit(std::move(*unknown), Sample(), Sample());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors()[0].field, "psn_type");
  EXPECT_THAT(refused.errors()[0].message, HasSubstr("\"99\""));
}

TEST(Region, MissingRegionFileIsReported) {
  TempDir dir;
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].file, (dir.path() / "region.toml").string());
  EXPECT_THAT(r.errors()[0].message, HasSubstr("cannot read"));
}

TEST(Region, PolicyOfAnotherRegionIsRejected) {
  TempDir dir;
  CopySample(dir.path());
  std::string text = ReadFile(dir.path() / "policies/employee-2025.toml");
  size_t at = text.find("region = \"379900\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "region = \"379901\"");
  WriteFile(dir.path() / "policies/employee-2025.toml", text);
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.errors())
    found = found ||
            (d.field == "policy.region" && d.file.find("employee-2025.toml") != std::string::npos);
  EXPECT_TRUE(found) << FormatDiagnostics(r.errors());
}

}  // namespace
}  // namespace yibao
