// The register files of a region (persons.csv, employers.csv, credentials.csv): the sample loads
// and agrees with the sample visits; every bad row is reported with file, line and column; ID
// numbers are checked against GB 11643.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "base/csv_reader.h"
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

class TempRegion {
 public:
  TempRegion() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("yibao_register_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    fs::create_directories(path_);
    fs::copy(kSample, path_, fs::copy_options::recursive);
  }
  ~TempRegion() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

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

// The diagnostic at (line, column) of `file`, or nullptr.
const Diagnostic* Find(const Diagnostics& ds, const fs::path& file, int line,
                       std::string_view column) {
  for (const auto& d : ds)
    if (d.file == file.string() && d.line == line && d.field == column) return &d;
  return nullptr;
}

constexpr std::string_view kPersonsHeader =
    "psn_no,psn_cert_type,certno,psn_name,gend,brdy,naty,insutype,psn_type,psn_insu_stas,"
    "psn_insu_date,paus_insu_date,emp_no,cvlserv_flag,identities,acct_balc\n";

TEST(ResidentId, CheckDigitOfGb11643) {
  // The standard's example 11010519491231002X, and the sample's.
  EXPECT_EQ(ResidentIdCheckDigit("11010519491231002"), 'X');
  EXPECT_EQ(ResidentIdProblem("11010519491231002X"), "");
  EXPECT_EQ(ResidentIdProblem("37990019611108009X"), "");
  EXPECT_EQ(ResidentIdProblem("379900198206150037"), "");
  EXPECT_THAT(ResidentIdProblem("379900198206150038"),
              HasSubstr("wrong check digit: expected 7, got 8"));
  EXPECT_THAT(ResidentIdProblem("37990019611108009x"), HasSubstr("wrong check digit"));
  EXPECT_THAT(ResidentIdProblem("3799001982061500"), HasSubstr("expected 18 characters"));
  EXPECT_THAT(ResidentIdProblem("37990019820615A037"), HasSubstr("17 digits"));
  EXPECT_THAT(ResidentIdProblem("379900198213150031"), HasSubstr("not a birth date"));
  EXPECT_EQ(ResidentIdCheckDigit("1234"), '\0');
}

TEST(Register, SampleLoads) {
  const Region& r = Sample();
  EXPECT_GE(r.persons.size(), 24u);
  EXPECT_EQ(r.employers.size(), 5u);
  // Every institution has a credential, which is SM3 hex.
  EXPECT_EQ(r.credentials.size(), r.institutions.size());
  std::set<std::string> codes;
  for (const auto& c : r.credentials) {
    codes.insert(c.fixmedins_code);
    EXPECT_EQ(c.credential_sm3.size(), 64u);
  }
  for (const auto& i : r.institutions) EXPECT_TRUE(codes.count(i.code)) << i.code;
  // Every person's ID number is valid and agrees with brdy and gend; each row counts once.
  size_t rows = 0;
  for (const auto& p : r.persons) {
    EXPECT_EQ(ResidentIdProblem(p.certno), "") << p.psn_no;
    EXPECT_EQ(p.certno.substr(0, 6), "379900");
    rows += p.insurances.size();
  }
  std::string text = ReadFile(kSample / "persons.csv");
  CsvReader reader(text);
  CsvRow row;
  size_t records = 0;
  while (reader.Next(row)) ++records;
  EXPECT_EQ(rows, records - 1);
  // Variety: a suspended insurance, an ended one, two insurances of one person, identities.
  const RegisteredPerson* hanlei = r.FindRegisteredPerson("37990000000000000023");
  ASSERT_NE(hanlei, nullptr);
  ASSERT_EQ(hanlei->insurances.size(), 2u);
  EXPECT_EQ(hanlei->insurances[0].psn_insu_stas, "4");
  EXPECT_EQ(hanlei->insurances[1].insutype, "390");
  const RegisteredPerson* sunli = r.FindRegisteredPerson("37990000000000000009");
  ASSERT_NE(sunli, nullptr);
  EXPECT_EQ(sunli->insurances[0].psn_insu_stas, "2");
  EXPECT_EQ(sunli->insurances[0].paus_insu_date, "2024-10-01");
  const RegisteredPerson* guo = r.FindRegisteredPerson("37990000000000000014");
  ASSERT_NE(guo, nullptr);
  ASSERT_EQ(guo->identities.size(), 2u);
  EXPECT_EQ(guo->identities[1].id, "monitored");
  EXPECT_EQ(guo->identities[1].begntime, "2021-06-01");
  EXPECT_EQ(guo->identities[1].endtime, "2025-12-31");
  std::set<std::string> psn_types, identities;
  for (const auto& p : r.persons) {
    for (const auto& i : p.insurances) psn_types.insert(i.psn_type);
    for (const auto& i : p.identities) identities.insert(i.id);
  }
  EXPECT_EQ(psn_types.size(), r.person_types.size());  // every person type is someone's
  EXPECT_TRUE(identities.count("destitute"));
  EXPECT_TRUE(identities.count("dibao"));
  EXPECT_EQ(r.FindRegisteredPerson("nobody"), nullptr);
  // The files the region names.
  EXPECT_EQ(r.catalogue_file, (kSample / "catalogue.csv").string());
  EXPECT_EQ(r.policies_dir, (kSample / "policies").string());
}

TEST(Register, SamplePersonsMatchTheSampleVisits) {
  const Region& r = Sample();
  size_t visits = 0;
  for (const auto& e : fs::directory_iterator(kSample / "visits")) {
    if (e.path().extension() != ".json") continue;
    ++visits;
    auto input = ParseVisitJson(ReadFile(e.path()));
    ASSERT_TRUE(input.ok()) << e.path() << FormatDiagnostics(input.errors());
    const Person& v = input->visit.person;
    const RegisteredPerson* p = r.FindRegisteredPerson(v.psn_no);
    ASSERT_NE(p, nullptr) << e.path();
    EXPECT_EQ(p->gend, v.sex == Sex::kMale ? "1" : "2") << e.path();
    EXPECT_EQ(p->brdy, v.birthday.ToString()) << e.path();
    const RegisteredInsurance* ins = nullptr;
    for (const auto& i : p->insurances)
      if (i.insutype == v.insutype) ins = &i;
    ASSERT_NE(ins, nullptr) << e.path();
    EXPECT_EQ(ins->psn_type, r.PersonTypeId(v.psn_type)) << e.path();
    EXPECT_EQ(ins->psn_insu_stas, "1");
    std::vector<std::string> ids;
    for (const auto& i : p->identities) ids.push_back(i.id);
    EXPECT_EQ(ids, v.identities) << e.path();
  }
  EXPECT_EQ(visits, 8u);
  // The opening balances of the employees are those of their first visits.
  EXPECT_EQ(r.FindRegisteredPerson("37990000000000000001")->insurances[0].opening_balance,
            Money::Yuan(500));
  EXPECT_EQ(r.FindRegisteredPerson("37990000000000000002")->insurances[0].opening_balance,
            Money::Yuan(1200));
  EXPECT_EQ(r.FindRegisteredPerson("37990000000000000003")->insurances[0].opening_balance,
            Money::Zero());
}

TEST(Register, BadPersonRowsNameFileLineAndColumn) {
  TempRegion dir;
  const fs::path file = dir.path() / "persons.csv";
  std::string text = "# test persons\n" + std::string(kPersonsHeader);  // lines 1, 2
  const char* rows[] = {
      // 3: good
      "P1,01,379900198206150037,张伟,1,1982-06-15,01,310,in_service,1,2005-07-01,,37990000010001,"
      "0,dibao:2019-01-01,500.00",
      // 4: check digit
      "P2,01,379900198206150038,甲,1,1982-06-15,01,310,in_service,1,2005-07-01,,,0,,",
      // 5: gend, brdy
      "P3,01,379900195603020048,乙,3,1956-13-02,01,310,retired,1,1998-01-01,,,0,,",
      // 6: unknown person type, undeclared identity
      "P4,01,379900201809200077,丙,1,2018-09-20,01,390,toddler,1,2018-10-08,,,0,vip,",
      // 7: unknown employer, negative balance, bad status
      "P5,01,379900199004120109,丁,2,1990-04-12,01,310,11,3,2013-08-01,,E404,0,,-1",
      // 8: suspended without a date
      "P6,01,379900195007210144,戊,2,1950-07-21,01,310,retired,2,1995-01-01,,,0,,",
      // 9: the ID number says female, gend says male
      "P7,01,379900199509090187,己,1,1995-09-09,01,310,in_service,1,2018-07-01,,,0,,",
      // 10: P1 again with another name and the same insutype
      "P1,01,379900198206150037,张三,1,1982-06-15,01,310,in_service,1,2005-07-01,,,0,"
      "dibao:2019-01-01,",
      // 11: someone else with P1's ID number
      "P8,01,379900198206150037,庚,1,1982-06-15,01,390,resident_adult,1,2005-07-01,,,0,,",
      // 12: too few fields
      "P9,01,379900198206150037",
      // 13: a passport need not pass GB 11643; identity end before begin; bad insutype
      "P10,02,E12345678,Smith,1,1982-06-15,01,31,resident_adult,1,2005-07-01,,,0,"
      "dibao:2020-01-01:2019-01-01,",
  };
  for (const char* row : rows) text += std::string(row) + "\n";
  WriteFile(file, text);
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  const Diagnostics& ds = r.errors();
  auto expect = [&](int line, std::string_view column, std::string_view message) {
    const Diagnostic* d = Find(ds, file, line, column);
    ASSERT_NE(d, nullptr) << line << ": " << column << "\n" << FormatDiagnostics(ds);
    EXPECT_THAT(d->message, HasSubstr(std::string(message))) << d->ToString();
  };
  expect(4, "certno", "wrong check digit: expected 7, got 8");
  expect(5, "gend", "expected 1 (male) or 2 (female)");
  expect(5, "brdy", "YYYY-MM-DD");
  expect(6, "psn_type", "person type \"toddler\" is not declared in region.toml");
  expect(6, "identities", "identity \"vip\" is not declared in region.toml");
  expect(7, "emp_no", "not an employer");
  expect(7, "acct_balc", "≥ 0");
  expect(7, "psn_insu_stas", "expected 1");
  expect(8, "paus_insu_date", "required when psn_insu_stas is 2");
  expect(9, "certno", "sex digit");
  expect(10, "psn_name", "differs from the person's first row (line 3)");
  expect(10, "insutype", "already has insutype 310 (line 3)");
  expect(11, "certno", "already belongs to P1");
  expect(12, "", "expected 16 fields, got 3");
  expect(13, "identities", "ends before it begins");
  expect(13, "insutype", "3-digit");
  EXPECT_EQ(Find(ds, file, 13, "certno"), nullptr) << FormatDiagnostics(ds);
  // The good row and the national code "11" for in_service are not blamed.
  for (const auto& d : ds)
    if (d.file == file.string()) EXPECT_NE(d.line, 3) << d.ToString();
  EXPECT_EQ(Find(ds, file, 7, "psn_type"), nullptr);
}

TEST(Register, AMinimalPersonsFileTakesTheDefaults) {
  TempRegion dir;
  WriteFile(dir.path() / "persons.csv",
            "psn_no,certno,psn_name,gend,brdy,insutype,psn_type,psn_insu_date,identities\n"
            "X1,379900201809200077,王小宇,1,2018-09-20,390,14,2018-10-08,orphan\n");
  auto r = LoadRegion(dir.path().string());
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  ASSERT_EQ(r->persons.size(), 1u);
  const RegisteredPerson& p = r->persons[0];
  EXPECT_EQ(p.psn_cert_type, "01");
  EXPECT_EQ(p.naty, "01");
  EXPECT_EQ(p.line, 2);
  ASSERT_EQ(p.insurances.size(), 1u);
  EXPECT_EQ(p.insurances[0].psn_type, "resident_child");  // from the national code
  EXPECT_EQ(p.insurances[0].psn_insu_stas, "1");
  EXPECT_EQ(p.insurances[0].cvlserv_flag, "0");
  EXPECT_TRUE(p.insurances[0].opening_balance.is_zero());
  ASSERT_EQ(p.identities.size(), 1u);
  EXPECT_EQ(p.identities[0].begntime, "2018-10-08");  // from the insurance date
  EXPECT_EQ(p.identities[0].endtime, "");
}

TEST(Register, UnknownAndMissingColumns) {
  TempRegion dir;
  const fs::path file = dir.path() / "persons.csv";
  WriteFile(file, "psn_no,certno,name,gend,brdy,insutype,psn_type,psn_insu_date\n");
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(Find(r.errors(), file, 1, "name"), nullptr) << FormatDiagnostics(r.errors());
  const Diagnostic* missing = Find(r.errors(), file, 1, "psn_name");
  ASSERT_NE(missing, nullptr) << FormatDiagnostics(r.errors());
  EXPECT_EQ(missing->message, "missing column");
}

TEST(Register, BadEmployersAndCredentials) {
  TempRegion dir;
  const fs::path employers = dir.path() / "employers.csv";
  const fs::path credentials = dir.path() / "credentials.csv";
  std::string emp = ReadFile(employers);
  emp += "37990000010001,重复单位,379900\n";  // duplicate
  emp += "E-9,,37990\n";                      // no name, bad admdvs
  WriteFile(employers, emp);
  int emp_lines = int(std::count(emp.begin(), emp.end(), '\n'));
  WriteFile(credentials,
            "fixmedins_code,credential_sm3\n"
            "H37990000001,626BCEE71E6C0E758379E226BA15CE907FE6E244C27BA31BBE2A144086E1017A\n"
            "H37990000099,626bcee71e6c0e758379e226ba15ce907fe6e244c27ba31bbe2a144086e1017a\n"
            "H37990000002,abc\n"
            "H37990000001,626bcee71e6c0e758379e226ba15ce907fe6e244c27ba31bbe2a144086e1017a\n");
  auto r = LoadRegion(dir.path().string());
  ASSERT_FALSE(r.ok());
  const Diagnostics& ds = r.errors();
  EXPECT_NE(Find(ds, employers, emp_lines - 1, "emp_no"), nullptr) << FormatDiagnostics(ds);
  EXPECT_NE(Find(ds, employers, emp_lines, "emp_name"), nullptr) << FormatDiagnostics(ds);
  EXPECT_NE(Find(ds, employers, emp_lines, "admdvs"), nullptr) << FormatDiagnostics(ds);
  EXPECT_EQ(Find(ds, credentials, 2, "credential_sm3"), nullptr);  // upper case is accepted
  const Diagnostic* unknown = Find(ds, credentials, 3, "fixmedins_code");
  ASSERT_NE(unknown, nullptr) << FormatDiagnostics(ds);
  EXPECT_THAT(unknown->message, HasSubstr("not an institution of the region"));
  EXPECT_NE(Find(ds, credentials, 4, "credential_sm3"), nullptr) << FormatDiagnostics(ds);
  const Diagnostic* dup = Find(ds, credentials, 5, "fixmedins_code");
  ASSERT_NE(dup, nullptr) << FormatDiagnostics(ds);
  EXPECT_THAT(dup->message, HasSubstr("duplicate H37990000001 (line 2)"));
}

TEST(Register, TheRegisterIsOptional) {
  TempRegion dir;
  std::string toml = ReadFile(dir.path() / "region.toml");
  for (std::string key : {"persons = ", "employers = ", "credentials = "}) {
    size_t at = toml.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    toml.erase(at, toml.find('\n', at) - at + 1);
  }
  WriteFile(dir.path() / "region.toml", toml);
  fs::remove(dir.path() / "persons.csv");
  auto r = LoadRegion(dir.path().string());
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_TRUE(r->persons.empty());
  EXPECT_TRUE(r->employers.empty());
  EXPECT_TRUE(r->credentials.empty());
  // Named but missing: an error naming the file.
  WriteFile(dir.path() / "region.toml",
            std::string(toml).replace(toml.find("[region]\n"), 9,
                                      "[region]\npersons = \"people.csv\"\n"));
  auto missing = LoadRegion(dir.path().string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.errors()[0].file, (dir.path() / "people.csv").string());
  EXPECT_THAT(missing.errors()[0].message, HasSubstr("cannot read"));
}

}  // namespace
}  // namespace yibao
