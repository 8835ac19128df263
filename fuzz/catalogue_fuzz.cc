// libFuzzer target: arbitrary bytes as a catalogue CSV. A catalogue file comes from a clerk's
// spreadsheet, so the loader must turn any input into either a catalogue or diagnostics, never a
// crash, a hang or a silently inconsistent catalogue.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalogue/catalogue_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = yibao::ParseCatalogueCsv(text, "fuzz.csv", "379900");
  if (result.ok()) {
    // Every loaded version must be found again on the first day it is valid.
    for (const yibao::CatalogueItem& item : result->items()) {
      if (result->Find(item.code, item.valid_from) != &item) std::abort();
      if (item.valid_to < item.valid_from) std::abort();
    }
  } else {
    const auto& errors = result.errors();
    if (errors.empty() || errors.size() > size_t(yibao::kMaxCatalogueErrors) + 1) std::abort();
    for (const auto& d : errors) {
      if (d.file != "fuzz.csv" || d.line < 0 || d.message.empty()) std::abort();
    }
  }
  return 0;
}
