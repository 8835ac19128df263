// The cost of storing a bill as a zstd frame (ledger/bill_codec.h): Encode on the ledger's writer
// thread and Decode on a reader, per bill, by compression level and dictionary size, over bills
// shaped like the service's (tests/ledger/bill_samples.h). The counters give the bytes a bill
// takes as JSON and as a frame.
//
//   build/bench/bill_codec_bench
#include <benchmark/benchmark.h>

#include <random>
#include <thread>

#include "ledger/bill_codec.h"
#include "ledger/bill_samples.h"

namespace yibao {
namespace {

// A codec with its dictionary adopted, and bills it has not seen.
struct Trained {
  BillCodec codec;
  std::vector<std::string> bills;
  explicit Trained(BillCodecOptions options) : codec(options) {
    std::mt19937 rng(1);
    std::string frame;
    int n = 0;
    std::optional<BillDictionary> d;
    while (!(d = codec.TakeTrained())) {
      codec.Encode(bill_samples::SampleBill(rng, n++), frame);
      if (n > int(options.train_after)) std::this_thread::yield();
    }
    codec.Adopt(std::move(*d), true);
    for (int i = 0; i < 4096; ++i) bills.push_back(bill_samples::SampleBill(rng, n++));
  }
};

void Encode(benchmark::State& state) {
  Trained t({.train_after = 2000,
             .dictionary_bytes = size_t(state.range(1)) << 10,
             .level = int(state.range(0))});
  std::string frame;
  size_t i = 0, json = 0, framed = 0;
  for (auto _ : state) {
    const std::string& bill = t.bills[i++ % t.bills.size()];
    t.codec.Encode(bill, frame);
    json += bill.size();
    framed += frame.size();
  }
  state.counters["json_bytes"] = double(json) / double(state.iterations());
  state.counters["frame_bytes"] = double(framed) / double(state.iterations());
}
BENCHMARK(Encode)->ArgNames({"level", "dict_KiB"})->ArgsProduct({{1, 3}, {16, 64, 112}});

// Training on `train_after` bills, start to dictionary (on the codec's thread; once in a ledger's
// life, but it must not stall settlements while it runs).
void Train(benchmark::State& state) {
  std::mt19937 rng(2);
  std::vector<std::string> bills;
  for (int i = 0; i < state.range(0); ++i) bills.push_back(bill_samples::SampleBill(rng, i));
  for (auto _ : state) {
    BillCodec codec({.train_after = size_t(state.range(0))});
    std::string frame;
    for (const std::string& b : bills) codec.Encode(b, frame);
    while (!codec.TakeTrained()) std::this_thread::yield();
  }
}
BENCHMARK(Train)->ArgNames({"bills"})->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);

void Decode(benchmark::State& state) {
  Trained t({.train_after = 2000, .dictionary_bytes = size_t(state.range(0)) << 10, .level = 3});
  std::vector<std::string> frames(t.bills.size());
  for (size_t k = 0; k < t.bills.size(); ++k) t.codec.Encode(t.bills[k], frames[k]);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t.codec.Decode(frames[i++ % frames.size()]));
}
BENCHMARK(Decode)->ArgNames({"dict_KiB"})->Arg(16)->Arg(64);

}  // namespace
}  // namespace yibao

BENCHMARK_MAIN();
