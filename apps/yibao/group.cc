#include "group.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "base/text.h"
#include "codes/icd_table.h"
#include "drg/drg_case.h"
#include "drg/drg_spec.h"
#include "drg/grouper.h"

namespace yibao {

namespace {

constexpr size_t kProgressBytes = 4 << 20;  // files above this report progress on stderr

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

int Group(const GroupArgs& args) {
  std::string spec_dir = args.spec_dir.empty() ? args.data_dir + "/chs-drg-1.1" : args.spec_dir;
  Result<DrgSpec> spec = LoadDrgSpec(spec_dir);
  if (!spec) {
    std::cerr << FormatDiagnostics(spec.errors()) << "\n";
    return 1;
  }
  Result<IcdTables> icd = IcdTables::LoadShared(args.data_dir + "/icd");
  if (!icd) {
    std::cerr << FormatDiagnostics(icd.errors()) << "\n";
    return 1;
  }
  Result<std::string> text = ReadTextFile(args.cases);
  if (!text) {
    std::cerr << FormatDiagnostics(text.errors()) << "\n";
    return 1;
  }
  DrgGrouper grouper = DrgGrouper::Bind(&*spec, &*icd);
  GroupResult result;
  std::string out;
  size_t cases = 0, grouped = 0, qy = 0, ungroupable = 0, bad = 0;
  bool progress = text->size() > kProgressBytes;
  auto start = std::chrono::steady_clock::now();
  auto last = start;
  size_t total = text->size();
  auto sink = [&](Result<DrgCase>&& c, size_t done) {
    if (!c.ok()) {
      ++bad;
      std::cerr << FormatDiagnostics(c.errors()) << "\n";
      return;
    }
    ++cases;
    GroupCase(grouper, *c, &result);
    switch (result.status) {
      case GroupStatus::kGrouped:
        ++grouped;
        break;
      case GroupStatus::kAmbiguous:
        ++qy;
        break;
      default:
        ++ungroupable;
    }
    out.clear();
    if (args.format == "table") {
      out = fmt::format(
          "{}\t{}\t{}\t{}", c->id, result.drg,
          result.status == GroupStatus::kGrouped ? std::string(result.drg_name) : result.reason,
          DrgSeverityName(result.severity));
      out += '\n';
      if (args.trace)
        for (const GroupStep& s : result.trace)
          out += "    " + RenderTraceStep(*spec, result, s) + "\n";
    } else {
      AppendGroupResultJson(*spec, *c, result, out);
      if (!args.trace) {  // drop the trace array
        size_t p = out.rfind(",\"trace\":[");
        if (p != std::string::npos) out = out.substr(0, p) + "}";
      }
      out += '\n';
    }
    std::cout << out;
    if (progress) {
      auto now = std::chrono::steady_clock::now();
      if (now - last > std::chrono::seconds(1)) {
        last = now;
        double secs = std::chrono::duration<double>(now - start).count();
        std::cerr << fmt::format("\r{:5.1f}%  {} cases  {:.0f} cases/s", 100.0 * done / total,
                                 cases, cases / secs)
                  << std::flush;
      }
    }
  };
  Diagnostics errors;
  bool ok = EndsWith(args.cases, ".csv") ? ForEachDrgCaseCsv(*text, args.cases, sink, &errors)
                                         : ForEachDrgCaseJson(*text, args.cases, sink, &errors);
  if (!ok) {
    std::cerr << FormatDiagnostics(errors) << "\n";
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << fmt::format(
      "{}{} cases: {} grouped, {} QY, {} ungroupable (0000); {} unreadable; "
      "{:.2f} s\n",
      progress ? "\n" : "", cases, grouped, qy, ungroupable, bad, secs);
  return bad == 0 ? 0 : 1;
}

}  // namespace yibao
