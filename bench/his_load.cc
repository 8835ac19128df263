// his_load — a load generator for `yibao serve` speaking the national interface like a crowd of
// hospital systems (HIS). See bench/README.md ("Load generator").
//
// Design: C workers, each a coroutine with one AsyncHisClient (one keep-alive connection, one
// institution's sign-in), all driven by --threads loader threads (one by default): blocking
// clients on a thread each cost two context switches per call, CPU taken from the server on the
// same machine. Closed loop (--rate 0): every worker sends its next request as soon as the previous
// reply arrives. Open loop (--rate R): the settlements (flows in flow mode) are scheduled at R per
// second in all, worker i taking every C-th slot; a late worker sends at once, and latency is
// measured from the *intended* send time, so a stalled server shows up in the percentiles instead
// of being hidden by the loader waiting for it (coordinated omission).
// Workers wake on a 250 µs grid (AwaitSlot): a call sent early counts from its sending.
//
// Modes:
//   flow    each iteration registers a visit (2201), uploads its visit info (2203) and 3–10 fee
//           lines (2204) and settles it (2207); optionally every K-th settlement is cancelled
//           (2208).
//   settle  prepares --visits visits first (2201/2203/2204), then measures 2207 alone.
//
// Riding out a server restart: a call that gets no reply (connection refused or lost, timeout) is
// sent again with the same msgid — the platform answers a repeated msgid with its stored reply —
// until it is answered or --retry-for seconds have passed. So a settlement whose reply was lost
// with the server is acknowledged after the restart if (and only if) it was committed. Only
// acknowledged settlements go to --ack-file.
//
// --fake-server starts an in-process HttpServer with trivial handlers on the same machine: it
// measures the loader's own cost (CPU per request of the loader threads is printed in any mode).
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client/async_his_client.h"
#include "client/his_client.h"
#include "server/dispatch.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/metrics.h"

namespace yibao {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// ---- options
// --------------------------------------------------------------------------------------

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int connections = 16;
  double duration = 10;  // seconds; 0 = until SIGINT/SIGTERM
  double pause = 0;      // seconds between setup and the measured phase
  double warmup = 0;     // seconds at the measured phase's start left out of its figures
  double rate = 0;       // settlements (flows) per second in all; 0 = closed loop
  std::string mode = "flow";
  int visits = 20'000;  // settle mode: visits prepared
  int persons = 0;
  bool use_sample_persons = false;
  std::string region = "regions/qinglan";
  std::string admin_token;
  int institutions = 1;
  int first_institution = 1;
  int lines_min = 3, lines_max = 10;
  int cancel_every = 0;
  std::string ack_file;
  double retry_for = 30;
  bool fake_server = false;
  int fake_threads = 1;
  int threads = 1;  // loader threads running the workers' coroutines
  uint64_t seed = 1;
  bool quiet = false;
  std::string psn_prefix = "379988";
};

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// ---- latency histogram (log-linear, ~3 % resolution, microseconds)
// -----------------------------------

class Histogram {
 public:
  static constexpr int kSub = 32;
  void Add(int64_t us) {
    if (us < 0) us = 0;
    ++count_;
    max_ = std::max(max_, us);
    sum_ += us;
    ++buckets_[Index(us)];
  }
  void Merge(const Histogram& o) {
    count_ += o.count_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
    for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  }
  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0; }
  int64_t Percentile(double p) const {
    if (count_ == 0) return 0;
    const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(p / 100.0 * double(count_))));
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return std::min(Upper(i), max_);
    }
    return max_;
  }

 private:
  static size_t Index(int64_t v) {
    if (v < 2 * kSub) return size_t(v);
    const int e = 63 - __builtin_clzll(uint64_t(v)) - 5;  // v >> e in [32, 64)
    return size_t(e * kSub + (v >> e));
  }
  static int64_t Upper(size_t i) {
    if (i < 2 * kSub) return int64_t(i);
    const int e = int(i / kSub) - 1;
    const int64_t m = int64_t(i % kSub) + kSub;
    return ((m + 1) << e) - 1;
  }
  std::array<uint64_t, 64 * kSub> buckets_{};
  uint64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t max_ = 0;
};

// ---- the visit contents
// ---------------------------------------------------------------------------------

// Items of the sample catalogue (regions/qinglan/catalogue.csv) without payment restrictions
// (no sex/age/setting/level/indication/approval/quantity limits, no end date), priced below their
// payment standard and at most the sample knowledge base's procurement price; some prices have 3
// decimals so that the half-up rounding of det_item_fee_sumamt is exercised. Each line is a course
// of ceil(cnt / 4) days (prd_days), which keeps it within the knowledge base's daily quantities and
// course lengths: the visits settle under the 事中 review's refusing rules.
struct Item {
  const char* code;
  const char* pric;  // yuan, ≤ 6 decimals
  int cnt_max;
};
constexpr Item kItems[] = {
    {"XJ01CAB007A002010101373", "0.075", 36},  // 阿莫西林胶囊 (cap 0.08)
    {"XJ01DBF035A002010106865", "0.32", 24},   // 头孢氨苄胶囊
    {"XJ01FAE098A001010119222", "0.9", 6},     // 阿奇霉素片 (cap 0.95)
    {"XC09CAK273A002010153547", "0.285", 28},  // 缬沙坦胶囊 (cap 0.3)
    {"XC10AAD371A001010172769", "0.433", 28},  // 辛伐他汀片
    {"XB01ACG392A012010176888", "0.145", 30},  // 阿司匹林肠溶片
    {"XA10BAG462A001010190618", "0.025", 60},  // 盐酸二甲双胍片 (cap 0.03)
    {"XR05CBJ756A001010148284", "0.37", 20},   // 盐酸氨溴索片
    {"XM01AEB917A021010179863", "0.615", 10},  // 布洛芬缓释胶囊
    {"ZA01BAD0481010111843", "0.53", 24},      // 连花清瘟胶囊
    {"ZA01BAE0518010112754", "1.25", 10},      // 板蓝根颗粒
    {"001204000010000", "5", 2},               // 肌肉注射
    {"002501010150000", "20", 1},              // 血细胞分析 (cap 20)
    {"002501020350000", "10", 1},              // 尿常规 (cap 10)
    {"002504010300000", "35", 1},              // C反应蛋白
    {"003107010010000", "25", 1},              // 常规心电图
    {"002101020150000", "60", 1},              // DR 胸部正位 (cap 60)
    {"C1101045070050159861", "0.35", 3},       // 一次性使用无菌注射器
    {"C1005014160050131168", "10.5", 1},       // 一次性使用静脉留置针 (10 + 5 % mark-up)
    {"001101000010000", "1", 1},               // 普通挂号费 (丙)
};
constexpr int kItemCount = int(sizeof kItems / sizeof kItems[0]);

// Yuan text with ≤ 6 decimals → micro-yuan.
int64_t MicroYuan(std::string_view s) {
  int64_t whole = 0, frac = 0;
  int digits = 0;
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      dot = true;
    } else if (!dot) {
      whole = whole * 10 + (c - '0');
    } else if (digits < 6) {
      frac = frac * 10 + (c - '0');
      ++digits;
    }
  }
  while (digits++ < 6) frac *= 10;
  return whole * 1'000'000 + frac;
}

std::string FenText(int64_t fen) {
  const bool neg = fen < 0;
  if (neg) fen = -fen;
  return fmt::format("{}{}.{:02d}", neg ? "-" : "", fen / 100, fen % 100);
}

// Yuan text (≤ 2 decimals, maybe negative) → fen; nullopt if unreadable.
std::optional<int64_t> ParseFen(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  std::string_view s = *text;
  bool neg = false;
  if (s[0] == '-') neg = true, s.remove_prefix(1);
  int64_t whole = 0, frac = 0;
  int digits = 0;
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    } else if (!dot) {
      whole = whole * 10 + (c - '0');
    } else if (digits < 2) {
      frac = frac * 10 + (c - '0');
      ++digits;
    }
  }
  while (digits++ < 2) frac *= 10;
  const int64_t v = whole * 100 + frac;
  return neg ? -v : v;
}

// ---- persons
// ----------------------------------------------------------------------------------------------

struct Person {
  std::string psn_no, certno, insutype;
};

// GB 11643: the check character of the first 17 characters.
char CertCheckDigit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[size_t(i)] - '0') * kWeights[i];
  return "10X98765432"[sum % 11];
}

// Days since 1970-01-01 → "YYYYMMDD".
std::string CivilDate(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04d}{:02d}{:02d}", yoe + era * 400 + (m <= 2), m, d);
}

// Load person j: employee (310, in service), born 1980-01-01 + j/500 days, male (odd sequence).
Person LoadPerson(const Options& o, int j) {
  Person p;
  p.psn_no = o.psn_prefix + fmt::format("{:0{}d}", j, 20 - int(o.psn_prefix.size()));
  const std::string birth = CivilDate(3652 + j / 500);  // 3652 = 1980-01-01
  std::string first17 = "379900" + birth + fmt::format("{:03d}", (j % 500) * 2 + 1);
  p.certno = first17 + CertCheckDigit(first17);
  p.insutype = "310";
  return p;
}

std::string PersonBody(const Person& p) {
  const std::string b = p.certno.substr(6, 8);
  const std::string brdy = b.substr(0, 4) + "-" + b.substr(4, 2) + "-" + b.substr(6, 2);
  std::string s = R"({"baseinfo":{"psn_no":)" + JsonString(p.psn_no) +
                  R"(,"psn_cert_type":"01","certno":)" + JsonString(p.certno) +
                  R"(,"psn_name":"负载测试","gend":"1","brdy":")" + brdy + R"(","naty":"01"},)" +
                  R"("insuinfo":[{"insutype":"310","psn_type":"in_service","psn_insu_stas":"1",)" +
                  R"("psn_insu_date":"2010-01-01","insuplc_admdvs":"379900","emp_no":"",)" +
                  R"("cvlserv_flag":"0"}],"idetinfo":[]})";
  return s;
}

// The region's persons.csv: every (person, insurance) in force.
std::vector<Person> SamplePersons(const std::string& region_dir, std::string& error) {
  std::ifstream in(region_dir + "/persons.csv");
  if (!in) {
    error = region_dir + "/persons.csv: cannot read (use --region)";
    return {};
  }
  std::vector<Person> out;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::string cur;
    for (char c : l) {
      if (c == ',') {
        f.push_back(cur);
        cur.clear();
      } else if (c != '\r') {
        cur += c;
      }
    }
    f.push_back(cur);
    return f;
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line);
    if (header.empty()) {
      header = f;
      continue;
    }
    auto col = [&](std::string_view name) -> std::string {
      for (size_t i = 0; i < header.size() && i < f.size(); ++i)
        if (header[i] == name) return f[i];
      return {};
    };
    // The insurance types the load's outpatient visits are written for (the sample region's
    // 320 has no outpatient policy of its own).
    if (col("psn_insu_stas") != "1" || (col("insutype") != "310" && col("insutype") != "390"))
      continue;
    out.push_back({col("psn_no"), col("certno"), col("insutype")});
  }
  if (out.empty()) error = region_dir + "/persons.csv: no insured person found";
  return out;
}

// ---- statistics
// ---------------------------------------------------------------------------------------

enum Kind { k9001, k2201, k2203, k2204, k2207, k2208, kFlow, kIntended, kKinds };
constexpr const char* kKindNames[kKinds] = {
    "9001", "2201", "2203", "2204", "2207", "2208", "flow 2201..2207", "2207 from intended send"};
constexpr int64_t kLateMicros = 10'000;  // the p99 target at 10,000/s (issue 3)

struct Stats {
  std::array<Histogram, kKinds> latency;
  std::map<std::string, uint64_t> errors;  // normalised err_msg → count
  void Error(std::string_view infno, std::string_view msg) {
    // Numbers (ids, amounts) vary from call to call: fold them so that one cause is one line.
    std::string norm(infno);
    norm += ": ";
    bool in_digits = false;
    for (char c : msg) {
      if (c >= '0' && c <= '9') {
        if (!in_digits) norm += '#';
        in_digits = true;
      } else {
        norm += c;
        in_digits = false;
      }
    }
    if (norm.size() > 160) norm = norm.substr(0, 160) + "…";
    if (errors.size() >= 64 && !errors.count(norm)) norm = "(other errors)";
    ++errors[norm];
  }
};

struct Counters {
  std::atomic<uint64_t> requests{0}, settlements{0}, flows{0}, errors{0}, transport{0}, prepared{0},
      persons{0}, cancels{0};
  // Open loop, this progress interval: 2207s slower than the p99 target from their intended send,
  // and the slowest (µs). A tail made by a few stalls shows here second by second; one made by a
  // saturated machine shows in every second.
  std::atomic<uint64_t> late{0}, slowest_us{0};
};

struct Prepared {
  int person;
  std::string mdtrt_id;
  int64_t sum_fen;
};

// ---- one worker
// ---------------------------------------------------------------------------------------

class Shared {
 public:
  Options o;
  std::vector<Person> persons;
  Counters c;
  int ack_fd = -1;
  Clock::time_point start;  // of the measured phase (set before it begins)
  Clock::time_point deadline;
  Clock::time_point measure_from;  // the end of the warm-up: calls due from here on are measured

  bool Acking() const { return ack_fd >= 0; }
  void Ack(const std::string& line) {
    if (!Acking()) return;
    // One write per line on an O_APPEND descriptor: lines never interleave, and each is in the
    // file (the page cache) as soon as write returns — the loader's own crash is not the test.
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(ack_fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      p += n;
      left -= size_t(n);
    }
  }
};

class Worker {
 public:
  Worker(Shared& s, int index, net::any_io_executor executor)
      : s_(s),
        index_(index),
        rng_(s.o.seed * 7919 + uint64_t(index)),
        timer_(executor),
        client_(executor, ClientOptions()) {}

  // The worker's executor (a strand when several loader threads run): its coroutine, its timer and
  // its connection all run there.
  net::any_io_executor executor() { return timer_.get_executor(); }

  // The phases, each run for every worker before the next begins (Main): a visit may name any
  // person only after every worker has created its share.
  net::awaitable<void> SignInAndCreatePersons() {
    signed_in_ = co_await SignIn();
    if (signed_in_ && s_.o.persons > 0 && !s_.o.use_sample_persons) co_await CreatePersons();
  }
  net::awaitable<void> PrepareVisits() {
    const int mine = s_.o.visits / s_.o.connections + (index_ < s_.o.visits % s_.o.connections);
    while (signed_in_ && int(prepared_.size()) < mine && !g_stop.load()) {
      if (auto v = co_await PrepareVisit()) {
        prepared_.push_back(std::move(*v));
        s_.c.prepared.fetch_add(1, std::memory_order_relaxed);
      } else if (++prep_failures_ > 100 && prepared_.empty()) {
        co_return;  // nothing works: the errors say why
      }
    }
  }
  net::awaitable<void> Measure() {
    measuring_ = true;
    if (!signed_in_) co_return;
    if (s_.o.mode == "settle")
      co_await MeasureSettlements();
    else
      co_await Flows();
  }

  const Stats& measured_stats() const { return measured_; }
  const Stats& prep_stats() const { return prep_; }
  const Stats& warm_stats() const { return warm_; }
  uint64_t connects() const { return client_.connects(); }

 private:
  HisClientOptions ClientOptions() const {
    HisClientOptions c;
    c.host = s_.o.host;
    c.port = s_.o.port;
    c.fixmedins_code = fmt::format(
        "H379900{:05d}", s_.o.first_institution + index_ % std::max(1, s_.o.institutions));
    c.fixmedins_name = "load " + c.fixmedins_code;
    c.opter_name = "his_load";
    c.connect_timeout = milliseconds(2000);
    c.io_timeout = milliseconds(30'000);
    return c;
  }
  Stats& stats() { return !measuring_ ? prep_ : warming_ ? warm_ : measured_; }
  bool Expired() const {
    return g_stop.load(std::memory_order_relaxed) ||
           (s_.o.duration > 0 && measuring_ && Clock::now() >= s_.deadline);
  }

  net::awaitable<void> SleepUntil(Clock::time_point t) {
    // A slot already due (the loader is behind) goes at once: arming a timer that would be the
    // earliest re-arms the reactor's timerfd, a system call a slot.
    if (t <= Clock::now()) co_return;
    timer_.expires_at(t);
    co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
  }
  net::awaitable<void> SleepFor(Clock::duration d) { return SleepUntil(Clock::now() + d); }

  // One call, riding out a server that is down: the same msgid until it is answered.
  net::awaitable<CallResult> Do(Kind kind, std::string_view infno, const std::string& input) {
    const auto t0 = Clock::now();
    std::string msgid;
    CallResult r;
    auto backoff = milliseconds(5);
    for (int signins = 0;;) {
      r = co_await client_.Call(infno, input, msgid);
      msgid = r.msgid;
      if (r.transport_error()) {
        s_.c.transport.fetch_add(1, std::memory_order_relaxed);
        if (g_stop.load() || Clock::now() - t0 > std::chrono::duration<double>(s_.o.retry_for))
          break;
        co_await SleepFor(backoff);
        backoff = std::min(backoff * 2, milliseconds(200));
        continue;
      }
      // A sign-in the platform no longer knows (a fresh ledger, a sign-out): sign in again, once,
      // and resend under a new msgid.
      if (!r.ok() && signins == 0 && r.err_msg.find("sign_no") != std::string::npos) {
        ++signins;
        if (co_await SignIn()) {
          msgid.clear();
          continue;
        }
      }
      break;
    }
    s_.c.requests.fetch_add(1, std::memory_order_relaxed);
    if (!r.transport_error()) stats().latency[kind].Add(Micros(Clock::now() - t0));
    if (!r.ok()) {
      s_.c.errors.fetch_add(1, std::memory_order_relaxed);
      stats().Error(infno, r.err_msg);
    }
    co_return r;
  }

  static int64_t Micros(Clock::duration d) { return duration_cast<microseconds>(d).count(); }

  net::awaitable<bool> SignIn() {
    const auto t0 = Clock::now();
    auto backoff = milliseconds(5);
    std::string msgid;
    for (;;) {
      CallResult r = co_await client_.SignIn("demo-" + client_.options().fixmedins_code, msgid);
      msgid = r.msgid;
      if (r.ok()) {
        stats().latency[k9001].Add(Micros(Clock::now() - t0));
        co_return true;
      }
      if (!r.transport_error()) {
        s_.c.errors.fetch_add(1, std::memory_order_relaxed);
        stats().Error("9001", r.err_msg);
        co_return false;
      }
      s_.c.transport.fetch_add(1, std::memory_order_relaxed);
      if (g_stop.load() || Clock::now() - t0 > std::chrono::duration<double>(s_.o.retry_for)) {
        stats().Error("9001", r.err_msg);
        co_return false;
      }
      co_await SleepFor(backoff);
      backoff = std::min(backoff * 2, milliseconds(200));
    }
  }

  net::awaitable<void> CreatePersons() {
    for (int j = index_; j < s_.o.persons && !g_stop.load(); j += s_.o.connections) {
      const Person p = s_.persons[size_t(j)];
      const std::string body = PersonBody(p);
      const auto t0 = Clock::now();
      auto backoff = milliseconds(5);
      for (;;) {
        AdminResult a =
            co_await client_.AdminCall("PUT", "/admin/persons/" + p.psn_no, body, s_.o.admin_token);
        if (a.ok()) break;
        if (a.http_status != 0 || g_stop.load() ||
            Clock::now() - t0 > std::chrono::duration<double>(s_.o.retry_for)) {
          s_.c.errors.fetch_add(1, std::memory_order_relaxed);
          stats().Error(
              "PUT /admin/persons",
              a.http_status ? "HTTP " + std::to_string(a.http_status) + " " + a.body : a.error);
          break;
        }
        co_await SleepFor(backoff);
        backoff = std::min(backoff * 2, milliseconds(200));
      }
      s_.c.persons.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // 2201 → 2203 → 2204; the visit, or nullopt after an error (counted).
  net::awaitable<std::optional<Prepared>> PrepareVisit() {
    const int pi = int(rng_() % s_.persons.size());
    const Person& p = s_.persons[size_t(pi)];
    const std::string begntime = "2025-03-01 09:00:00";
    std::string in;
    in.reserve(1024);
    in = R"({"data":{"psn_no":)" + JsonString(p.psn_no) + R"(,"insutype":)" +
         JsonString(p.insutype) + R"(,"begntime":")" + begntime +
         R"(","mdtrt_cert_type":"02","mdtrt_cert_no":)" + JsonString(p.certno) +
         R"(,"ipt_otp_no":")" + fmt::format("MZ{:02d}{:09d}", index_ % 100, ++otp_) +
         R"(","dept_code":"A03","dept_name":"内科","atddr_no":"D0001","dr_name":"王医生",)"
         R"("caty":"A03"}})";
    CallResult r = co_await Do(k2201, "2201", in);
    if (!r.ok()) co_return std::nullopt;
    auto mdtrt_id = JsonTextAt(r.output_json, "/data/mdtrt_id");
    if (!mdtrt_id || mdtrt_id->empty()) {
      s_.c.errors.fetch_add(1, std::memory_order_relaxed);
      stats().Error("2201", "reply without output.data.mdtrt_id");
      co_return std::nullopt;
    }
    const std::string id_json = JsonString(*mdtrt_id), psn_json = JsonString(p.psn_no);

    in = R"({"mdtrtinfo":{"mdtrt_id":)" + id_json + R"(,"psn_no":)" + psn_json +
         R"(,"med_type":"11","begntime":")" + begntime +
         R"(","dise_codg":"J06.900","dise_name":"急性上呼吸道感染"},)"
         R"("diseinfo":[{"diag_type":"1","maindiag_flag":"1","diag_srt_no":1,)"
         R"("diag_code":"J06.900","diag_name":"急性上呼吸道感染"}]})";
    if (!(co_await Do(k2203, "2203", in)).ok()) co_return std::nullopt;

    const int span = std::max(0, s_.o.lines_max - s_.o.lines_min);
    const int n = std::min(kItemCount, s_.o.lines_min + int(rng_() % uint64_t(span + 1)));
    std::array<int, kItemCount> order;
    for (int i = 0; i < kItemCount; ++i) order[size_t(i)] = i;
    for (int i = 0; i < n; ++i)
      std::swap(order[size_t(i)], order[size_t(i + int(rng_() % uint64_t(kItemCount - i)))]);
    int64_t sum = 0;
    in = R"({"feedetail":[)";
    for (int i = 0; i < n; ++i) {
      const Item& item = kItems[order[size_t(i)]];
      const int cnt = 1 + int(rng_() % uint64_t(item.cnt_max));
      // pric × cnt, half-up to the fen: micro-yuan × cnt / 10,000 = fen.
      const int64_t fen = (MicroYuan(item.pric) * cnt + 5'000) / 10'000;
      sum += fen;
      if (i) in += ',';
      in += R"({"feedetl_sn":")" + std::to_string(i + 1) + R"(","mdtrt_id":)" + id_json +
            R"(,"psn_no":)" + psn_json + R"(,"chrg_bchno":"1","fee_ocur_time":")" + begntime +
            R"(","med_list_codg":")" + item.code + R"(","medins_list_codg":"H)" + item.code +
            R"(","det_item_fee_sumamt":)" + FenText(fen) + R"(,"cnt":)" + std::to_string(cnt) +
            R"(,"pric":)" + item.pric + R"(,"prd_days":)" + std::to_string((cnt + 3) / 4) +
            R"(,"bilg_dept_codg":"A03","bilg_dr_codg":"D0001","hosp_appr_flag":"1"})";
    }
    in += "]}";
    if (!(co_await Do(k2204, "2204", in)).ok()) co_return std::nullopt;
    co_return Prepared{pi, std::move(*mdtrt_id), sum};
  }

  // 2207 (and 2208 for every cancel_every-th): true when settled.
  net::awaitable<bool> Settle(const Prepared& v, Clock::time_point intended) {
    const Person& p = s_.persons[size_t(v.person)];
    std::string in = R"({"data":{"psn_no":)" + JsonString(p.psn_no) +
                     R"(,"mdtrt_cert_type":"02","mdtrt_cert_no":)" + JsonString(p.certno) +
                     R"(,"med_type":"11","medfee_sumamt":)" + FenText(v.sum_fen) +
                     R"(,"psn_setlway":"01","mdtrt_id":)" + JsonString(v.mdtrt_id) +
                     R"(,"chrg_bchno":"0000","insutype":)" + JsonString(p.insutype) +
                     R"(,"acct_used_flag":"1"}})";
    CallResult r = co_await Do(k2207, "2207", in);
    if (s_.o.rate > 0 && s_.o.mode == "settle") {
      const int64_t us = Micros(Clock::now() - intended);
      stats().latency[kIntended].Add(us);
      if (us > kLateMicros) s_.c.late.fetch_add(1, std::memory_order_relaxed);
      uint64_t seen = s_.c.slowest_us.load(std::memory_order_relaxed);
      while (uint64_t(us) > seen && !s_.c.slowest_us.compare_exchange_weak(seen, uint64_t(us))) {
      }
    }
    if (!r.ok()) co_return false;
    // The amounts are read only for the ack file (a crash test's check), not for a measurement.
    auto f = s_.Acking()
                 ? JsonTextsAt(r.output_json, {"/setlinfo/setl_id", "/setlinfo/medfee_sumamt",
                                               "/setlinfo/fund_pay_sumamt", "/setlinfo/acct_pay",
                                               "/setlinfo/psn_cash_pay", "/setlinfo/act_pay_dedc"})
                 : JsonTextsAt(r.output_json, {"/setlinfo/setl_id"});
    if (!f[0] || f[0]->empty()) {
      s_.c.errors.fetch_add(1, std::memory_order_relaxed);
      stats().Error("2207", "reply without output.setlinfo.setl_id");
      co_return false;
    }
    s_.c.settlements.fetch_add(1, std::memory_order_relaxed);
    if (s_.Acking()) {
      auto amount = [](const std::optional<std::string>& t) {
        auto fen = ParseFen(t);
        return fen ? FenText(*fen) : std::string("?");
      };
      s_.Ack(
          fmt::format("{} {} {} mdtrt_id={} medfee_sumamt={} fund_pay_sumamt={} acct_pay={} "
                      "psn_cash_pay={} act_pay_dedc={}\n",
                      *f[0], p.psn_no, p.insutype, v.mdtrt_id, amount(f[1]), amount(f[2]),
                      amount(f[3]), amount(f[4]), amount(f[5])));
    }
    if (s_.o.cancel_every > 0 && ++settled_ % uint64_t(s_.o.cancel_every) == 0) {
      in = R"({"data":{"setl_id":)" + JsonString(*f[0]) + R"(,"mdtrt_id":)" +
           JsonString(v.mdtrt_id) + R"(,"psn_no":)" + JsonString(p.psn_no) + "}}";
      CallResult c = co_await Do(k2208, "2208", in);
      if (c.ok()) {
        auto id = JsonTextAt(c.output_json, "/setlinfo/setl_id");
        if (!id || id->empty()) id = JsonTextAt(c.output_json, "/data/setl_id");
        if (id && !id->empty()) {
          s_.c.cancels.fetch_add(1, std::memory_order_relaxed);
          s_.Ack(fmt::format("{} {} {} cancels={}\n", *id, p.psn_no, p.insutype, *f[0]));
        }
      }
    }
    co_return true;
  }

  // Open loop: the k-th slot of this worker.
  Clock::time_point Slot(uint64_t k) const {
    const double at = (double(k) * s_.o.connections + index_) / s_.o.rate;
    return s_.start + duration_cast<Clock::duration>(std::chrono::duration<double>(at));
  }

  // Open loop: waits for the slot `intended` and returns when the call's latency counts from: it,
  // or the moment of sending when that is earlier. Workers wake on a grid of kPacingGrid, those
  // due in one step together (one wake-up of the loader thread instead of one a slot; measured at
  // 10,000/s: 9% less loader CPU a call), so a call may go out up to a step early; its latency then
  // counts from its sending, never from before it.
  static constexpr auto kPacingGrid = microseconds(250);
  net::awaitable<Clock::time_point> AwaitSlot(Clock::time_point intended) {
    const auto since = intended - s_.start;
    co_await SleepUntil(s_.start + since - since % kPacingGrid);
    co_return std::min(intended, Clock::now());
  }

  // The k-th call of this worker: its intended time (its slot in open loop, now in closed loop),
  // waited for, and whether it is due in the warm-up. nullopt: no more calls (the slot is past
  // the deadline, or the loader was stopped).
  net::awaitable<std::optional<Clock::time_point>> NextCall(uint64_t k) {
    const bool open_loop = s_.o.rate > 0;
    Clock::time_point intended = open_loop ? Slot(k) : Clock::now();
    if (open_loop && s_.o.duration > 0 && intended >= s_.deadline) co_return std::nullopt;
    warming_ = intended < s_.measure_from;
    if (open_loop) intended = co_await AwaitSlot(intended);
    // Stopped while waiting. Not the deadline: a slot due before it is sent however late the loader
    // is, or the latest calls of a stalled run would be left out of its figures.
    if (g_stop.load(std::memory_order_relaxed)) co_return std::nullopt;
    co_return intended;
  }

  net::awaitable<void> Flows() {
    for (uint64_t k = 0; !Expired(); ++k) {
      const auto intended = co_await NextCall(k);
      if (!intended) break;
      auto v = co_await PrepareVisit();
      if (!v) continue;
      if (co_await Settle(*v, *intended)) {
        s_.c.flows.fetch_add(1, std::memory_order_relaxed);
        stats().latency[kFlow].Add(Micros(Clock::now() - *intended));
      }
    }
  }

  net::awaitable<void> MeasureSettlements() {
    for (uint64_t k = 0; k < prepared_.size() && !Expired(); ++k) {
      const auto intended = co_await NextCall(k);
      if (!intended) break;
      co_await Settle(prepared_[k], *intended);
    }
  }

  Shared& s_;
  const int index_;
  std::mt19937_64 rng_;
  net::steady_timer timer_;  // backoffs and open-loop slots
  AsyncHisClient client_;
  bool signed_in_ = false;
  Stats prep_, measured_, warm_;  // warm_: calls due in the warm-up, not reported
  bool warming_ = false;          // the call being made was due in the warm-up
  bool measuring_ = false;
  uint64_t otp_ = 0, settled_ = 0;
  int prep_failures_ = 0;
  std::vector<Prepared> prepared_;
};

// ---- the fake server
// ------------------------------------------------------------------------------------

// Trivial handlers answering at once on the I/O thread: what is left is HTTP, the envelope and the
// loader itself.
class FakeServer {
 public:
  explicit FakeServer(int threads) : logger_([](std::string_view) {}, LogLevel::kError) {
    auto ok = [](std::string out) {
      return [out = std::move(out)](const Envelope&, Reply reply) {
        reply(TransactionResult::Ok(out));
      };
    };
    bool good = dispatcher_.Register(
        "9001", ok(R"({"signinoutb":{"sign_time":"2025-03-01 10:00:00","sign_no":"1"}})"));
    good &= dispatcher_.Register("2201", [](const Envelope& env, Reply reply) {
      reply(TransactionResult::Ok(R"({"data":{"mdtrt_id":")" + env.msgid +
                                  R"(","psn_no":"1","ipt_otp_no":"1"}})"));
    });
    good &= dispatcher_.Register("2203", ok("{}"));
    good &= dispatcher_.Register("2204", ok(R"({"result":[]})"));
    good &= dispatcher_.Register("2207", [](const Envelope& env, Reply reply) {
      reply(TransactionResult::Ok(
          R"({"setlinfo":{"setl_id":")" + env.msgid +
          R"(","medfee_sumamt":10.00,"fund_pay_sumamt":7.00,"acct_pay":3.00,"psn_cash_pay":0.00}})"));
    });
    good &= dispatcher_.Register("2208", [](const Envelope& env, Reply reply) {
      reply(TransactionResult::Ok(R"({"setlinfo":{"setl_id":")" + env.msgid + R"("}})"));
    });
    if (!good) std::fprintf(stderr, "his_load: fake server: cannot register handlers\n");
    ServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.threads = threads;
    o.logger = &logger_;
    o.admin = [](const AdminRequest&, AdminReply reply) { reply({200, "{}"}); };
    server_ = std::make_unique<HttpServer>(o, dispatcher_, metrics_);
  }
  Result<uint16_t> Start() { return server_->Start(); }
  void Stop() { server_->Stop(); }

 private:
  Logger logger_;
  Dispatcher dispatcher_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

// ---- report
// ---------------------------------------------------------------------------------------------

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void PrintLatency(const Stats& s, std::FILE* out) {
  std::fprintf(out, "  %-24s %9s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "mean", "p50",
               "p90", "p99", "max");
  for (int k = 0; k < kKinds; ++k) {
    const Histogram& h = s.latency[size_t(k)];
    if (h.count() == 0) continue;
    std::fprintf(out, "  %-24s %9llu %9.3f %9.3f %9.3f %9.3f %9.3f\n", kKindNames[k],
                 static_cast<unsigned long long>(h.count()), h.mean() / 1e3,
                 double(h.Percentile(50)) / 1e3, double(h.Percentile(90)) / 1e3,
                 double(h.Percentile(99)) / 1e3, double(h.max()) / 1e3);
  }
}

void PrintErrors(const Stats& s, std::FILE* out) {
  if (s.errors.empty()) return;
  std::vector<std::pair<uint64_t, std::string>> e;
  for (const auto& [msg, n] : s.errors) e.emplace_back(n, msg);
  std::sort(e.rbegin(), e.rend());
  std::fprintf(out, "  errors by err_msg (numbers shown as #):\n");
  for (size_t i = 0; i < e.size() && i < 10; ++i)
    std::fprintf(out, "  %9llu × %s\n", static_cast<unsigned long long>(e[i].first),
                 e[i].second.c_str());
  if (e.size() > 10) std::fprintf(out, "  … and %zu more kinds\n", e.size() - 10);
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"his_load: national-interface load generator for yibao serve"};
  app.add_option("--host", o.host, "server address");
  app.add_option("--port", o.port, "server port");
  app.add_option("--connections,-c", o.connections, "keep-alive connections (one worker each)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--duration,-d", o.duration, "seconds to measure; 0 = until SIGINT/SIGTERM");
  app.add_option("--pause", o.pause,
                 "seconds to wait between setup and measuring (the server writes back what setup "
                 "wrote; a steady state, not the step from setup to settling)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--warmup", o.warmup,
                 "seconds run at the full rate before measuring, left out of the figures (the "
                 "step from an idle server to the full rate); their progress lines still show")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--rate,-r", o.rate,
                 "open loop: target settlements (flows) per second; 0 = closed loop");
  app.add_option("--mode", o.mode, "flow: 2201→2203→2204→2207 per iteration; settle: 2207 alone")
      ->check(CLI::IsMember({"flow", "settle"}));
  app.add_option("--visits", o.visits, "settle mode: visits prepared before measuring")
      ->check(CLI::Range(1, 100'000'000));
  app.add_option("--persons", o.persons, "create this many persons through the admin API first")
      ->check(CLI::Range(0, 10'000'000));
  app.add_flag("--use-sample-persons", o.use_sample_persons,
               "use the persons of the region's persons.csv (no admin API needed)");
  app.add_option("--region", o.region, "region directory (for --use-sample-persons)");
  app.add_option("--admin-token", o.admin_token, "Bearer token of the admin API");
  app.add_option("--institutions", o.institutions,
                 "spread connections over hospitals H37990000001…N (demo credentials)")
      ->check(CLI::Range(1, 99'999));
  app.add_option("--first-institution", o.first_institution,
                 "first hospital number (loaders running side by side need distinct ones)")
      ->check(CLI::Range(1, 99'999));
  app.add_option("--lines-min", o.lines_min, "fee lines per visit, at least")
      ->check(CLI::Range(1, kItemCount));
  app.add_option("--lines-max", o.lines_max, "fee lines per visit, at most")
      ->check(CLI::Range(1, kItemCount));
  app.add_option("--cancel-every", o.cancel_every,
                 "cancel (2208) every K-th settlement; 0 = never");
  app.add_option("--ack-file", o.ack_file,
                 "append every acknowledged setl_id (with psn_no, insutype, amounts) here");
  app.add_option(
      "--retry-for", o.retry_for,
      "seconds a call with no reply is retried (same msgid) before it counts as an error");
  app.add_flag("--fake-server", o.fake_server,
               "start an in-process server with trivial handlers (the loader's own overhead)");
  app.add_option("--fake-threads", o.fake_threads, "I/O threads of the fake server");
  app.add_option("--threads", o.threads, "loader threads driving the connections")
      ->check(CLI::Range(1, 256));
  app.add_option("--seed", o.seed, "random seed");
  app.add_option("--psn-prefix", o.psn_prefix, "psn_no prefix of created persons")
      ->check([](const std::string& s) {
        return s.size() >= 1 && s.size() <= 12 && s.find_first_not_of("0123456789") == s.npos
                   ? std::string()
                   : std::string("1 to 12 digits");
      });
  app.add_flag("--quiet,-q", o.quiet, "no progress lines");
  CLI11_PARSE(app, argc, argv);
  if (o.lines_min > o.lines_max) {
    std::fprintf(stderr, "his_load: --lines-min is above --lines-max\n");
    return 2;
  }

  std::unique_ptr<FakeServer> fake;
  if (o.fake_server) {
    fake = std::make_unique<FakeServer>(o.fake_threads);
    auto port = fake->Start();
    if (!port) {
      std::fprintf(stderr, "his_load: fake server: %s\n", FormatDiagnostics(port.errors()).c_str());
      return 1;
    }
    o.host = "127.0.0.1";
    o.port = *port;
    if (!o.use_sample_persons && o.persons == 0) o.persons = 1000;
  }

  Shared s;
  s.o = o;
  if (o.use_sample_persons) {
    std::string error;
    s.persons = SamplePersons(o.region, error);
    if (s.persons.empty()) {
      std::fprintf(stderr, "his_load: %s\n", error.c_str());
      return 2;
    }
  } else if (o.persons > 0) {
    if (o.admin_token.empty() && !o.fake_server) {
      std::fprintf(stderr, "his_load: --persons needs --admin-token (or --use-sample-persons)\n");
      return 2;
    }
    for (int j = 0; j < o.persons; ++j) s.persons.push_back(LoadPerson(o, j));
  } else {
    std::fprintf(stderr,
                 "his_load: give --persons P (with --admin-token) or --use-sample-persons\n");
    return 2;
  }
  if (!o.ack_file.empty()) {
    s.ack_fd = ::open(o.ack_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s.ack_fd < 0) {
      std::fprintf(stderr, "his_load: %s: %s\n", o.ack_file.c_str(), std::strerror(errno));
      return 2;
    }
  }

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::printf("his_load: %s mode, %d connections, %s, %s, %zu persons%s, server %s:%u%s\n",
              o.mode.c_str(), o.connections,
              o.rate > 0 ? fmt::format("open loop at {:g}/s", o.rate).c_str() : "closed loop",
              o.duration > 0 ? fmt::format("{:g} s", o.duration).c_str() : "until signalled",
              s.persons.size(), o.use_sample_persons ? " (sample)" : "", o.host.c_str(), o.port,
              o.fake_server ? " (in-process fake)" : "");
  std::fflush(stdout);

  // The workers are coroutines driven by --threads loader threads: a thread per connection would
  // cost the machine two context switches per call. Several threads give each worker a strand; one
  // thread (the default) needs none, and the io_context is told it runs on one thread (measured:
  // 10% less loader CPU per settlement in an open loop at 10,000/s, 2026-11-24).
  net::io_context ctx(o.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < o.connections; ++i)
    workers.push_back(std::make_unique<Worker>(s, i,
                                               o.threads > 1
                                                   ? net::any_io_executor(net::make_strand(ctx))
                                                   : net::any_io_executor(ctx.get_executor())));
  // One phase: `step` of every worker, to the end; `progress` each second meanwhile. Returns the
  // loader threads' CPU seconds.
  auto phase = [&](net::awaitable<void> (Worker::*step)(), auto progress) {
    std::mutex mu;
    std::condition_variable cv;
    int left = o.connections;
    for (auto& w : workers)
      net::co_spawn(
          w->executor(),
          [&, w = w.get()]() -> net::awaitable<void> {
            co_await (w->*step)();
            std::lock_guard lock(mu);
            if (--left == 0) cv.notify_all();
          },
          [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
          });
    std::vector<double> cpu(size_t(o.threads), 0.0);
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t)
      threads.emplace_back([&ctx, &cpu, t] {
        ctx.run();
        cpu[size_t(t)] = ThreadCpuSeconds();
      });
    for (;;) {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, std::chrono::seconds(1), [&] { return left == 0; })) break;
      lock.unlock();
      progress();
    }
    for (auto& t : threads) t.join();
    ctx.restart();
    double sum = 0;
    for (double c : cpu) sum += c;
    return sum;
  };

  // Setup: sign-ins and persons, then (settle mode) the visits.
  const auto setup_start = Clock::now();
  auto setup_progress = [&] {
    if (o.quiet) return;
    if (o.mode == "settle")
      std::printf("[setup %5.1fs] persons %llu/%zu, visits prepared %llu/%d, errors %llu\n",
                  std::chrono::duration<double>(Clock::now() - setup_start).count(),
                  static_cast<unsigned long long>(s.c.persons.load()),
                  o.use_sample_persons ? size_t(0) : s.persons.size(),
                  static_cast<unsigned long long>(s.c.prepared.load()), o.visits,
                  static_cast<unsigned long long>(s.c.errors.load()));
    else
      std::printf("[setup %5.1fs] persons %llu/%zu, errors %llu\n",
                  std::chrono::duration<double>(Clock::now() - setup_start).count(),
                  static_cast<unsigned long long>(s.c.persons.load()),
                  o.use_sample_persons ? size_t(0) : s.persons.size(),
                  static_cast<unsigned long long>(s.c.errors.load()));
    std::fflush(stdout);
  };
  double setup_cpu = phase(&Worker::SignInAndCreatePersons, setup_progress);
  if (o.mode == "settle" && !g_stop) setup_cpu += phase(&Worker::PrepareVisits, setup_progress);
  const double setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();
  const uint64_t setup_requests = s.c.requests.load();
  if (o.mode == "settle" || o.persons > 0)
    std::printf("setup: %.1f s (%llu persons, %llu visits prepared, %llu requests)\n",
                setup_seconds, static_cast<unsigned long long>(s.c.persons.load()),
                static_cast<unsigned long long>(s.c.prepared.load()),
                static_cast<unsigned long long>(setup_requests));
  std::fflush(stdout);

  if (o.pause > 0 && !g_stop) {
    std::printf("pause: %.1f s\n", o.pause);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::duration<double>(o.pause));
  }
  // The measured phase, with progress each second.
  // A warm-up runs first, inside the same phase (the same slots, connections and pace); the calls
  // due in it are left out of the latencies, and the counts and rates start where it ends (at the
  // progress line that crosses it, so within a few milliseconds of it).
  double cpu0 = ProcessCpuSeconds();
  s.start = Clock::now();
  s.measure_from =
      s.start + duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  s.deadline = s.measure_from + duration_cast<Clock::duration>(std::chrono::duration<double>(
                                    o.duration > 0 ? o.duration : 1e9));
  const uint64_t phase_req0 = s.c.requests.load();
  uint64_t req0 = phase_req0, set0 = s.c.settlements.load();
  auto measured_start = s.start;
  bool warm = o.warmup <= 0;
  if (!warm) std::printf("warm-up: %.1f s, not measured\n", o.warmup);
  uint64_t prev_req = req0, prev_set = set0, prev_err = s.c.errors.load();
  auto last = s.start;
  const double loader_cpu = phase(&Worker::Measure, [&] {
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    if (dt < 0.5) return;
    const uint64_t req = s.c.requests.load(), set = s.c.settlements.load(), err = s.c.errors.load();
    const uint64_t late = s.c.late.exchange(0), slowest = s.c.slowest_us.exchange(0);
    if (!o.quiet) {
      std::printf("[%6.1fs] %9.0f req/s %8.0f settlements/s  errors %llu (+%llu)  no-reply %llu",
                  std::chrono::duration<double>(now - s.start).count(), double(req - prev_req) / dt,
                  double(set - prev_set) / dt, static_cast<unsigned long long>(err),
                  static_cast<unsigned long long>(err - prev_err),
                  static_cast<unsigned long long>(s.c.transport.load()));
      if (o.rate > 0 && o.mode == "settle")
        std::printf("  over 10 ms %llu, slowest %.1f ms", static_cast<unsigned long long>(late),
                    double(slowest) / 1000);
      std::printf("\n");
    }
    std::fflush(stdout);
    prev_req = req, prev_set = set, prev_err = err, last = now;
    if (!warm && now >= s.measure_from) {
      warm = true;
      req0 = req, set0 = set, measured_start = now, cpu0 = ProcessCpuSeconds();
    }
  });
  const auto ended = Clock::now();
  const double elapsed = std::chrono::duration<double>(ended - measured_start).count();
  const double phase_elapsed = std::chrono::duration<double>(ended - s.start).count();
  const double cpu = ProcessCpuSeconds() - cpu0;
  if (fake) fake->Stop();
  if (s.ack_fd >= 0) ::close(s.ack_fd);
  // A run started right after this one must not repeat our msgids (the platform would answer
  // them with our stored replies).
  WaitUntilMsgidSecondsPass();
  if (!warm) {
    std::fprintf(stderr,
                 "his_load: the run ended inside its %.1f s warm-up (too few --visits for the "
                 "rate?): nothing measured\n",
                 o.warmup);
    return 1;
  }

  Stats all, prep;
  uint64_t connects = 0;
  for (auto& w : workers) {
    all.latency[k9001].Merge(w->prep_stats().latency[k9001]);
    for (int k = 0; k < kKinds; ++k)
      all.latency[size_t(k)].Merge(w->measured_stats().latency[size_t(k)]);
    for (const auto& [m, n] : w->measured_stats().errors) all.errors[m] += n;
    for (const auto& [m, n] : w->warm_stats().errors) all.errors[m] += n;  // none hidden
    for (int k = 0; k < kKinds; ++k)
      prep.latency[size_t(k)].Merge(w->prep_stats().latency[size_t(k)]);
    for (const auto& [m, n] : w->prep_stats().errors) prep.errors[m] += n;
    connects += w->connects();
  }
  const uint64_t requests = s.c.requests.load() - req0;
  const uint64_t settlements = s.c.settlements.load() - set0;
  const uint64_t phase_requests = s.c.requests.load() - phase_req0;  // the warm-up's too
  std::printf(
      "\n== his_load: %s mode, %d connections, %s, %.1f s ==\n", o.mode.c_str(), o.connections,
      o.rate > 0 ? fmt::format("open loop at {:g}/s", o.rate).c_str() : "closed loop", elapsed);
  std::printf("  requests     %10llu  %10.0f /s\n", static_cast<unsigned long long>(requests),
              double(requests) / elapsed);
  std::printf("  settlements  %10llu  %10.0f /s   (acknowledged 2207)\n",
              static_cast<unsigned long long>(settlements), double(settlements) / elapsed);
  if (o.mode == "flow")
    std::printf("  flows        %10llu  %10.0f /s\n",
                static_cast<unsigned long long>(s.c.flows.load()),
                double(s.c.flows.load()) / elapsed);
  if (s.c.cancels.load())
    std::printf("  cancels      %10llu\n", static_cast<unsigned long long>(s.c.cancels.load()));
  std::printf(
      "  errors       %10llu   calls with no reply (retried): %llu   connections opened: %llu\n",
      static_cast<unsigned long long>(s.c.errors.load()),
      static_cast<unsigned long long>(s.c.transport.load()),
      static_cast<unsigned long long>(connects));
  PrintLatency(all, stdout);
  PrintErrors(all, stdout);
  if (o.mode == "settle" && prep.latency[k2201].count()) {
    std::printf("  setup (visits prepared):\n");
    PrintLatency(prep, stdout);
    PrintErrors(prep, stdout);
  } else {
    PrintErrors(prep, stdout);
  }
  if (requests > 0)
    std::printf(
        "  loader CPU: %.1f µs per request in its %d thread%s (%.0f%% of one core while "
        "measuring)%s\n",
        loader_cpu * 1e6 / double(phase_requests), o.threads, o.threads == 1 ? "" : "s",
        100.0 * loader_cpu / phase_elapsed,
        o.fake_server ? fmt::format("; whole process incl. the fake server: {:.1f} µs "
                                    "per request",
                                    cpu * 1e6 / double(requests))
                            .c_str()
                      : "");
  if (setup_requests > 0 && !o.quiet)
    std::printf("  setup: loader CPU %.1f µs per request\n",
                setup_cpu * 1e6 / double(setup_requests));
  return settlements > 0 ? 0 : 1;
}

}  // namespace
}  // namespace yibao

int main(int argc, char** argv) { return yibao::Main(argc, argv); }
