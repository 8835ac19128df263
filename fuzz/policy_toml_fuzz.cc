// libFuzzer target: arbitrary bytes as a benefit-policy file. A policy is edited by hand, so the
// loader must turn any text into a policy or diagnostics naming the file, never a crash; and a
// policy that loads must be safe to settle with: a few fixed visits per benefit (every level, with
// and without identities, fresh and half-used accumulators) are settled against it with the golden
// catalogue, and every bill must balance to the fen and cancel exactly.
//
// Each input is parsed twice: without a vocabulary and with the words of the sample region.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue_csv.h"
#include "policy/policy_toml.h"
#include "settle/settle.h"

namespace {

using yibao::Date;
using yibao::Diagnostics;
using yibao::FeeLine;
using yibao::Money;
using yibao::Policy;
using yibao::Quantity;
using yibao::UnitPrice;
using yibao::Visit;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "policy_toml_fuzz: %s\n", what);
    std::abort();
  }
}

const yibao::Catalogue& GoldenCatalogue() {
  static const yibao::Catalogue* catalogue = [] {
    auto c =
        yibao::LoadCatalogueCsv(YIBAO_SOURCE_DIR "/tests/golden/settle/catalogue.csv", "379900");
    if (!c) {
      std::fprintf(stderr, "%s\n", yibao::FormatDiagnostics(c.errors()).c_str());
      std::abort();
    }
    return new yibao::Catalogue(std::move(*c));
  }();
  return *catalogue;
}

const yibao::PolicyVocabulary& Vocabulary() {
  static const yibao::PolicyVocabulary words{
      {"in_service", "retired", "resident", "resident_adult", "resident_child", "student",
       "resident_elderly"},
      {"destitute", "orphan", "dibao", "dibao_edge", "poverty_return", "monitored", "special_care",
       "disabled", "assistance"}};
  return words;
}

FeeLine Line(const std::string& code, int64_t count, int64_t micro_yuan, bool approved) {
  FeeLine l;
  l.serial = std::to_string(count) + code.substr(0, 4);
  l.code = code;
  l.count = Quantity::Units(count);
  l.price = UnitPrice::MicroYuan(micro_yuan);
  l.amount = yibao::LineAmount(l.price, l.count);
  l.approved = approved;
  return l;
}

// Fixed visits for one med_type of `policy`, on the day it takes effect.
std::vector<Visit> VisitsFor(const Policy& policy, const yibao::Benefit& benefit,
                             const std::string& med_type) {
  std::vector<Visit> visits;
  const yibao::Catalogue& catalogue = GoldenCatalogue();
  for (int level = 0; level <= 3; ++level) {
    Visit v;
    v.visit_id = "F" + std::to_string(level);
    v.person.psn_no = "P1";
    v.person.sex = level % 2 ? yibao::Sex::kMale : yibao::Sex::kFemale;
    v.person.birthday = Date::FromYmd(level == 1 ? 2015 : 1950, 3, 1);
    v.person.insutype = policy.insutype;
    v.person.psn_type = level >= 2 ? "retired" : "resident";
    if (level % 2) v.person.identities = {"dibao", "destitute"};
    v.person.insured_admdvs = policy.region;
    v.treatment_admdvs = policy.region;
    v.cross = level == 3 ? yibao::CrossRegion::kCrossUnfiled : yibao::CrossRegion::kLocal;
    v.med_type = med_type;
    v.institution = "H00000000001";
    v.institution_level = level;
    v.begin = v.end = policy.effective_from;
    v.diagnoses = {"I10.x00"};
    if (!benefit.diseases.empty()) v.chronic_disease = benefit.diseases.front();
    if (!benefit.cross_province_diseases.empty())
      v.chronic_disease = benefit.cross_province_diseases.front();
    v.use_account = level != 0;
    v.account_balance = Money::Yuan(500);
    v.family_account_balance = Money::Yuan(level * 300);
    v.deposit = Money::Yuan(level * 5000);
    int64_t scale = level == 3 ? 400 : 1;  // one visit far above every band and cap
    for (const auto& item : catalogue.items()) {
      int64_t price = item.price_cap ? item.price_cap->micro_yuan() * 11 / 10 : 123'456'789;
      v.lines.push_back(Line(item.code, 3 * scale, price, level >= 2));
    }
    visits.push_back(std::move(v));
  }
  return visits;
}

void SettleAll(const Policy& policy) {
  // Every slot a rule names is inside the accumulator array.
  const int slots = int(policy.accounts().size());
  for (int i = 0; i < slots; ++i)
    Check(policy.Slot(policy.accounts()[size_t(i)]) == i, "slot names");
  for (const auto& b : policy.benefits) {
    Check(b.admission_slot < slots, "admission slot out of range");
    for (const auto& t : b.tiers) {
      Check(t.deductible_slot < slots && t.position_slot < slots, "tier slot out of range");
      for (const auto& c : t.caps) Check(c.slot < slots, "cap slot out of range");
    }
  }
  std::vector<int64_t> fresh(size_t(slots), 0), used(size_t(slots), 0);
  for (int i = 0; i < slots; ++i) used[size_t(i)] = 1'234'567;  // 12345.67 yuan on every account
  for (const auto& b : policy.benefits)
    if (b.admission_slot >= 0) used[size_t(b.admission_slot)] = 2;  // the third admission
  int settled = 0;
  for (const auto& benefit : policy.benefits) {
    for (const auto& med_type : benefit.med_types) {
      for (const Visit& v : VisitsFor(policy, benefit, med_type)) {
        for (const auto* acc : {&fresh, &used}) {
          yibao::Settlement s;
          Diagnostics errors;
          if (!yibao::Settle(v, GoldenCatalogue(), policy, *acc, &s, &errors)) {
            Check(!errors.empty() && !errors[0].field.empty(), "settle failed without a field");
            for (const auto& d : errors)
              if (d.message.rfind("internal:", 0) == 0) {
                std::fprintf(stderr, "%s\n", yibao::FormatDiagnostics(errors).c_str());
                Check(false, "settle reported an internal error");
              }
            continue;
          }
          Check(yibao::CheckBillIdentities(s.bill).empty(), "the bill does not balance");
          for (int64_t d : s.deltas) Check(d >= 0, "a negative accumulator delta");
          std::vector<int64_t> after = *acc;
          yibao::ApplyDeltas(after, s.deltas);
          yibao::ApplyDeltas(after, yibao::Reversal(s).deltas);
          Check(after == *acc, "settle + cancel did not restore the accumulators");
          if (++settled >= 64) return;  // bound the work per input
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const yibao::PolicyVocabulary* vocabulary :
       {static_cast<const yibao::PolicyVocabulary*>(nullptr), &Vocabulary()}) {
    auto r = yibao::ParsePolicyToml(text, "fuzz.toml", vocabulary);
    if (!r) {
      Check(!r.errors().empty(), "refused without a diagnostic");
      for (const auto& d : r.errors())
        Check(d.file == "fuzz.toml" && d.line >= 0 && !d.message.empty(),
              "a diagnostic without file or message");
      continue;
    }
    Check(yibao::ValidatePolicy(*r, vocabulary).empty(), "a loaded policy fails validation");
    SettleAll(*r);
  }
  return 0;
}
