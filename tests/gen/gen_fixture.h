// Shared by the generator's tests: the shared data loaded once, a sink that keeps the files in
// memory, and the generated region read back into rows.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/csv_reader.h"
#include "codes/icd_table.h"
#include "drg/drg_spec.h"
#include "gen/generator.h"

namespace yibao::gen::testing {

class MemorySink : public GenSink {
 public:
  void Write(GenFile, std::string_view name, std::string_view text) override {
    files[std::string(name)].append(text);
  }
  std::map<std::string, std::string> files;
};

struct SharedData {
  DrgSpec spec;
  IcdTables icd;
  std::vector<std::string> cities;
};

inline const SharedData& Shared() {
  static const SharedData* data = [] {
    auto* d = new SharedData;
    const std::string root = YIBAO_SHARED_DATA;
    auto spec = LoadDrgSpec(root + "/chs-drg-1.1");
    auto icd = IcdTables::LoadShared(root + "/icd");
    auto cities = LoadCityCodes(root + "/admdvs/cities.csv");
    if (!spec || !icd || !cities) {
      ADD_FAILURE() << "shared data missing under " << root;
      return d;
    }
    d->spec = std::move(*spec);
    d->icd = std::move(*icd);
    d->cities = std::move(*cities);
    return d;
  }();
  return *data;
}

inline GenInputs SharedInputs() {
  GenInputs in;
  in.drg_spec = &Shared().spec;
  in.icd = &Shared().icd;
  in.cities = Shared().cities;
  return in;
}

// A CSV file as rows of named fields.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int Col(std::string_view name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return int(i);
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

inline Table ReadCsv(const std::string& text) {
  Table t;
  CsvReader reader(text);
  CsvRow row;
  bool first = true;
  while (reader.Next(row)) {
    EXPECT_TRUE(row.error.empty()) << "line " << row.line << ": " << row.error;
    if (first) {
      t.header = row.fields;
      first = false;
    } else {
      EXPECT_EQ(row.fields.size(), t.header.size()) << "line " << row.line;
      t.rows.push_back(row.fields);
    }
  }
  return t;
}

// One generated region, kept for all tests of a binary.
struct Region {
  GenSummary summary;
  std::map<std::string, std::string> files;
};

inline const Region& SmallRegion() {
  static const Region* region = [] {
    GenOptions o;
    // GEN_SEED / GEN_PERSONS: run the same checks on another region by hand (CI uses the defaults).
    o.seed = std::getenv("GEN_SEED") ? std::stoull(std::getenv("GEN_SEED")) : 20250101;
    o.persons = std::getenv("GEN_PERSONS") ? std::stoll(std::getenv("GEN_PERSONS")) : 6000;
    o.abuse_rate_ppm = 4000;
    MemorySink sink;
    auto s = Generate(o, SharedInputs(), sink);
    auto* r = new Region;
    if (!s) {
      ADD_FAILURE() << FormatDiagnostics(s.errors());
      return r;
    }
    r->summary = *s;
    r->files = std::move(sink.files);
    return r;
  }();
  return *region;
}

}  // namespace yibao::gen::testing
