#include "server/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace yibao {
namespace {

bool Has(const std::string& text, std::string_view line) {
  return text.find(std::string(line) + "\n") != std::string::npos;
}

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.ObserveTransaction("2207", 0, 80);           // ≤ 100 µs
  m.ObserveTransaction("2207", 0, 3'000);        // ≤ 5 ms
  m.ObserveTransaction("2207", -1, 20'000'000);  // above every bucket
  m.ObserveTransaction("1101", 0, 250);          // exactly on a bound: in that bucket
  m.ObserveTransaction("", -1, 10);              // an unreadable envelope
  m.ObserveHttpStatus(200);
  m.ObserveHttpStatus(200);
  m.ObserveHttpStatus(413);
  m.ObserveHttpStatus(418);
  m.ConnectionOpened();
  m.ConnectionOpened();
  m.ConnectionClosed();
  std::string text = m.Render();

  EXPECT_TRUE(Has(text, "# TYPE yibao_requests_total counter")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_requests_total{infno="1101",infcode="0"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_requests_total{infno="2207",infcode="0"} 2)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_requests_total{infno="2207",infcode="-1"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_requests_total{infno="none",infcode="-1"} 1)")) << text;
  EXPECT_FALSE(Has(text, R"(yibao_requests_total{infno="1101",infcode="-1"} 0)")) << text;

  EXPECT_TRUE(Has(text, "# TYPE yibao_request_duration_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_request_duration_seconds_bucket{le="0.0001"} 2)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_request_duration_seconds_bucket{le="0.00025"} 3)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_request_duration_seconds_bucket{le="0.005"} 4)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_request_duration_seconds_bucket{le="10"} 4)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_request_duration_seconds_bucket{le="+Inf"} 5)")) << text;
  EXPECT_TRUE(Has(text, "yibao_request_duration_seconds_sum 20.00334")) << text;
  EXPECT_TRUE(Has(text, "yibao_request_duration_seconds_count 5")) << text;

  EXPECT_TRUE(Has(text, "# TYPE yibao_transaction_duration_seconds histogram")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_transaction_duration_seconds_bucket{infno="2207",le="0.0001"} 1)"))
      << text;
  EXPECT_TRUE(Has(text, R"(yibao_transaction_duration_seconds_bucket{infno="2207",le="+Inf"} 3)"))
      << text;
  EXPECT_TRUE(Has(text, R"(yibao_transaction_duration_seconds_sum{infno="2207"} 20.00308)"))
      << text;
  EXPECT_TRUE(Has(text, R"(yibao_transaction_duration_seconds_count{infno="1101"} 1)")) << text;

  EXPECT_TRUE(Has(text, R"(yibao_http_responses_total{code="200"} 2)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_http_responses_total{code="413"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(yibao_http_responses_total{code="other"} 1)")) << text;
  EXPECT_TRUE(Has(text, "# TYPE yibao_connections_open gauge")) << text;
  EXPECT_TRUE(Has(text, "yibao_connections_open 1")) << text;
  EXPECT_TRUE(Has(text, "yibao_connections_total 2")) << text;

  // Every sample line belongs to a family declared with # HELP and # TYPE before it.
  size_t samples = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    ASSERT_NE(end, std::string::npos) << "the last line must end with a newline";
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    if (line.starts_with("#")) continue;
    ++samples;
    std::string_view name = line.substr(0, line.find_first_of("{ "));
    for (std::string_view suffix : {"_bucket", "_sum", "_count"})
      if (name.ends_with(suffix) && name.find("duration") != std::string_view::npos)
        name.remove_suffix(suffix.size());
    EXPECT_NE(text.find("# TYPE " + std::string(name) + " "), std::string::npos) << line;
    EXPECT_NE(text.find("# HELP " + std::string(name) + " "), std::string::npos) << line;
  }
  EXPECT_GT(samples, 40u);
}

TEST(Metrics, CountsFromManyThreadsExactly) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 20'000; ++i)
        m.ObserveTransaction(i % 2 ? "2207" : "2206", (i + t) % 3 == 0 ? -1 : 0, uint64_t(i));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.requests_total(), 80'000u);
  EXPECT_EQ(m.requests("2207", 0) + m.requests("2207", -1), 40'000u);
  EXPECT_EQ(m.requests("2206", 0) + m.requests("2206", -1), 40'000u);
  EXPECT_EQ(m.requests("9999", 0), 0u);
}

}  // namespace
}  // namespace yibao
