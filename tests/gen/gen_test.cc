// The generator: determinism, files that load, internal consistency, distributions.
#include <gtest/gtest.h>

#include <set>

#include "base/money.h"
#include "base/quantity.h"
#include "catalogue/catalogue_csv.h"
#include "gen/families.h"
#include "gen_fixture.h"

namespace yibao::gen::testing {
namespace {

std::map<std::string, std::string> GenerateFiles(uint64_t seed, int64_t persons, int threads) {
  GenOptions o;
  o.seed = seed;
  o.persons = persons;
  o.threads = threads;
  MemorySink sink;
  auto s = Generate(o, SharedInputs(), sink);
  EXPECT_TRUE(s.ok());
  return std::move(sink.files);
}

TEST(GenDeterminism, SameSeedSameBytesWhateverTheThreads) {
  auto one = GenerateFiles(42, 2500, 1);
  auto two = GenerateFiles(42, 2500, 2);
  auto three = GenerateFiles(42, 2500, 3);
  ASSERT_EQ(one.size(), two.size());
  for (const auto& [name, text] : one) {
    EXPECT_EQ(text, two[name]) << name;
    EXPECT_EQ(text, three[name]) << name;
  }
  auto other = GenerateFiles(43, 2500, 2);
  EXPECT_NE(one["visits.csv"], other["visits.csv"]);
  EXPECT_NE(one["persons.csv"], other["persons.csv"]);
}

TEST(GenFiles, EveryFileIsThereAndLoads) {
  const Region& r = SmallRegion();
  for (const char* name :
       {"persons.csv", "institutions.csv", "catalogue.csv", "visits.csv", "fee_lines.csv",
        "labels.csv", "knowledge/items.csv", "knowledge/includes.csv", "knowledge/requires.csv",
        "knowledge/bundles.csv", "knowledge/substitution.csv", "knowledge/step_therapy.csv",
        "knowledge/diagnosis_evidence.csv", "knowledge/mild_diagnoses.csv"})
    EXPECT_TRUE(r.files.count(name)) << name;
  auto cat = ParseCatalogueCsv(r.files.at("catalogue.csv"), "catalogue.csv", "379900");
  ASSERT_TRUE(cat.ok()) << FormatDiagnostics(cat.errors());
  EXPECT_GT(cat->size(), 400u);
  // Column names exactly as docs/formats/claims.md has them.
  EXPECT_EQ(ReadCsv(r.files.at("persons.csv")).header,
            (std::vector<std::string>{"psn_no", "gend", "brdy", "insutype", "psn_type",
                                      "insuplc_admdvs", "death_date"}));
  EXPECT_EQ(ReadCsv(r.files.at("knowledge/items.csv")).header.size(), 12u);
  EXPECT_EQ(ReadCsv(r.files.at("knowledge/step_therapy.csv")).header,
            (std::vector<std::string>{"code", "first_line_codes", "window_days"}));
  // Every item of the knowledge base is a catalogue code.
  Table items = ReadCsv(r.files.at("knowledge/items.csv"));
  for (const auto& row : items.rows)
    EXPECT_TRUE(cat->Find(row[0], Date::FromYmd(2025, 6, 1)) ||
                cat->Find(row[0], Date::FromYmd(2024, 6, 1)) ||
                cat->Find(row[0], Date::FromYmd(2020, 6, 1)))
        << row[0];
}

TEST(GenConsistency, LinesSumToTheVisitAndStayInside) {
  const Region& r = SmallRegion();
  Table visits = ReadCsv(r.files.at("visits.csv"));
  Table lines = ReadCsv(r.files.at("fee_lines.csv"));
  Table labels = ReadCsv(r.files.at("labels.csv"));
  EXPECT_EQ(int64_t(visits.rows.size()), r.summary.visits);
  EXPECT_EQ(int64_t(lines.rows.size()), r.summary.lines);
  std::set<std::string> fictitious;
  for (const auto& l : labels.rows)
    if (l[0] == "charge_fictitious") fictitious.insert(l[1]);
  struct V {
    int64_t total = 0, sum = 0;
    Date begin, end;
    int lines = 0;
  };
  std::unordered_map<std::string, V> by_id;
  std::vector<std::string> order;
  for (const auto& v : visits.rows) {
    ASSERT_FALSE(by_id.count(v[0])) << "mdtrt_id repeated: " << v[0];
    V& x = by_id[v[0]];
    x.total = Money::ParseYuan(v[13])->fen();
    x.begin = *Date::Parse(v[4]);
    x.end = *Date::Parse(v[5]);
    order.push_back(v[0]);
  }
  std::string last;
  size_t visit_pos = 0;
  int outside = 0;
  for (const auto& l : lines.rows) {
    auto it = by_id.find(l[0]);
    ASSERT_NE(it, by_id.end()) << l[0];
    if (l[0] != last) {  // lines are contiguous and in the visits' order
      while (visit_pos < order.size() && order[visit_pos] != l[0]) ++visit_pos;
      ASSERT_LT(visit_pos, order.size()) << "lines of " << l[0] << " out of order";
      last = l[0];
    }
    V& x = it->second;
    EXPECT_EQ(std::stoi(l[1]), ++x.lines) << l[0];
    auto cnt = Quantity::Parse(l[4]);
    auto price = UnitPrice::Parse(l[5]);
    auto amount = Money::ParseYuan(l[6]);
    ASSERT_TRUE(cnt && price && amount) << l[0] << " " << l[1];
    EXPECT_EQ(LineAmount(*price, *cnt), *amount);
    x.sum += amount->fen();
    Date day = *Date::Parse(l[2]);
    if (day < x.begin || day > x.end) {
      ++outside;
      EXPECT_TRUE(fictitious.count(l[0])) << "line outside its visit: " << l[0] << " " << l[1];
    }
  }
  EXPECT_GT(outside, 0);
  for (const auto& [id, x] : by_id) {
    EXPECT_EQ(x.total, x.sum) << id;
    EXPECT_GT(x.lines, 0) << id;
  }
}

TEST(GenConsistency, LabelsNameExistingVisitsAndLinesAndEveryFamily) {
  const Region& r = SmallRegion();
  Table visits = ReadCsv(r.files.at("visits.csv"));
  Table lines = ReadCsv(r.files.at("fee_lines.csv"));
  Table labels = ReadCsv(r.files.at("labels.csv"));
  std::set<std::string> ids;
  for (const auto& v : visits.rows) ids.insert(v[0]);
  std::set<std::pair<std::string, std::string>> line_ids;
  for (const auto& l : lines.rows) line_ids.insert({l[0], l[1]});
  std::map<std::string, int> per_family;
  for (const auto& l : labels.rows) {
    ++per_family[l[0]];
    EXPECT_TRUE(ids.count(l[1])) << l[0] << " " << l[1];
    if (!l[2].empty()) {
      EXPECT_TRUE(line_ids.count({l[1], l[2]})) << l[0] << " " << l[1] << " " << l[2];
    }
  }
  for (int f = 0; f < kFamilyCount; ++f) {
    const std::string name(FamilyName(Family(f)));
    EXPECT_GE(per_family[name], 5) << name;
    EXPECT_EQ(r.summary.labels[size_t(f)], per_family[name]) << name;
  }
}

TEST(GenDistributions, PersonsLookLikeTheCensusAndTheInsuranceMix) {
  const Region& r = SmallRegion();
  Table persons = ReadCsv(r.files.at("persons.csv"));
  const int n = int(persons.rows.size());
  ASSERT_EQ(n, 6000);
  int male = 0, children = 0, old = 0, employees = 0, retired = 0, dead = 0, elsewhere = 0;
  for (const auto& p : persons.rows) {
    male += p[1] == "1";
    int age = AgeInYears(*Date::Parse(p[2]), Date::FromYmd(2025, 1, 1));
    children += age < 15;
    old += age >= 60;
    employees += p[3] == "310";
    retired += p[4] == "retired";
    dead += !p[6].empty();
    elsewhere += p[5] != "379900";
  }
  const double sex_ratio = 100.0 * male / (n - male);
  EXPECT_NEAR(sex_ratio, 105, 6);
  EXPECT_NEAR(100.0 * children / n, 17.95, 2.0);
  EXPECT_NEAR(100.0 * old / n, 18.7, 2.0);
  EXPECT_NEAR(100.0 * employees / n, 27, 3);
  EXPECT_NEAR(100.0 * retired / employees, 27, 5);
  EXPECT_GT(dead, 10);
  EXPECT_LT(dead, 100);
  EXPECT_GT(elsewhere, 100);
  EXPECT_LT(elsewhere, 1000);
  // About five visits a person, and about one stay in six persons.
  EXPECT_NEAR(double(r.summary.visits) / n, 5.0, 1.0);
  EXPECT_NEAR(double(r.summary.stays) / n, 0.2, 0.08);
}

TEST(GenInputs, BadOptionsAreRefused) {
  MemorySink sink;
  GenOptions o;
  o.persons = 0;
  EXPECT_FALSE(Generate(o, GenInputs{}, sink).ok());
  o.persons = 10;
  o.abuse_rate_ppm = -1;
  EXPECT_FALSE(Generate(o, GenInputs{}, sink).ok());
  EXPECT_FALSE(ParseCityCodes("code,name\n11x,a\n", "cities.csv").ok());
}

TEST(GenInputs, WithoutSharedDataNoStayIsDrgPaid) {
  MemorySink sink;
  GenOptions o;
  o.persons = 1200;
  auto s = Generate(o, GenInputs{}, sink);
  ASSERT_TRUE(s.ok());
  Table visits = ReadCsv(sink.files["visits.csv"]);
  for (const auto& v : visits.rows) EXPECT_EQ(v[14], "");
}

}  // namespace
}  // namespace yibao::gen::testing
