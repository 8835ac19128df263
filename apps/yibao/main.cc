// yibao: the command-line shell over the settlement core. Thin by design: it reads files, calls
// the library, prints. Commands:
//   yibao settle --region DIR VISIT.json...   settle visits (bill as a slip and as JSON)
//   yibao policy check PATH [--region DIR]   validate policy files
//   yibao region check DIR                   validate a whole region directory
//   yibao code CODE...                       look codes up in ICD-10 / ICD-9-CM-3 医保版 2.0
//   yibao serve --region DIR --ledger SPEC   the national-interface service (serve.cc)
//   yibao group CASES.jsonl|CASES.csv        CHS-DRG grouping of settlement lists (group.cc)
//   yibao pay ...                            DRG/DIP payment of hospitals (pay.cc)
//   yibao review ...                         两库 rule review of a claims export (review.cc)
//   yibao gen ...                            a labelled synthetic region (gen.cc)
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "codes/code_format.h"
#include "codes/icd_table.h"
#include "commands.h"
#include "group.h"
#include "interface/bill_json.h"
#include "interface/bill_table.h"
#include "interface/prepare.h"
#include "interface/visit_json.h"
#include "region/region.h"
#include "serve.h"
#include "settle/settle.h"

namespace {

using namespace yibao;

void PrintErrors(const Diagnostics& errors) {
  for (const auto& e : errors) std::cerr << e.ToString() << "\n";
}

std::string ErrorJson(const Diagnostics& errors) {
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "; ") + e.ToString();
  std::string out = "{\"infcode\":-1,\"err_msg\":";
  AppendJsonString(out, msg);
  return out + "}";
}

int Settle(const std::string& region_dir, const std::string& treatment_dir,
           const std::vector<std::string>& files, const std::string& format) {
  auto region = LoadRegion(region_dir);
  if (!region) {
    PrintErrors(region.errors());
    return 1;
  }
  Result<Region> treatment_loaded = Region();
  const Region* treatment = &*region;
  if (!treatment_dir.empty()) {
    treatment_loaded = LoadRegion(treatment_dir);
    if (!treatment_loaded) {
      PrintErrors(treatment_loaded.errors());
      return 1;
    }
    treatment = &*treatment_loaded;
  }
  // Each person's accumulators carry from one visit to the next, in the order given, as the ledger
  // will do; a visit that brings its own "accumulators" starts from those instead.
  std::map<std::string, std::map<std::string, int64_t>> carried;
  int failures = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      std::cerr << file << ": cannot read\n";
      ++failures;
      continue;
    }
    auto input = ParseVisitJson(ss.str());
    Result<PreparedVisit> prepared = input ? PrepareVisit(std::move(*input), *region, *treatment)
                                           : Result<PreparedVisit>(input.errors());
    if (!prepared) {
      std::cout << file << ": " << ErrorJson(prepared.errors()) << "\n";
      ++failures;
      continue;
    }
    PreparedVisit& pv = *prepared;
    bool own = input->accumulators.size() > 0;
    auto key = pv.visit.person.psn_no + "/" + pv.visit.person.insutype + "/" +
               std::to_string(pv.visit.end.year());
    if (!own && carried.count(key)) pv.accumulators = pv.policy->Accumulators(carried[key]);
    Settlement settlement;
    Diagnostics errors;
    if (!Settle(pv.visit, *pv.catalogue, *pv.policy, pv.accumulators, &settlement, &errors)) {
      std::cout << file << ": " << ErrorJson(errors) << "\n";
      ++failures;
      continue;
    }
    std::vector<int64_t> after = pv.accumulators;
    ApplyDeltas(after, settlement.deltas);
    carried[key] = pv.policy->AccumulatorsByName(after);
    if (format == "table" || format == "both")
      std::cout << "== " << file << "\n" << RenderBillTable(settlement, pv.visit) << "\n";
    if (format == "json" || format == "both") {
      std::string json;
      WriteBillJson(settlement, pv.visit, pv.accumulators, json);
      std::cout << json << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

int PolicyCheck(const std::string& path, const std::string& region_dir) {
  PolicyVocabulary vocabulary;
  const PolicyVocabulary* vocab = nullptr;
  if (!region_dir.empty()) {
    auto region = LoadRegion(region_dir);
    if (!region) {
      PrintErrors(region.errors());
      return 1;
    }
    vocabulary = region->vocabulary;
    vocab = &vocabulary;
  }
  auto policies = LoadPolicies(path, vocab);
  if (!policies) {
    PrintErrors(policies.errors());
    std::cerr << policies.errors().size() << " problem(s)\n";
    return 1;
  }
  for (const auto& p : *policies) {
    size_t tiers = 0;
    for (const auto& b : p.benefits) tiers += b.tiers.size();
    std::cout << fmt::format(
        "ok  {}  region {} insutype {} version {} from {} to {}: {} benefits, {} tiers, {} "
        "accounts\n",
        p.file, p.region, p.insutype, p.version, p.effective_from.ToString(),
        p.effective_to == Date::Max() ? "open" : p.effective_to.ToString(), p.benefits.size(),
        tiers, p.accounts().size());
  }
  return 0;
}

int RegionCheck(const std::string& dir) {
  auto region = LoadRegion(dir);
  if (!region) {
    PrintErrors(region.errors());
    std::cerr << region.errors().size() << " problem(s)\n";
    return 1;
  }
  std::cout << fmt::format("ok  {} {}: {} catalogue items, {} institutions, {} policies\n",
                           region->admdvs, region->name, region->catalogue.size(),
                           region->institutions.size(), region->policies.size());
  return 0;
}

// Looks each code up as a diagnosis and as a procedure: its 2.0 name, whether it is a 灰码 (not
// allowed as the main diagnosis/procedure), and, for a 1.0 or 国临 code, the 2.0 code it maps to.
int CodeLookup(const std::string& data_dir, const std::vector<std::string>& codes) {
  auto tables = IcdTables::LoadShared(data_dir + "/icd");
  if (!tables) {
    PrintErrors(tables.errors());
    return 1;
  }
  int unknown = 0;
  for (const auto& code : codes) {
    bool found = false;
    for (const IcdTable* table : {&tables->diagnoses, &tables->procedures}) {
      auto n = table->Normalize(code);
      if (!n) continue;
      found = true;
      const char* kind = table->kind() == IcdKind::kDiagnosis ? "ICD-10 医保版2.0 诊断"
                                                              : "ICD-9-CM-3 医保版2.0 手术操作";
      std::string via = n->via == Crosswalk::kNone ? ""
                                                   : fmt::format(" (via {} crosswalk from {})",
                                                                 CrosswalkName(n->via), code);
      std::cout << fmt::format("{}  {}  {}{}{}\n", table->Code(n->id), kind, table->Name(n->id),
                               table->IsGray(n->id) ? "  [灰码: 不可作为主要诊断/主要手术]" : "",
                               via);
    }
    if (!found) {
      ++unknown;
      auto d = CheckDiagnosisCode(code);
      auto p = CheckProcedureCode(code);
      std::cout << code << "  not in the 医保版 2.0 tables"
                << (d && p ? " (not a valid diagnosis or procedure code: " + *d + ")" : "") << "\n";
    }
  }
  return unknown == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"yibao: medical-insurance settlement core"};
  app.require_subcommand(1);

  auto* settle =
      app.add_subcommand("settle", "settle visits (JSON, national field names) against a region");
  std::string region_dir, treatment_dir, format = "both";
  std::vector<std::string> files;
  settle->add_option("--region", region_dir, "insured place's region directory (policies)")
      ->required();
  settle->add_option("--treatment-region", treatment_dir,
                     "place of treatment's region directory (catalogue); default: --region");
  settle->add_option("--format", format, "table, json or both")
      ->check(CLI::IsMember({"table", "json", "both"}));
  settle->add_option("visits", files, "visit JSON files, settled in order")->required();

  auto* policy = app.add_subcommand("policy", "benefit policies");
  policy->require_subcommand(1);
  auto* check = policy->add_subcommand("check", "validate a policy file or directory");
  std::string policy_path, vocab_region;
  check->add_option("path", policy_path, "policy .toml file or directory")->required();
  check->add_option("--region", vocab_region,
                    "check person types and identities against this region");

  auto* region = app.add_subcommand("region", "region directories");
  region->require_subcommand(1);
  auto* region_check = region->add_subcommand("check", "load and validate a region directory");
  std::string check_dir;
  region_check->add_option("dir", check_dir, "region directory")->required();

  auto* code =
      app.add_subcommand("code", "look codes up in the ICD 医保版 2.0 tables (灰码, crosswalks)");
  std::vector<std::string> codes;
  std::string data_dir = YIBAO_DEFAULT_SHARED_DATA;
  code->add_option("codes", codes, "diagnosis or procedure codes (2.0, 1.0 or 国临)")->required();
  code->add_option("--data", data_dir, "the shared reference data directory");

  auto* serve = app.add_subcommand(
      "serve", "serve the national hospital interface (HTTP) over a ledger, on one region");
  ServeArgs serve_args;
  serve->add_option("--region", serve_args.region_dir, "region directory")->required();
  serve->add_option("--ledger", serve_args.ledger, "sqlite:PATH or postgresql:CONNINFO")
      ->capture_default_str();
  serve->add_option("--address", serve_args.address, "address to listen on")->capture_default_str();
  serve->add_option("--port", serve_args.port, "port (0: any free port)")->capture_default_str();
  serve->add_option("--threads", serve_args.threads, "I/O threads (0: one per core)");
  serve->add_option("--port-file", serve_args.port_file, "write the bound port here when ready");
  serve->add_option("--admin-token", serve_args.admin_token,
                    "Bearer token for the admin API (operator \"admin\")");
  serve->add_option("--admin-token-file", serve_args.admin_token_file,
                    "admin API tokens, one \"operator token\" per line");
  serve->add_flag("--require-signature", serve_args.require_signature,
                  "require SM2-signed messages (docs/formats/signature.md)");
  serve
      ->add_option("--sign-in-hours", serve_args.sign_in_hours,
                   "how long a 9001 sign-in is good for (0: until 9002)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  serve_args.rules_dir = YIBAO_DEFAULT_RULES;
  serve
      ->add_option("--rules", serve_args.rules_dir,
                   "review rule base for 3101/3102 and settlement (knowledge base: "
                   "REGION/knowledge)")
      ->capture_default_str();
  serve
      ->add_option("--settlement-review", serve_args.settlement_review,
                   "事中 review at 2206/2207 and 2303/2304: off, flag (report findings in the "
                   "bill) or enforce (refuse-severity findings refuse the settlement)")
      ->capture_default_str()
      ->check(CLI::IsMember({"off", "flag", "enforce"}));
  serve
      ->add_option("--read-cache", serve_args.read_cache,
                   "keep what settlements read in memory, true by the ledger's own writes (on); "
                   "off for a ledger another process writes at the same time")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  serve
      ->add_option("--read-cache-visits", serve_args.cache.visits,
                   "visits the read cache keeps: enough for those between registration (or fee "
                   "upload) and settlement")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  serve
      ->add_option("--read-cache-lines", serve_args.cache.fee_lines,
                   "fee lines the read cache keeps, over all its visits (about 0.6 KiB each)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 36));
  serve
      ->add_option("--bill-dictionary-after", serve_args.bill_dictionary_after,
                   "bills the ledger stores as text before it trains the dictionary it compresses "
                   "them with (a new one is trained when later bills drift from it)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{20}, size_t{1} << 20));
  serve->add_flag("--quiet", serve_args.quiet, "no per-request log lines");

  auto* group = app.add_subcommand(
      "group", "CHS-DRG grouping of settlement-list cases (JSON Lines, JSON array or CSV)");
  GroupArgs group_args;
  group_args.data_dir = YIBAO_DEFAULT_SHARED_DATA;
  group->add_option("cases", group_args.cases, ".jsonl, .json or .csv file of cases")->required();
  group->add_option("--data", group_args.data_dir, "the shared reference data directory");
  group->add_option("--spec", group_args.spec_dir,
                    "a CHS-DRG specification directory (default: DATA/chs-drg-1.1)");
  group->add_option("--format", group_args.format, "json or table")
      ->check(CLI::IsMember({"json", "table"}));
  group->add_flag("!--no-trace", group_args.trace, "leave the trace out");

  // Commands in files of their own set `run` from their parse callback (commands.h).
  std::function<int()> run;
  AddPayCommand(app, run);
  AddReviewCommand(app, run);
  AddGenCommand(app, run);

  CLI11_PARSE(app, argc, argv);
  if (run) return run();
  if (group->parsed()) return Group(group_args);
  if (serve->parsed()) return Serve(serve_args);
  if (settle->parsed()) return Settle(region_dir, treatment_dir, files, format);
  if (check->parsed()) return PolicyCheck(policy_path, vocab_region);
  if (region_check->parsed()) return RegionCheck(check_dir);
  if (code->parsed()) return CodeLookup(data_dir, codes);
  return 2;
}
