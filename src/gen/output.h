// The CSV text of a generated region (docs/formats/claims.md): headers, the institutions, and each
// block's persons, visits, fee lines and labels. Numbers are written exactly (money in yuan with
// two decimals, quantities and prices without trailing zeros).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gen/abuse.h"
#include "gen/context.h"

namespace yibao::gen {

extern const char* const kPersonsHeader;
extern const char* const kInstitutionsHeader;
extern const char* const kVisitsHeader;
extern const char* const kFeeLinesHeader;
extern const char* const kLabelsHeader;

struct BlockText {
  std::string persons, visits, lines, labels;
  int64_t persons_count = 0, visit_count = 0, line_count = 0;
  std::array<int64_t, kFamilyCount> labels_per_family{};
  std::array<int, kFamilyCount> injected{};
  int64_t stay_count = 0;
};

std::string InstitutionsCsv(const std::vector<Institution>& insts);

// Sorts each visit's lines by date and writes the block; mdtrt_id is the year, the block number
// and the visit's number in the block.
void FormatBlock(const GenContext& g, BlockData& b, BlockText& out);

}  // namespace yibao::gen
