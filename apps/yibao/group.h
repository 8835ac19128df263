// `yibao group`: CHS-DRG grouping of settlement-list cases from a JSON Lines / JSON array / CSV
// file (docs/formats/drg.md).
#pragma once

#include <string>

namespace yibao {

struct GroupArgs {
  std::string data_dir;         // the shared reference data: <data>/chs-drg-1.1, <data>/icd
  std::string spec_dir;         // overrides <data>/chs-drg-1.1 (a regional variant)
  std::string cases;            // .jsonl / .json / .csv
  std::string format = "json";  // json | table
  bool trace = true;            // include the trace (json) / print it (table)
};

// 0 when every case was read (grouped, QY or 0000 alike); 1 when the spec, the tables or a case
// could not be read.
int Group(const GroupArgs& args);

}  // namespace yibao
