// Which msgids the ledger surely has no reply for, so that a new message's replay check (the
// service asks FindReply before every transaction) need not read the store. Part of the read cache
// (read_cache.h).
//
// Per institution it keeps a floor and the msgids written since this process began that sort
// above the floor. The floor starts as the greatest msgid the store held when the institution was
// first asked about (Ledger::MsgidCeiling). A msgid above the floor and not among those written
// is surely absent: a stored msgid was either in the store then (so not above the floor) or
// written since (and every write is announced here before it is submitted). Anything else is
// answered by the store. When an institution's list grows past its bound, the floor rises to the
// list's middle and the lower half is forgotten: msgids at or below the floor go to the store
// again, which is slower, never wrong.
//
// National msgids begin with the institution's code and the time (DOMAIN.md §11), so a new one
// sorts above every earlier one of its institution and the store is read only for retries.
// Msgids in another order are answered correctly, only less often from here.
//
// It assumes that this process is the ledger's only writer, as the read cache does.
//
// Thread safety: every method from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

namespace yibao {

class MsgidFilter {
 public:
  // `ceiling(fixmedins_code, &max)` reads the store's greatest msgid of an institution; false
  // when the store cannot tell (then every msgid of the institution goes to the store).
  using Ceiling = std::function<bool(const std::string& fixmedins_code, std::string* ceiling)>;

  MsgidFilter(Ceiling ceiling, size_t recent_at_most)
      : ceiling_(std::move(ceiling)), recent_at_most_(recent_at_most < 2 ? 2 : recent_at_most) {}

  // A write storing a reply for (fixmedins_code, msgid) is about to be submitted.
  void Announce(const std::string& fixmedins_code, const std::string& msgid);

  // True when the store surely has no reply for (fixmedins_code, msgid).
  bool SurelyAbsent(const std::string& fixmedins_code, const std::string& msgid);

 private:
  struct Institution {
    enum class State { kNotAsked, kKnown, kUnknown } state = State::kNotAsked;
    std::string floor;             // kKnown: every msgid stored then or since, unless in `recent`,
                                   // sorts at or below it
    std::set<std::string> recent;  // announced since this process began, above the floor
  };
  // Keeps `recent` within its bound (mu_ held).
  void Trim(Institution& in);

  const Ceiling ceiling_;
  const size_t recent_at_most_;
  std::mutex mu_;
  std::unordered_map<std::string, Institution> institutions_;
};

}  // namespace yibao
