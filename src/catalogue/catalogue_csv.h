// Loads a region's 医保目录 from the CSV format documented in docs/formats/catalogue.md.
//
// The file is edited by a bureau's catalogue clerk, usually in a spreadsheet, so the loader reports
// every problem it finds (up to kMaxCatalogueErrors), each naming the file, the line and the
// column, instead of stopping at the first. A catalogue with any error is rejected as a whole:
// settling against a half-loaded catalogue would silently turn the missing items into 全自费.
#pragma once

#include <string>
#include <string_view>

#include "base/diagnostic.h"
#include "catalogue/catalogue.h"

namespace yibao {

// Beyond this many errors a further diagnostic only says how many more there were.
inline constexpr int kMaxCatalogueErrors = 100;

// Parses catalogue CSV `text`; `file_name` is only used in diagnostics. `admdvs` is the 6-digit
// region code (GB/T 2260) of the pooling region that publishes the catalogue.
Result<Catalogue> ParseCatalogueCsv(std::string_view text, std::string_view file_name,
                                    std::string admdvs);

// Reads the file at `path` and parses it; diagnostics name `path`.
Result<Catalogue> LoadCatalogueCsv(const std::string& path, std::string admdvs);

}  // namespace yibao
