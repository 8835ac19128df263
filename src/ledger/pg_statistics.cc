#include "ledger/pg_statistics.h"

#include <libpq-fe.h>

#include <vector>

#include "base/thread_name.h"
#include "ledger/pg_result.h"

namespace yibao {
namespace {

// The ledger's tables (those of the connection's first schema, where the ledger made them) with at
// least $1 live rows and more than twice the rows they had at their last ANALYZE, when that was
// fewer than $2. reltuples is -1 for a table never analysed nor vacuumed. Only tables this role may
// analyse (those of its roles, or any if one of them owns the database; a superuser has every
// role): PostgreSQL skips any other with a warning, and it would be due again at every check.
constexpr const char* kDue = R"sql(
SELECT quote_ident(s.relname)
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE c.relnamespace = current_schema()::regnamespace
  AND s.n_live_tup >= $1::bigint
  AND s.n_live_tup > 2 * greatest(c.reltuples, 0)
  AND c.reltuples < $2::bigint
  AND (pg_has_role(c.relowner, 'USAGE') OR
       pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE'))
ORDER BY s.relname)sql";

}  // namespace

PgStatisticsKeeper::PgStatisticsKeeper(std::string conninfo, PgStatisticsOptions options)
    : conninfo_(std::move(conninfo)), options_(options) {
  if (options_.interval.count() <= 0) return;
  thread_ = std::thread([this] { Loop(); });
  NameThread(thread_, "yb-pg-analyze");
}

PgStatisticsKeeper::~PgStatisticsKeeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (cancel_) {
      char err[256];
      PQcancel(static_cast<PGcancel*>(cancel_), err, sizeof err);
    }
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void PgStatisticsKeeper::Loop() {
  PGconn* conn = nullptr;
  const auto drop = [&] {
    std::lock_guard lock(mu_);
    if (cancel_) PQfreeCancel(static_cast<PGcancel*>(cancel_));
    cancel_ = nullptr;
    PQfinish(conn);
    conn = nullptr;
  };
  const std::string min_rows = std::to_string(options_.min_rows),
                    max_rows = std::to_string(options_.max_rows);
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) break;
    }
    if (!conn) {
      conn = PQconnectdb(conninfo_.c_str());
      if (PQstatus(conn) != CONNECTION_OK) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        PQfinish(conn);
        conn = nullptr;
        continue;
      }
      std::lock_guard lock(mu_);
      cancel_ = PQgetCancel(conn);
    }
    const char* params[] = {min_rows.c_str(), max_rows.c_str()};
    PgResult due(PQexecParams(conn, kDue, 2, nullptr, params, nullptr, nullptr, 0));
    if (PQresultStatus(due.get()) != PGRES_TUPLES_OK) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      drop();
      continue;
    }
    std::vector<std::string> tables;
    for (int i = 0; i < PQntuples(due.get()); ++i) tables.emplace_back(PQgetvalue(due.get(), i, 0));
    for (const std::string& table : tables) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) break;
      }
      PgResult done(PQexec(conn, ("ANALYZE " + table).c_str()));
      if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        drop();
        break;
      }
      analysed_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  drop();
}

}  // namespace yibao
