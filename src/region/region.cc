#include "region/region.h"

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/csv_reader.h"
#include "catalogue/catalogue_csv.h"

namespace yibao {
namespace fs = std::filesystem;

namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void Append(Diagnostics& to, const Diagnostics& from) {
  to.insert(to.end(), from.begin(), from.end());
}

Diagnostics LoadInstitutions(const std::string& path, std::vector<Institution>& out) {
  Diagnostics errors;
  std::string text;
  if (!ReadFile(path, text)) return {Diagnostic{path, 0, "", "cannot read file"}};
  CsvReader reader(text);
  CsvRow row;
  std::vector<std::string> header;
  int c_code = -1, c_name = -1, c_level = -1, c_kind = -1;
  while (reader.Next(row)) {
    if (!row.error.empty()) {
      errors.push_back(Diagnostic{path, row.line, "", row.error});
      continue;
    }
    if (header.empty()) {
      header = row.fields;
      for (size_t i = 0; i < header.size(); ++i) {
        if (header[i] == "code")
          c_code = int(i);
        else if (header[i] == "name")
          c_name = int(i);
        else if (header[i] == "level")
          c_level = int(i);
        else if (header[i] == "kind")
          c_kind = int(i);
        else
          errors.push_back(Diagnostic{path, row.line, header[i], "unknown column"});
      }
      if (c_code < 0 || c_level < 0)
        errors.push_back(Diagnostic{path, row.line, "", "header needs at least code and level"});
      if (!errors.empty()) return errors;
      continue;
    }
    if (row.fields.size() != header.size()) {
      errors.push_back(
          Diagnostic{path, row.line, "", "expected " + std::to_string(header.size()) + " fields"});
      continue;
    }
    Institution inst;
    inst.code = row.fields[size_t(c_code)];
    if (c_name >= 0) inst.name = row.fields[size_t(c_name)];
    const std::string& level = row.fields[size_t(c_level)];
    if (level.size() != 1 || level[0] < '0' || level[0] > '3')
      errors.push_back(Diagnostic{path, row.line, "level", "expected 0, 1, 2 or 3"});
    else
      inst.level = level[0] - '0';
    if (c_kind >= 0) {
      const std::string& kind = row.fields[size_t(c_kind)];
      if (kind == "pharmacy")
        inst.pharmacy = true;
      else if (kind != "hospital" && !kind.empty())
        errors.push_back(Diagnostic{path, row.line, "kind", "expected hospital or pharmacy"});
    }
    bool format_ok = inst.code.size() == 12 && (inst.code[0] == 'H' || inst.code[0] == 'P') &&
                     std::all_of(inst.code.begin() + 1, inst.code.end(), ::isdigit);
    if (!format_ok)
      errors.push_back(
          Diagnostic{path, row.line, "code", "institution code must be H or P + 11 digits"});
    for (const auto& other : out)
      if (other.code == inst.code)
        errors.push_back(Diagnostic{path, row.line, "code", "duplicate " + inst.code});
    out.push_back(std::move(inst));
  }
  return errors;
}

// Two policies of one insurance type must never be in force on the same day.
Diagnostics CheckOverlaps(const std::vector<Policy>& policies) {
  Diagnostics errors;
  for (size_t i = 0; i < policies.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      const Policy& a = policies[i];
      const Policy& b = policies[j];
      if (a.insutype == b.insutype && a.region == b.region &&
          !(a.effective_to < b.effective_from) && !(b.effective_to < a.effective_from))
        errors.push_back(Diagnostic{
            a.file, 0, "policy.effective_from",
            "in force on the same days as " + b.file + " (insutype " + a.insutype + ")"});
    }
  return errors;
}

}  // namespace

const Policy* Region::PolicyFor(std::string_view insutype, Date on) const {
  for (const auto& p : policies)
    if (p.insutype == insutype && p.effective_from <= on && on <= p.effective_to) return &p;
  return nullptr;
}

const Institution* Region::FindInstitution(std::string_view code) const {
  for (const auto& i : institutions)
    if (i.code == code) return &i;
  return nullptr;
}

std::string Region::PersonTypeId(std::string_view s) const {
  for (const auto& p : person_types)
    if (p.id == s || (!p.national_code.empty() && p.national_code == s)) return p.id;
  return "";
}

Result<std::vector<Policy>> LoadPolicies(const std::string& path,
                                         const PolicyVocabulary* vocabulary) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) return Diagnostic{path, 0, "", "no .toml policy files"};
  } else {
    files.push_back(path);
  }
  Diagnostics errors;
  std::vector<Policy> policies;
  for (const auto& f : files) {
    auto p = LoadPolicyFile(f, vocabulary);
    if (p)
      policies.push_back(std::move(*p));
    else
      Append(errors, p.errors());
  }
  Append(errors, CheckOverlaps(policies));
  if (!errors.empty()) return errors;
  return policies;
}

Result<Region> LoadRegion(const std::string& dir) {
  Region region;
  region.dir = dir;
  std::string path = (fs::path(dir) / "region.toml").string();
  std::string text;
  if (!ReadFile(path, text)) return Diagnostic{path, 0, "", "cannot read file"};
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Diagnostic{path, int(e.source().begin.line), "",
                      "TOML syntax: " + std::string(e.description())};
  }
  Diagnostics errors;
  auto line_of = [](const toml::node* n) { return n ? int(n->source().begin.line) : 0; };
  for (const auto& [k, v] : root)
    if (k != "region" && k != "person_type" && k != "identity")
      errors.push_back(Diagnostic{path, line_of(&v), std::string(k.str()), "unknown key"});
  const toml::table* r = root.get_as<toml::table>("region");
  if (!r) return Diagnostic{path, 1, "region", "missing [region] table"};
  for (const auto& [k, v] : *r)
    if (k != "admdvs" && k != "name" && k != "pooling" && k != "catalogue" && k != "institutions" &&
        k != "policies" && k != "synthetic")
      errors.push_back(
          Diagnostic{path, line_of(&v), "region." + std::string(k.str()), "unknown key"});
  region.admdvs = r->get("admdvs") ? r->get("admdvs")->value_or(std::string()) : "";
  if (region.admdvs.size() != 6 ||
      !std::all_of(region.admdvs.begin(), region.admdvs.end(), ::isdigit))
    errors.push_back(Diagnostic{path, line_of(r->get("admdvs")), "region.admdvs",
                                "expected a 6-digit admdvs code"});
  region.name = r->get("name") ? r->get("name")->value_or(std::string()) : "";
  std::string pooling =
      r->get("pooling") ? r->get("pooling")->value_or(std::string("city")) : "city";
  if (pooling != "city" && pooling != "province")
    errors.push_back(Diagnostic{path, line_of(r->get("pooling")), "region.pooling",
                                "expected city or province"});
  region.province_pooling = pooling == "province";
  auto file_of = [&](const char* key, const char* fallback) {
    std::string v = r->get(key) ? r->get(key)->value_or(std::string(fallback)) : fallback;
    return (fs::path(dir) / v).string();
  };
  if (auto arr = root.get_as<toml::array>("person_type")) {
    for (auto& n : *arr) {
      auto t = n.as_table();
      if (!t || !t->get("id")) {
        errors.push_back(
            Diagnostic{path, line_of(&n), "person_type", "needs id (and name, national_code)"});
        continue;
      }
      PersonType p{t->get("id")->value_or(std::string()),
                   t->get("name") ? t->get("name")->value_or(std::string()) : "",
                   t->get("national_code") ? t->get("national_code")->value_or(std::string()) : ""};
      region.vocabulary.psn_types.push_back(p.id);
      region.person_types.push_back(std::move(p));
    }
  }
  if (auto arr = root.get_as<toml::array>("identity")) {
    for (auto& n : *arr) {
      auto t = n.as_table();
      if (!t || !t->get("id")) {
        errors.push_back(Diagnostic{path, line_of(&n), "identity", "needs id and name"});
        continue;
      }
      std::string id = t->get("id")->value_or(std::string());
      region.identities.emplace_back(id,
                                     t->get("name") ? t->get("name")->value_or(std::string()) : "");
      region.vocabulary.identities.push_back(id);
    }
  }
  if (!errors.empty()) return errors;

  auto catalogue = LoadCatalogueCsv(file_of("catalogue", "catalogue.csv"), region.admdvs);
  if (catalogue)
    region.catalogue = std::move(*catalogue);
  else
    Append(errors, catalogue.errors());
  Append(errors,
         LoadInstitutions(file_of("institutions", "institutions.csv"), region.institutions));
  auto policies = LoadPolicies(file_of("policies", "policies"), &region.vocabulary);
  if (policies) {
    region.policies = std::move(*policies);
    for (const auto& p : region.policies)
      if (p.region != region.admdvs)
        errors.push_back(Diagnostic{p.file, 0, "policy.region",
                                    "policy is for " + p.region + ", region is " + region.admdvs});
  } else {
    Append(errors, policies.errors());
  }
  if (!errors.empty()) return errors;
  return region;
}

}  // namespace yibao
