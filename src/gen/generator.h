// `yibao gen`: a deterministic labelled synthetic region (docs/formats/gen.md, written in the
// layout of docs/formats/claims.md). The region is made from the seed alone: the same seed and
// options give byte-identical files on any machine and with any number of threads, because persons
// are generated in fixed blocks, each from its own random stream, and written in block order.
//
// The generator is pure apart from its threads: it hands text to a GenSink, which the shell
// writes to files (apps/yibao/gen.cc) or keeps in memory (tests, bench), and reports progress
// through it; it reads no clock and no file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "codes/icd_table.h"
#include "drg/drg_spec.h"
#include "gen/context.h"
#include "gen/families.h"

namespace yibao::gen {

// Persons per block: the unit of parallel work and of the random streams. Fixed, so that the
// output does not depend on the thread count.
inline constexpr int64_t kPersonsPerBlock = 1000;

enum class GenFile : uint8_t {
  kPersons,
  kInstitutions,
  kCatalogue,
  kVisits,
  kFeeLines,
  kLabels,
  kKnowledge,  // one of knowledge/*.csv, named in Write's `name`
};

class GenSink {
 public:
  virtual ~GenSink() = default;
  // Text to append to a file; `name` is the file's path under the output directory.
  virtual void Write(GenFile file, std::string_view name, std::string_view text) = 0;
  // After each block is written: blocks done of `total`, visits written so far.
  virtual void Progress(int64_t blocks_done, int64_t blocks_total, int64_t visits) {}
};

// What the generator reads besides its options. All optional: without the grouper no stay is
// DRG-paid (drg_code empty); without cities every person is insured in the region.
struct GenInputs {
  const DrgSpec* drg_spec = nullptr;
  const IcdTables* icd = nullptr;
  std::vector<std::string> cities;  // 6-digit codes of prefecture-level cities (admdvs)
};

struct GenSummary {
  int64_t persons = 0, institutions = 0, visits = 0, lines = 0, stays = 0;
  std::array<int64_t, kFamilyCount> labels{};    // label rows per family
  std::array<int64_t, kFamilyCount> injected{};  // injections made per family
};

Result<GenSummary> Generate(const GenOptions& options, const GenInputs& inputs, GenSink& sink);

// Codes of prefecture-level cities from the china-division cities.csv (code,name,provinceCode;
// codes of 4 digits, padded to 6). Pure; LoadCityCodes reads the file.
Result<std::vector<std::string>> ParseCityCodes(std::string_view text, std::string_view file_name);
Result<std::vector<std::string>> LoadCityCodes(const std::string& path);

}  // namespace yibao::gen
