#include "drg_test_util.h"

#include <cstdlib>
#include <iostream>

namespace yibao {

const DrgSpec& RealSpec() {
  static const DrgSpec* spec = [] {
    Result<DrgSpec> r = LoadDrgSpec(kDrgDir);
    if (!r.ok()) {
      std::cerr << FormatDiagnostics(r.errors());
      std::abort();
    }
    return new DrgSpec(std::move(r.value()));
  }();
  return *spec;
}

const IcdTables& RealIcd() {
  static const IcdTables* icd = [] {
    Result<IcdTables> r = IcdTables::LoadShared(kIcdDir);
    if (!r.ok()) {
      std::cerr << FormatDiagnostics(r.errors());
      std::abort();
    }
    return new IcdTables(std::move(r.value()));
  }();
  return *icd;
}

}  // namespace yibao
