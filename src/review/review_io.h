// The shell around the review core: reading an export directory (claims, catalogue, knowledge)
// and writing findings as CSV or JSON Lines. Only LoadReviewExport touches the file system.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "review/claims.h"
#include "review/engine.h"
#include "review/knowledge.h"

namespace yibao {

struct ReviewExport {
  ClaimsStore store;
  std::unique_ptr<Catalogue> catalogue;  // null when the export has no catalogue.csv
  KnowledgeBase knowledge;               // tables absent from knowledge/ are marked so
};

// dir/persons.csv … fee_lines.csv, dir/catalogue.csv (optional), dir/knowledge/*.csv.
Result<ReviewExport> LoadReviewExport(const std::string& dir);

// CSV: rule_id,family,result,severity,stage,mdtrt_id,feedetl_sn,amount,evidence — one row per
// finding, the line serials joined by ';', the amount in yuan.
void AppendFindingsCsvHeader(std::string& out);
void AppendFindingCsv(const RuleSet& rules, const ClaimsStore& store, ReviewStage stage,
                      const Finding& f, std::string& out);
// One JSON object per line with the same fields.
void AppendFindingJson(const RuleSet& rules, const ClaimsStore& store, ReviewStage stage,
                       const Finding& f, std::string& out);

}  // namespace yibao
