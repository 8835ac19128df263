#include "ledger/ledger.h"

#include <future>

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

std::string StoredReply(const LedgerWrite& w) {
  if (w.settlement && !w.reply_json.empty() && w.reply_json == w.settlement->bill_json)
    return std::string(kReplyIsSettlement) + w.settlement->setl_id;
  return w.reply_json;
}

}  // namespace yibao
