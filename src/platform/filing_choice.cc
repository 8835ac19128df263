#include "platform/filing_choice.h"

namespace yibao {

Filing FilingKind(std::string_view filing_type) {
  if (filing_type == "long_term") return Filing::kLongTerm;
  if (filing_type == "referral") return Filing::kReferral;
  if (filing_type == "emergency") return Filing::kEmergency;
  return Filing::kNone;
}

bool FiledPlaceCovers(std::string_view filed, std::string_view treatment) {
  if (filed.size() != 6 || treatment.size() != 6) return false;
  // GB/T 2260: digits 1–2 the province, 3–4 the city, 5–6 the county; zeros mean "the whole".
  size_t significant = filed.ends_with("0000") ? 2 : filed.ends_with("00") ? 4 : 6;
  return filed.substr(0, significant) == treatment.substr(0, significant);
}

namespace {

// Lower is preferred: the filing that keeps the home standard first.
int Rank(Filing f) {
  switch (f) {
    case Filing::kLongTerm:
      return 0;
    case Filing::kReferral:
      return 1;
    case Filing::kEmergency:
      return 2;
    case Filing::kNone:
      break;
  }
  return 3;
}

bool Applies(const FilingRecord& f, std::string_view treatment, Date begin, Date end) {
  if (f.revoked || !FiledPlaceCovers(f.mdtrtarea_admvs, treatment)) return false;
  auto from = Date::Parse(f.begndate);
  if (!from || *from > end) return false;
  if (f.enddate.empty()) return true;
  auto to = Date::Parse(f.enddate);
  return to && *to >= begin;
}

}  // namespace

const FilingRecord* ChooseFiling(std::span<const FilingRecord> filings,
                                 std::string_view treatment_admdvs, Date begin, Date end) {
  const FilingRecord* best = nullptr;
  int best_rank = Rank(Filing::kNone);
  for (const FilingRecord& f : filings) {
    int rank = Rank(FilingKind(f.filing_type));
    if (rank < best_rank && Applies(f, treatment_admdvs, begin, end)) {
      best = &f;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace yibao
