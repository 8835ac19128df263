// `yibao gen` throughput: visits generated per second (text kept in memory, then dropped), with
// the CHS-DRG grouper on (shared data beside the checkout) as in `yibao gen`.
#include <benchmark/benchmark.h>

#include "codes/icd_table.h"
#include "drg/drg_spec.h"
#include "gen/generator.h"

namespace {

using namespace yibao;

// Counts what would be written.
class CountingSink : public gen::GenSink {
 public:
  void Write(gen::GenFile, std::string_view, std::string_view text) override {
    bytes += text.size();
  }
  int64_t bytes = 0;
};

struct Shared {
  DrgSpec spec;
  IcdTables icd;
  bool ok = false;
};

const Shared& LoadShared() {
  static const Shared* s = [] {
    auto* s = new Shared;
    const std::string root = std::string(YIBAO_SOURCE_DIR) + "/../shared/data";
    auto spec = LoadDrgSpec(root + "/chs-drg-1.1");
    auto icd = IcdTables::LoadShared(root + "/icd");
    if (spec && icd) {
      s->spec = std::move(*spec);
      s->icd = std::move(*icd);
      s->ok = true;
    }
    return s;
  }();
  return *s;
}

void BM_Generate(benchmark::State& state) {
  const Shared& shared = LoadShared();
  gen::GenInputs in;
  if (shared.ok) {
    in.drg_spec = &shared.spec;
    in.icd = &shared.icd;
  }
  gen::GenOptions o;
  o.persons = state.range(0);
  o.threads = int(state.range(1));
  int64_t visits = 0, bytes = 0;
  for (auto _ : state) {
    CountingSink sink;
    auto s = gen::Generate(o, in, sink);
    if (!s) state.SkipWithError("generation failed");
    visits += s->visits;
    bytes += sink.bytes;
  }
  state.counters["visits/s"] = benchmark::Counter(double(visits), benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(double(bytes) / 1e6, benchmark::Counter::kIsRate);
  state.counters["drg"] = shared.ok ? 1 : 0;
}
BENCHMARK(BM_Generate)
    ->Args({20'000, 1})
    ->Args({20'000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
