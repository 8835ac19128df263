// Service metrics: lock-free counters (std::atomic, relaxed) bumped on the I/O threads, rendered
// in the Prometheus text exposition format (version 0.0.4) for GET /metrics.
//
//   yibao_requests_total{infno,infcode}       national-interface calls answered (infcode 0 or -1;
//                                             an envelope that could not be read counts as
//                                             infno="none")
//   yibao_request_duration_seconds            histogram over all calls: request read → reply ready
//   yibao_transaction_duration_seconds{infno} the same histogram per infno
//   yibao_http_responses_total{code}          HTTP responses by status (200, 404, 413, …)
//   yibao_connections_open                    gauge
//   yibao_connections_total                   connections accepted
//   … and whatever the sections added with AddSection render (the ledger's, in `yibao serve`).
//
// Per-infno slots are created on first use (one compare-and-swap) and never freed; infno is 4
// digits, so there are at most 10,001 of them. Render() may run while others count: each number
// is read atomically, the set of numbers is not a snapshot (a bucket may be one ahead of _sum).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yibao {

class Metrics {
 public:
  // Upper bounds of the latency buckets in microseconds (+Inf follows).
  static constexpr std::array<uint64_t, 16> kBucketMicros = {
      100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
      50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // A national-interface call answered. `infno` outside 4 digits (or empty) counts as "none";
  // any non-zero infcode counts as -1.
  void ObserveTransaction(std::string_view infno, int infcode, uint64_t micros);
  void ObserveHttpStatus(int status);
  void ConnectionOpened();
  void ConnectionClosed();

  std::string Render() const;
  void Render(std::string& out) const;  // appends

  // More metrics, rendered after these by `section` (which appends whole exposition lines). Add
  // sections before the server starts; they are called from the I/O threads.
  void AddSection(std::function<void(std::string&)> section);

  // Readers for tests and health checks.
  uint64_t requests(std::string_view infno, int infcode) const;
  uint64_t requests_total() const;
  uint64_t http_responses(int status) const;
  int64_t connections_open() const { return connections_open_.load(std::memory_order_relaxed); }
  uint64_t connections_total() const { return connections_total_.load(std::memory_order_relaxed); }

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBucketMicros.size() + 1> buckets{};  // not cumulative
    std::atomic<uint64_t> sum_micros{0};
    void Observe(uint64_t micros);
  };
  struct InfnoStats {
    std::atomic<uint64_t> ok{0};
    std::atomic<uint64_t> failed{0};
    Histogram latency;
  };
  static constexpr size_t kNoneSlot = 10'000;
  static constexpr std::array<int, 9> kStatuses = {200, 400, 404, 405, 408, 413, 431, 500, 503};

  static int SlotOf(std::string_view infno);
  InfnoStats* Slot(int slot);  // created on first use
  const InfnoStats* FindSlot(int slot) const;
  static size_t StatusIndex(int status);
  static void RenderHistogram(std::string& out, std::string_view name, std::string_view labels,
                              const Histogram& h);

  std::unique_ptr<std::atomic<InfnoStats*>[]> slots_;  // kNoneSlot + 1
  Histogram overall_;
  std::array<std::atomic<uint64_t>, kStatuses.size() + 1> http_{};  // last: code="other"
  std::atomic<int64_t> connections_open_{0};
  std::vector<std::function<void(std::string&)>> sections_;  // fixed once serving
  std::atomic<uint64_t> connections_total_{0};
};

}  // namespace yibao
