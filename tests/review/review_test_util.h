// Small hand-made claims exports for the review tests: a builder that writes the claims.md files
// as text, a standard catalogue and knowledge base that give every family something to check, and
// a runner that reviews the export with the bundled rule base (rules/national).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "review/engine.h"
#include "review/knowledge.h"
#include "review/rule_set.h"

namespace yibao::review_test {

// Item codes of the test catalogue / knowledge base.
inline constexpr const char* kFolic = "XB03BBY001A001010100001";       // insutypes 510
inline constexpr const char* kTertiary = "XL01XXA001A001010100002";    // min_level 3
inline constexpr const char* kWardOnly = "XJ01DDC001B001010100003";    // setting inpatient
inline constexpr const char* kRehab = "XN06BXD001A001010100004";       // specialties A21
inline constexpr const char* kFemale = "XG01AFK001A001010100005";      // sex F
inline constexpr const char* kAdult = "XJ01MAL001A001010100006";       // age_min 18
inline constexpr const char* kDiabetic = "XA10BHS001A001010100007";    // indications E11
inline constexpr const char* kSecondLine = "XJ01DHM001B001010100008";  // step therapy
inline constexpr const char* kFirstLine = "XJ01CAA001A001010100009";
inline constexpr const char* kPain = "XN02BEA001A001010100010";  // dose/freq/course/annual/markup
inline constexpr const char* kAmlo = "XC08CAA001A001010100011";  // plain drug (over-prescription)
inline constexpr const char* kBed = "110900001000000";           // bed, per day
inline constexpr const char* kNursing = "121200001000000";       // nursing, per day
inline constexpr const char* kMeal = "130000001000000";          // meal
inline constexpr const char* kXray = "250101001000000";          // exam, max 1 a day, 2 a visit
inline constexpr const char* kSuture = "331001001000000";        // surgery, second unit 50%
inline constexpr const char* kAnaesthesia = "330100001000000";   // requires kSuture
inline constexpr const char* kPanel = "250300001000000";         // bundle of the three below
inline constexpr const char* kPanelA = "250300101000000";
inline constexpr const char* kPanelB = "250300201000000";
inline constexpr const char* kPanelC = "250300301000000";
inline constexpr const char* kInfusion = "120400001000000";  // includes kInjection
inline constexpr const char* kInjection = "120400002000000";
inline constexpr const char* kCtScan = "210300001000000";  // billed in place of kXray2
inline constexpr const char* kXray2 = "210100001000000";
inline constexpr const char* kOxygen = "311000001000000";  // evidence of J96 (resp. failure)

struct TestVisit {
  std::string id, psn, inst, med_type, begin, end, dept, dscg, main_dx, diag, oprn, insutype, drg;
  std::string area;
  struct Line {
    std::string sn, date, code, cnt, pric, sin_dos, freq, days, dept, appr, amount;
  };
  std::vector<Line> lines;

  // Adds a line; `amount` empty = pric × cnt.
  TestVisit& Add(std::string code, std::string cnt, std::string pric, std::string date = "",
                 std::string sin_dos = "", std::string freq = "", std::string days = "",
                 std::string appr = "", std::string dept = "");
};

class ExportBuilder {
 public:
  ExportBuilder();  // the standard persons and institutions
  TestVisit& Visit(std::string id, std::string psn, std::string inst, std::string med_type,
                   std::string begin, std::string end = "");
  std::string persons, institutions, catalogue;
  std::array<std::string, kKnowledgeTableCount> knowledge;
  std::vector<TestVisit> visits;

  std::string VisitsCsv() const;
  std::string FeeLinesCsv() const;
};

struct ReviewRun {
  ClaimsStore store;
  std::unique_ptr<Catalogue> catalogue;
  KnowledgeBase knowledge;
  std::unique_ptr<RuleSet> rules;
  std::unique_ptr<BoundRules> bound;
  BatchResult result;

  bool Has(std::string_view family, std::string_view mdtrt) const;
  const Finding* Find(std::string_view family, std::string_view mdtrt) const;
  size_t Count(std::string_view family) const;
  // "family@mdtrt" of every finding, for failure messages.
  std::string Describe() const;
};

// Parses the export (ADD_FAILURE on a load error) and runs the 事后 batch with `threads`.
std::unique_ptr<ReviewRun> Review(const ExportBuilder& b, int threads = 2,
                                  ReviewStage stage = ReviewStage::kAfter);

// The bundled rule base.
RuleBase BundledRules();
// The CHS-DRG grouper over the shared data (loaded once).
const DrgGrouper* SharedGrouper();

}  // namespace yibao::review_test
