#include "pg_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace yibao {
namespace {

namespace fs = std::filesystem;

std::string Tail(const std::string& file, size_t max = 2000) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? "..." + s.substr(s.size() - max) : s;
}

}  // namespace

int PgCluster::Run(const std::string& program, const std::vector<std::string>& args,
                   const std::string& log) const {
  const std::string path = bindir_ + "/" + program;
  std::vector<std::string> argv_s;
  argv_s.push_back(path);
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (switch_user_ && ::fchown(fd, uid_, gid_) != 0) {
    ::close(fd);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    if (::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) _exit(126);
    ::close_range(3, ~0U, 0);  // the server must not hold any descriptor of ours (ctest's pipes)
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (switch_user_ &&
        (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0))
      _exit(126);
    if (::chdir(dir_.c_str()) != 0) _exit(126);
    ::execv(path.c_str(), argv.data());
    _exit(127);
  }
  ::close(fd);
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Result<std::unique_ptr<PgCluster>> PgCluster::Start() {
  std::unique_ptr<PgCluster> c(new PgCluster);
  const char* env = std::getenv("YIBAO_PG_BINDIR");
  c->bindir_ = env && *env ? env : "/usr/lib/postgresql/15/bin";
  for (const char* program : {"initdb", "pg_ctl", "postgres"}) {
    std::string p = c->bindir_ + "/" + program;
    if (::access(p.c_str(), X_OK) != 0)
      return Diagnostic{p, 0, "",
                        "the PostgreSQL 15 server is not installed (no executable " + p +
                            "); install the postgresql-15 package (scripts/install-deps.sh does) "
                            "or point YIBAO_PG_BINDIR at its bin directory"};
  }
  if (::geteuid() == 0) {
    struct passwd* pw = ::getpwnam("postgres");
    if (!pw)
      return Diagnostic{"", 0, "",
                        "running as root, and there is no `postgres` user to run the throwaway "
                        "PostgreSQL server as (PostgreSQL refuses to run as root)"};
    c->switch_user_ = true;
    c->uid_ = pw->pw_uid;
    c->gid_ = pw->pw_gid;
  }
  // A short path: the socket's path must fit in sockaddr_un.
  std::string tmpl = "/tmp/yibao-pg-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    return Diagnostic{tmpl, 0, "", "cannot create a temporary directory for PostgreSQL"};
  c->dir_ = tmpl;
  c->owner_ = ::getpid();
  std::ofstream(c->dir_ + "/owner") << c->owner_ << '\n';
  c->ReapStale();
  if (c->switch_user_ && ::chown(c->dir_.c_str(), c->uid_, c->gid_) != 0)
    return Diagnostic{c->dir_, 0, "", "cannot hand the temporary directory to user postgres"};
  ::chmod(c->dir_.c_str(), 0700);

  const std::string data = c->dir_ + "/data", log = c->dir_ + "/setup.log";
  // --no-sync: the cluster's initial files need not survive a power cut; the server itself runs
  // with fsync on.
  if (c->Run("initdb",
             {"-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C",
              "--no-sync"},
             log) != 0)
    return Diagnostic{log, 0, "", "initdb failed:\n" + Tail(log)};
  std::random_device rd;
  c->port_ = 20000 + int(rd() % 40000);  // only names the socket file: no clash with anyone's port
  {
    std::ofstream conf(data + "/postgresql.conf", std::ios::app);
    conf << "\n# yibao throwaway cluster\n"
         << "listen_addresses = ''\n"
         << "port = " << c->port_ << "\n"
         << "unix_socket_directories = '" << c->dir_ << "'\n"
         << "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
         << "max_connections = 200\nmax_wal_size = 2GB\n";
    if (!conf) return Diagnostic{data, 0, "", "cannot configure the throwaway cluster"};
  }
  const std::string server_log = c->dir_ + "/server.log";
  if (c->Run("pg_ctl", {"-D", data, "-l", server_log, "-w", "-t", "60", "start"}, log) != 0)
    return Diagnostic{log, 0, "",
                      "pg_ctl start failed:\n" + Tail(log) + "\nserver log:\n" + Tail(server_log)};
  c->running_ = true;
  return c;
}

void PgCluster::ReapStale() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("yibao-pg-") || entry.path().string() == dir_) continue;
    pid_t pid = 0;
    if (!(std::ifstream(entry.path() / "owner") >> pid) || pid <= 0) continue;  // being set up
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;                        // owner alive
    std::unique_ptr<PgCluster> stale(new PgCluster);
    stale->bindir_ = bindir_;
    stale->switch_user_ = switch_user_;
    stale->uid_ = uid_;
    stale->gid_ = gid_;
    stale->owner_ = owner_;
    stale->dir_ = entry.path().string();
    stale->running_ = true;  // the destructor stops it (if it still runs) and removes it
  }
}

PgCluster::~PgCluster() {
  if (dir_.empty() || ::getpid() != owner_) return;  // a forked child leaves the server alone
  if (running_) {
    const std::string data = dir_ + "/data", log = dir_ + "/setup.log";
    if (Run("pg_ctl", {"-D", data, "-m", "fast", "-w", "-t", "60", "stop"}, log) != 0)
      Run("pg_ctl", {"-D", data, "-m", "immediate", "-w", "stop"}, log);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool PgCluster::Restart() {
  return Run("pg_ctl", {"-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "restart"},
             dir_ + "/setup.log") == 0;
}

std::string PgCluster::Conninfo(const std::string& dbname) const {
  return "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=" + dbname;
}

Result<std::string> PgCluster::CreateDatabase(const std::string& dbname) {
  PGconn* conn = PQconnectdb(Conninfo("postgres").c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, ("CREATE DATABASE \"" + dbname + "\"").c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) err = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  if (!err.empty()) return Diagnostic{"", 0, "", "cannot create database " + dbname + ": " + err};
  return Conninfo(dbname);
}

namespace {
std::mutex shared_mu;
std::unique_ptr<PgCluster> shared_cluster;  // also stopped by its destructor at exit
std::string shared_error;
}  // namespace

Result<PgCluster*> SharedPgCluster() {
  std::lock_guard<std::mutex> lock(shared_mu);
  if (shared_cluster) return shared_cluster.get();
  if (!shared_error.empty()) return Diagnostic{"", 0, "", shared_error};
  auto c = PgCluster::Start();
  if (!c.ok()) {
    shared_error = FormatDiagnostics(c.errors());
    return c.errors();
  }
  shared_cluster = std::move(*c);
  return shared_cluster.get();
}

Result<std::string> NewSharedPgDatabase(const std::string& dbname) {
  auto cluster = SharedPgCluster();
  if (!cluster.ok()) return cluster.errors();
  return (*cluster)->CreateDatabase(dbname);
}

void StopSharedPgCluster() {
  std::lock_guard<std::mutex> lock(shared_mu);
  shared_cluster.reset();
}

}  // namespace yibao
