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
// Bills drift: a new policy year, a new catalogue, new rule traces. The codec watches the frames it
// makes, window by window; when a window's frames have grown by half against the first window under
// the newest dictionary, it collects the next bills and trains another (the next id), which the
// writer stores like the first. Earlier frames keep naming, and decoding with, their own.
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
  // Bills per window when watching how well the newest dictionary still fits; 0 never retrains.
  size_t retrain_window = 10'000;
  // A window whose frames, per byte of bill, are this many times the first window's starts a
  // retraining on the bills that follow.
  double retrain_growth = 1.5;
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

  // The writer thread: the id of the dictionary Encode uses (0: none yet), and whether a training
  // is under way or waiting to be stored.
  uint32_t EncodingDictionary() const;
  bool Training() const { return training_; }

  // Adds what Encode has done to the bill_* counts of `stats`; from any thread.
  void AddCounts(LedgerStats& stats) const;

 private:
  struct Dictionary;
  void Train(std::string samples, std::vector<size_t> sizes, uint32_t id);
  void Sample(std::string_view bill);                 // keeps a bill; trains once there are enough
  void Watch(size_t bill_bytes, size_t frame_bytes);  // a frame made; decides on retraining

  const BillCodecOptions options_;

  mutable std::shared_mutex dictionaries_mu_;
  std::map<uint32_t, std::shared_ptr<const Dictionary>> dictionaries_;  // by id; only ever added

  // The writer thread's.
  std::shared_ptr<const Dictionary> encoding_;  // the newest; null: none yet
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::string samples_;        // bills kept for training, back to back
  std::vector<size_t> sizes_;  // their lengths
  bool training_ = false;      // a training was started and its dictionary not yet adopted
  bool sampling_ = false;      // with a dictionary: collecting bills to train the next one
  // The current window under `encoding_`, and the first window's (zero until it is complete).
  uint64_t window_bills_ = 0, window_bill_bytes_ = 0, window_frame_bytes_ = 0;
  uint64_t first_bill_bytes_ = 0, first_frame_bytes_ = 0;

  std::mutex trained_mu_;
  std::optional<BillDictionary> trained_;  // done and waiting for the writer
  std::atomic<uint64_t> frames_{0}, texts_{0}, json_bytes_{0}, frame_bytes_{0};
  bool train_failed_ = false;  // the last training made no dictionary
  std::thread trainer_;
};

}  // namespace yibao
