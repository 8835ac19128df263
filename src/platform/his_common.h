// Small helpers shared by the transaction files of HisService.
#pragma once

#include <string>
#include <string_view>

#include "base/date.h"
#include "base/diagnostic.h"
#include "server/dispatch.h"

namespace yibao {

// The id the platform gives what a message creates (mdtrt_id at registration, setl_id at
// settlement): derived from (fixmedins_code, msgid), so unique, and the same on a replay.
std::string PlatformId(const std::string& fixmedins_code, const std::string& msgid);

// infcode −1 with every diagnostic as "<field>: <why>", joined by "; ".
inline TransactionResult FailWith(const Diagnostics& errors) {
  std::string msg;
  for (const auto& e : errors) {
    if (!msg.empty()) msg += "; ";
    msg += e.field.empty() ? e.message : e.field + ": " + e.message;
  }
  return TransactionResult::Fail(msg);
}

// Completed years on `on` (YYYY-MM-DD…) of someone born on `brdy`; 0 when either is unreadable.
inline int AgeOn(std::string_view brdy, std::string_view on) {
  auto b = Date::Parse(brdy.substr(0, 10));
  auto d = Date::Parse(on.substr(0, 10));
  if (!b || !d) return 0;
  int age = d->year() - b->year();
  if (d->month() < b->month() || (d->month() == b->month() && d->day() < b->day())) --age;
  return age < 0 ? 0 : age;
}

}  // namespace yibao
