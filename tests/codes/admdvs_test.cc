#include "codes/admdvs.h"

#include <gtest/gtest.h>

namespace yibao {
namespace {

const std::string kAdmdvsDir = std::string(YIBAO_SHARED_DATA) + "/admdvs";

class RealAdmdvs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<AdmdvsTable> r = AdmdvsTable::Load(kAdmdvsDir);
    ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
    table_ = new AdmdvsTable(std::move(r.value()));
  }
  static void TearDownTestSuite() {
    delete table_;
    table_ = nullptr;
  }
  static const AdmdvsTable* table_;
};
const AdmdvsTable* RealAdmdvs::table_ = nullptr;

TEST_F(RealAdmdvs, CountsEveryLevel) {
  EXPECT_EQ(table_->province_count(), 31u);
  EXPECT_EQ(table_->city_count(), 342u);
  EXPECT_EQ(table_->area_count(), 2978u);
  // 东莞, 中山 and 儋州 have no districts: each is listed both as a city and as its own area.
  EXPECT_EQ(table_->size(), 31u + 342u + 2978u - 3u);
}

TEST_F(RealAdmdvs, NamesEveryLevelInSixDigits) {
  EXPECT_EQ(table_->Name("370102"), "历下区");
  EXPECT_EQ(table_->Name("370100"), "济南市");
  EXPECT_EQ(table_->Name("370000"), "山东省");
  EXPECT_EQ(table_->Name("110100"), "市辖区");  // municipalities keep their 市辖区 city
  EXPECT_EQ(table_->Name("441900"), "东莞市");
  EXPECT_EQ(table_->Name("370199"), std::nullopt);
  EXPECT_EQ(table_->Name("3701"), std::nullopt);
}

TEST_F(RealAdmdvs, Contains) {
  EXPECT_TRUE(table_->Contains("370102"));
  EXPECT_TRUE(table_->Contains("370100"));
  EXPECT_TRUE(table_->Contains("370000"));
  EXPECT_TRUE(table_->Contains("110101"));
  EXPECT_FALSE(table_->Contains("370199"));
  EXPECT_FALSE(table_->Contains("990000"));
  EXPECT_FALSE(table_->Contains("37"));
  EXPECT_FALSE(table_->Contains(""));
}

TEST(AdmdvsLevels, ProvinceAndCityOfACode) {
  EXPECT_EQ(AdmdvsTable::ProvinceOf("370102"), "370000");
  EXPECT_EQ(AdmdvsTable::CityOf("370102"), "370100");
  EXPECT_EQ(AdmdvsTable::CityOf("370100"), "370100");
  EXPECT_EQ(AdmdvsTable::ProvinceOf("37010"), "");
  EXPECT_EQ(AdmdvsTable::CityOf("37010X"), "");
  EXPECT_TRUE(AdmdvsTable::SameProvince("370102", "371002"));
  EXPECT_FALSE(AdmdvsTable::SameProvince("370102", "320102"));
  EXPECT_FALSE(AdmdvsTable::SameProvince("370102", "37"));
  EXPECT_TRUE(AdmdvsTable::SameCity("370102", "370181"));
  EXPECT_FALSE(AdmdvsTable::SameCity("370102", "370202"));
}

AdmdvsTexts Texts(std::string_view provinces, std::string_view cities, std::string_view areas) {
  return AdmdvsTexts{{"provinces.csv", provinces}, {"cities.csv", cities}, {"areas.csv", areas}};
}

constexpr std::string_view kProvinces = "code,name\n37,\"山东省\"\n";
constexpr std::string_view kCities = "code,name,provinceCode\r\n3701,\"济南市\",37\r\n";

TEST(AdmdvsParse, SmallTableWithCrlfAndNoFinalNewline) {
  Result<AdmdvsTable> r = AdmdvsTable::Parse(Texts(kProvinces, kCities,
                                                   "code,name,cityCode,provinceCode\n"
                                                   "370102,\"历下区\",3701,37\n\n"
                                                   "370103,\"市中区\",3701,37"));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->size(), 4u);
  EXPECT_EQ(r->Name("370103"), "市中区");
}

TEST(AdmdvsParse, BadLinesNameFileLineAndField) {
  Result<AdmdvsTable> r =
      AdmdvsTable::Parse(Texts(kProvinces, kCities,
                               "code,name,cityCode,provinceCode\n"
                               "370102,\"历下区\",3701,37\n"
                               "370102,\"历下区\",3701,37\n"    // 3: duplicate
                               "37010,\"短\",3701,37\n"         // 4: code too short
                               "370104,\"槐荫区\",3702,37\n"    // 5: city not the prefix
                               "380101,\"某区\",3801,38\n"      // 6: city not in the cities file
                               "370112,\"\",3701,37\n"          // 7: empty name
                               "370113,\"\xBB\xF4\",3701,37\n"  // 8: GBK
                               "370114,\"x\",3701\n"            // 9: missing field
                               "370105,\"天桥区,3701,37\n"));   // 10: quote left open to the end
  ASSERT_FALSE(r.ok());
  const Diagnostics& e = r.errors();
  ASSERT_EQ(e.size(), 8u) << FormatDiagnostics(e);
  EXPECT_EQ(e[0].ToString(), "areas.csv:3: code: duplicate code 370102 (first at areas.csv:2)");
  EXPECT_EQ(e[1].line, 4);
  EXPECT_EQ(e[1].field, "code");
  EXPECT_EQ(e[2].line, 5);
  EXPECT_EQ(e[2].field, "cityCode");
  EXPECT_EQ(e[3].ToString(), "areas.csv:6: cityCode: cityCode 3801 is not in the cities file");
  EXPECT_EQ(e[4].line, 7);
  EXPECT_EQ(e[4].field, "name");
  EXPECT_EQ(e[5].line, 8);
  EXPECT_EQ(e[6].line, 9);
  EXPECT_EQ(e[7].line, 10);  // an open quote is reported where it opened
  for (const Diagnostic& d : e) EXPECT_EQ(d.file, "areas.csv");
}

TEST(AdmdvsParse, HeaderIsRequired) {
  Result<AdmdvsTable> r = AdmdvsTable::Parse(Texts("37,\"山东省\"\n", kCities, ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].ToString(), "provinces.csv:1: expected the header line 'code,name'");
}

TEST(AdmdvsLoad, MissingDirectoryNamesEachFile) {
  Result<AdmdvsTable> r = AdmdvsTable::Load("/nonexistent/admdvs");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors().size(), 3u);
  EXPECT_EQ(r.errors()[0].file, "/nonexistent/admdvs/provinces.csv");
}

}  // namespace
}  // namespace yibao
