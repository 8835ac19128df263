// `yibao review DIR`: the intelligent review (两库) over a claims export — a bureau's 事后 batch
// over a region, or a hospital's self-check (自查) of its own export before submission
// (--institution). docs/REVIEW.md describes it; the rule files docs/formats/review-rules.md.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "base/text.h"
#include "codes/icd_table.h"
#include "commands.h"
#include "drg/drg_spec.h"
#include "drg/grouper.h"
#include "review/accuracy.h"
#include "review/engine.h"
#include "review/review_io.h"
#include "review/rule_set.h"

namespace yibao {

namespace {

struct ReviewArgs {
  std::string dir;
  std::string rules = YIBAO_DEFAULT_RULES;
  std::string data = YIBAO_DEFAULT_SHARED_DATA;
  std::string stage = "after";
  std::string institution;
  std::string out;
  std::string labels;
  std::string format = "table";
  int threads = 2;
  bool quiet = false;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int RunReview(const ReviewArgs& a) {
  auto t0 = std::chrono::steady_clock::now();
  ReviewStage stage = ReviewStage::kAfter;
  if (a.stage == "before")
    stage = ReviewStage::kBefore;
  else if (a.stage == "during")
    stage = ReviewStage::kDuring;
  Result<RuleBase> base = LoadRuleDir(a.rules);
  if (!base) {
    std::cerr << FormatDiagnostics(base.errors()) << "\n";
    return 1;
  }
  Result<ReviewExport> ex = LoadReviewExport(a.dir);
  if (!ex) {
    std::cerr << FormatDiagnostics(ex.errors()) << "\n";
    return 1;
  }
  const ClaimsStore& store = ex->store;
  double load_s = Seconds(t0);
  if (!a.quiet)
    std::cerr << fmt::format(
        "loaded {} persons, {} visits, {} fee lines in {:.2f} s ({:.0f} lines/s)\n",
        store.persons.size(), store.visits.size(), store.lines.size(), load_s,
        double(store.lines.size()) / std::max(load_s, 1e-9));
  for (const Diagnostic& w : store.warnings) std::cerr << "warning: " << w.ToString() << "\n";

  // The DRG grouper, only when a rule and the data can use it.
  std::unique_ptr<DrgSpec> spec;
  std::unique_ptr<IcdTables> icd;
  std::unique_ptr<DrgGrouper> grouper;
  bool wants_drg = false;
  for (const Rule& r : base->rules)
    wants_drg = wants_drg || r.family == RuleFamily::kVisitDrgUpcoding;
  if (wants_drg && ex->knowledge.has(KnowledgeTable::kDiagnosisEvidence) && store.drgs.size() > 0) {
    Result<DrgSpec> s = LoadDrgSpec(a.data + "/chs-drg-1.1");
    Result<IcdTables> i = IcdTables::LoadShared(a.data + "/icd");
    if (s && i) {
      spec = std::make_unique<DrgSpec>(std::move(*s));
      icd = std::make_unique<IcdTables>(std::move(*i));
      grouper = std::make_unique<DrgGrouper>(DrgGrouper::Bind(spec.get(), icd.get()));
    } else {
      std::cerr << "warning: no DRG grouping for visit_drg_upcoding: "
                << FormatDiagnostics(s ? i.errors() : s.errors()) << "\n";
    }
  }
  RuleSet rules =
      RuleSet::Compile(std::move(*base), &ex->knowledge, ex->catalogue.get(), grouper.get());
  BoundRules bound = Bind(rules, store);

  BatchOptions options;
  options.threads = a.threads;
  options.stage = stage;
  if (!a.institution.empty()) {
    for (uint32_t i = 0; i < store.institutions.size(); ++i)
      if (store.institutions[i].code == a.institution) options.institution = i;
    if (options.institution == kNoCode) {
      std::cerr << a.institution << ": no such institution in " << a.dir << "/institutions.csv\n";
      return 1;
    }
  }
  const bool progress = !a.quiet && store.lines.size() >= 1'000'000;
  auto last = std::chrono::steady_clock::now();
  if (progress)
    options.progress = [&](size_t done, size_t total) {
      auto now = std::chrono::steady_clock::now();
      if (done < total && now - last < std::chrono::milliseconds(500)) return;
      last = now;
      std::cerr << fmt::format("\rreviewed {}/{} persons ({:.0f}%)", done, total,
                               100.0 * double(done) / double(std::max<size_t>(total, 1)))
                << (done == total ? "\n" : "") << std::flush;
    };
  auto t1 = std::chrono::steady_clock::now();
  BatchResult result = ReviewBatch(bound, options);
  double review_s = Seconds(t1);

  // Findings: to --out, or to stdout (then the summary goes to stderr).
  std::ostream* summary = &std::cout;
  std::ofstream file;
  std::ostream* findings_out = &std::cout;
  if (!a.out.empty()) {
    file.open(a.out, std::ios::binary);
    if (!file) {
      std::cerr << a.out << ": cannot write\n";
      return 1;
    }
    findings_out = &file;
  } else {
    summary = &std::cerr;
  }
  std::string buf;
  if (a.format == "csv") AppendFindingsCsvHeader(buf);
  for (const Finding& f : result.findings) {
    if (a.format == "csv") {
      AppendFindingCsv(rules, store, stage, f, buf);
    } else if (a.format == "json") {
      AppendFindingJson(rules, store, stage, f, buf);
    } else {
      const Rule& r = rules.rules()[f.rule];
      buf += fmt::format("{}\t{}\t{}\t{}\t{}\n", store.mdtrt_ids[f.visit], r.id,
                         RuleFamilyName(r.family), f.amount.ToString(), f.evidence);
    }
    if (buf.size() > (1 << 20)) {
      findings_out->write(buf.data(), std::streamsize(buf.size()));
      buf.clear();
    }
  }
  findings_out->write(buf.data(), std::streamsize(buf.size()));
  findings_out->flush();

  std::ostream& o = *summary;
  o << fmt::format("{:<34} {:>9} {:>8} {:>16}\n", "family", "findings", "visits", "amount");
  size_t total_findings = 0;
  Money total_amount;
  for (int f = 0; f < kRuleFamilyCount; ++f) {
    const FamilySummary& fs = result.families[size_t(f)];
    if (rules.RulesOf(RuleFamily(f)).empty()) continue;
    o << fmt::format("{:<34} {:>9} {:>8} {:>16}\n", RuleFamilyName(RuleFamily(f)), fs.findings,
                     fs.visits, fs.amount.ToString());
    total_findings += fs.findings;
    total_amount += fs.amount;
  }
  o << fmt::format("{:<34} {:>9} {:>8} {:>16}\n", "all", total_findings, "",
                   total_amount.ToString());
  for (const std::string& n : rules.notes()) o << "note: " << n << "\n";
  o << fmt::format(
      "{} rules, stage {}, {} visits and {} fee lines reviewed in {:.2f} s ({:.0f} lines/s, {} "
      "threads); load {:.2f} s\n",
      rules.rules().size(), ReviewStageName(stage), result.visits_reviewed, result.lines_reviewed,
      review_s, double(result.lines_reviewed) / std::max(review_s, 1e-9), a.threads, load_s);

  if (!a.labels.empty()) {
    Result<std::string> text = ReadTextFile(a.labels);
    if (!text) {
      std::cerr << FormatDiagnostics(text.errors()) << "\n";
      return 1;
    }
    Result<std::vector<Label>> labels = ParseLabels(*text, a.labels);
    if (!labels) {
      std::cerr << FormatDiagnostics(labels.errors()) << "\n";
      return 1;
    }
    o << "\nprecision and recall per family (visit level) against " << a.labels << ":\n"
      << FormatAccuracyTable(ComputeAccuracy(*labels, result.findings, rules, store));
  }
  return 0;
}

}  // namespace

void AddReviewCommand(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ReviewArgs>();
  auto* cmd = app.add_subcommand(
      "review",
      "intelligent review (两库) of a claims export: 事后 batch, or a hospital's self-check");
  cmd->add_option("dir", args->dir, "export directory (docs/formats/claims.md)")->required();
  cmd->add_option("--rules", args->rules, "rule directory (*.toml)")->capture_default_str();
  cmd->add_option("--data", args->data, "shared data (CHS-DRG spec, ICD tables) for DRG upcoding")
      ->capture_default_str();
  cmd->add_option("--stage", args->stage, "before | during | after")
      ->check(CLI::IsMember({"before", "during", "after"}))
      ->capture_default_str();
  cmd->add_option("--institution", args->institution,
                  "self-check: review only this institution's visits (history still used)");
  cmd->add_option("--out", args->out, "write the findings here (default: stdout)");
  cmd->add_option("--labels", args->labels, "labels.csv: print precision and recall per family");
  cmd->add_option("--threads", args->threads, "worker threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--format", args->format, "findings as table | csv | json (JSON Lines)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_flag("--quiet", args->quiet, "no load or progress lines on stderr");
  cmd->callback([args, &run] { run = [args] { return RunReview(*args); }; });
}

}  // namespace yibao
