// ChooseFiling: which cross-region filing (备案) a visit outside the insured pool settles under —
// not revoked, the filed place covering the place of treatment, the validity overlapping the visit,
// long-term before referral before emergency.
#include "platform/filing_choice.h"

#include <gtest/gtest.h>

#include <vector>

namespace yibao {
namespace {

Date D(std::string_view s) { return *Date::Parse(s); }

FilingRecord F(std::string id, std::string type, std::string place, std::string begin,
               std::string end = "", bool revoked = false) {
  return FilingRecord{std::move(id),    "P1",           std::move(type), std::move(place),
                      std::move(begin), std::move(end), revoked};
}

// The id of the chosen filing, or "-".
std::string Chosen(const std::vector<FilingRecord>& filings, std::string_view treatment,
                   std::string_view begin, std::string_view end) {
  const FilingRecord* f = ChooseFiling(filings, treatment, D(begin), D(end));
  return f ? f->filing_id : "-";
}

TEST(FilingChoice, FilingTypes) {
  EXPECT_EQ(FilingKind("long_term"), Filing::kLongTerm);
  EXPECT_EQ(FilingKind("referral"), Filing::kReferral);
  EXPECT_EQ(FilingKind("emergency"), Filing::kEmergency);
  EXPECT_EQ(FilingKind("Long_term"), Filing::kNone);
  EXPECT_EQ(FilingKind(""), Filing::kNone);
  EXPECT_TRUE(IsFilingType("referral"));
  EXPECT_FALSE(IsFilingType("temporary"));
}

// A province code covers the province, a city code the city, any other code only itself.
TEST(FilingChoice, FiledPlaceCoversByProvinceCityOrExactly) {
  EXPECT_TRUE(FiledPlaceCovers("440000", "440000"));
  EXPECT_TRUE(FiledPlaceCovers("440000", "440300"));
  EXPECT_TRUE(FiledPlaceCovers("440000", "440305"));
  EXPECT_FALSE(FiledPlaceCovers("440000", "450100"));
  EXPECT_TRUE(FiledPlaceCovers("440300", "440300"));
  EXPECT_TRUE(FiledPlaceCovers("440300", "440305"));
  EXPECT_FALSE(FiledPlaceCovers("440300", "440100"));
  EXPECT_FALSE(FiledPlaceCovers("440300", "440000"));  // a city filing does not cover the province
  EXPECT_TRUE(FiledPlaceCovers("440305", "440305"));
  EXPECT_FALSE(FiledPlaceCovers("440305", "440306"));
  EXPECT_FALSE(FiledPlaceCovers("440305", "440300"));
  EXPECT_FALSE(FiledPlaceCovers("4403", "440300"));  // not a code
  EXPECT_FALSE(FiledPlaceCovers("440300", ""));
}

TEST(FilingChoice, NoFilingOrNoneThatApplies) {
  EXPECT_EQ(Chosen({}, "440300", "2025-03-01", "2025-03-01"), "-");
  const std::vector<FilingRecord> elsewhere = {F("A", "long_term", "110000", "2024-01-01")};
  EXPECT_EQ(Chosen(elsewhere, "440300", "2025-03-01", "2025-03-01"), "-");
  const std::vector<FilingRecord> revoked = {F("R", "long_term", "440300", "2024-01-01", "", true)};
  EXPECT_EQ(Chosen(revoked, "440300", "2025-03-01", "2025-03-01"), "-");
  const std::vector<FilingRecord> unknown_type = {F("U", "temporary", "440300", "2024-01-01")};
  EXPECT_EQ(Chosen(unknown_type, "440300", "2025-03-01", "2025-03-01"), "-");
  // Dates that cannot be read never apply.
  const std::vector<FilingRecord> unreadable = {F("X", "long_term", "440300", "2024-13-01"),
                                                F("Y", "long_term", "440300", "2024-01-01", "x")};
  EXPECT_EQ(Chosen(unreadable, "440300", "2025-03-01", "2025-03-01"), "-");
}

// The validity must overlap [begin, end] of the visit: a filing made during a stay (before
// discharge settlement) counts, one that ended before admission or starts after discharge does
// not; both ends are days included.
TEST(FilingChoice, ValidityOverlapsTheVisit) {
  const std::vector<FilingRecord> f = {F("A", "referral", "440300", "2025-03-05", "2025-03-20")};
  EXPECT_EQ(Chosen(f, "440300", "2025-03-01", "2025-03-10"), "A");  // filed during the stay (补办)
  EXPECT_EQ(Chosen(f, "440300", "2025-03-01", "2025-03-05"), "A");  // discharged on its first day
  EXPECT_EQ(Chosen(f, "440300", "2025-03-20", "2025-03-25"), "A");  // admitted on its last day
  EXPECT_EQ(Chosen(f, "440300", "2025-03-10", "2025-03-10"), "A");
  EXPECT_EQ(Chosen(f, "440300", "2025-03-01", "2025-03-04"), "-");  // discharged before it
  EXPECT_EQ(Chosen(f, "440300", "2025-03-21", "2025-03-30"), "-");  // admitted after it ended
  const std::vector<FilingRecord> open = {F("O", "long_term", "440000", "2023-06-01")};
  EXPECT_EQ(Chosen(open, "440300", "2030-01-01", "2030-01-09"), "O");
  EXPECT_EQ(Chosen(open, "440300", "2023-05-01", "2023-05-31"), "-");
}

// Several apply: long-term, then referral, then emergency — whatever their order; among filings of
// one type the first given (FilingsOf's order: begndate, filing_id).
TEST(FilingChoice, LongTermBeforeReferralBeforeEmergency) {
  const std::vector<FilingRecord> all = {
      F("E", "emergency", "440305", "2025-03-01", "2025-03-02"),
      F("R", "referral", "440300", "2025-02-01", "2025-04-30"),
      F("L", "long_term", "440000", "2025-01-01"),
  };
  EXPECT_EQ(Chosen(all, "440305", "2025-03-01", "2025-03-01"), "L");
  EXPECT_EQ(Chosen(all, "440305", "2024-12-01", "2025-02-15"), "L");  // overlaps L's first days
  // Without the long-term one (revoked), the referral; outside the referral's city, the emergency
  // filing is of another county, so none.
  std::vector<FilingRecord> some = all;
  some[2].revoked = true;
  EXPECT_EQ(Chosen(some, "440305", "2025-03-01", "2025-03-01"), "R");
  EXPECT_EQ(Chosen(some, "440305", "2025-03-02", "2025-03-02"), "R");
  EXPECT_EQ(Chosen(some, "440305", "2025-05-01", "2025-05-01"), "-");
  some[1].mdtrtarea_admvs = "440100";
  EXPECT_EQ(Chosen(some, "440305", "2025-03-02", "2025-03-02"), "E");
  EXPECT_EQ(Chosen(some, "440306", "2025-03-02", "2025-03-02"), "-");
  const std::vector<FilingRecord> two = {F("R1", "referral", "440300", "2025-01-01"),
                                         F("R2", "referral", "440300", "2025-02-01")};
  EXPECT_EQ(Chosen(two, "440300", "2025-03-01", "2025-03-01"), "R1");
}

}  // namespace
}  // namespace yibao
