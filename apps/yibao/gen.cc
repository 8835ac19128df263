// `yibao gen --seed N --persons P --out DIR`: a deterministic labelled synthetic region in the
// layout of docs/formats/claims.md (docs/formats/gen.md). This file is the shell: options, the
// shared data (ICD tables, CHS-DRG, admdvs), the output files and progress on stderr; the region
// itself comes from src/gen.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "base/decimal.h"
#include "codes/icd_table.h"
#include "commands.h"
#include "drg/drg_spec.h"
#include "gen/families.h"
#include "gen/generator.h"

namespace yibao {

namespace {

struct GenArgs {
  uint64_t seed = 1;
  int64_t persons = 20'000;
  std::string out;
  int year = 2025;
  int institutions = 0;
  std::string abuse_rate = "0.003";
  int threads = 2;
  std::string data = YIBAO_DEFAULT_SHARED_DATA;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Writes each file through a large stdio buffer; progress on stderr about once a second.
class FileSink : public gen::GenSink {
 public:
  explicit FileSink(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~FileSink() override {
    for (auto& [name, f] : files_) std::fclose(f);
  }

  void Write(gen::GenFile, std::string_view name, std::string_view text) override {
    if (!error_.empty()) return;
    std::FILE*& f = files_[std::string(name)];
    if (!f) {
      std::filesystem::path path = dir_ / std::string(name);
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      f = std::fopen(path.c_str(), "wb");
      if (!f) {
        error_ = "cannot write " + path.string();
        return;
      }
      std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    }
    if (std::fwrite(text.data(), 1, text.size(), f) != text.size())
      error_ = "writing " + (dir_ / std::string(name)).string() + " failed (disk full?)";
  }

  void Progress(int64_t done, int64_t total, int64_t visits) override {
    if (total < 20) return;
    const double elapsed = Seconds(start_);
    if (done < total && elapsed - last_ < 1.0) return;
    last_ = elapsed;
    const double rate = visits / std::max(elapsed, 1e-9);
    const double eta = done ? elapsed * double(total - done) / double(done) : 0;
    std::fprintf(stderr, "\r%lld/%lld blocks, %lld visits, %.0f visits/s, ETA %.0f s   ",
                 (long long)done, (long long)total, (long long)visits, rate, eta);
    if (done == total) std::fprintf(stderr, "\n");
  }

  bool Close() {
    for (auto& [name, f] : files_)
      if (std::fclose(f) != 0 && error_.empty()) error_ = "closing " + name + " failed";
    files_.clear();
    return error_.empty();
  }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, std::FILE*> files_;
  std::string error_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double last_ = 0;
};

int RunGen(const GenArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  auto rate = ParseScaledDecimal(args.abuse_rate,
                                 {.decimals = 6, .limit = 1'000'000, .allow_extra_zeros = true});
  if (!rate) {
    std::cerr << "--abuse-rate: '" << args.abuse_rate
              << "' is not a share per family per visit such as 0.003\n";
    return 2;
  }
  gen::GenOptions o;
  o.seed = args.seed;
  o.persons = args.persons;
  o.year = args.year;
  o.institutions = args.institutions;
  o.abuse_rate_ppm = *rate;
  o.threads = args.threads;

  gen::GenInputs in;
  Result<DrgSpec> spec = LoadDrgSpec(args.data + "/chs-drg-1.1");
  if (!spec) {
    std::cerr << FormatDiagnostics(spec.errors()) << "\n";
    return 1;
  }
  Result<IcdTables> icd = IcdTables::LoadShared(args.data + "/icd");
  if (!icd) {
    std::cerr << FormatDiagnostics(icd.errors()) << "\n";
    return 1;
  }
  Result<std::vector<std::string>> cities = gen::LoadCityCodes(args.data + "/admdvs/cities.csv");
  if (!cities) {
    std::cerr << FormatDiagnostics(cities.errors()) << "\n";
    return 1;
  }
  in.drg_spec = &*spec;
  in.icd = &*icd;
  in.cities = std::move(*cities);

  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  FileSink sink(args.out);
  Result<gen::GenSummary> s = gen::Generate(o, in, sink);
  if (!s) {
    std::cerr << FormatDiagnostics(s.errors()) << "\n";
    return 1;
  }
  if (!sink.Close()) {
    std::cerr << "yibao gen: " << sink.error() << "\n";
    return 1;
  }
  fmt::print("region {} (seed {}, year {}) in {}\n", o.admdvs, o.seed, o.year, args.out);
  fmt::print("persons {}  institutions {}  visits {} (stays {})  fee lines {}\n", s->persons,
             s->institutions, s->visits, s->stays, s->lines);
  int64_t labels = 0;
  for (int64_t n : s->labels) labels += n;
  fmt::print("labels {} (family: injections / label rows)\n", labels);
  for (int f = 0; f < gen::kFamilyCount; ++f)
    fmt::print("  {:<36} {:>7} {:>8}\n", gen::FamilyName(gen::Family(f)), s->injected[size_t(f)],
               s->labels[size_t(f)]);
  fmt::print("{:.1f} s\n", Seconds(start));
  return 0;
}

}  // namespace

void AddGenCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<GenArgs>();
  CLI::App* cmd = app.add_subcommand("gen", "write a deterministic labelled synthetic region");
  cmd->add_option("--seed", args->seed, "the seed: the same seed gives the same files")->required();
  cmd->add_option("--persons", args->persons, "insured persons")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--out", args->out, "output directory")->required();
  cmd->add_option("--year", args->year, "the year of the visits")->check(CLI::Range(1901, 2199));
  cmd->add_option("--institutions", args->institutions,
                  "designated institutions (default: one per 500 persons, at least 30)");
  cmd->add_option("--abuse-rate", args->abuse_rate,
                  "injected cases per family per visit (default 0.003)");
  cmd->add_option("--threads", args->threads, "generating threads")->check(CLI::Range(1, 256));
  cmd->add_option("--data", args->data, "the shared reference data directory");
  cmd->callback([args, &run] { run = [args] { return RunGen(*args); }; });
}

}  // namespace yibao
