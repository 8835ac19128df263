// Reading settlement-list cases for the grouper from JSON (one object per line, or an array) and
// CSV (docs/formats/drg.md, "Cases"). Pure: the text is given; errors name file, line and field.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "drg/grouper.h"

namespace yibao {

// One JSON object → a case.
Result<DrgCase> ParseDrgCaseJson(std::string_view object, std::string_view file, int line);

// Every case of a JSON Lines text (blank lines and lines starting with '#' skipped) or of a JSON
// array; `each` receives each case or the diagnostics of one bad case, with the count of bytes
// read so far (for progress). Returns false when the text as a whole cannot be read.
using DrgCaseSink = std::function<void(Result<DrgCase>&&, size_t bytes_done)>;
bool ForEachDrgCaseJson(std::string_view text, std::string_view file, const DrgCaseSink& each,
                        Diagnostics* errors);

// One CSV record → a case: `cell(column)` gives the trimmed cell of a column ("" when the header
// lacks it). Diagnostics name file, line and column. Readers of wider files (yibao pay's cost
// columns) use it for the grouping columns.
using DrgCaseCell = std::function<std::string_view(std::string_view column)>;
Result<DrgCase> DrgCaseFromCells(const DrgCaseCell& cell, std::string_view file, int line);

// CSV with a header naming the columns (any order): id, sex, age, age_days, weight, los,
// discharge, main_dx, secondary_dx, procedures; the last two hold codes separated by ';' or '|'.
bool ForEachDrgCaseCsv(std::string_view text, std::string_view file, const DrgCaseSink& each,
                       Diagnostics* errors);

}  // namespace yibao
