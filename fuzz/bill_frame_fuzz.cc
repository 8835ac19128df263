// libFuzzer target: the ledger's bill codec (ledger/bill_codec.h) on what a damaged or foreign
// ledger file could hand it. A stored frame is read back on every 5203 and every replayed msgid,
// so a frame that is not one of this ledger's must come back as nullopt, never as a crash or a
// different bill. The first byte picks what the rest is:
//   0  a bill: compressed, then bytes of the frame overwritten at positions the bill's own first
//      bytes choose; the damaged frame must decode to nullopt or to some bill, and the undamaged
//      one to the very bill.
//   1  a frame as stored: decoded.
//   2  a dictionary as stored (first two bytes its id): refused or accepted by a fresh codec, which
//      must then compress and decode a sample bill with it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "ledger/bill_codec.h"
#include "ledger/bill_samples.h"

namespace {

using yibao::BillCodec;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "bill_frame_fuzz: %s\n", what);
  std::abort();
}

// One codec with a dictionary trained on sample bills, as a ledger has after its first bills.
BillCodec& TrainedCodec() {
  static BillCodec* codec = [] {
    // No retraining: random bills would only set one off that nothing adopts.
    auto* c = new BillCodec(yibao::BillCodecOptions{.train_after = 200, .retrain_window = 0});
    std::mt19937 rng(11);
    std::string frame;
    for (int n = 0;; ++n) {
      if (c->Encode(yibao::bill_samples::SampleBill(rng, n), frame)) Fail("encoded before adopt");
      if (auto d = c->TakeTrained()) {
        c->Adopt(*d, /*stored=*/true);
        return c;
      }
      if (n > 2'000'000) Fail("no dictionary trained");
    }
  }();
  return *codec;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  TrainedCodec();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  BillCodec& codec = TrainedCodec();
  switch (data[0] % 3) {
    case 0: {
      std::string frame;
      if (!codec.Encode(rest, frame)) Fail("a trained codec kept a bill as text");
      if (codec.Decode(frame) != std::string(rest)) Fail("a frame did not decode to its bill");
      if (frame.empty()) return 0;
      for (size_t i = 0; i + 1 < rest.size() && i < 8; i += 2)
        frame[uint8_t(rest[i]) % frame.size()] = rest[i + 1];
      (void)codec.Decode(frame);  // nullopt or a bill; never a crash
      return 0;
    }
    case 1:
      (void)codec.Decode(rest);
      return 0;
    default: {
      if (rest.size() < 2) return 0;
      const uint32_t id = uint8_t(rest[0]) | uint32_t(uint8_t(rest[1])) << 8;
      BillCodec fresh;
      if (!fresh.AddDictionary(id, rest.substr(2)).empty()) return 0;
      std::mt19937 rng(id);
      const std::string bill = yibao::bill_samples::SampleBill(rng, 1);
      std::string frame;
      if (!fresh.Encode(bill, frame)) Fail("an accepted dictionary was not used");
      if (fresh.Decode(frame) != bill) Fail("a frame under an accepted dictionary did not decode");
      return 0;
    }
  }
}
