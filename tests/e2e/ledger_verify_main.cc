// ledger_verify — checks a ledger against his_load's --ack-file (tests/e2e/ledger_verify.h says
// what is checked). Run it with the server stopped (or idle): a settlement being written while the
// accumulators and the records are read would look like a mismatch.
//
//   ledger_verify --ledger sqlite:/tmp/l.db --acks acks.txt
#include <CLI/CLI.hpp>
#include <iostream>

#include "e2e/ledger_verify.h"

int main(int argc, char** argv) {
  std::string spec, acks_file;
  CLI::App app{
      "ledger_verify: every acknowledged settlement is in the ledger, and the books balance"};
  app.add_option("--ledger", spec, "sqlite:PATH or postgresql:CONNINFO")->required();
  app.add_option("--acks", acks_file, "his_load's --ack-file")->required();
  CLI11_PARSE(app, argc, argv);
  std::string error;
  auto acks = yibao::e2e::ReadAcks(acks_file, error);
  if (!error.empty()) {
    std::cerr << error << "\n";
    return 2;
  }
  auto ledger = yibao::e2e::OpenLedgerSpec(spec);
  if (!ledger) {
    std::cerr << yibao::FormatDiagnostics(ledger.errors());
    return 2;
  }
  auto report = yibao::e2e::VerifyLedger(**ledger, acks);
  for (const auto& v : report.violations) std::cout << "VIOLATION: " << v << "\n";
  std::cout << report.Summary() << "\n";
  return report.ok() ? 0 : 1;
}
