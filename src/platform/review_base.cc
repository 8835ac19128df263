#include "platform/review_base.h"

#include <filesystem>

#include "review/rules.h"

namespace yibao {

Result<std::shared_ptr<const ReviewBase>> LoadReviewBase(const std::string& rules_dir,
                                                         const std::string& knowledge_dir,
                                                         const Catalogue& catalogue) {
  Result<RuleBase> base = LoadRuleDir(rules_dir);
  if (!base) return base.errors();
  auto out = std::make_shared<ReviewBase>();
  if (std::filesystem::is_directory(knowledge_dir)) {
    Result<KnowledgeBase> k = LoadKnowledgeDir(knowledge_dir);
    if (!k) return k.errors();
    out->knowledge = std::move(*k);
  }
  out->catalogue = catalogue;
  out->rules = RuleSet::Compile(std::move(*base), &out->knowledge, &out->catalogue, nullptr);
  return std::shared_ptr<const ReviewBase>(std::move(out));
}

}  // namespace yibao
