// The bill codec: text until the first dictionary, then frames that decode to the very bill; the
// dictionary trained off the writer's thread and used only once stored; frames of an unknown
// dictionary, damaged frames and bad dictionaries refused; bills that drift get a new dictionary.
#include "ledger/bill_codec.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <chrono>
#include <random>
#include <thread>

#include "bill_samples.h"

namespace yibao {
namespace {

using bill_samples::DriftedBill;
using bill_samples::SampleBill;

// Encodes bills until the trained dictionary is waiting, then returns it (training runs on the
// codec's thread; the loop gives it time without asserting any).
std::optional<BillDictionary> TrainOn(BillCodec& codec, std::mt19937& rng, int& bills) {
  std::string frame;
  for (int i = 0; i < 200'000; ++i) {
    EXPECT_FALSE(codec.Encode(SampleBill(rng, bills++), frame));
    if (auto d = codec.TakeTrained()) return d;
    if (i > 400) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::nullopt;
}

TEST(BillCodec, TextUntilADictionaryIsStoredThenFramesThatDecodeWhole) {
  BillCodec codec(BillCodecOptions{.train_after = 300});
  std::mt19937 rng(7);
  int n = 0;
  std::optional<BillDictionary> d = TrainOn(codec, rng, n);
  ASSERT_TRUE(d);
  EXPECT_GE(n, 300);
  EXPECT_EQ(d->id, 1u);  // the ledger's first
  EXPECT_EQ(d->samples, 300u);
  // Its Dictionary_ID field (RFC 8878: bytes 4–7, little-endian) is the ledger's id.
  ASSERT_GE(d->content.size(), 8u);
  EXPECT_EQ(uint8_t(d->content[4]), 1);
  EXPECT_EQ(d->content.substr(5, 3), std::string(3, '\0'));

  // Until the writer has stored it, bills stay text.
  std::string frame;
  EXPECT_FALSE(codec.Encode(SampleBill(rng, n++), frame));
  codec.Adopt(*d, /*stored=*/true);

  size_t json = 0, framed = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string bill = SampleBill(rng, n++);
    ASSERT_TRUE(codec.Encode(bill, frame));
    json += bill.size();
    framed += frame.size();
    EXPECT_EQ(codec.Decode(frame), bill);
  }
  // A dictionary of the bills' own words makes them several times smaller.
  EXPECT_LT(framed * 4, json);
  LedgerStats stats;
  codec.AddCounts(stats);
  EXPECT_EQ(stats.bill_frames, 200u);
  EXPECT_EQ(stats.bill_texts, uint64_t(n - 200));
  EXPECT_EQ(stats.bill_json_bytes, json);
  EXPECT_EQ(stats.bill_frame_bytes, framed);

  // Another codec (the ledger reopened) reads the frames once given the stored dictionary.
  BillCodec reopened;
  EXPECT_EQ(reopened.Decode(frame), std::nullopt);
  EXPECT_EQ(reopened.AddDictionary(d->id, d->content), "");
  const std::string bill = SampleBill(rng, n++);
  ASSERT_TRUE(codec.Encode(bill, frame));
  EXPECT_EQ(reopened.Decode(frame), bill);
  // ... and compresses with it too.
  std::string again;
  ASSERT_TRUE(reopened.Encode(bill, again));
  EXPECT_EQ(codec.Decode(again), bill);
}

TEST(BillCodec, DamagedFramesAndBadDictionariesAreRefused) {
  BillCodec codec(BillCodecOptions{.train_after = 300});
  std::mt19937 rng(11);
  int n = 0;
  std::optional<BillDictionary> d = TrainOn(codec, rng, n);
  ASSERT_TRUE(d);
  codec.Adopt(*d, true);
  std::string frame;
  const std::string bill = SampleBill(rng, n++);
  ASSERT_TRUE(codec.Encode(bill, frame));

  EXPECT_EQ(codec.Decode(""), std::nullopt);
  EXPECT_EQ(codec.Decode(bill), std::nullopt);  // text is not a frame
  EXPECT_EQ(codec.Decode(frame.substr(0, frame.size() / 2)), std::nullopt);
  for (size_t at : {size_t(4), frame.size() / 2, frame.size() - 1}) {
    std::string damaged = frame;
    damaged[at] = char(damaged[at] ^ 0x5a);
    std::optional<std::string> out = codec.Decode(damaged);
    EXPECT_TRUE(!out || *out != bill) << "byte " << at;  // refused, never silently the same
  }

  EXPECT_NE(codec.AddDictionary(2, "not a dictionary"), "");
  EXPECT_NE(codec.AddDictionary(2, d->content), "");  // its Dictionary_ID says 1
  std::string renumbered = d->content;
  renumbered[4] = 2;
  EXPECT_EQ(codec.AddDictionary(2, renumbered), "");
  // The newest is used from then on; frames of the first still decode.
  std::string newer;
  ASSERT_TRUE(codec.Encode(bill, newer));
  EXPECT_EQ(ZSTD_getDictID_fromFrame(newer.data(), newer.size()), 2u);
  EXPECT_EQ(codec.Decode(newer), bill);
  EXPECT_EQ(codec.Decode(frame), bill);
}

TEST(BillCodec, ADictionaryNotStoredIsNeverUsedAndTrainingStartsOver) {
  BillCodec codec(BillCodecOptions{.train_after = 300});
  std::mt19937 rng(3);
  int n = 0;
  std::optional<BillDictionary> d = TrainOn(codec, rng, n);
  ASSERT_TRUE(d);
  codec.Adopt(*d, /*stored=*/false);
  std::string frame;
  EXPECT_FALSE(codec.Encode(SampleBill(rng, n++), frame));
  std::optional<BillDictionary> second = TrainOn(codec, rng, n);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, 1u);  // the first was never stored, so the id is free
  codec.Adopt(*second, true);
  EXPECT_TRUE(codec.Encode(SampleBill(rng, n++), frame));
}

// Encodes `count` bills made by `make`, each of which must come back whole; their frame bytes.
template <typename Make>
size_t EncodeMany(BillCodec& codec, std::mt19937& rng, int& n, int count, Make make) {
  size_t framed = 0;
  std::string frame;
  for (int i = 0; i < count; ++i) {
    const std::string bill = make(rng, n++);
    EXPECT_TRUE(codec.Encode(bill, frame));
    EXPECT_EQ(codec.Decode(frame), bill);
    framed += frame.size();
  }
  return framed;
}

TEST(BillCodec, BillsThatDriftFromTheDictionaryGetANewOneAndOldFramesStillRead) {
  BillCodec codec(BillCodecOptions{.train_after = 300, .retrain_window = 200});
  std::mt19937 rng(5);
  int n = 0;
  std::optional<BillDictionary> d = TrainOn(codec, rng, n);
  ASSERT_TRUE(d);
  codec.Adopt(*d, true);
  std::string old_frame;
  const std::string old_bill = SampleBill(rng, n++);
  ASSERT_TRUE(codec.Encode(old_bill, old_frame));

  // Bills like the dictionary's, window after window: it still fits, nothing is retrained.
  EncodeMany(codec, rng, n, 5 * 200, SampleBill);
  EXPECT_FALSE(codec.Training());
  EXPECT_EQ(codec.EncodingDictionary(), 1u);

  // Drifted bills: still frames, but bigger; after a window of them the codec samples them and
  // trains a second dictionary, while every bill meanwhile is a frame under the first.
  const size_t drifted_under_first = EncodeMany(codec, rng, n, 200, DriftedBill);
  std::optional<BillDictionary> second;
  std::string frame;
  for (int i = 0; i < 5000 && !second; ++i) {
    const std::string bill = DriftedBill(rng, n++);
    ASSERT_TRUE(codec.Encode(bill, frame));
    ASSERT_EQ(ZSTD_getDictID_fromFrame(frame.data(), frame.size()), 1u);
    second = codec.TakeTrained();
    if (!second && i > 600) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, 2u);
  EXPECT_EQ(second->samples, 300u);
  codec.Adopt(*second, true);
  EXPECT_EQ(codec.EncodingDictionary(), 2u);

  // The new dictionary fits the drifted bills; the first one's frames still read back.
  const size_t drifted_under_second = EncodeMany(codec, rng, n, 200, DriftedBill);
  EXPECT_LT(drifted_under_second * 2, drifted_under_first);
  EXPECT_EQ(codec.Decode(old_frame), old_bill);
  ASSERT_TRUE(codec.Encode(DriftedBill(rng, n++), frame));
  EXPECT_EQ(ZSTD_getDictID_fromFrame(frame.data(), frame.size()), 2u);

  // And, watched against its own first window, it is not retrained while the bills stay put.
  EncodeMany(codec, rng, n, 5 * 200, DriftedBill);
  EXPECT_FALSE(codec.Training());
}

// With retraining off, drift changes nothing but the frames' size.
TEST(BillCodec, NoRetrainingWhenTheWindowIsZero) {
  BillCodec codec(BillCodecOptions{.train_after = 300, .retrain_window = 0});
  std::mt19937 rng(9);
  int n = 0;
  std::optional<BillDictionary> d = TrainOn(codec, rng, n);
  ASSERT_TRUE(d);
  codec.Adopt(*d, true);
  EncodeMany(codec, rng, n, 400, SampleBill);
  EncodeMany(codec, rng, n, 2000, DriftedBill);
  EXPECT_FALSE(codec.Training());
  EXPECT_EQ(codec.EncodingDictionary(), 1u);
}

// Samples too small to train on: every training fails, collection starts over each time, and the
// bills stay text (were a dictionary made after all, it would have to round-trip).
TEST(BillCodec, SamplesThatMakeNoDictionaryLeaveBillsText) {
  BillCodec codec(BillCodecOptions{.train_after = 20});
  std::string frame;
  for (int i = 0; i < 2000; ++i) {
    EXPECT_FALSE(codec.Encode("{}", frame));
    if (auto d = codec.TakeTrained()) {
      codec.Adopt(*d, true);
      ASSERT_TRUE(codec.Encode("{}", frame));
      EXPECT_EQ(codec.Decode(frame), "{}");
      return;
    }
  }
}

}  // namespace
}  // namespace yibao
