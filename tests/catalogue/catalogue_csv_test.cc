#include "catalogue/catalogue_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace yibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kFile[] = "regions/test/catalogue.csv";
constexpr char kHeader[] = "code,name,kind,class,selfpay,price_cap,valid_from,valid_to\n";

// Valid codes of each kind, reused by the tests.
constexpr char kDrugX[] = "XJ01CAA040A001010100028";  // 23 characters
constexpr char kDrugZ[] = "ZA01AAJ0001010101234";     // 20 characters
constexpr char kConsumable[] = "C0201010130000010123";
constexpr char kService[] = "001101000010000";

Result<Catalogue> Parse(std::string_view text) { return ParseCatalogueCsv(text, kFile, "379900"); }

// Asserts that parsing fails with a diagnostic at `line` in `field` whose message contains `what`,
// and that its printed form names the file, the line and the column (what a clerk reads).
void ExpectError(std::string_view text, int line, const std::string& field,
                 const std::string& what) {
  auto r = Parse(text);
  ASSERT_FALSE(r.ok()) << "expected an error in " << field << " on line " << line;
  for (const Diagnostic& d : r.errors()) {
    if (d.line == line && d.field == field && d.message.find(what) != std::string::npos) {
      EXPECT_EQ(d.file, kFile);
      std::string where = std::string(kFile) + ":" + std::to_string(line) + ": ";
      if (!field.empty()) where += field + ": ";
      EXPECT_THAT(d.ToString(), HasSubstr(where));
      return;
    }
  }
  ADD_FAILURE() << "no error on line " << line << " in " << field << " containing '" << what
                << "'; got:\n"
                << FormatDiagnostics(r.errors());
}

// A one-row catalogue with the given extra column and value on a valid drug.
std::string WithColumn(const std::string& column, const std::string& value,
                       const std::string& klass = "乙") {
  return "code,name,kind,class," + column + "\n" + kDrugX + ",头孢呋辛酯片,drug," + klass + "," +
         value + "\n";
}

// ---- Parsing a valid catalogue ------------------------------------------------------------------

TEST(CatalogueCsvTest, ParsesASmallCatalogueWithEveryColumn) {
  const std::string text = std::string(
                               "# 测试目录 (synthetic)\n"
                               "code,name,kind,class,selfpay,price_cap,sex,age_min,age_max,"
                               "setting,min_level,indications,insutypes,specialties,step_therapy,"
                               "approval,max_qty,max_days,valid_from,valid_to\n") +
                           kDrugX +
                           ",头孢呋辛酯片,drug,乙,10%,1.234567,F,18,60,inpatient,2,C|D0,310|390,"
                           "A03|A04.01,Y,N,30.5,14,2024-01-01,2025-12-31\n" +
                           kDrugZ + ",\"复方丹参滴丸,27mg\",drug,甲,,,,,,,,,,,,,,,,\n" +
                           kConsumable +
                           ",一次性使用无菌注射器,consumable,C,0,,,,,outpatient,,,,,n,y,,,,\n" +
                           kService + ",普通门诊诊查费,service,B,0.05,10,M,0,6,,0,,,,,,,,,\n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  const Catalogue& cat = *r;
  EXPECT_EQ(cat.admdvs(), "379900");
  ASSERT_EQ(cat.size(), 4u);

  const CatalogueItem* x = cat.Find(kDrugX, *Date::Parse("2025-03-01"));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->name, "头孢呋辛酯片");
  EXPECT_EQ(x->kind, ItemKind::kDrug);
  EXPECT_EQ(x->item_class, ItemClass::kB);
  EXPECT_EQ(x->selfpay_prop, Ratio::Percent(10));
  ASSERT_TRUE(x->price_cap.has_value());
  EXPECT_EQ(x->price_cap->micro_yuan(), 1'234'567);
  EXPECT_EQ(x->source_line, 3);
  const PaymentRestriction& r3 = x->restriction;
  EXPECT_EQ(r3.sex, Sex::kFemale);
  EXPECT_EQ(r3.min_age, 18);
  EXPECT_EQ(r3.max_age, 60);
  EXPECT_EQ(r3.setting, CareSetting::kInpatientOnly);
  EXPECT_EQ(r3.min_level, 2);
  EXPECT_THAT(r3.indications, ElementsAre("C", "D0"));
  EXPECT_THAT(r3.insutypes, ElementsAre("310", "390"));
  EXPECT_THAT(r3.specialties, ElementsAre("A03", "A04.01"));
  EXPECT_TRUE(r3.step_therapy);
  EXPECT_FALSE(r3.needs_approval);
  EXPECT_EQ(r3.max_qty_per_visit, Quantity::Raw(305'000));
  EXPECT_EQ(r3.max_days, 14);
  EXPECT_EQ(x->valid_from, Date::FromYmd(2024, 1, 1));
  EXPECT_EQ(x->valid_to, Date::FromYmd(2025, 12, 31));

  const CatalogueItem* z = cat.Find(kDrugZ, Date::FromYmd(2030, 1, 1));
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->name, "复方丹参滴丸,27mg");
  EXPECT_EQ(z->item_class, ItemClass::kA);
  EXPECT_TRUE(z->selfpay_prop.is_zero());
  EXPECT_FALSE(z->price_cap.has_value());
  EXPECT_TRUE(z->restriction.empty());
  EXPECT_EQ(z->valid_from, Date::Min());
  EXPECT_EQ(z->valid_to, Date::Max());

  const CatalogueItem* c = cat.Find(kConsumable, Date::FromYmd(2025, 1, 1));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, ItemKind::kConsumable);
  EXPECT_EQ(c->item_class, ItemClass::kC);
  EXPECT_EQ(c->restriction.setting, CareSetting::kOutpatientOnly);
  EXPECT_FALSE(c->restriction.step_therapy);
  EXPECT_TRUE(c->restriction.needs_approval);

  const CatalogueItem* s = cat.Find(kService, Date::FromYmd(2025, 1, 1));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, ItemKind::kServiceItem);
  EXPECT_EQ(s->selfpay_prop, Ratio::Percent(5));
  EXPECT_EQ(s->price_cap, UnitPrice::FromMoney(Money::Yuan(10)));
  EXPECT_EQ(s->restriction.sex, Sex::kMale);
  EXPECT_EQ(s->restriction.min_age, 0);
  EXPECT_EQ(s->restriction.max_age, 6);
  EXPECT_EQ(s->restriction.min_level, 0);
}

TEST(CatalogueCsvTest, ColumnsMayComeInAnyOrderAndHeaderIsForgiving) {
  // Header names are matched case-insensitively and trimmed; values are trimmed too.
  const std::string text = std::string("\xEF\xBB\xBF Class ,KIND,name,code\r\n") +
                           " 甲类 , drug ,阿莫西林胶囊, " + kDrugX + " \r\n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  const CatalogueItem* x = r->Find(kDrugX, Date::FromYmd(2025, 1, 1));
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->name, "阿莫西林胶囊");
  EXPECT_EQ(x->item_class, ItemClass::kA);
}

TEST(CatalogueCsvTest, RatioAcceptsPercentOrFraction) {
  for (const char* v : {"10%", "0.1", "10.0%", "0.10"}) {
    auto r = Parse(WithColumn("selfpay", v));
    ASSERT_TRUE(r.ok()) << v << ": " << FormatDiagnostics(r.errors());
    EXPECT_EQ(r->items()[0].selfpay_prop, Ratio::Percent(10)) << v;
  }
  auto full = Parse(WithColumn("selfpay", "100%"));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->items()[0].selfpay_prop, Ratio::One());
}

TEST(CatalogueCsvTest, HeaderOnlyIsAnEmptyCatalogue) {
  auto r = Parse("# nothing yet\ncode,name,kind,class\n\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 0u);
}

TEST(CatalogueCsvTest, RowsOfBareCommasAreIgnored) {
  const std::string text =
      std::string("code,name,kind,class\n") + kDrugX + ",甲药,drug,甲\n,,,\n , ,,\n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->size(), 1u);
}

TEST(CatalogueCsvTest, QuotedValuesWithCommasQuotesAndSpaces) {
  const std::string text = std::string("code,name,kind,class,indications\n") + "\"" + kDrugX +
                           "\",\"注射用\"\"紫杉醇\"\"(白蛋白结合型),100mg\",drug,乙, \"C|D0\" \n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  const CatalogueItem& item = r->items()[0];
  EXPECT_EQ(item.code, kDrugX);
  EXPECT_EQ(item.name, "注射用\"紫杉醇\"(白蛋白结合型),100mg");
  EXPECT_THAT(item.restriction.indications, ElementsAre("C", "D0"));
}

// ---- Versions -----------------------------------------------------------------------------------

TEST(CatalogueCsvTest, FindPicksTheVersionInForceOnTheDate) {
  // 集采 lowered the payment standard from 2025-07-01; the rows may come in any order.
  const std::string text = std::string(kHeader) + kConsumable +
                           ",冠脉药物洗脱支架(新),consumable,乙,30%,698,2025-07-01,\n" + kDrugX +
                           ",头孢呋辛酯片,drug,甲,,,,\n" + kConsumable +
                           ",冠脉药物洗脱支架,consumable,乙,30%,750,2023-01-01,2025-06-30\n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  const Catalogue& cat = *r;
  EXPECT_EQ(cat.Find(kConsumable, Date::FromYmd(2022, 12, 31)), nullptr);
  const CatalogueItem* old_version = cat.Find(kConsumable, Date::FromYmd(2025, 6, 30));
  ASSERT_NE(old_version, nullptr);
  EXPECT_EQ(old_version->price_cap, UnitPrice::FromMoney(Money::Yuan(750)));
  EXPECT_EQ(old_version->source_line, 4);
  const CatalogueItem* new_version = cat.Find(kConsumable, Date::FromYmd(2025, 7, 1));
  ASSERT_NE(new_version, nullptr);
  EXPECT_EQ(new_version->price_cap, UnitPrice::FromMoney(Money::Yuan(698)));
  EXPECT_EQ(new_version->name, "冠脉药物洗脱支架(新)");
  EXPECT_EQ(cat.Find(kConsumable, Date::FromYmd(2099, 1, 1)), new_version);
  EXPECT_EQ(cat.Find("C9999999999999999999", Date::FromYmd(2025, 7, 1)), nullptr);
}

TEST(CatalogueCsvTest, AGapBetweenVersionsIsAllowed) {
  const std::string text = std::string(kHeader) + kDrugX +
                           ",甲药,drug,甲,,,2024-01-01,2024-06-30\n" + kDrugX +
                           ",甲药,drug,甲,,,2025-01-01,\n";
  auto r = Parse(text);
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_EQ(r->Find(kDrugX, Date::FromYmd(2024, 9, 1)), nullptr);
  EXPECT_NE(r->Find(kDrugX, Date::FromYmd(2025, 9, 1)), nullptr);
}

TEST(CatalogueCsvTest, OverlappingVersionsAreAnError) {
  const std::string text = std::string(kHeader) + kDrugX +
                           ",甲药,drug,甲,,,2024-01-01,2025-07-01\n" + kDrugX +
                           ",甲药,drug,甲,,,2025-07-01,\n";
  ExpectError(text, 3, "valid_from", "on line 2");
  ExpectError(text, 3, "valid_from", "must not overlap");
}

TEST(CatalogueCsvTest, SameCodeTwiceWithOpenDatesIsAnOverlap) {
  const std::string text = std::string("code,name,kind,class\n") + kDrugX + ",甲药,drug,甲\n" +
                           kDrugX + ",甲药,drug,甲\n";
  ExpectError(text, 3, "valid_from", "open..open");
}

TEST(CatalogueCsvTest, OverlapWithAnEarlierLongVersionIsFound) {
  // The third version overlaps the first (which runs longest), not its immediate predecessor.
  const std::string text = std::string(kHeader) + kDrugX +
                           ",甲药,drug,甲,,,2020-01-01,2030-12-31\n" + kDrugX +
                           ",甲药,drug,甲,,,2021-01-01,2021-12-31\n" + kDrugX +
                           ",甲药,drug,甲,,,2022-01-01,2022-12-31\n";
  ExpectError(text, 3, "valid_from", "on line 2");
  ExpectError(text, 4, "valid_from", "on line 2");
}

// ---- Header errors ------------------------------------------------------------------------------

TEST(CatalogueCsvTest, MissingRequiredColumn) {
  ExpectError(std::string("code,name,kind\n") + kDrugX + ",甲药,drug\n", 1, "class",
              "required column 'class' is missing");
}

TEST(CatalogueCsvTest, HeaderErrorLineSkipsComments) {
  ExpectError("# comment\n\ncode,name,class\n", 3, "kind", "required column 'kind'");
}

TEST(CatalogueCsvTest, UnknownColumnIsAnErrorWithASuggestion) {
  ExpectError("code,name,kind,class,pricecap\n", 1, "pricecap", "did you mean 'price_cap'?");
  ExpectError("code,name,kind,class,备注\n", 1, "备注", "unknown column '备注'");
}

TEST(CatalogueCsvTest, DuplicateColumn) {
  ExpectError("code,name,kind,class,sex,SEX\n", 1, "sex", "appears twice");
}

TEST(CatalogueCsvTest, UnnamedColumn) {
  ExpectError("code,name,kind,class,\n", 1, "column 5", "no name");
}

TEST(CatalogueCsvTest, NoHeaderRow) {
  ExpectError("", 1, "", "no header row");
  ExpectError("# just a comment\n", 1, "", "no header row");
}

TEST(CatalogueCsvTest, MalformedHeader) {
  ExpectError("code,\"name,kind,class\n", 1, "column 2", "unterminated quote");
}

TEST(CatalogueCsvTest, BadRegionCode) {
  auto r = ParseCatalogueCsv("code,name,kind,class\n", kFile, "3799");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].field, "admdvs");
}

// ---- Row structure errors -----------------------------------------------------------------------

TEST(CatalogueCsvTest, RowWithTooFewFields) {
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",甲药,drug\n", 2, "class",
              "the row has 3 fields but the header has 4 columns");
}

TEST(CatalogueCsvTest, RowWithTooManyFields) {
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",阿莫西林胶囊,0.25g,drug,甲\n", 2,
              "column 5", "a value containing a comma must be in double quotes");
}

TEST(CatalogueCsvTest, UnterminatedQuoteInARow) {
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",甲药,drug,甲\n" + kDrugZ +
                  ",\"甲药,drug,甲\n" + kService + ",诊查费,service,甲\n",
              3, "name", "unterminated quote");
}

TEST(CatalogueCsvTest, StrayQuoteInARow) {
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",5\"导管,drug,甲\n", 2, "name",
              "double quote inside an unquoted field");
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",\"甲药\"片,drug,甲\n", 2, "name",
              "text after the closing quote");
}

TEST(CatalogueCsvTest, InvalidUtf8) {
  // "阿莫西林" in GBK, as a spreadsheet's plain "CSV" would save it.
  ExpectError(std::string("code,name,kind,class\n") + kDrugX +
                  ",\xB0\xA2\xC4\xAA\xCE\xF7\xC1\xD6,drug,甲\n",
              2, "name", "not valid UTF-8");
}

TEST(CatalogueCsvTest, LineNumbersAfterAMultiLineField) {
  // The multi-line name is itself an error; the next row's error must still name its own line.
  const std::string text = std::string("code,name,kind,class\n") + kDrugX +
                           ",\"甲药\n第二行\",drug,甲\n" + kDrugZ + ",乙药,drug,丁\n";
  ExpectError(text, 2, "name", "line break");
  ExpectError(text, 4, "class", "'丁' is not a class");
}

// ---- Field errors -------------------------------------------------------------------------------

TEST(CatalogueCsvTest, RequiredValuesMustBePresent) {
  const std::string text = std::string("code,name,kind,class\n") + ",甲药,drug,甲\n" + kDrugX +
                           ",,drug,甲\n" + kDrugZ + ",甲药,,甲\n" + kService +
                           ",诊查费,service, \n";
  ExpectError(text, 2, "code", "required value is empty");
  ExpectError(text, 3, "name", "required value is empty");
  ExpectError(text, 4, "kind", "required value is empty");
  ExpectError(text, 5, "class", "required value is empty");
}

TEST(CatalogueCsvTest, KindAndClassValues) {
  const std::string text = std::string("code,name,kind,class\n") + kDrugX + ",甲药,medicine,甲\n" +
                           kDrugZ + ",乙药,drug,D\n";
  ExpectError(text, 2, "kind", "'medicine' is not a kind");
  ExpectError(text, 3, "class", "'D' is not a class");
}

TEST(CatalogueCsvTest, RatioOutOfRangeOrMalformed) {
  ExpectError(WithColumn("selfpay", "120%"), 2, "selfpay", "outside 0%..100%");
  ExpectError(WithColumn("selfpay", "-5%"), 2, "selfpay", "outside 0%..100%");
  ExpectError(WithColumn("selfpay", "1.5"), 2, "selfpay", "outside 0%..100%");
  ExpectError(WithColumn("selfpay", "十%"), 2, "selfpay", "not a ratio");
  ExpectError(WithColumn("selfpay", "10 %"), 2, "selfpay", "not a ratio");
}

TEST(CatalogueCsvTest, SelfpayOnlyOnClassB) {
  ExpectError(WithColumn("selfpay", "10%", "甲"), 2, "selfpay", "applies only to 乙类");
  ExpectError(WithColumn("selfpay", "0.2", "丙"), 2, "selfpay", "丙类");
  EXPECT_TRUE(Parse(WithColumn("selfpay", "0%", "甲")).ok());
}

TEST(CatalogueCsvTest, PriceCap) {
  ExpectError(WithColumn("price_cap", "0"), 2, "price_cap", "payment standard of 0");
  ExpectError(WithColumn("price_cap", "0.000000"), 2, "price_cap", "payment standard of 0");
  ExpectError(WithColumn("price_cap", "-3"), 2, "price_cap", "not a price");
  ExpectError(WithColumn("price_cap", "12.3456789"), 2, "price_cap", "not a price");
  ExpectError(WithColumn("price_cap", "12元"), 2, "price_cap", "not a price");
  auto r = Parse(WithColumn("price_cap", "0.000001"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items()[0].price_cap->micro_yuan(), 1);
}

TEST(CatalogueCsvTest, Ages) {
  const std::string header = "code,name,kind,class,age_min,age_max\n";
  ExpectError(header + kDrugX + ",甲药,drug,甲,18,6\n", 2, "age_max", "below age_min");
  ExpectError(header + kDrugX + ",甲药,drug,甲,151,\n", 2, "age_min", "0 to 150");
  ExpectError(header + kDrugX + ",甲药,drug,甲,,-1\n", 2, "age_max", "0 to 150");
  ExpectError(header + kDrugX + ",甲药,drug,甲,6岁,\n", 2, "age_min", "not an age");
  EXPECT_TRUE(Parse(header + kDrugX + ",甲药,drug,甲,6,6\n").ok());
}

TEST(CatalogueCsvTest, MinLevel) {
  ExpectError(WithColumn("min_level", "4"), 2, "min_level", "not an institution level");
  ExpectError(WithColumn("min_level", "二级"), 2, "min_level", "not an institution level");
  EXPECT_TRUE(Parse(WithColumn("min_level", "0")).ok());
}

TEST(CatalogueCsvTest, SexSettingAndFlags) {
  ExpectError(WithColumn("sex", "X"), 2, "sex", "not a sex");
  ExpectError(WithColumn("setting", "住院"), 2, "setting", "not a setting");
  ExpectError(WithColumn("step_therapy", "yes"), 2, "step_therapy", "not a flag");
  ExpectError(WithColumn("approval", "1"), 2, "approval", "not a flag");
  auto r = Parse(WithColumn("sex", "女"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items()[0].restriction.sex, Sex::kFemale);
}

TEST(CatalogueCsvTest, Lists) {
  ExpectError(WithColumn("indications", "C||D0"), 2, "indications", "empty entry");
  ExpectError(WithColumn("indications", "C|"), 2, "indications", "empty entry");
  ExpectError(WithColumn("indications", "限恶性肿瘤"), 2, "indications",
              "not a diagnosis-code prefix");
  ExpectError(WithColumn("indications", "c50"), 2, "indications", "not a diagnosis-code prefix");
  ExpectError(WithColumn("insutypes", "310|39"), 2, "insutypes", "'39' is not an insurance type");
  ExpectError(WithColumn("specialties", "A03|康复科"), 2, "specialties", "not a department code");
  auto r = Parse(WithColumn("indications", "A00.100x001| E11 "));
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(r.errors());
  EXPECT_THAT(r->items()[0].restriction.indications, ElementsAre("A00.100x001", "E11"));
}

TEST(CatalogueCsvTest, QuantityAndCourseLimits) {
  ExpectError(WithColumn("max_qty", "0"), 2, "max_qty", "limit of 0");
  ExpectError(WithColumn("max_qty", "1.23456"), 2, "max_qty", "not a quantity");
  ExpectError(WithColumn("max_days", "0"), 2, "max_days", "1 to 366");
  ExpectError(WithColumn("max_days", "400"), 2, "max_days", "1 to 366");
  ExpectError(WithColumn("max_days", "7.5"), 2, "max_days", "not a course length");
}

TEST(CatalogueCsvTest, Dates) {
  ExpectError(WithColumn("valid_from", "2025-02-30"), 2, "valid_from", "not a date");
  ExpectError(WithColumn("valid_from", "2025/01/01"), 2, "valid_from", "not a date");
  ExpectError(WithColumn("valid_to", "2025-01-01 00:00:00"), 2, "valid_to", "not a date");
  ExpectError(std::string(kHeader) + kDrugX + ",甲药,drug,甲,,,2025-07-01,2025-06-30\n", 2,
              "valid_to", "before valid_from");
}

TEST(CatalogueCsvTest, NameWithLineBreak) {
  ExpectError(std::string("code,name,kind,class\n") + kDrugX + ",\"甲药\r\n\",drug,甲\n", 2, "name",
              "line break");
}

TEST(CatalogueCsvTest, DrugCodeFormat) {
  const std::string header = "code,name,kind,class\n";
  ExpectError(header + "YA01ABD075A002010100483,甲药,drug,甲\n", 2, "code", "not a drug code");
  ExpectError(header + "XA01ABD075A00201010048,甲药,drug,甲\n", 2, "code", "(22 characters)");
  ExpectError(header + "xa01abd075a002010100483,甲药,drug,甲\n", 2, "code", "not a drug code");
  ExpectError(header + "XA01ABD075A0020101-0483,甲药,drug,甲\n", 2, "code", "not a drug code");
  // A valid consumable code is not a drug code: the check follows the row's kind.
  ExpectError(header + kConsumable + ",甲药,drug,甲\n", 2, "code", "not a drug code");
  EXPECT_TRUE(Parse(header + kDrugZ + ",甲药,drug,甲\n").ok());
}

TEST(CatalogueCsvTest, ConsumableCodeFormat) {
  const std::string header = "code,name,kind,class\n";
  ExpectError(header + "C020101013000001012,敷料,consumable,甲\n", 2, "code",
              "not a consumable code");
  ExpectError(header + "D0201010130000010123,敷料,consumable,甲\n", 2, "code",
              "not a consumable code");
  ExpectError(header + "C020101013000001012a,敷料,consumable,甲\n", 2, "code",
              "not a consumable code");
}

TEST(CatalogueCsvTest, ServiceCodeFormat) {
  const std::string header = "code,name,kind,class\n";
  ExpectError(header + "A01101000010000,诊查费,service,甲\n", 2, "code", "not a service item code");
  ExpectError(header + "00110100,诊查费,service,甲\n", 2, "code", "not a service item code");
  ExpectError(header + "001101000010000000001,诊查费,service,甲\n", 2, "code",
              "not a service item code");
  EXPECT_TRUE(Parse(header + "110200001,诊查费,service,甲\n").ok());
  EXPECT_TRUE(Parse(header + "31100000200000000000,诊查费,service,甲\n").ok());
  EXPECT_TRUE(Parse(header + "3311000010AB,诊查费,service,甲\n").ok());
}

// ---- Collection of errors -----------------------------------------------------------------------

TEST(CatalogueCsvTest, AllErrorsAreReportedInLineOrder) {
  const std::string text = std::string(kHeader) + kDrugX + ",甲药,drug,甲,,,2024-01-01,\n" +
                           kDrugX + ",甲药,drug,甲,,,2025-01-01,\n" +  // overlap (found last)
                           kDrugZ + ",乙药,drug,乙,200%,abc,,\n" + kService +
                           ",诊查费,thing,甲,,,,\n";
  auto r = Parse(text);
  ASSERT_FALSE(r.ok());
  const Diagnostics& ds = r.errors();
  ASSERT_EQ(ds.size(), 4u) << FormatDiagnostics(ds);
  EXPECT_EQ(ds[0].line, 3);
  EXPECT_EQ(ds[0].field, "valid_from");
  EXPECT_EQ(ds[1].line, 4);
  EXPECT_EQ(ds[1].field, "selfpay");
  EXPECT_EQ(ds[2].line, 4);
  EXPECT_EQ(ds[2].field, "price_cap");
  EXPECT_EQ(ds[3].line, 5);
  EXPECT_EQ(ds[3].field, "kind");
}

TEST(CatalogueCsvTest, ErrorsAreCappedWithASummary) {
  std::string text = "code,name,kind,class\n";
  for (int i = 0; i < 150; ++i) text += std::string(kDrugX) + ",甲药,drug,戊\n";
  auto r = Parse(text);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors().size(), size_t(kMaxCatalogueErrors) + 1);
  EXPECT_EQ(r.errors().front().line, 2);
  EXPECT_THAT(r.errors().back().message, HasSubstr("50 more errors not shown"));
}

// ---- Loading files ------------------------------------------------------------------------------

TEST(CatalogueCsvTest, LoadMissingFileNamesThePath) {
  auto r = LoadCatalogueCsv("/nonexistent/catalogue.csv", "379900");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].file, "/nonexistent/catalogue.csv");
  EXPECT_THAT(r.errors()[0].message, HasSubstr("cannot open"));
}

}  // namespace
}  // namespace yibao
