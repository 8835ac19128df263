#include "gen/population.h"

#include <fmt/format.h>

namespace yibao::gen {

namespace {

// China, 2020 census (第七次全国人口普查), share of the population by 5-year age group, in
// hundredths of a percent: 0–14 17.95%, 15–59 63.35%, 60+ 18.70%, 65+ 13.50%.
constexpr int kAgeGroupShare[] = {554, 641, 600, 528, 531, 659, 849, 696, 669, 829,
                                  868, 706, 520, 509, 358, 235, 147, 71,  25,  5};
// Males per 1000 persons of each group: 105:100 overall (51.24% male), fewer at old age.
constexpr int kMalePermille[] = {531, 535, 538, 535, 527, 520, 512, 510, 508, 506,
                                 505, 502, 497, 490, 481, 466, 447, 418, 380, 330};
// Deaths per 100,000 a year by age group (China's death rate ≈ 7.3‰; shape of the life table).
constexpr int kDeathsPer100k[] = {90,  20,  25,  45,   60,   65,   80,   110,   160,   250,
                                  400, 600, 900, 1400, 2300, 3800, 6500, 11000, 18000, 30000};

bool IsEmployee(Rng& rng, int age, int gend) {
  // Calibrated so that employees are ≈ 27% of the insured and ≈ 27% of them retired
  // (国家医保局 statistical bulletin 2023: 3.71 亿 employees of 13.34 亿 insured, 1.0 亿 retired).
  if (age < 18) return false;
  if (age < 22) return rng.Percent(12);
  if (age < 50) return rng.Percent(40);
  if (age < 60) return rng.Percent(gend == 1 ? 38 : 34);
  return rng.Percent(30);
}

}  // namespace

Person MakePerson(const GenContext& g, Rng& rng, int64_t seq) {
  Person p;
  size_t group = rng.Pick(kAgeGroupShare);
  int age = int(group) * 5 + int(rng.Below(5));
  p.gend = rng.Chance(kMalePermille[group] * 1000) ? 1 : 2;
  // Age `age` on the first day of the year: born in (year - age - 1), on a random day.
  const Date jan1 = Date::FromYmd(g.options.year - age - 1, 1, 1);
  const Date next_jan1 = Date::FromYmd(g.options.year - age, 1, 1);
  p.brdy = PlusDays(jan1, int(rng.Below(uint64_t(next_jan1 - jan1))));

  const bool employee = IsEmployee(rng, age, p.gend);
  if (employee) {
    p.insutype = "310";
    const int retire_age = p.gend == 1 ? 60 : (rng.Percent(50) ? 50 : 55);
    p.psn_type = age >= retire_age ? "retired" : "in_service";
    // Maternity insurance is merged with employee insurance (2019): every employee in service.
    p.maternity = p.psn_type == std::string_view("in_service");
  } else {
    p.insutype = "390";
    p.psn_type = age < 7 ? "child" : age < 22 ? "student" : "adult";
  }

  // Place of insurance: mostly the region; some insured elsewhere in the province or in another
  // province (long-term residents who filed for 异地就医).
  int where = int(rng.Below(1000));
  if (where < 30 && !g.same_province.empty())
    p.insuplc_admdvs = g.same_province[rng.Below(g.same_province.size())];
  else if (where < 80 && !g.other_provinces.empty())
    p.insuplc_admdvs = g.other_provinces[rng.Below(g.other_provinces.size())];
  else
    p.insuplc_admdvs = g.options.admdvs;
  p.psn_no = fmt::format("{}{:014}", p.insuplc_admdvs, seq + 1);

  if (rng.Chance(int64_t(kDeathsPer100k[group]) * 10)) {
    p.dead = true;
    p.death_date = PlusDays(g.year_begin, int(rng.Below(uint64_t(g.year_end - g.year_begin + 1))));
  }
  // Where the person usually goes.
  if (!g.clinics.empty()) p.home_clinic = g.clinics[rng.Below(g.clinics.size())];
  if (!g.pharmacies.empty()) p.home_pharmacy = g.pharmacies[rng.Below(g.pharmacies.size())];
  {
    // A home hospital, bigger hospitals drawing more people: 三级 ×6, 二级 ×3, 一级 ×1.
    p.home_hospital = g.hospitals[rng.Pick(g.hospital_weights)];
    if (g.clinics.empty()) p.home_clinic = p.home_hospital;
    if (g.pharmacies.empty()) p.home_pharmacy = p.home_clinic;
  }
  return p;
}

}  // namespace yibao::gen
