#include "visit/visit.h"

namespace yibao {

const char* CrossRegionName(CrossRegion c) {
  switch (c) {
    case CrossRegion::kLocal:
      return "local";
    case CrossRegion::kInProvince:
      return "in_province";
    case CrossRegion::kCrossFiled:
      return "cross_filed";
    case CrossRegion::kCrossReferral:
      return "cross_referral";
    case CrossRegion::kCrossEmergency:
      return "cross_emergency";
    case CrossRegion::kCrossUnfiled:
      return "cross_unfiled";
    case CrossRegion::kInProvinceUnfiled:
      return "in_province_unfiled";
  }
  return "?";
}

bool ParseCrossRegion(std::string_view name, CrossRegion& out) {
  for (auto c : {CrossRegion::kLocal, CrossRegion::kInProvince, CrossRegion::kCrossFiled,
                 CrossRegion::kCrossReferral, CrossRegion::kCrossEmergency,
                 CrossRegion::kCrossUnfiled, CrossRegion::kInProvinceUnfiled}) {
    if (name == CrossRegionName(c)) {
      out = c;
      return true;
    }
  }
  return false;
}

CrossRegion ClassifyCrossRegion(std::string_view insured, std::string_view treatment, Filing filing,
                                bool province_pooling) {
  auto prefix_equal = [&](size_t n) {
    return insured.size() >= n && treatment.size() >= n &&
           insured.substr(0, n) == treatment.substr(0, n);
  };
  if (prefix_equal(province_pooling ? 2 : 4)) return CrossRegion::kLocal;
  if (prefix_equal(2)) {
    return filing == Filing::kNone ? CrossRegion::kInProvinceUnfiled : CrossRegion::kInProvince;
  }
  switch (filing) {
    case Filing::kLongTerm:
      return CrossRegion::kCrossFiled;
    case Filing::kReferral:
      return CrossRegion::kCrossReferral;
    case Filing::kEmergency:
      return CrossRegion::kCrossEmergency;
    case Filing::kNone:
      break;
  }
  return CrossRegion::kCrossUnfiled;
}

}  // namespace yibao
