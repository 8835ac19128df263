// Feeds arbitrary bytes to the review's two readers of outside data: the 3101/3102 request JSON
// (first byte 0) and a claims export (first byte 1: the rest cut at NUL bytes into persons,
// institutions, visits and fee lines). Whatever parses is reviewed with the bundled rule base:
// findings must name existing rules, visits and lines; errors must name where they are.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "review/claims.h"
#include "review/engine.h"
#include "review/review_json.h"
#include "review/rule_set.h"

namespace {

using namespace yibao;

void Check(bool ok) {
  if (!ok) std::abort();
}

const RuleSet& Rules() {
  static const RuleSet* set = [] {
    auto base = LoadRuleDir(std::string(YIBAO_SOURCE_DIR) + "/rules/national");
    Check(base.ok());
    return new RuleSet(RuleSet::Compile(std::move(*base), nullptr, nullptr, nullptr));
  }();
  return *set;
}

void CheckFindings(const ClaimsStore& s, const std::vector<Finding>& fs) {
  for (const Finding& f : fs) {
    Check(f.rule < Rules().rules().size() && f.visit < s.visits.size() && !f.evidence.empty());
    for (uint32_t li : f.lines) Check(li < s.lines.size());
  }
}

std::vector<std::string_view> SplitAtNul(std::string_view s, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    size_t nul = s.find('\0');
    if (nul == std::string_view::npos) break;
    out.push_back(s.substr(0, nul));
    s.remove_prefix(nul + 1);
  }
  out.push_back(s);
  out.resize(parts);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto req = ParseReviewRequest(text);
    if (!req.ok()) {
      Check(!req.errors().empty() && !req.errors()[0].message.empty());
      return 0;
    }
    Check(req->current_visit < req->store.visits.size());
    BoundRules bound = Bind(Rules(), req->store);
    std::vector<Finding> fs;
    ReviewVisit(bound, req->current_visit, ReviewStage::kDuring, &fs);
    CheckFindings(req->store, fs);
    std::string out;
    AppendReviewResponseJson(Rules(), *req, fs, out);
    return 0;
  }
  auto parts = SplitAtNul(text, 4);
  auto store = ParseClaims(ClaimsTexts{{"persons.csv", parts[0]},
                                       {"institutions.csv", parts[1]},
                                       {"visits.csv", parts[2]},
                                       {"fee_lines.csv", parts[3]}});
  if (!store.ok()) {
    for (const Diagnostic& d : store.errors()) Check(!d.file.empty() && !d.message.empty());
    return 0;
  }
  for (const ClaimsVisit& v : store->visits)
    Check(v.line_begin <= v.line_end && v.line_end <= store->lines.size());
  BoundRules bound = Bind(Rules(), *store);
  BatchOptions o;
  o.threads = 1;
  BatchResult res = ReviewBatch(bound, o);
  CheckFindings(*store, res.findings);
  return 0;
}
