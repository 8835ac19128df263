#include "ledger/postings.h"

#include <algorithm>
#include <charconv>

namespace yibao {
namespace {

void Append(std::string& out, char kind, std::string_view account, int64_t amount) {
  char num[24];
  out += kind;
  auto end = std::to_chars(num, num + sizeof num, account.size()).ptr;
  out.append(num, end);
  out += ':';
  out += account;
  end = std::to_chars(num, num + sizeof num, amount).ptr;
  out.append(num, end);
  out += ';';
}

}  // namespace

bool SortedDeltas(const std::vector<AccumulatorDelta>& deltas,
                  std::vector<std::pair<std::string_view, int64_t>>& out) {
  out.clear();
  for (const auto& d : deltas)
    if (d.delta != 0) out.emplace_back(d.account, d.delta);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].first == out[i - 1].first) return false;
  return true;
}

void EncodePostings(const std::vector<std::pair<std::string_view, int64_t>>& sorted_deltas,
                    const std::vector<JournalEntry>& journal, std::string& out) {
  out.clear();
  for (const auto& [account, delta] : sorted_deltas) Append(out, 'd', account, delta);
  for (const auto& e : journal) Append(out, 'j', e.account, e.amount);
}

bool DecodePostings(std::string_view text, std::vector<std::pair<std::string, int64_t>>* deltas,
                    std::vector<JournalEntry>* journal) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char kind = *p++;
    if (kind != 'd' && kind != 'j') return false;
    size_t n = 0;
    auto r = std::from_chars(p, end, n);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return false;
    p = r.ptr + 1;
    if (size_t(end - p) < n) return false;
    std::string_view account(p, n);
    p += n;
    int64_t amount = 0;
    r = std::from_chars(p, end, amount);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != ';') return false;
    p = r.ptr + 1;
    if (kind == 'd' && deltas) deltas->emplace_back(std::string(account), amount);
    if (kind == 'j' && journal) journal->push_back(JournalEntry{std::string(account), amount});
  }
  return true;
}

}  // namespace yibao
