#include "serve.h"

#include <signal.h>

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "ledger/pg_ledger.h"
#include "ledger/read_cache.h"
#include "ledger/sqlite_ledger.h"
#include "platform/admin_api.h"
#include "platform/his_service.h"
#include "platform/ledger_metrics.h"
#include "platform/region_holder.h"
#include "platform/register_seed.h"
#include "platform/review_base.h"
#include "server/http_server.h"

namespace yibao {
namespace {

Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& spec, BillCodecOptions bills) {
  auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "sqlite" && !rest.empty()) return OpenSqliteLedger(rest, {.bill_codec = bills});
  if ((kind == "postgresql" || kind == "postgres") && !rest.empty())
    return OpenPgLedger(rest, {.bill_codec = bills});
  return Diagnostic{"", 0, "--ledger",
                    "expected sqlite:PATH or postgresql:CONNINFO, got \"" + spec + "\""};
}

std::map<std::string, std::string> AdminTokens(const ServeArgs& args, bool& ok) {
  std::map<std::string, std::string> tokens;  // token → operator
  ok = true;
  if (!args.admin_token.empty()) tokens[args.admin_token] = "admin";
  if (!args.admin_token_file.empty()) {
    std::ifstream in(args.admin_token_file);
    if (!in) {
      std::cerr << args.admin_token_file << ": cannot read\n";
      ok = false;
    }
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string op, token;
      if (!(fields >> op >> token)) {
        std::cerr << args.admin_token_file << ":" << n << ": expected \"operator token\"\n";
        ok = false;
        continue;
      }
      tokens[token] = op;
    }
  }
  return tokens;
}

}  // namespace

int Serve(const ServeArgs& args) {
  // SIGINT / SIGTERM are taken by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto region = LoadRegion(args.region_dir);
  if (!region) {
    std::cerr << FormatDiagnostics(region.errors());
    return 1;
  }
  RegionHolder holder(std::make_shared<const Region>(std::move(*region)));
  auto ledger = OpenLedger(args.ledger, {.train_after = args.bill_dictionary_after});
  if (!ledger) {
    std::cerr << FormatDiagnostics(ledger.errors());
    return 1;
  }
  if (args.read_cache == "on") *ledger = WithReadCache(std::move(*ledger), args.cache);
  auto seeded = SeedLedger(*holder.Current(), **ledger);
  if (!seeded) {
    std::cerr << FormatDiagnostics(seeded.errors());
    return 1;
  }
  bool tokens_ok = true;
  auto tokens = AdminTokens(args, tokens_ok);
  if (!tokens_ok) return 1;

  Logger logger = args.quiet ? Logger([](std::string_view) {}, LogLevel::kWarn) : Logger();
  Dispatcher dispatcher(&logger);
  HisOptions his_options;
  his_options.require_signature = args.require_signature || holder.Current()->require_signature;
  his_options.sign_in_lifetime = std::chrono::hours(args.sign_in_hours);
  if (!args.rules_dir.empty()) {
    auto review =
        LoadReviewBase(args.rules_dir, args.region_dir + "/knowledge", holder.Current()->catalogue);
    if (!review) {
      std::cerr << FormatDiagnostics(review.errors());
      return 1;
    }
    his_options.review = std::move(*review);
    his_options.settlement_review = *ParseSettlementReviewMode(args.settlement_review);
  }
  HisService his(holder, **ledger, SystemClock::Instance(), his_options);
  his.Register(dispatcher);
  AdminApi admin(holder, **ledger, tokens);

  Metrics metrics;
  metrics.AddSection([&ledger](std::string& out) { RenderLedgerMetrics((*ledger)->Stats(), out); });
  ServerOptions options;
  options.address = args.address;
  options.port = args.port;
  options.threads = args.threads;
  options.node_code = holder.Current()->admdvs.substr(0, 6);
  options.logger = &logger;
  if (!tokens.empty())
    options.admin = [&admin](const AdminRequest& request,
                             std::function<void(AdminResponse)> respond) {
      admin.Handle(request, std::move(respond));
    };
  HttpServer server(options, dispatcher, metrics);
  auto port = server.Start();
  if (!port) {
    std::cerr << FormatDiagnostics(port.errors());
    return 1;
  }
  if (!args.port_file.empty()) {
    // Written whole then renamed, so a reader never sees a partial number.
    const std::string tmp = args.port_file + ".tmp";
    std::ofstream(tmp) << *port << "\n";
    std::rename(tmp.c_str(), args.port_file.c_str());
  }
  const Region& r = *holder.Current();
  std::cout << "yibao serving " << r.name << " (" << r.admdvs << ") on http://" << args.address
            << ":" << *port << HttpServer::kCallServicePath << "\n"
            << "  ledger " << args.ledger << (*seeded ? " (seeded " : "")
            << (*seeded ? std::to_string(*seeded) + " persons from the region)" : "") << "\n"
            << "  admin API " << (tokens.empty() ? "off (no --admin-token)" : "on at /admin/")
            << "; metrics at /metrics; signatures "
            << (his_options.require_signature ? "required" : "not required") << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "yibao: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
  server.Stop();
  return 0;
}

}  // namespace yibao
