// 医保区划 (admdvs): the GB/T 2260 administrative divisions that name pooling regions (统筹区) and
// places of insurance and treatment. Decides whether a visit is 异地就医 (another city) and whether
// it is 省内 or 跨省, which selects the policy that applies.
//
// Canonical form is 6 digits at every level: province 370000, city 370100, area (county) 370102.
// The source files give provinces as 2 digits and cities as 4; they are padded with zeros here.
//
// Thread safety: immutable after loading; share freely between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/diagnostic.h"
#include "base/text.h"

namespace yibao {

// The three CSV files of the china-division layout (see /shared/data/admdvs):
//   provinces.csv  code,name                         11,"北京市"
//   cities.csv     code,name,provinceCode            1101,"市辖区",11
//   areas.csv      code,name,cityCode,provinceCode   110101,"东城区",1101,11
struct AdmdvsTexts {
  NamedText provinces;
  NamedText cities;
  NamedText areas;
};

class AdmdvsTable {
 public:
  AdmdvsTable() = default;

  // Pure: no file is read. Every bad line is reported with its file, line and field.
  static Result<AdmdvsTable> Parse(const AdmdvsTexts& texts);
  // Reads provinces.csv, cities.csv and areas.csv from `dir`.
  static Result<AdmdvsTable> Load(const std::string& dir);

  // Whether `admdvs6` is a known province, city or area, e.g. "370000", "370100", "370102".
  bool Contains(std::string_view admdvs6) const;
  // "370102" → "历下区"; "370100" → "济南市"; "370000" → "山东省". Valid as long as the table.
  std::optional<std::string_view> Name(std::string_view admdvs6) const;

  // Level arithmetic on the code alone (GB/T 2260 codes are hierarchical); the code need not be in
  // any table. Return "" when `admdvs6` is not 6 digits.
  static std::string ProvinceOf(std::string_view admdvs6);  // "370102" → "370000"
  static std::string CityOf(std::string_view admdvs6);      // "370102" → "370100"
  // False when either is not 6 digits: an unknown place is never "the same province".
  static bool SameProvince(std::string_view a, std::string_view b);
  static bool SameCity(std::string_view a, std::string_view b);

  size_t province_count() const { return province_count_; }
  size_t city_count() const { return city_count_; }
  size_t area_count() const { return area_count_; }
  // Distinct 6-digit codes. Fewer than the sum of the counts: a city without districts (东莞市
  // 4419) is listed again as its own area 441900 under the same name.
  size_t size() const { return names_.size(); }

 private:
  // Keyed by the code's value: a 6-digit code fits in 20 bits, so a lookup hashes an integer and
  // allocates nothing.
  std::unordered_map<uint32_t, std::string> names_;
  size_t province_count_ = 0;
  size_t city_count_ = 0;
  size_t area_count_ = 0;
};

}  // namespace yibao
