#include "ledger/ledger.h"

#include <future>
#include <map>

namespace yibao {

const char* WriteStatusName(WriteStatus s) {
  switch (s) {
    case WriteStatus::kDurable:
      return "durable";
    case WriteStatus::kDuplicateVisit:
      return "duplicate visit";
    case WriteStatus::kDuplicateMsgid:
      return "duplicate msgid";
    case WriteStatus::kUnbalanced:
      return "unbalanced journal";
    case WriteStatus::kDuplicateFeeLine:
      return "duplicate feedetl_sn";
    case WriteStatus::kNotFound:
      return "fee line not found";
    case WriteStatus::kFailed:
      return "failed";
  }
  return "?";
}

WriteStatus Ledger::SubmitAndWait(LedgerWrite write) {
  std::promise<WriteStatus> done;
  auto result = done.get_future();
  Submit(std::move(write), [&done](WriteStatus s) { done.set_value(s); });
  return result.get();
}

void AttachLines(std::vector<PersonVisit>& visits, std::vector<FeeLineRecord> lines) {
  std::map<std::pair<std::string_view, std::string_view>, size_t> by_key;
  for (size_t i = 0; i < visits.size(); ++i)
    by_key[{visits[i].visit->fixmedins_code, visits[i].visit->mdtrt_id}] = i;
  std::vector<std::vector<FeeLineRecord>> of(visits.size());
  for (FeeLineRecord& l : lines) {
    auto it = by_key.find({l.fixmedins_code, l.mdtrt_id});
    if (it != by_key.end()) of[it->second].push_back(std::move(l));
  }
  for (size_t i = 0; i < visits.size(); ++i)
    visits[i].lines = std::make_shared<const std::vector<FeeLineRecord>>(std::move(of[i]));
}

std::string StoredReply(const LedgerWrite& w) {
  if (w.settlement && !w.reply_json.empty() && w.reply_json == w.settlement->bill_json)
    return std::string(kReplyIsSettlement) + w.settlement->setl_id;
  return w.reply_json;
}

}  // namespace yibao
