// The real CHS-DRG 1.1 scheme and ICD tables, loaded once per test binary.
#pragma once

#include <string>

#include "codes/icd_table.h"
#include "drg/drg_spec.h"

namespace yibao {

inline const std::string kDrgDir = std::string(YIBAO_SHARED_DATA) + "/chs-drg-1.1";
inline const std::string kIcdDir = std::string(YIBAO_SHARED_DATA) + "/icd";

const DrgSpec& RealSpec();
const IcdTables& RealIcd();

}  // namespace yibao
