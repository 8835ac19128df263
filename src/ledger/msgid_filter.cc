#include "ledger/msgid_filter.h"

#include <iterator>

namespace yibao {

void MsgidFilter::Announce(const std::string& fixmedins_code, const std::string& msgid) {
  std::lock_guard lock(mu_);
  Institution& in = institutions_[fixmedins_code];
  switch (in.state) {
    case Institution::State::kUnknown:
      return;
    case Institution::State::kKnown:
      if (msgid <= in.floor) return;
      in.recent.insert(msgid);
      Trim(in);
      return;
    case Institution::State::kNotAsked:
      // Without a floor nothing may be forgotten: past the bound, the institution is left to the
      // store for good (the service asks before it writes, so this is not its path).
      in.recent.insert(msgid);
      if (in.recent.size() > recent_at_most_) {
        in.state = Institution::State::kUnknown;
        in.recent.clear();
      }
      return;
  }
}

bool MsgidFilter::SurelyAbsent(const std::string& fixmedins_code, const std::string& msgid) {
  std::unique_lock lock(mu_);
  if (institutions_[fixmedins_code].state == Institution::State::kNotAsked) {
    // The store read is made unlocked; writes announced meanwhile are kept in `recent`.
    lock.unlock();
    std::string ceiling;
    const bool known = ceiling_(fixmedins_code, &ceiling);
    lock.lock();
    Institution& in = institutions_[fixmedins_code];
    if (!known) {
      if (in.state == Institution::State::kNotAsked) {
        in.state = Institution::State::kUnknown;
        in.recent.clear();
      }
    } else if (in.state != Institution::State::kUnknown) {
      // Another reader may have set a floor meanwhile: either one bounds the store, so the
      // higher does too.
      if (in.state == Institution::State::kNotAsked || ceiling > in.floor) in.floor = ceiling;
      in.state = Institution::State::kKnown;
      in.recent.erase(in.recent.begin(), in.recent.upper_bound(in.floor));
      Trim(in);
    }
  }
  const Institution& in = institutions_[fixmedins_code];
  return in.state == Institution::State::kKnown && msgid > in.floor && !in.recent.count(msgid);
}

void MsgidFilter::Trim(Institution& in) {
  if (in.recent.size() <= recent_at_most_) return;
  auto middle = std::next(in.recent.begin(), std::ptrdiff_t(in.recent.size() / 2));
  in.floor = *middle;
  in.recent.erase(in.recent.begin(), std::next(middle));
}

}  // namespace yibao
