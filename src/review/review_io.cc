#include "review/review_io.h"

#include <filesystem>

#include "base/csv_reader.h"
#include "catalogue/catalogue_csv.h"
#include "interface/json_writer.h"

namespace yibao {

Result<ReviewExport> LoadReviewExport(const std::string& dir) {
  ReviewExport e;
  Result<ClaimsStore> store = LoadClaimsDir(dir);
  if (!store) return store.errors();
  e.store = std::move(*store);
  std::error_code ec;
  std::string cat = dir + "/catalogue.csv";
  if (std::filesystem::exists(cat, ec)) {
    // The catalogue's region code only labels it; the institutions' region is the natural one.
    std::string admdvs = "000000";
    if (!e.store.institutions.empty() && e.store.institutions[0].admdvs.size() == 6)
      admdvs = e.store.institutions[0].admdvs;
    Result<Catalogue> c = LoadCatalogueCsv(cat, admdvs);
    if (!c) return c.errors();
    e.catalogue = std::make_unique<Catalogue>(std::move(*c));
  }
  Result<KnowledgeBase> kb = LoadKnowledgeDir(dir + "/knowledge");
  if (!kb) return kb.errors();
  e.knowledge = std::move(*kb);
  return e;
}

namespace {

std::string Serials(const ClaimsStore& store, const Finding& f) {
  std::string s;
  for (uint32_t li : f.lines) {
    if (!s.empty()) s += ';';
    s += store.line_sns[li];
  }
  return s;
}

}  // namespace

void AppendFindingsCsvHeader(std::string& out) {
  out += "rule_id,family,result,severity,stage,mdtrt_id,feedetl_sn,amount,evidence\n";
}

void AppendFindingCsv(const RuleSet& rules, const ClaimsStore& store, ReviewStage stage,
                      const Finding& f, std::string& out) {
  const Rule& r = rules.rules()[f.rule];
  AppendCsvField(out, r.id);
  out += ',';
  out += RuleFamilyName(r.family);
  out += ',';
  out += RuleResultName(r.result);
  out += ',';
  out += RuleSeverityName(r.severity);
  out += ',';
  out += ReviewStageName(stage);
  out += ',';
  AppendCsvField(out, store.mdtrt_ids[f.visit]);
  out += ',';
  AppendCsvField(out, Serials(store, f));
  out += ',';
  f.amount.AppendTo(out);
  out += ',';
  AppendCsvField(out, f.evidence);
  out += '\n';
}

void AppendFindingJson(const RuleSet& rules, const ClaimsStore& store, ReviewStage stage,
                       const Finding& f, std::string& out) {
  const Rule& r = rules.rules()[f.rule];
  JsonWriter w(out);
  w.Open('{');
  w.Str("rule_id", r.id);
  w.Str("rule_name", r.name);
  w.Str("family", RuleFamilyName(r.family));
  w.Str("result", RuleResultName(r.result));
  w.Str("severity", RuleSeverityName(r.severity));
  w.Str("stage", ReviewStageName(stage));
  w.Str("mdtrt_id", store.mdtrt_ids[f.visit]);
  w.Key("feedetl_sn");
  w.Open('[');
  for (uint32_t li : f.lines) w.Value(store.line_sns[li]);
  w.Close(']');
  w.Num("amount", f.amount);
  w.Str("evidence", f.evidence);
  w.Close('}');
  out += '\n';
}

}  // namespace yibao
