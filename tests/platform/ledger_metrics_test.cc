#include "platform/ledger_metrics.h"

#include <gtest/gtest.h>

namespace yibao {
namespace {

TEST(LedgerMetrics, RendersTheGroupCommitInThePrometheusFormat) {
  std::string out = "before\n";
  RenderLedgerMetrics(LedgerStats{1200, 40, 97, 2'500'042}, out);
  EXPECT_EQ(out.rfind("before\n", 0), 0u);  // appended
  for (const char* line :
       {"# TYPE yibao_ledger_writes_total counter\nyibao_ledger_writes_total 1200\n",
        "# TYPE yibao_ledger_commits_total counter\nyibao_ledger_commits_total 40\n",
        "# TYPE yibao_ledger_largest_batch gauge\nyibao_ledger_largest_batch 97\n",
        "# TYPE yibao_ledger_commit_seconds_total counter\nyibao_ledger_commit_seconds_total "
        "2.500042\n"})
    EXPECT_NE(out.find(line), std::string::npos) << line << "\nin:\n" << out;
}

}  // namespace
}  // namespace yibao
