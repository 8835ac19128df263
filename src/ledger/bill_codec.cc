#include "ledger/bill_codec.h"

#include <pthread.h>
#include <sched.h>
#include <zdict.h>
#include <zstd.h>

#include <cstring>

namespace yibao {

struct BillCodec::Dictionary {
  uint32_t id = 0;
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
  ~Dictionary() {
    ZSTD_freeCDict(cdict);
    ZSTD_freeDDict(ddict);
  }
};

namespace {

// RFC 8878 §5: a dictionary begins with its magic number, then its 4-byte little-endian ID.
constexpr uint32_t kDictionaryMagic = 0xEC30A437;

uint32_t LittleEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

void SetLittleEndian32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = char((v >> (8 * i)) & 0xff);
}

// One decompression context per thread that reads bills (the readers of a ledger's pool, the
// I/O threads), made on its first bill.
ZSTD_DCtx* ThreadDecompressor() {
  struct Owned {
    ZSTD_DCtx* d = ZSTD_createDCtx();
    ~Owned() { ZSTD_freeDCtx(d); }
  };
  thread_local Owned owned;
  return owned.d;
}

}  // namespace

BillCodec::BillCodec(BillCodecOptions options) : options_(options), cctx_(ZSTD_createCCtx()) {}

BillCodec::~BillCodec() {
  if (trainer_.joinable()) trainer_.join();
  ZSTD_freeCCtx(cctx_);
}

std::string BillCodec::AddDictionary(uint32_t id, std::string_view content) {
  if (content.size() < 8 || LittleEndian32(content.data()) != kDictionaryMagic)
    return "bill dictionary " + std::to_string(id) + ": not a zstd dictionary";
  if (LittleEndian32(content.data() + 4) != id)
    return "bill dictionary " + std::to_string(id) + ": its Dictionary_ID is " +
           std::to_string(LittleEndian32(content.data() + 4));
  auto d = std::make_shared<Dictionary>();
  d->id = id;
  d->cdict = ZSTD_createCDict(content.data(), content.size(), options_.level);
  d->ddict = ZSTD_createDDict(content.data(), content.size());
  if (!d->cdict || !d->ddict) return "bill dictionary " + std::to_string(id) + ": zstd refused it";
  std::unique_lock lock(dictionaries_mu_);
  dictionaries_[id] = d;
  if (!encoding_ || id > encoding_->id) encoding_ = std::move(d);
  return "";
}

bool BillCodec::Encode(std::string_view bill, std::string& frame) {
  if (encoding_) {
    frame.resize(ZSTD_compressBound(bill.size()));
    const size_t n = ZSTD_compress_usingCDict(cctx_, frame.data(), frame.size(), bill.data(),
                                              bill.size(), encoding_->cdict);
    if (ZSTD_isError(n)) {  // not with compressBound's room; were it to, the bill stays text
      texts_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    frame.resize(n);
    frames_.fetch_add(1, std::memory_order_relaxed);
    json_bytes_.fetch_add(bill.size(), std::memory_order_relaxed);
    frame_bytes_.fetch_add(n, std::memory_order_relaxed);
    if (sampling_)
      Sample(bill);
    else
      Watch(bill.size(), n);
    return true;
  }
  texts_.fetch_add(1, std::memory_order_relaxed);
  Sample(bill);
  return false;
}

void BillCodec::Watch(size_t bill_bytes, size_t frame_bytes) {
  if (options_.retrain_window == 0 || training_) return;
  ++window_bills_;
  window_bill_bytes_ += bill_bytes;
  window_frame_bytes_ += frame_bytes;
  if (window_bills_ < options_.retrain_window) return;
  if (first_bill_bytes_ == 0) {
    first_bill_bytes_ = window_bill_bytes_;
    first_frame_bytes_ = window_frame_bytes_;
  } else if (double(window_frame_bytes_) * double(first_bill_bytes_) >
             options_.retrain_growth * double(first_frame_bytes_) * double(window_bill_bytes_)) {
    sampling_ = true;  // the bills have moved away from the dictionary: learn them again
  }
  window_bills_ = window_bill_bytes_ = window_frame_bytes_ = 0;
}

void BillCodec::Sample(std::string_view bill) {
  if (training_) return;
  {
    std::lock_guard lock(trained_mu_);
    if (train_failed_) {  // the last samples made no dictionary: collect afresh
      train_failed_ = false;
      if (trainer_.joinable()) trainer_.join();
    }
  }
  samples_.append(bill);
  sizes_.push_back(bill.size());
  if (sizes_.size() < options_.train_after) return;
  training_ = true;
  sampling_ = false;
  uint32_t next_id = 1;
  {
    std::shared_lock lock(dictionaries_mu_);
    if (!dictionaries_.empty()) next_id = dictionaries_.rbegin()->first + 1;
  }
  if (trainer_.joinable()) trainer_.join();
  trainer_ = std::thread(&BillCodec::Train, this, std::move(samples_), std::move(sizes_), next_id);
  samples_.clear();
  sizes_.clear();
}

void BillCodec::Train(std::string samples, std::vector<size_t> sizes, uint32_t id) {
  // A few hundred milliseconds of CPU, now and then: at SCHED_IDLE, which any settlement thread
  // that wakes preempts at once. At normal priority it stalled a loaded server's replies by as
  // much (2207 p99 at 10,000/s: 15 → 150 ms in the run it fell in); at nice 19 the tail was still
  // longer. On a machine kept busy the training is slow, not stopped (an idle thread keeps a small
  // share); meanwhile bills stay text or framed under the older dictionary.
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  std::string content(options_.dictionary_bytes, '\0');
  const size_t n = ZDICT_trainFromBuffer(content.data(), content.size(), samples.data(),
                                         sizes.data(), unsigned(sizes.size()));
  std::lock_guard lock(trained_mu_);
  if (ZDICT_isError(n) || n < 8) {
    train_failed_ = true;
    return;
  }
  content.resize(n);
  SetLittleEndian32(content.data() + 4, id);  // the ledger's id in place of zstd's random one
  trained_ = BillDictionary{id, std::move(content), sizes.size()};
}

std::optional<BillDictionary> BillCodec::TakeTrained() {
  if (!training_) return std::nullopt;
  std::lock_guard lock(trained_mu_);
  if (train_failed_) training_ = false;  // Encode collects again
  std::optional<BillDictionary> out = std::move(trained_);
  trained_.reset();
  return out;
}

void BillCodec::Adopt(BillDictionary dictionary, bool stored) {
  training_ = false;
  if (stored && AddDictionary(dictionary.id, dictionary.content).empty()) {
    // A new dictionary: its own first window is the measure it is watched by.
    window_bills_ = window_bill_bytes_ = window_frame_bytes_ = 0;
    first_bill_bytes_ = first_frame_bytes_ = 0;
    return;
  }
  // Not stored (or, impossibly, not accepted): nothing may be compressed with it; train again.
  if (encoding_) sampling_ = true;
}

uint32_t BillCodec::EncodingDictionary() const { return encoding_ ? encoding_->id : 0; }

void BillCodec::AddCounts(LedgerStats& stats) const {
  stats.bill_frames += frames_.load(std::memory_order_relaxed);
  stats.bill_texts += texts_.load(std::memory_order_relaxed);
  stats.bill_json_bytes += json_bytes_.load(std::memory_order_relaxed);
  stats.bill_frame_bytes += frame_bytes_.load(std::memory_order_relaxed);
  std::shared_lock lock(dictionaries_mu_);
  stats.bill_dictionaries += dictionaries_.size();
}

std::optional<std::string> BillCodec::Decode(std::string_view frame) const {
  const unsigned id = ZSTD_getDictID_fromFrame(frame.data(), frame.size());
  std::shared_ptr<const Dictionary> d;
  {
    std::shared_lock lock(dictionaries_mu_);
    auto it = dictionaries_.find(id);
    if (it == dictionaries_.end()) return std::nullopt;
    d = it->second;
  }
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  // Written by Encode, a frame records its size; a bill is far below the bound.
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > (64u << 20))
    return std::nullopt;
  std::string bill(size_t(size), '\0');
  const size_t n = ZSTD_decompress_usingDDict(ThreadDecompressor(), bill.data(), bill.size(),
                                              frame.data(), frame.size(), d->ddict);
  if (ZSTD_isError(n) || n != bill.size()) return std::nullopt;
  return bill;
}

}  // namespace yibao
