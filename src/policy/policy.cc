#include "policy/policy.h"

#include <algorithm>

namespace yibao {

const char* FundName(Fund f) {
  switch (f) {
    case Fund::kHifp:
      return "hifp";
    case Fund::kCvlserv:
      return "cvlserv";
    case Fund::kHifes:
      return "hifes";
    case Fund::kHifmi:
      return "hifmi";
    case Fund::kHifob:
      return "hifob";
    case Fund::kMaf:
      return "maf";
    case Fund::kOther:
      return "oth";
  }
  return "?";
}

const char* FundLabel(Fund f) {
  switch (f) {
    case Fund::kHifp:
      return "统筹基金";
    case Fund::kCvlserv:
      return "公务员医疗补助";
    case Fund::kHifes:
      return "企业补充医疗保险";
    case Fund::kHifmi:
      return "大病保险";
    case Fund::kHifob:
      return "职工大额医疗费用补助";
    case Fund::kMaf:
      return "医疗救助";
    case Fund::kOther:
      return "其他基金";
  }
  return "?";
}

int FundStage(Fund f) {
  switch (f) {
    case Fund::kHifp:
      return 0;
    case Fund::kCvlserv:
    case Fund::kHifes:
    case Fund::kHifmi:
    case Fund::kHifob:
      return 1;
    case Fund::kMaf:
      return 2;
    case Fund::kOther:
      return 3;
  }
  return 3;
}

bool ParseFund(std::string_view name, Fund& out) {
  for (auto f : {Fund::kHifp, Fund::kCvlserv, Fund::kHifes, Fund::kHifmi, Fund::kHifob, Fund::kMaf,
                 Fund::kOther}) {
    if (name == FundName(f)) {
      out = f;
      return true;
    }
  }
  return false;
}

bool Condition::empty() const {
  return level_mask == 0 && psn_types.empty() && identities.empty() && cross.empty() &&
         med_types.empty() && diseases.empty() && age_min < 0 && age_max < 0 && admissions.empty();
}

namespace {
bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

bool Condition::Matches(const Visit& visit, int age, int admission_number) const {
  if (level_mask != 0 && (visit.institution_level < 0 || visit.institution_level > 3 ||
                          !(level_mask & (1u << visit.institution_level))))
    return false;
  if (!psn_types.empty() && !Contains(psn_types, visit.person.psn_type)) return false;
  if (!identities.empty()) {
    bool any = false;
    for (const auto& id : visit.person.identities) any = any || Contains(identities, id);
    if (!any) return false;
  }
  if (!cross.empty() && std::find(cross.begin(), cross.end(), visit.cross) == cross.end())
    return false;
  if (!med_types.empty() && !Contains(med_types, visit.med_type)) return false;
  if (!diseases.empty() && !Contains(diseases, visit.chronic_disease)) return false;
  if (age_min >= 0 && age < age_min) return false;
  if (age_max >= 0 && age > age_max) return false;
  if (!admissions.empty()) {
    bool any = false;
    for (size_t i = 0; i < admissions.size(); ++i) {
      bool last = i + 1 == admissions.size();
      any = any || admission_number == admissions[i] || (last && admission_number > admissions[i]);
    }
    if (!any) return false;
  }
  return true;
}

std::string Condition::Describe() const {
  std::string s;
  auto add = [&](const std::string& part) {
    if (!s.empty()) s += ' ';
    s += part;
  };
  auto join = [](const std::vector<std::string>& v) {
    std::string r;
    for (const auto& x : v) r += (r.empty() ? "" : "|") + x;
    return r;
  };
  if (level_mask) {
    std::string l;
    for (int i = 0; i < 4; ++i)
      if (level_mask & (1u << i)) l += (l.empty() ? "" : "|") + std::to_string(i);
    add("level=" + l);
  }
  if (!psn_types.empty()) add("psn_type=" + join(psn_types));
  if (!identities.empty()) add("identity=" + join(identities));
  if (!cross.empty()) {
    std::vector<std::string> names;
    for (auto c : cross) names.push_back(CrossRegionName(c));
    add("cross=" + join(names));
  }
  if (!med_types.empty()) add("med_type=" + join(med_types));
  if (!diseases.empty()) add("disease=" + join(diseases));
  if (age_min >= 0) add("age>=" + std::to_string(age_min));
  if (age_max >= 0) add("age<=" + std::to_string(age_max));
  if (!admissions.empty()) {
    std::string a;
    for (int n : admissions) a += (a.empty() ? "" : "|") + std::to_string(n);
    add("admission=" + a);
  }
  return s.empty() ? "(all)" : s;
}

const Benefit* Policy::BenefitFor(std::string_view med_type) const {
  for (const auto& b : benefits)
    if (Contains(b.med_types, med_type)) return &b;
  return nullptr;
}

int Policy::Slot(std::string_view account) const {
  for (size_t i = 0; i < accounts_.size(); ++i)
    if (accounts_[i] == account) return int(i);
  return -1;
}

int Policy::AddSlot(const std::string& account) {
  int s = Slot(account);
  if (s >= 0) return s;
  accounts_.push_back(account);
  return int(accounts_.size() - 1);
}

std::vector<int64_t> Policy::Accumulators(const std::map<std::string, int64_t>& by_name) const {
  std::vector<int64_t> v(accounts_.size(), 0);
  for (size_t i = 0; i < accounts_.size(); ++i) {
    auto it = by_name.find(accounts_[i]);
    if (it != by_name.end()) v[i] = it->second;
  }
  return v;
}

std::map<std::string, int64_t> Policy::AccumulatorsByName(std::span<const int64_t> slots) const {
  std::map<std::string, int64_t> m;
  for (size_t i = 0; i < accounts_.size() && i < slots.size(); ++i)
    if (slots[i] != 0) m[accounts_[i]] = slots[i];
  return m;
}

}  // namespace yibao
