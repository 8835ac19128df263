// Feeds arbitrary bytes to the reference-table parsers: the ICD code/gray/crosswalk texts and the
// admdvs CSV files. Tables come from outside (a province's own edition, a hand-edited crosswalk),
// so the parsers must turn any bytes into a table or diagnostics, never a crash.
//
// The first byte picks diagnosis or procedure; the rest is cut at NUL bytes into up to four texts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "codes/admdvs.h"
#include "codes/code_format.h"
#include "codes/icd_table.h"

namespace {

using yibao::AdmdvsTable;
using yibao::IcdKind;
using yibao::IcdTable;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> SplitAtNul(std::string_view s, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t nul = s.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(s.substr(0, nul));
    s.remove_prefix(nul + 1);
  }
  parts.push_back(s);
  parts.resize(max_parts);
  return parts;
}

void FuzzIcd(IcdKind kind, std::string_view data) {
  std::vector<std::string_view> p = SplitAtNul(data, 4);
  yibao::Result<IcdTable> r = IcdTable::Parse(
      kind, yibao::IcdTableTexts{{"codes", p[0]}, {"gray", p[1]}, {"v1", p[2]}, {"gl", p[3]}});
  if (!r.ok()) {
    Check(!r.errors().empty());
    for (const yibao::Diagnostic& d : r.errors()) Check(!d.file.empty() && d.line > 0);
    return;
  }
  const IcdTable& t = r.value();
  for (uint32_t id = 0; id < t.size(); ++id) {
    std::string_view code = t.Code(id);
    Check(t.Id(code) == id);  // interning is a bijection
    Check(!yibao::CheckCode(
        kind == IcdKind::kDiagnosis ? yibao::CodeKind::kDiagnosis : yibao::CodeKind::kProcedure,
        code));
    Check(!t.Name(id).empty());
    (void)t.IsGray(id);
    std::optional<yibao::NormalizedCode> n = t.Normalize(code);
    Check(n && n->id == id && n->via == yibao::Crosswalk::kNone);
  }
  // Every line as a lookup key, mapped or not.
  for (std::string_view text : p) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view key = text.substr(start, end - start);
      if (std::optional<yibao::NormalizedCode> n = t.Normalize(key)) Check(n->id < t.size());
      (void)t.MapFromV1(key);
      (void)t.MapFromClinical(key);
      start = end + 1;
    }
  }
}

void FuzzAdmdvs(std::string_view data) {
  std::vector<std::string_view> p = SplitAtNul(data, 3);
  yibao::Result<AdmdvsTable> r = AdmdvsTable::Parse(
      yibao::AdmdvsTexts{{"provinces.csv", p[0]}, {"cities.csv", p[1]}, {"areas.csv", p[2]}});
  if (!r.ok()) {
    Check(!r.errors().empty());
    return;
  }
  const AdmdvsTable& t = r.value();
  Check(t.size() <= t.province_count() + t.city_count() + t.area_count());
  if (data.size() >= 6) {
    std::string_view key = data.substr(0, 6);
    Check(t.Contains(key) == t.Name(key).has_value());
    std::string province = AdmdvsTable::ProvinceOf(key);
    Check(province.empty() || AdmdvsTable::SameProvince(key, province));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzIcd(IcdKind::kDiagnosis, rest);
      break;
    case 1:
      FuzzIcd(IcdKind::kProcedure, rest);
      break;
    case 2:
      FuzzAdmdvs(rest);
      break;
  }
  for (int k = 0; k <= static_cast<int>(yibao::CodeKind::kAdmdvs); ++k) {
    (void)yibao::CheckCode(static_cast<yibao::CodeKind>(k), rest.substr(0, 64));
  }
  return 0;
}
