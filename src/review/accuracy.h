// Precision and recall of a review against ground truth (labels.csv of a generated region,
// docs/formats/claims.md "labels.csv"): per family at the visit level — a finding of family F on
// visit V is a true positive when the labels have (F, V).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "review/engine.h"

namespace yibao {

struct Label {
  RuleFamily family;
  std::string mdtrt_id;
  std::string feedetl_sn;  // empty: the visit as a whole
};

// labels.csv: family,mdtrt_id,feedetl_sn. Errors name file, line and column.
Result<std::vector<Label>> ParseLabels(std::string_view text, std::string_view file_name);

struct FamilyAccuracy {
  size_t labelled = 0;  // distinct labelled visits
  size_t found = 0;     // distinct visits with a finding
  size_t tp = 0, fp = 0, fn = 0;
  // tp ÷ (tp + fp) and tp ÷ (tp + fn); -1 when undefined (nothing found / nothing labelled).
  double precision() const { return tp + fp ? double(tp) / double(tp + fp) : -1; }
  double recall() const { return tp + fn ? double(tp) / double(tp + fn) : -1; }
};

struct Accuracy {
  std::array<FamilyAccuracy, kRuleFamilyCount> families{};
  size_t unknown_visits = 0;  // labels naming a visit the store lacks
};

Accuracy ComputeAccuracy(const std::vector<Label>& labels, const std::vector<Finding>& findings,
                         const RuleSet& rules, const ClaimsStore& store);

// A table for people: family, labelled, found, TP, FP, FN, precision, recall.
std::string FormatAccuracyTable(const Accuracy& a);

}  // namespace yibao
