// libFuzzer target: arbitrary bytes as a visit request, the JSON a HIS sends. The edge must turn
// any bytes into a visit or a diagnostic, never a crash. A visit that parses is prepared against
// the sample region (regions/qinglan, loaded once; YIBAO_REGION_DIR overrides) and settled; any
// bill that comes out must balance to the fen (CheckBillIdentities), a cancellation must restore
// the accumulators, and the bill must be writable as JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "interface/bill_json.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "region/region.h"
#include "settle/settle.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "visit_json_fuzz: %s\n", what);
    std::abort();
  }
}

// The sample region, and the same region as a place of treatment elsewhere in the province and in
// another province, so that the fuzzer can reach every region status.
struct Places {
  yibao::Region home;
  yibao::Region in_province;
  yibao::Region other_province;
};

const Places& Sample() {
  static const Places* places = [] {
    const char* dir = std::getenv("YIBAO_REGION_DIR");
    auto r = yibao::LoadRegion(dir ? dir : YIBAO_SOURCE_DIR "/regions/qinglan");
    if (!r) {
      std::fprintf(stderr, "%s\n", yibao::FormatDiagnostics(r.errors()).c_str());
      std::abort();
    }
    auto* p = new Places{std::move(*r), {}, {}};
    p->in_province = p->home;
    p->in_province.admdvs = p->home.admdvs.substr(0, 2) + "0100";
    p->in_province.policies.clear();
    p->other_province = p->in_province;
    p->other_province.admdvs = p->home.admdvs.substr(0, 2) == "11" ? "310100" : "110100";
    return p;
  }();
  return *places;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Places& places = Sample();
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto input = yibao::ParseVisitJson(json);
  if (!input) {
    Check(!input.errors().empty(), "parse failed without a diagnostic");
    Check(!input.errors()[0].message.empty(), "parse diagnostic without a message");
    return 0;
  }
  const yibao::Region* treatment = &places.home;
  for (const yibao::Region* r : {&places.in_province, &places.other_province})
    if (input->visit.treatment_admdvs == r->admdvs) treatment = r;
  auto prepared = yibao::PrepareVisit(std::move(*input), places.home, *treatment);
  if (!prepared) {
    Check(!prepared.errors().empty(), "prepare failed without a diagnostic");
    Check(!prepared.errors()[0].field.empty(), "prepare diagnostic without a field");
    return 0;
  }
  const yibao::PreparedVisit& p = *prepared;
  yibao::Settlement s;
  yibao::Diagnostics errors;
  if (!yibao::Settle(p.visit, *p.catalogue, *p.policy, p.accumulators, &s, &errors)) {
    Check(!errors.empty(), "settle failed without a diagnostic");
    Check(!errors[0].field.empty(), "settle diagnostic without a field");
    // Settle reports an unbalanced bill (or a tier paying beyond its base) as a diagnostic whose
    // message starts with "internal:" rather than returning it.
    for (const auto& d : errors)
      if (d.message.rfind("internal:", 0) == 0) {
        std::fprintf(stderr, "%s\n", yibao::FormatDiagnostics(errors).c_str());
        Check(false, "settle reported an internal error");
      }
    return 0;
  }
  Check(yibao::CheckBillIdentities(s.bill).empty(), "the bill does not balance");
  Check(s.deltas.size() == p.policy->accounts().size(), "deltas not sized to the policy");
  for (int64_t d : s.deltas) Check(d >= 0, "a negative accumulator delta");
  std::vector<int64_t> acc = p.accumulators;
  yibao::ApplyDeltas(acc, s.deltas);
  yibao::ApplyDeltas(acc, yibao::Reversal(s).deltas);
  Check(acc == p.accumulators, "settle + cancel did not restore the accumulators");
  std::string out;
  yibao::WriteBillJson(s, p.visit, p.accumulators, out);
  Check(!out.empty() && out.front() == '{' && out.back() == '}', "bill JSON malformed");
  return 0;
}
