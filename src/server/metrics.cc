#include "server/metrics.h"

#include <fmt/format.h>

#include <iterator>

namespace yibao {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// Microseconds as exact decimal seconds: 250 → "0.00025", 2'500'000 → "2.5", 0 → "0".
void AppendSeconds(std::string& out, uint64_t micros) {
  fmt::format_to(std::back_inserter(out), "{}", micros / 1'000'000);
  uint64_t frac = micros % 1'000'000;
  if (frac == 0) return;
  char digits[7];
  for (int i = 5; i >= 0; --i, frac /= 10) digits[i] = char('0' + frac % 10);
  int len = 6;
  while (digits[len - 1] == '0') --len;
  out.push_back('.');
  out.append(digits, size_t(len));
}

void AppendInfno(std::string& out, int slot) {
  fmt::format_to(std::back_inserter(out), "{:04}", slot);
}

}  // namespace

void Metrics::Histogram::Observe(uint64_t micros) {
  size_t i = 0;
  while (i < kBucketMicros.size() && micros > kBucketMicros[i]) ++i;
  buckets[i].fetch_add(1, kRelaxed);
  sum_micros.fetch_add(micros, kRelaxed);
}

Metrics::Metrics() : slots_(new std::atomic<InfnoStats*>[kNoneSlot + 1]) {
  for (size_t i = 0; i <= kNoneSlot; ++i) slots_[i].store(nullptr, kRelaxed);
}

Metrics::~Metrics() {
  for (size_t i = 0; i <= kNoneSlot; ++i) delete slots_[i].load(kRelaxed);
}

int Metrics::SlotOf(std::string_view infno) {
  if (infno.size() != 4) return kNoneSlot;
  int n = 0;
  for (char c : infno) {
    if (c < '0' || c > '9') return kNoneSlot;
    n = n * 10 + (c - '0');
  }
  return n;
}

Metrics::InfnoStats* Metrics::Slot(int slot) {
  std::atomic<InfnoStats*>& p = slots_[size_t(slot)];
  InfnoStats* s = p.load(std::memory_order_acquire);
  if (s) return s;
  auto* fresh = new InfnoStats();
  if (p.compare_exchange_strong(s, fresh, std::memory_order_acq_rel, std::memory_order_acquire))
    return fresh;
  delete fresh;  // another thread won; `s` is its slot
  return s;
}

const Metrics::InfnoStats* Metrics::FindSlot(int slot) const {
  return slots_[size_t(slot)].load(std::memory_order_acquire);
}

size_t Metrics::StatusIndex(int status) {
  size_t i = 0;
  while (i < kStatuses.size() && kStatuses[i] != status) ++i;
  return i;
}

void Metrics::ObserveTransaction(std::string_view infno, int infcode, uint64_t micros) {
  InfnoStats* s = Slot(SlotOf(infno));
  (infcode == 0 ? s->ok : s->failed).fetch_add(1, kRelaxed);
  s->latency.Observe(micros);
  overall_.Observe(micros);
}

void Metrics::ObserveHttpStatus(int status) { http_[StatusIndex(status)].fetch_add(1, kRelaxed); }

void Metrics::ConnectionOpened() {
  connections_open_.fetch_add(1, kRelaxed);
  connections_total_.fetch_add(1, kRelaxed);
}

void Metrics::ConnectionClosed() { connections_open_.fetch_sub(1, kRelaxed); }

uint64_t Metrics::requests(std::string_view infno, int infcode) const {
  const InfnoStats* s = FindSlot(SlotOf(infno));
  if (!s) return 0;
  return (infcode == 0 ? s->ok : s->failed).load(kRelaxed);
}

uint64_t Metrics::requests_total() const {
  uint64_t n = 0;
  for (const auto& b : overall_.buckets) n += b.load(kRelaxed);
  return n;
}

uint64_t Metrics::http_responses(int status) const {
  return http_[StatusIndex(status)].load(kRelaxed);
}

void Metrics::RenderHistogram(std::string& out, std::string_view name, std::string_view labels,
                              const Histogram& h) {
  auto sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBucketMicros.size(); ++i) {
    cumulative += h.buckets[i].load(kRelaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{{}{}le=\"", name, labels, sep);
    if (i < kBucketMicros.size())
      AppendSeconds(out, kBucketMicros[i]);
    else
      out += "+Inf";
    fmt::format_to(std::back_inserter(out), "\"}} {}\n", cumulative);
  }
  std::string braces = labels.empty() ? std::string() : "{" + std::string(labels) + "}";
  fmt::format_to(std::back_inserter(out), "{}_sum{} ", name, braces);
  AppendSeconds(out, h.sum_micros.load(kRelaxed));
  fmt::format_to(std::back_inserter(out), "\n{}_count{} {}\n", name, braces, cumulative);
}

void Metrics::Render(std::string& out) const {
  out +=
      "# HELP yibao_requests_total National-interface calls answered, by infno and infcode.\n"
      "# TYPE yibao_requests_total counter\n";
  for (int slot = 0; slot <= int(kNoneSlot); ++slot) {
    const InfnoStats* s = FindSlot(slot);
    if (!s) continue;
    for (int code : {0, -1}) {
      uint64_t n = (code == 0 ? s->ok : s->failed).load(kRelaxed);
      if (n == 0) continue;
      out += "yibao_requests_total{infno=\"";
      if (slot == int(kNoneSlot))
        out += "none";
      else
        AppendInfno(out, slot);
      fmt::format_to(std::back_inserter(out), "\",infcode=\"{}\"}} {}\n", code, n);
    }
  }

  out +=
      "# HELP yibao_request_duration_seconds Time from a call read to its reply ready, all "
      "infnos.\n"
      "# TYPE yibao_request_duration_seconds histogram\n";
  RenderHistogram(out, "yibao_request_duration_seconds", "", overall_);

  out +=
      "# HELP yibao_transaction_duration_seconds Time from a call read to its reply ready, by "
      "infno.\n"
      "# TYPE yibao_transaction_duration_seconds histogram\n";
  for (int slot = 0; slot <= int(kNoneSlot); ++slot) {
    const InfnoStats* s = FindSlot(slot);
    if (!s) continue;
    std::string labels = "infno=\"";
    if (slot == int(kNoneSlot))
      labels += "none";
    else
      AppendInfno(labels, slot);
    labels += '"';
    RenderHistogram(out, "yibao_transaction_duration_seconds", labels, s->latency);
  }

  out +=
      "# HELP yibao_http_responses_total HTTP responses sent, by status code.\n"
      "# TYPE yibao_http_responses_total counter\n";
  for (size_t i = 0; i <= kStatuses.size(); ++i) {
    uint64_t n = http_[i].load(kRelaxed);
    if (n == 0) continue;
    if (i < kStatuses.size())
      fmt::format_to(std::back_inserter(out), "yibao_http_responses_total{{code=\"{}\"}} {}\n",
                     kStatuses[i], n);
    else
      fmt::format_to(std::back_inserter(out), "yibao_http_responses_total{{code=\"other\"}} {}\n",
                     n);
  }

  fmt::format_to(std::back_inserter(out),
                 "# HELP yibao_connections_open HTTP connections open now.\n"
                 "# TYPE yibao_connections_open gauge\n"
                 "yibao_connections_open {}\n"
                 "# HELP yibao_connections_total HTTP connections accepted.\n"
                 "# TYPE yibao_connections_total counter\n"
                 "yibao_connections_total {}\n",
                 connections_open(), connections_total());
  for (const auto& section : sections_) section(out);
}

void Metrics::AddSection(std::function<void(std::string&)> section) {
  sections_.push_back(std::move(section));
}

std::string Metrics::Render() const {
  std::string out;
  Render(out);
  return out;
}

}  // namespace yibao
