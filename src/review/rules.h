// Rule instances (规则库) as data: a rule is one family (family.h) with its result type, severity,
// stages, scope (scenarios, institution levels and types, insurance types), time window and the
// family's parameters, written in TOML (docs/formats/review-rules.md). Unknown keys and bad
// values are errors naming file, line and key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/ratio.h"
#include "review/family.h"
#include "review/knowledge.h"

namespace yibao {

enum class RuleResult : uint8_t { kSuspect, kCertain };         // 可疑 / 明确
enum class RuleSeverity : uint8_t { kRefuse, kFlag };           // 拒付 / 提示
enum class ReviewStage : uint8_t { kBefore, kDuring, kAfter };  // 事前 / 事中 / 事后
const char* RuleResultName(RuleResult r);                       // "suspect" | "certain"
const char* RuleSeverityName(RuleSeverity s);                   // "refuse" | "flag"
const char* ReviewStageName(ReviewStage s);                     // "before" | "during" | "after"

// Every family's parameters; a rule sets only those of its family (others are an error).
struct RuleParams {
  bool approval_exempts = true;  // scope_*: a line the hospital marked approved is not a finding
  int extra_days = 1;            // charge_fictitious: per-day count allowed above the days of stay
  int outpatient_max = 1;        // charge_fictitious: per-day count allowed on an outpatient visit
  int dx_category_chars = 3;     // visit_split_hospitalisation: same diagnosis category
  bool same_institution = true;  // visit_split_hospitalisation
  std::vector<std::string> exempt_dx = {"Z51"};  // visit_split_hospitalisation: planned stays
  int min_days = 4;                              // visit_bed_without_treatment
  Ratio idle_share = Ratio::Percent(50);         // visit_bed_without_treatment: more than this
  std::vector<ItemCategory> idle_categories = {ItemCategory::kBed, ItemCategory::kNursing,
                                               ItemCategory::kMeal};
  Ratio max_supply = Ratio::Percent(150);  // visit_over_prescription: supply days ÷ window
  int min_stays = 3;                       // visit_fake_hospitalisation
  std::vector<ItemCategory> shifted_categories = {ItemCategory::kExam, ItemCategory::kDrug};
};

struct Rule {
  std::string id;
  std::string name;
  RuleFamily family = RuleFamily::kScopeSex;
  RuleResult result = RuleResult::kSuspect;
  RuleSeverity severity = RuleSeverity::kFlag;
  uint8_t stages = 0b111;              // bit ReviewStage
  uint8_t scenarios = 0b1111;          // bit CareScenario
  bool cross_province = true;          // also reviews visits of persons insured in another province
  uint8_t levels = 0b1111;             // bit hosp_lv 0..3
  uint8_t institution_types = 0b1111;  // bit InstitutionType
  std::vector<uint32_t> insutypes;     // empty = every insurance type
  WindowKind window = WindowKind::kVisit;
  int window_days = 0;  // for WindowKind::kDays
  RuleParams params;
  std::string file;
  int line = 0;

  bool InStage(ReviewStage s) const { return stages & (1u << unsigned(s)); }
};

struct RuleBase {
  std::vector<Rule> rules;
};

// Parses one rule file and appends its rules to `base`; ids must be unique within `base`.
// Returns the diagnostics (empty when the file is good).
Diagnostics ParseRuleFile(std::string_view text, std::string_view file_name, RuleBase& base);

// Every *.toml file of `dir`, in name order.
Result<RuleBase> LoadRuleDir(const std::string& dir);

}  // namespace yibao
