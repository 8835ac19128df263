// How a ledger stores a settlement's bill: as a zstd frame compressed with a dictionary trained on
// the ledger's own earlier bills.
//
// Why: a bill is 3–4 KB of JSON (every fee line with its catalogue name, the Chinese trace of each
// rule applied), and it was most of what a settlement wrote: the WAL's pages, the checkpoint's
// copies, the database's growth. Bills of one region repeat each other's keys, names and phrases,
// so a dictionary trained on a couple of thousand of them brings one to about 250 bytes (zstd
// without one: about 1.6 KB), and compressing with it costs a few microseconds.
//
// The dictionaries live in the ledger (table `bill_dictionary`), so a ledger can be read on its
// own; any bill can be read with `zstd -d -D dictionary`. The bills written before the ledger's
// first dictionary stay text. A dictionary, once stored, is never changed or removed: every frame
// names the one it was compressed with (zstd's Dictionary_ID, which is the row's id).
//
// Thread safety: Decode and AddDictionary from any thread. Encode, TakeTrained and Adopt from the
// ledger's writer thread only. Training runs on a thread of the codec's own, so that the writer
// does not stall for it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/ledger.h"

struct ZSTD_CCtx_s;
struct ZSTD_CDict_s;
struct ZSTD_DDict_s;

namespace yibao {

struct BillCodecOptions {
  // Bills collected before the first dictionary is trained. Fewer than a few hundred make a poor
  // dictionary, or none (training then fails, and the next as many bills are collected).
  size_t train_after = 2000;
  size_t dictionary_bytes = 64 * 1024;
  int level = 3;  // zstd's; with a dictionary, level 3 is as fast as 1 here and a little smaller
};

// A dictionary as stored in the ledger.
struct BillDictionary {
  uint32_t id = 0;
  std::string content;  // zstd's dictionary format; its Dictionary_ID field equals `id`
  size_t samples = 0;   // how many bills it was trained on
};

class BillCodec {
 public:
  explicit BillCodec(BillCodecOptions options = {});
  ~BillCodec();  // waits for a training in progress
  BillCodec(const BillCodec&) = delete;
  BillCodec& operator=(const BillCodec&) = delete;

  // A dictionary read from the ledger when it is opened. The newest (highest id) is the one Encode
  // uses. Returns an error message, empty on success.
  std::string AddDictionary(uint32_t id, std::string_view content);

  // The writer thread. Sets `frame` to `bill` compressed with the newest dictionary and returns
  // true; returns false when the ledger has no dictionary yet (the bill is then stored as text),
  // after keeping the bill as a training sample.
  bool Encode(std::string_view bill, std::string& frame);

  // The writer thread: a dictionary trained and not yet stored. The writer stores it durably (in a
  // transaction of its own) and then calls Adopt, after which Encode uses it; if it could not be
  // stored, it calls Adopt with `stored` false and training starts over.
  std::optional<BillDictionary> TakeTrained();
  void Adopt(BillDictionary dictionary, bool stored);

  // The bill in `frame`; nullopt when it is not a frame this ledger's dictionaries decode.
  std::optional<std::string> Decode(std::string_view frame) const;

  // Adds what Encode has done to the bill_* counts of `stats`; from any thread.
  void AddCounts(LedgerStats& stats) const;

 private:
  struct Dictionary;
  void Train(std::string samples, std::vector<size_t> sizes, uint32_t id);

  const BillCodecOptions options_;

  mutable std::shared_mutex dictionaries_mu_;
  std::map<uint32_t, std::shared_ptr<const Dictionary>> dictionaries_;  // by id; only ever added

  // The writer thread's.
  std::shared_ptr<const Dictionary> encoding_;  // the newest; null: none yet
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::string samples_;        // bills kept for training, back to back
  std::vector<size_t> sizes_;  // their lengths
  bool training_ = false;      // a training was started and its dictionary not yet adopted

  std::mutex trained_mu_;
  std::optional<BillDictionary> trained_;  // done and waiting for the writer
  std::atomic<uint64_t> frames_{0}, texts_{0}, json_bytes_{0}, frame_bytes_{0};
  bool train_failed_ = false;  // the last training made no dictionary
  std::thread trainer_;
};

}  // namespace yibao
