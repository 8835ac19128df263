// The national ICD code tables of 医保版 2.0: diagnoses (ICD-10) or procedures (ICD-9-CM-3), with
// their 灰码 (codes that may not be the main diagnosis/procedure) and the crosswalks that turn
// codes still sent by hospitals in 医保版 1.0 or 国临版 form into 2.0.
//
// Codes are interned to dense ids 0..size()-1 in file order, so that the DRG grouper and the
// settlement rules work on integers; a lookup by text is one hash probe and allocates nothing.
//
// Thread safety: immutable after loading; share freely between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/diagnostic.h"
#include "base/text.h"

namespace yibao {

enum class IcdKind : uint8_t { kDiagnosis, kProcedure };

// Which crosswalk turned a code into its 2.0 form; recorded in settlement traces so that a reviewer
// sees that the grouper did not get the code the hospital sent.
enum class Crosswalk : uint8_t {
  kNone,          // the code was already 医保版 2.0
  kFromV1,        // 医保版 1.0 → 2.0
  kFromClinical,  // 国临版 (diagnoses 2.0, procedures 3.0) → 医保版 2.0
};
const char* CrosswalkName(Crosswalk via);  // "none" | "yb-1.0" | "clinical"

// The four files of one classification. `codes` holds "code name" lines; `gray` one code per line;
// the crosswalks "old new" lines. An empty text means the table has none of that kind.
struct IcdTableTexts {
  NamedText codes;
  NamedText gray;
  NamedText from_v1;
  NamedText from_clinical;
};

// Paths of the same four files; an empty path means none.
struct IcdTablePaths {
  std::string codes;
  std::string gray;
  std::string from_v1;
  std::string from_clinical;
};

// Irregularities of the national files that do not stop a load: they are facts of the published
// data, which the core must work with, but a data steward should know the numbers.
struct IcdAnomalies {
  size_t gray_not_in_table = 0;              // gray codes that the table does not have (ignored)
  size_t gray_repeated = 0;                  // gray lines repeating an earlier one
  size_t v1_targets_not_in_table = 0;        // 1.0 → 2.0 rows whose 2.0 code the table lacks
  size_t clinical_targets_not_in_table = 0;  // 国临 → 2.0 rows whose 2.0 code the table lacks
  // Old codes that are also 2.0 codes but map to a different code. Normalize keeps the code as
  // a 2.0 code; only a caller who knows the sender used the old version should call MapFrom*
  // itself.
  size_t v1_sources_also_in_table = 0;
  size_t clinical_sources_also_in_table = 0;
};

struct NormalizedCode {
  uint32_t id = 0;
  Crosswalk via = Crosswalk::kNone;
};

class IcdTable {
 public:
  IcdTable() = default;

  // Pure: no file is read. Bad lines (malformed or duplicated codes, missing names, non-UTF-8 text)
  // are errors naming file, line and code; see IcdAnomalies for what is only counted.
  static Result<IcdTable> Parse(IcdKind kind, const IcdTableTexts& texts);
  static Result<IcdTable> Load(IcdKind kind, const IcdTablePaths& paths);

  IcdKind kind() const { return kind_; }
  size_t size() const { return codes_.size(); }

  std::optional<uint32_t> Id(std::string_view code) const {
    auto it = ids_.find(code);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  // `id` must be below size().
  std::string_view Code(uint32_t id) const { return codes_[id]; }
  std::string_view Name(uint32_t id) const { return names_[id]; }
  // 灰码: not allowed as the main diagnosis or main procedure. False for ids out of range.
  bool IsGray(uint32_t id) const { return id < gray_.size() && gray_[id] != 0; }
  size_t gray_count() const { return gray_count_; }

  // The 2.0 code that an old code maps to, whether or not the table has it; nullopt if unmapped.
  std::optional<std::string_view> MapFromV1(std::string_view old_code) const;
  std::optional<std::string_view> MapFromClinical(std::string_view old_code) const;

  // The table entry for a code as a hospital sent it: the code itself when it is a 2.0 code, else
  // its 1.0 mapping, else its 国临 mapping (1.0 first: the insurance lineage, which is what
  // interface fields were coded in before 2.0). nullopt when none of these names a code of this
  // table.
  std::optional<NormalizedCode> Normalize(std::string_view code) const;

  const IcdAnomalies& anomalies() const { return anomalies_; }

 private:
  friend class IcdTableParser;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  static constexpr uint32_t kNoId = UINT32_MAX;
  struct Mapping {
    std::string target;
    uint32_t target_id = kNoId;  // kNoId when the table lacks the target
  };

  IcdKind kind_ = IcdKind::kDiagnosis;
  std::vector<std::string> codes_;  // by id
  std::vector<std::string> names_;  // by id
  StringMap<uint32_t> ids_;
  std::vector<uint8_t> gray_;  // by id; bytes, not vector<bool>, for a branch-free load
  size_t gray_count_ = 0;
  StringMap<Mapping> from_v1_;
  StringMap<Mapping> from_clinical_;
  IcdAnomalies anomalies_;
};

// A table of "code name" lines alone, without gray codes or crosswalks.
Result<IcdTable> ParseIcdTable(IcdKind kind, std::string_view text, std::string_view file_name);
Result<IcdTable> LoadIcdTable(IcdKind kind, const std::string& path);

// Both classifications as published in the shared data (OpenDRG layout, file names fixed).
struct IcdTables {
  IcdTable diagnoses;
  IcdTable procedures;

  // Reads icd10-yb-2.0.txt, icd10-yb-2.0-gray.txt, icd10-yb-1.0-to-2.0.txt,
  // icd10-gl-2.0-to-yb-2.0.txt and the icd9cm3-* counterparts from `icd_dir`.
  static Result<IcdTables> LoadShared(const std::string& icd_dir);
};

}  // namespace yibao
