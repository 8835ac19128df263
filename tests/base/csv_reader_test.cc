#include "base/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<CsvRow> ReadAll(std::string_view text) {
  CsvReader reader(text);
  std::vector<CsvRow> rows;
  CsvRow row;
  while (reader.Next(row)) rows.push_back(row);
  return rows;
}

TEST(CsvReaderTest, PlainRowsCarryTheirLineNumbers) {
  auto rows = ReadAll("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_THAT(rows[1].error, IsEmpty());
}

TEST(CsvReaderTest, EmptyInputAndOnlyCommentsYieldNothing) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(ReadAll("# only a comment\n\n   \n").empty());
}

TEST(CsvReaderTest, QuotedFieldsKeepCommasAndDoubledQuotes) {
  auto rows = ReadAll("\"阿莫西林胶囊,0.25g\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("阿莫西林胶囊,0.25g", "say \"hi\"", ""));
}

TEST(CsvReaderTest, TrailingCommaMeansAnEmptyLastField) {
  auto rows = ReadAll("a,b,\n,\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", ""));
  EXPECT_THAT(rows[1].fields, ElementsAre("", ""));
}

TEST(CsvReaderTest, LastLineWithoutLineBreak) {
  auto rows = ReadAll("a,b\nc,\"d\"");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("c", "d"));
  EXPECT_EQ(rows[1].line, 2);
}

TEST(CsvReaderTest, CrLfAndLoneCrAreLineEnds) {
  auto rows = ReadAll("a,b\r\nc,d\re,f\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].fields, ElementsAre("c", "d"));
  EXPECT_THAT(rows[2].fields, ElementsAre("e", "f"));
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvReaderTest, ByteOrderMarkIsNotPartOfTheFirstField) {
  auto rows = ReadAll(
      "\xEF\xBB\xBF"
      "code,name\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("code", "name"));
}

TEST(CsvReaderTest, CommentsAndBlankLinesAreSkippedButCounted) {
  auto rows = ReadAll("# header comment\n\ncode,name\n   \n# another\n\tx,y\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3);
  EXPECT_EQ(rows[1].line, 6);
  EXPECT_THAT(rows[1].fields, ElementsAre("\tx", "y"));  // unquoted whitespace is content
}

TEST(CsvReaderTest, HashInsideAFieldIsNotAComment) {
  auto rows = ReadAll("a,#b\n\"x\n#y\",z\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "#b"));
  EXPECT_THAT(rows[1].fields, ElementsAre("x\n#y", "z"));
}

TEST(CsvReaderTest, MultiLineQuotedFieldKeepsLaterLineNumbersRight) {
  auto rows = ReadAll("h1,h2\n\"line one\r\nline two\nline three\",v\nnext,row\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].fields[0], "line one\r\nline two\nline three");
  EXPECT_EQ(rows[2].line, 5);
}

TEST(CsvReaderTest, SpacesAroundAQuotedFieldAreDropped) {
  auto rows = ReadAll("a, \"b,c\" ,d\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b,c", "d"));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineWhereItOpened) {
  auto rows = ReadAll("a,b\nc,\"never closed\nmore\nand more\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].error_field, 1);
  EXPECT_THAT(rows[1].error, HasSubstr("unterminated quote"));
}

TEST(CsvReaderTest, StrayQuoteIsAnErrorAndReadingResumesNextLine) {
  auto rows = ReadAll("a,b\"c,d\n\"x\"y,z\nok,1\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].error, HasSubstr("double quote inside an unquoted field"));
  EXPECT_EQ(rows[0].error_field, 1);
  EXPECT_THAT(rows[1].error, HasSubstr("text after the closing quote"));
  EXPECT_EQ(rows[1].error_field, 0);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_THAT(rows[2].error, IsEmpty());
  EXPECT_THAT(rows[2].fields, ElementsAre("ok", "1"));
  EXPECT_EQ(rows[2].line, 3);
}

}  // namespace
}  // namespace yibao
