// A bounded in-memory map from a string key to a copy of what the ledger read for it, in shards
// (each with its own mutex and least-recently-used order), for the read cache (read_cache.h).
//
// Fills race with writes: a reader may read the store before a commit and come to fill after the
// writer has changed the cached value for that commit, or read the store after the commit and come
// to fill before the writer changes the cached value (which would then count the commit twice). So
// a write is announced before it is submitted (Pend: the key is pending until the write lands), and
// when it lands (is durable, or refused) the key's shard is stamped with the writer's epoch. A fill
// carries the epoch its reader saw before reading the store, and is dropped while its key is
// pending or if its shard was stamped since. A shard, not a key, keeps the stamp, so a neighbour's
// write drops a fill too; that costs only a later miss.
//
// Thread safety: every method from any thread.
#pragma once

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yibao {

template <class V>
class CacheShards {
 public:
  // What an entry counts against the capacity: 1 unless `weigh` says otherwise (a visit's fee
  // lines count by the line, so that a few long stays cannot fill memory).
  using Weigh = size_t (*)(const V&);

  // At most `capacity` in weight in all (each shard its share); an entry heavier than its shard's
  // share is not kept.
  explicit CacheShards(size_t capacity, size_t shards = 64, Weigh weigh = nullptr)
      : per_shard_(std::max<size_t>(1, capacity / shards)), weigh_(weigh), shards_(shards) {}

  // Copies the cached value of `key` into `out`; false if none.
  bool Get(const std::string& key, V& out) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return false;
    s.order.splice(s.order.begin(), s.order, it->second);
    out = it->second->value;
    return true;
  }

  // Keeps `value` for `key`, read from the store after the writer's epoch was `read_epoch`;
  // dropped if a write of the key is pending or the shard has changed since.
  void Fill(const std::string& key, V value, uint64_t read_epoch) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    if (s.changed > read_epoch || s.all_pending > 0 || s.pending.count(key) != 0) return;
    Put(s, key, std::move(value));
  }

  // The writer's side. Pend before the write is submitted; one Land for each Pend once it is
  // durable or refused, at an epoch greater than every earlier one.
  void Pend(const std::string& key) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    ++s.pending[key];
  }
  // `change` (if any) edits the cached value in place, as the store has just changed it.
  void LandChange(const std::string& key, uint64_t epoch, const std::function<void(V&)>& change) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    Landed(s, key, epoch);
    if (!change) return;
    auto it = s.index.find(key);
    if (it == s.index.end()) return;
    change(it->second->value);
    s.weight -= it->second->weight;
    it->second->weight = WeightOf(it->second->value);
    s.weight += it->second->weight;
    Trim(s);
  }
  // The store's value of `key` is now `value`.
  void LandSet(const std::string& key, uint64_t epoch, V value) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    Landed(s, key, epoch);
    Put(s, key, std::move(value));
  }
  void LandErase(const std::string& key, uint64_t epoch) {
    Shard& s = ShardOf(key);
    std::lock_guard lock(s.mu);
    Landed(s, key, epoch);
    if (auto it = s.index.find(key); it != s.index.end()) Remove(s, it);
  }

  // A write that may change any key (one whose old key is unknown): every fill is dropped until it
  // lands; landed durable, it empties the cache.
  void PendAll() {
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      ++s.all_pending;
    }
  }
  void LandAll(uint64_t epoch, bool clear) {
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      --s.all_pending;
      s.changed = epoch;
      if (!clear) continue;
      s.index.clear();
      s.order.clear();
      s.weight = 0;
    }
  }

  size_t Size() {
    size_t n = 0;
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.index.size();
    }
    return n;
  }

 private:
  struct Entry {
    std::string key;
    V value;
    size_t weight;
  };
  using Order = std::list<Entry>;  // most recently used first

  // Open addressing (Boost's flat map, one probe of a group of slots): a lookup touches one or two
  // cache lines, where std::unordered_map walks a bucket to a node. Several lookups a settlement,
  // on the I/O threads and the writer's, over caches far larger than the CPU's.
  using Index = boost::unordered_flat_map<std::string_view, typename Order::iterator>;
  struct Shard {
    std::mutex mu;
    size_t weight = 0;                                    // of the entries kept
    uint64_t changed = 0;                                 // the epoch of the last write landed
    boost::unordered_flat_map<std::string, int> pending;  // keys with writes submitted, not landed
    int all_pending = 0;                                  // writes of PendAll not landed
    Order order;
    Index index;  // keys point into order
  };

  Shard& ShardOf(const std::string& key) {
    return shards_[std::hash<std::string_view>{}(key) % shards_.size()];
  }

  static void Landed(Shard& s, const std::string& key, uint64_t epoch) {
    s.changed = epoch;
    auto it = s.pending.find(key);
    if (it != s.pending.end() && --it->second == 0) s.pending.erase(it);
  }

  size_t WeightOf(const V& v) const { return weigh_ ? weigh_(v) : 1; }

  void Remove(Shard& s, typename Index::iterator it) {
    s.weight -= it->second->weight;
    auto node = it->second;
    s.index.erase(it);
    s.order.erase(node);
  }

  // The least recently used out until the shard is within its share.
  void Trim(Shard& s) {
    while (s.weight > per_shard_ && !s.order.empty()) Remove(s, s.index.find(s.order.back().key));
  }

  void Put(Shard& s, const std::string& key, V value) {
    if (auto it = s.index.find(key); it != s.index.end()) Remove(s, it);
    const size_t weight = WeightOf(value);
    if (weight > per_shard_) return;
    s.order.push_front(Entry{key, std::move(value), weight});
    s.index.emplace(s.order.front().key, s.order.begin());
    s.weight += weight;
    Trim(s);
  }

  const size_t per_shard_;
  const Weigh weigh_;
  std::vector<Shard> shards_;
};

}  // namespace yibao
