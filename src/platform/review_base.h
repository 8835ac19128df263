// The rule base the service reviews with (3101 事前, 3102 事中): the compiled rules with the
// knowledge base and the catalogue they were compiled against, kept alive together.
//
// Thread safety: immutable after loading; share freely between threads.
#pragma once

#include <memory>
#include <string>

#include "base/diagnostic.h"
#include "catalogue/catalogue.h"
#include "review/knowledge.h"
#include "review/rule_set.h"

namespace yibao {

struct ReviewBase {
  KnowledgeBase knowledge;
  Catalogue catalogue;
  RuleSet rules;  // points into knowledge and catalogue: a ReviewBase never moves (heap only)
};

// Rules from `rules_dir` (docs/formats/review-rules.md); the knowledge base from `knowledge_dir`
// when it exists (an absent directory is an empty knowledge base); the region's catalogue. The
// DRG upcoding family is not run by the service (it needs the grouper; 事后 runs it).
Result<std::shared_ptr<const ReviewBase>> LoadReviewBase(const std::string& rules_dir,
                                                         const std::string& knowledge_dir,
                                                         const Catalogue& catalogue);

}  // namespace yibao
