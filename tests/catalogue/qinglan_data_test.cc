// The bundled sample region's data files and the format documentation's examples must load: they
// are what a new user runs first and what a clerk copies from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "base/csv_reader.h"
#include "catalogue/catalogue_csv.h"

namespace yibao {
namespace {

using ::testing::ElementsAre;
using ::testing::Ge;

const std::string kRoot = YIBAO_SOURCE_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class QinglanCatalogueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = LoadCatalogueCsv(kRoot + "/regions/qinglan/catalogue.csv", "379900");
    ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
    catalogue_ = new Catalogue(std::move(*r));
  }
  static void TearDownTestSuite() {
    delete catalogue_;
    catalogue_ = nullptr;
  }
  static const Catalogue& cat() { return *catalogue_; }

 private:
  static Catalogue* catalogue_;
};
Catalogue* QinglanCatalogueTest::catalogue_ = nullptr;

TEST_F(QinglanCatalogueTest, HasAFewHundredItemsOfEveryKindAndClass) {
  ASSERT_NE(&cat(), nullptr);
  EXPECT_EQ(cat().admdvs(), "379900");
  EXPECT_GE(cat().size(), 300u);
  std::map<std::pair<ItemKind, ItemClass>, int> n;
  for (const auto& item : cat().items()) n[{item.kind, item.item_class}]++;
  for (ItemKind k : {ItemKind::kDrug, ItemKind::kServiceItem, ItemKind::kConsumable}) {
    for (ItemClass c : {ItemClass::kA, ItemClass::kB, ItemClass::kC}) {
      EXPECT_GE((n[{k, c}]), 3) << ItemKindName(k) << " " << ItemClassName(c);
    }
  }
}

TEST_F(QinglanCatalogueTest, EveryRestrictionAppearsOnSeveralRows) {
  std::map<std::string, int> n;
  for (const auto& item : cat().items()) {
    const PaymentRestriction& r = item.restriction;
    n["selfpay"] += !item.selfpay_prop.is_zero();
    n["price_cap"] += item.price_cap.has_value();
    n["sex"] += r.sex != Sex::kAny;
    n["age_min"] += r.min_age >= 0;
    n["age_max"] += r.max_age >= 0;
    n["setting"] += r.setting != CareSetting::kAny;
    n["min_level"] += r.min_level > 0;
    n["indications"] += !r.indications.empty();
    n["insutypes"] += !r.insutypes.empty();
    n["specialties"] += !r.specialties.empty();
    n["step_therapy"] += r.step_therapy;
    n["approval"] += r.needs_approval;
    n["max_qty"] += r.max_qty_per_visit.scaled() > 0;
    n["max_days"] += r.max_days > 0;
  }
  for (const auto& [column, count] : n) EXPECT_GE(count, 3) << column;
}

TEST_F(QinglanCatalogueTest, SomeCodesChangeTheirPaymentStandardOn20250701) {
  std::map<std::string, int> versions;
  for (const auto& item : cat().items()) versions[item.code]++;
  int changed = 0;
  for (const auto& [code, count] : versions) {
    if (count < 2) continue;
    const CatalogueItem* before = cat().Find(code, Date::FromYmd(2025, 6, 30));
    const CatalogueItem* after = cat().Find(code, Date::FromYmd(2025, 7, 1));
    ASSERT_NE(before, nullptr) << code;
    ASSERT_NE(after, nullptr) << code;
    ASSERT_TRUE(before->price_cap && after->price_cap) << code;
    EXPECT_LT(*after->price_cap, *before->price_cap) << code;
    ++changed;
  }
  EXPECT_GE(changed, 3);
}

TEST_F(QinglanCatalogueTest, MaternityItemsAreLimitedToMaternityInsurance) {
  int maternity = 0;
  for (const auto& item : cat().items()) {
    if (item.restriction.insutypes == std::vector<std::string>{"510"}) ++maternity;
  }
  EXPECT_GE(maternity, 5);
}

TEST(FormatDocTest, CsvExamplesInTheDocumentationLoad) {
  const std::string doc = ReadFile(kRoot + "/docs/formats/catalogue.md");
  ASSERT_FALSE(doc.empty());
  int blocks = 0;
  for (size_t at = doc.find("```csv\n"); at != std::string::npos;
       at = doc.find("```csv\n", at + 1)) {
    size_t start = at + 7;
    size_t end = doc.find("```", start);
    ASSERT_NE(end, std::string::npos);
    auto r = ParseCatalogueCsv(std::string_view(doc).substr(start, end - start), "catalogue.md",
                               "379900");
    EXPECT_TRUE(r.ok()) << "example " << blocks + 1 << ":\n" << FormatDiagnostics(r.errors());
    ++blocks;
  }
  EXPECT_EQ(blocks, 2);
}

TEST(QinglanInstitutionsTest, FileHasTheDocumentedShape) {
  const std::string text = ReadFile(kRoot + "/regions/qinglan/institutions.csv");
  CsvReader reader(text);
  CsvRow row;
  ASSERT_TRUE(reader.Next(row));
  EXPECT_THAT(row.fields, ElementsAre("code", "name", "level", "kind"));
  std::set<std::string> codes;
  std::map<std::string, int> levels;
  int pharmacies = 0;
  while (reader.Next(row)) {
    ASSERT_TRUE(row.error.empty()) << "line " << row.line << ": " << row.error;
    ASSERT_EQ(row.fields.size(), 4u) << "line " << row.line;
    const std::string& code = row.fields[0];
    EXPECT_EQ(code.size(), 12u) << code;
    EXPECT_EQ(code.substr(1, 6), "379900") << code;
    EXPECT_TRUE(codes.insert(code).second) << "duplicate " << code;
    EXPECT_FALSE(row.fields[1].empty());
    levels[row.fields[2]]++;
    if (row.fields[3] == "pharmacy") {
      EXPECT_EQ(code[0], 'P') << code;
      EXPECT_EQ(row.fields[2], "0") << code;
      ++pharmacies;
    } else {
      EXPECT_EQ(row.fields[3], "hospital") << code;
      EXPECT_EQ(code[0], 'H') << code;
    }
  }
  EXPECT_THAT(codes.size(), Ge(15u));
  EXPECT_EQ(pharmacies, 3);
  for (const char* level : {"0", "1", "2", "3"}) EXPECT_GE(levels[level], 2) << level;
}

}  // namespace
}  // namespace yibao
