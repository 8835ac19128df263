// A throwaway PostgreSQL 15 cluster for the tests and the bench: initdb into a temporary directory,
// a server listening only on a unix socket in that directory (fsync and synchronous_commit on, so
// that durability is measured and tested for real), stopped and removed at the end. When running
// as root the server runs as the `postgres` user (PostgreSQL refuses to run as root). Needs the
// postgresql-15 package (scripts/install-deps.sh); without it Start() says so — callers must fail,
// not skip.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "base/diagnostic.h"

namespace yibao {

class PgCluster {
 public:
  // Finds the server binaries ($YIBAO_PG_BINDIR, else /usr/lib/postgresql/15/bin), runs initdb and
  // starts the server.
  static Result<std::unique_ptr<PgCluster>> Start();
  ~PgCluster();  // stops the server (in the process that started it) and removes the directory

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // libpq conninfo of database `dbname` on this cluster.
  std::string Conninfo(const std::string& dbname) const;
  // Creates database `dbname`; returns its conninfo.
  Result<std::string> CreateDatabase(const std::string& dbname);
  // Restarts the server (fast shutdown: every open connection is cut); true when it is back up.
  bool Restart();
  const std::string& dir() const { return dir_; }

 private:
  PgCluster() = default;
  // Stops and removes the clusters of test processes that died without doing it (kill -9, a
  // timeout): their directory names an owner pid that no longer exists.
  void ReapStale() const;
  std::string bindir_, dir_;
  int port_ = 0;
  bool running_ = false;
  pid_t owner_ = 0;
  uid_t uid_ = 0;  // the user the server runs as when we are root
  gid_t gid_ = 0;
  bool switch_user_ = false;

  int Run(const std::string& program, const std::vector<std::string>& args,
          const std::string& log) const;
};

// The process's cluster, started on first use; a failure to start is remembered and returned to
// every later caller (each test then fails with the same message).
Result<PgCluster*> SharedPgCluster();
// Creates database `dbname` on the process's cluster; returns its conninfo.
Result<std::string> NewSharedPgDatabase(const std::string& dbname);
// Stops and removes the process's cluster, if one was started.
void StopSharedPgCluster();

}  // namespace yibao
