#include "server/dispatch.h"

#include <algorithm>
#include <exception>

#include "server/log.h"

namespace yibao {
namespace {

// 0..9999 for exactly four ASCII digits, −1 otherwise.
int InfnoNumber(std::string_view infno) {
  if (infno.size() != 4) return -1;
  int n = 0;
  for (char c : infno) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

bool Dispatcher::Register(std::string_view infno, Handler handler) {
  int n = InfnoNumber(infno);
  if (n < 0 || !handler || Find(infno)) return false;
  auto at = std::lower_bound(handlers_.begin(), handlers_.end(), n,
                             [](const auto& entry, int key) { return entry.first < key; });
  handlers_.insert(at, {uint16_t(n), std::move(handler)});
  return true;
}

const Handler* Dispatcher::Find(std::string_view infno) const {
  int n = InfnoNumber(infno);
  if (n < 0) return nullptr;
  auto at = std::lower_bound(handlers_.begin(), handlers_.end(), n,
                             [](const auto& entry, int key) { return entry.first < key; });
  if (at == handlers_.end() || at->first != n) return nullptr;
  return &at->second;
}

std::vector<std::string> Dispatcher::infnos() const {
  std::vector<std::string> out;
  for (const auto& [n, h] : handlers_) {
    std::string s = std::to_string(n);
    out.push_back(std::string(4 - s.size(), '0') + s);
  }
  return out;
}

void Dispatcher::Dispatch(const Envelope& env, Reply reply) const {
  const Handler* handler = Find(env.infno);
  if (!handler) {
    reply(TransactionResult::Fail("unknown infno " + env.infno));
    return;
  }
  try {
    (*handler)(env, reply);
  } catch (const std::exception& e) {
    if (logger_)
      logger_->Log(LogLevel::kError, "handler_exception",
                   {{"infno", env.infno}, {"msgid", env.msgid}, {"what", e.what()}});
    reply(TransactionResult::Fail("internal error in transaction " + env.infno));
  } catch (...) {
    if (logger_)
      logger_->Log(LogLevel::kError, "handler_exception",
                   {{"infno", env.infno}, {"msgid", env.msgid}, {"what", "unknown exception"}});
    reply(TransactionResult::Fail("internal error in transaction " + env.infno));
  }
}

}  // namespace yibao
