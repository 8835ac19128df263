// The server end to end over real sockets: a Beast synchronous client talks to HttpServer on
// 127.0.0.1 with test-only handlers registered through the Dispatcher. No assertion is about time;
// a watchdog aborts a test that hangs.
#include "server/http_server.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace yibao {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;

constexpr std::string_view kPath = HttpServer::kCallServicePath;
constexpr std::string_view kJson = "application/json; charset=utf-8";

// Aborts the test binary if a test runs past `limit` (a hang is a failure, not a wait).
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: test still running after %lld s\n",
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Replies from its own thread a little later (like the ledger writer after a group commit).
class DelayedReplier {
 public:
  DelayedReplier() : thread_([this] { Run(); }) {}
  ~DelayedReplier() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Later(Reply reply, TransactionResult result) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back({std::chrono::steady_clock::now() + std::chrono::milliseconds(2),
                        std::move(reply), std::move(result)});
    }
    cv_.notify_all();
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  struct Item {
    std::chrono::steady_clock::time_point due;
    Reply reply;
    TransactionResult result;
  };
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left
      Item item = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::this_thread::sleep_until(item.due);
      item.reply(std::move(item.result));
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stop_ = false;
  std::thread thread_;
};

// Holds Replies until the test releases them.
class Gate {
 public:
  void Hold(Reply reply) {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(reply));
    cv_.notify_all();
  }
  void WaitHeld(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_.size() >= n; });
  }
  std::vector<Reply> Take() {
    std::lock_guard lock(mu_);
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Reply> held_;
};

std::string MakeEnvelope(std::string_view infno, std::string_view msgid,
                         std::string_view input = R"({"data":{"psn_no":"1"}})") {
  return fmt::format(
      R"({{"infno":"{}","msgid":"{}","mdtrtarea_admvs":"430100","insuplc_admdvs":"430100",)"
      R"("recer_sys_code":"FSI_LOCAL","dev_no":"","dev_safe_info":"","cainfo":"","signtype":"SM2",)"
      R"("infver":"V1.0","opter_type":"1","opter":"001","opter_name":"王医生",)"
      R"("inf_time":"2024-03-01 09:30:00","fixmedins_code":"H43010100001",)"
      R"("fixmedins_name":"青岚市第一人民医院","sign_no":"1","input":{}}})",
      infno, msgid, input);
}

struct ReplyFields {
  int64_t infcode = 99;
  std::string inf_refmsgid, refmsg_time, respond_time, err_msg, output;
  size_t keys = 0;
};

ReplyFields ParseReplyBody(const std::string& body) {
  ReplyFields f;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj)) {
    ADD_FAILURE() << "reply is not a JSON object: " << body;
    return f;
  }
  for (auto [key, value] : obj) {
    ++f.keys;
    std::string_view s;
    if (key == "infcode") {
      EXPECT_EQ(value.get_int64().get(f.infcode), simdjson::SUCCESS) << body;
    } else if (key == "output") {
      f.output = simdjson::minify(value);
    } else if (value.get_string().get(s) == simdjson::SUCCESS) {
      if (key == "inf_refmsgid") f.inf_refmsgid = s;
      if (key == "refmsg_time") f.refmsg_time = s;
      if (key == "respond_time") f.respond_time = s;
      if (key == "err_msg") f.err_msg = s;
    }
  }
  return f;
}

// One connection, Beast's synchronous API. Errors throw (and fail the test).
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  Response Post(std::string body, std::string_view target = kPath) {
    Send(http::verb::post, target, std::move(body));
    return Read();
  }
  Response Get(std::string_view target) {
    Send(http::verb::get, target, "");
    return Read();
  }
  void Send(http::verb verb, std::string_view target, std::string body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "his-test");
    if (verb == http::verb::post) req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(socket_, req);
  }
  Response Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }
  void WriteRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }
  // True when the server has closed the connection (read ends with EOF, or a reset).
  bool ClosedByServer() {
    char c;
    boost::system::error_code ec;
    if (buffer_.size() > 0) return false;
    socket_.read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }
  tcp::socket& socket() { return socket_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class ServerTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kNow = "2024-03-01 09:30:00";

  ServerTest()
      : clock_(*ParseTime(kNow)),
        log_(
            [this](std::string_view line) {
              std::lock_guard lock(log_mu_);
              log_lines_.emplace_back(line);
            },
            LogLevel::kInfo, &clock_),
        dispatcher_(&log_) {
    // Test-only transactions.
    // 0001 echo: output = input, replied at once on the I/O thread.
    EXPECT_TRUE(dispatcher_.Register("0001", [](const Envelope& e, Reply reply) {
      reply(TransactionResult::Ok(std::string(e.input_json)));
    }));
    // 0002 async echo: replied ~2 ms later from another thread; the envelope is read there.
    EXPECT_TRUE(dispatcher_.Register("0002", [this](const Envelope& e, Reply reply) {
      std::string out = fmt::format(R"({{"msgid":"{}","input":{}}})", e.msgid, e.input_json);
      replier_.Later(std::move(reply), TransactionResult::Ok(std::move(out)));
    }));
    // 0003 loses its Reply; 0004 throws; 0005 waits for the test; 0006 answers twice.
    EXPECT_TRUE(dispatcher_.Register("0003", [](const Envelope&, Reply) {}));
    EXPECT_TRUE(dispatcher_.Register(
        "0004", [](const Envelope&, Reply) -> void { throw std::runtime_error("boom"); }));
    EXPECT_TRUE(dispatcher_.Register(
        "0005", [this](const Envelope&, Reply reply) { gate_.Hold(std::move(reply)); }));
    EXPECT_TRUE(dispatcher_.Register("0006", [](const Envelope&, Reply reply) {
      reply(TransactionResult::Ok(R"({"n":1})"));
      reply(TransactionResult::Fail("second"));
    }));
  }

  void StartServer(ServerOptions o = {}) {
    o.address = "127.0.0.1";
    o.port = 0;
    if (o.threads == 0) o.threads = 3;
    o.body_limit = body_limit_;
    o.node_code = "430100";
    o.clock = &clock_;
    o.logger = &log_;
    server_ = std::make_unique<HttpServer>(o, dispatcher_, metrics_);
    Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.ok()) << FormatDiagnostics(port.errors());
    ASSERT_NE(*port, 0);
    ASSERT_EQ(*port, server_->port());
    port_ = *port;
  }

  void SetUp() override { StartServer(); }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string RefMsgId(uint64_t seq) const {
    return fmt::format("430100{}{:010}", "20240301093000", seq);
  }

  bool Logged(std::string_view needle) {
    std::lock_guard lock(log_mu_);
    for (const auto& l : log_lines_)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }

  Watchdog watchdog_{std::chrono::seconds(180)};
  FixedClock clock_;
  std::mutex log_mu_;
  std::vector<std::string> log_lines_;
  Logger log_;
  DelayedReplier replier_;
  Gate gate_;
  Dispatcher dispatcher_;
  Metrics metrics_;
  size_t body_limit_ = 64 << 10;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

void ExpectJsonHeaders(const Response& res, bool keep_alive = true) {
  EXPECT_EQ(res[http::field::content_type], kJson);
  EXPECT_EQ(res[http::field::connection], keep_alive ? "keep-alive" : "close");
  EXPECT_EQ(res.keep_alive(), keep_alive);
}

TEST_F(ServerTest, TenCallsOnOneKeepAliveConnection) {
  Client client(port_);
  for (int i = 0; i < 10; ++i) {
    std::string msgid = fmt::format("H43010100001202403010930{:06}", i);
    std::string input = fmt::format(R"({{"data":{{"i":{},"name":"张三","amt":"12.50"}}}})", i);
    bool async = i % 2 == 1;
    Response res = client.Post(MakeEnvelope(async ? "0002" : "0001", msgid, input));
    ASSERT_EQ(res.result_int(), 200) << res;
    ExpectJsonHeaders(res);
    EXPECT_EQ(res[http::field::server], "yibao");
    std::string output =
        async ? fmt::format(R"({{"msgid":"{}","input":{}}})", msgid, input) : input;
    // Byte for byte: the clock is fixed and the message ids count up from 0.
    EXPECT_EQ(res.body(), fmt::format(R"({{"infcode":0,"inf_refmsgid":"{}",)"
                                      R"("refmsg_time":"{}","respond_time":"{}",)"
                                      R"("err_msg":"","output":{}}})",
                                      RefMsgId(uint64_t(i)), kNow, kNow, output));
  }
  EXPECT_EQ(metrics_.connections_total(), 1u);  // all ten on one socket
  EXPECT_EQ(metrics_.requests("0001", 0), 5u);
  EXPECT_EQ(metrics_.requests("0002", 0), 5u);
}

TEST_F(ServerTest, ReplyCarriesOnlyTheReplyFields) {
  Client client(port_);
  Response res = client.Post(MakeEnvelope("0001", "M1"));
  ReplyFields f = ParseReplyBody(res.body());
  EXPECT_EQ(f.keys, 6u);  // infcode, inf_refmsgid, refmsg_time, respond_time, err_msg, output
  EXPECT_EQ(f.infcode, 0);
  EXPECT_EQ(f.inf_refmsgid.size(), 30u);
  EXPECT_EQ(f.refmsg_time, kNow);
  EXPECT_EQ(f.output, R"({"data":{"psn_no":"1"}})");
  EXPECT_EQ(res.body().find("msgid\":\"M1"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Client client(port_);
  // The slow (async) call first, in the same write as the fast one.
  std::string a = MakeEnvelope("0002", "SLOW", R"({"k":"a"})");
  std::string b = MakeEnvelope("0001", "FAST", R"({"k":"b"})");
  std::string wire;
  for (const std::string& body : {a, b})
    wire += fmt::format(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        "{}\r\n\r\n{}",
        kPath, body.size(), body);
  client.WriteRaw(wire);
  Response first = client.Read();
  Response second = client.Read();
  EXPECT_EQ(ParseReplyBody(first.body()).output, R"({"msgid":"SLOW","input":{"k":"a"}})");
  EXPECT_EQ(ParseReplyBody(second.body()).output, R"({"k":"b"})");
}

TEST_F(ServerTest, BadEnvelopesAreInfcodeMinusOneWithTheField) {
  Client client(port_);
  struct Case {
    std::string body;
    std::string err_msg;
  };
  std::vector<Case> cases = {
      {"{not json", "malformed JSON"},
      {"", "malformed JSON"},
      {"[]", "expected a JSON object"},
      {R"({"infno":"2207","fixmedins_code":"H1","input":{}})", "msgid: missing"},
      {R"({"infno":"2207","msgid":"M","fixmedins_code":"H1","input":"x"})",
       "input: expected an object"},
      {R"({"infno":"22A7","msgid":"M","fixmedins_code":"H1","input":{}})",
       "infno: expected 4 digits, got \"22A7\""},
      {MakeEnvelope("0001", std::string(31, 'M')), "msgid: longer than 30 characters"},
      {MakeEnvelope("9999", "M9"), "unknown infno 9999"},
      {MakeEnvelope("0003", "M3"), "internal error: transaction 0003 gave no reply"},
      {MakeEnvelope("0004", "M4"), "internal error in transaction 0004"},
  };
  for (const Case& c : cases) {
    Response res = client.Post(c.body);  // the same connection stays usable throughout
    ASSERT_EQ(res.result_int(), 200) << c.body;
    ExpectJsonHeaders(res);
    ReplyFields f = ParseReplyBody(res.body());
    EXPECT_EQ(f.infcode, -1) << c.body;
    EXPECT_EQ(f.err_msg, c.err_msg) << c.body;
    EXPECT_EQ(f.output, "{}");
  }
  EXPECT_EQ(ParseReplyBody(client.Post(MakeEnvelope("0001", "OK")).body()).infcode, 0);
  EXPECT_EQ(metrics_.requests("none", -1), 7u);
  EXPECT_EQ(metrics_.requests("9999", -1), 1u);
  EXPECT_TRUE(Logged(R"("event":"bad_envelope","field":"msgid","error":"missing")"));
  EXPECT_TRUE(Logged(R"("event":"handler_exception","infno":"0004","msgid":"M4","what":"boom")"));
}

TEST_F(ServerTest, OnlyTheFirstReplyCounts) {
  Client client(port_);
  ReplyFields f = ParseReplyBody(client.Post(MakeEnvelope("0006", "M6")).body());
  EXPECT_EQ(f.infcode, 0);
  EXPECT_EQ(f.output, R"({"n":1})");
  // The connection is still in step: the next reply is the next request's.
  EXPECT_EQ(ParseReplyBody(client.Post(MakeEnvelope("0001", "M7")).body()).output,
            R"({"data":{"psn_no":"1"}})");
}

TEST_F(ServerTest, OversizedBodyIs413AndClosed) {
  Client client(port_);
  std::string input = R"({"pad":")" + std::string(body_limit_ + 1000, 'x') + R"("})";
  Response res = client.Post(MakeEnvelope("0001", "BIG", input));
  EXPECT_EQ(res.result_int(), 413);
  ExpectJsonHeaders(res, /*keep_alive=*/false);
  ReplyFields f = ParseReplyBody(res.body());
  EXPECT_EQ(f.infcode, -1);
  EXPECT_EQ(f.err_msg, "request body larger than 65536 bytes");
  EXPECT_TRUE(client.ClosedByServer());
  // A body of exactly the limit is fine.
  Client again(port_);
  std::string body = MakeEnvelope("0001", "FIT", R"({"pad":""})");
  body.insert(body.find(R"("pad":"")") + 7, body_limit_ - body.size(), 'y');
  ASSERT_EQ(body.size(), body_limit_);
  EXPECT_EQ(ParseReplyBody(again.Post(body).body()).infcode, 0);
  EXPECT_EQ(metrics_.http_responses(413), 1u);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  Client client(port_);
  std::string chunk(40 << 10, 'x');
  std::string wire = fmt::format(
      "POST {} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}"
      "\r\n0\r\n\r\n",
      kPath, chunk.size(), chunk, chunk.size(), chunk);
  client.WriteRaw(wire);
  Response res = client.Read();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(ParseReplyBody(res.body()).infcode, -1);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  Client client(port_);
  client.WriteRaw(
      fmt::format("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n", std::string(9000, 'p')));
  Response res = client.Read();
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_EQ(ParseReplyBody(res.body()).err_msg, "request header larger than 8192 bytes");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, GarbageIs400) {
  Client client(port_);
  client.WriteRaw("HELLO THERE\r\n\r\n");
  Response res = client.Read();
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_EQ(ParseReplyBody(res.body()).infcode, -1);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  Client client(port_);
  Response res = client.Get("/fsi/api/nope?x=1");
  EXPECT_EQ(res.result_int(), 404);
  ExpectJsonHeaders(res);
  ReplyFields f = ParseReplyBody(res.body());
  EXPECT_EQ(f.infcode, -1);
  EXPECT_EQ(f.err_msg, "no such path: /fsi/api/nope");

  res = client.Get(kPath);
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[http::field::allow], "POST");
  // HEAD: the headers of GET, no body (the next response on the socket is read correctly).
  client.Send(http::verb::head, "/healthz", "");
  {
    http::response_parser<http::empty_body> head;
    head.skip(true);
    http::read(client.socket(), client.buffer(), head);
    EXPECT_EQ(head.get().result_int(), 200);
    EXPECT_EQ(head.get()[http::field::content_length], "3");
  }
  res = client.Post("{}", "/metrics");
  EXPECT_EQ(res.result_int(), 405);
  EXPECT_EQ(res[http::field::allow], "GET");
  // A query string does not change the route.
  res = client.Post(MakeEnvelope("0001", "Q1"), std::string(kPath) + "?sign=1");
  EXPECT_EQ(ParseReplyBody(res.body()).infcode, 0);
}

TEST_F(ServerTest, HealthAndMetrics) {
  Client client(port_);
  Response res = client.Get("/healthz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "ok\n");
  client.Post(MakeEnvelope("0001", "M1"));
  client.Post(MakeEnvelope("0002", "M2"));
  client.Post(MakeEnvelope("9999", "M3"));
  client.Get("/nope");
  res = client.Get("/metrics");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res.body();
  for (std::string_view line : {
           R"(yibao_requests_total{infno="0001",infcode="0"} 1)",
           R"(yibao_requests_total{infno="0002",infcode="0"} 1)",
           R"(yibao_requests_total{infno="9999",infcode="-1"} 1)",
           R"(yibao_request_duration_seconds_count 3)",
           R"(yibao_transaction_duration_seconds_count{infno="0002"} 1)",
           R"(yibao_http_responses_total{code="404"} 1)",
           "yibao_connections_open 1",
           "yibao_connections_total 1",
       })
    EXPECT_NE(text.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << text;
  EXPECT_NE(text.find(R"(yibao_request_duration_seconds_bucket{le="+Inf"} 3)"), std::string::npos);
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  Client client(port_);
  std::string body = MakeEnvelope("0001", "C1");
  client.WriteRaw(fmt::format(
      "POST {} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n", kPath,
      body.size()));
  std::string interim;
  size_t n = net::read_until(client.socket(), net::dynamic_buffer(interim), "\r\n\r\n");
  EXPECT_EQ(interim.substr(0, n), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_EQ(interim.size(), n);  // nothing else yet: the server waits for the body
  client.WriteRaw(body);
  Response res = client.Read();
  EXPECT_EQ(ParseReplyBody(res.body()).infcode, 0);
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosed) {
  Client client(port_);
  std::string body = MakeEnvelope("0001", "OLD");
  client.WriteRaw(
      fmt::format("POST {} HTTP/1.0\r\nContent-Length: {}\r\n\r\n{}", kPath, body.size(), body));
  Response res = client.Read();
  EXPECT_EQ(ParseReplyBody(res.body()).infcode, 0);
  EXPECT_EQ(res[http::field::connection], "close");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, EightClientsTwoHundredCallsEach) {
  constexpr int kClients = 8, kCalls = 200;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  std::mutex failures_mu;
  std::vector<std::string> failures;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      try {
        Client client(port_);
        for (int i = 0; i < kCalls; ++i) {
          std::string msgid = fmt::format("T{}N{}", t, i);
          std::string input = fmt::format(R"({{"t":{},"i":{}}})", t, i);
          bool async = (i + t) % 3 == 0;
          Response res = client.Post(MakeEnvelope(async ? "0002" : "0001", msgid, input));
          ReplyFields f = ParseReplyBody(res.body());
          std::string want =
              async ? fmt::format(R"({{"msgid":"{}","input":{}}})", msgid, input) : input;
          if (res.result_int() == 200 && f.infcode == 0 && f.output == want && res.keep_alive()) {
            ++good;
          } else {
            std::lock_guard lock(failures_mu);
            failures.push_back(msgid + ": " + res.body());
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(failures_mu);
        failures.push_back(std::string("client ") + std::to_string(t) + ": " + e.what());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), kClients * kCalls);
  for (size_t i = 0; i < failures.size() && i < 5; ++i) ADD_FAILURE() << failures[i];
  EXPECT_EQ(metrics_.requests("0001", 0) + metrics_.requests("0002", 0),
            uint64_t(kClients * kCalls));
  EXPECT_EQ(metrics_.connections_total(), uint64_t(kClients));
}

TEST_F(ServerTest, StopReturnsWithIdleConnectionsOpen) {
  // A grace far beyond the watchdog: Stop() must not wait for idle connections at all.
  server_->Stop();
  ServerOptions o;
  o.shutdown_grace = std::chrono::hours(1);
  StartServer(o);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    EXPECT_EQ(ParseReplyBody(clients.back()->Post(MakeEnvelope("0001", "I")).body()).infcode, 0);
  }
  Client silent(port_);                       // connected, never sent anything
  EXPECT_GE(metrics_.connections_open(), 6);  // the silent one may not be registered yet
  server_->Stop();
  EXPECT_EQ(metrics_.connections_open(), 0);
  for (auto& c : clients) EXPECT_TRUE(c->ClosedByServer());
  EXPECT_TRUE(silent.ClosedByServer());
  EXPECT_TRUE(Logged(R"("event":"stopped")"));
  // The port is closed for new connections.
  Client* late = nullptr;
  EXPECT_ANY_THROW(late = new Client(port_));
  delete late;
}

TEST_F(ServerTest, StopLetsACallInFlightReply) {
  server_->Stop();
  ServerOptions o;
  o.shutdown_grace = std::chrono::hours(1);
  o.threads = 1;  // both connections drained in one pass, so the reply already says "close"
  StartServer(o);
  Client busy(port_), idle(port_);
  EXPECT_EQ(ParseReplyBody(idle.Post(MakeEnvelope("0001", "I")).body()).infcode, 0);
  busy.Send(http::verb::post, kPath, MakeEnvelope("0005", "HELD"));
  gate_.WaitHeld(1);
  std::thread stopper([this] { server_->Stop(); });
  EXPECT_TRUE(idle.ClosedByServer());  // closed by the drain while the call is still held
  for (Reply& r : gate_.Take()) r(TransactionResult::Ok(R"({"released":true})"));
  Response res = busy.Read();
  stopper.join();
  ReplyFields f = ParseReplyBody(res.body());
  EXPECT_EQ(f.infcode, 0);
  EXPECT_EQ(f.output, R"({"released":true})");
  EXPECT_EQ(res[http::field::connection], "close");
  EXPECT_TRUE(busy.ClosedByServer());
}

TEST_F(ServerTest, RepliesAfterStopAreDropped) {
  server_->Stop();
  ServerOptions o;
  o.shutdown_grace = std::chrono::milliseconds(1);
  StartServer(o);
  Client busy(port_);
  busy.Send(http::verb::post, kPath, MakeEnvelope("0005", "HELD1"));
  gate_.WaitHeld(1);
  server_->Stop();  // the grace runs out: the held call's connection is closed
  EXPECT_TRUE(busy.ClosedByServer());
  server_.reset();  // even the io_contexts are gone
  std::vector<Reply> held = gate_.Take();
  ASSERT_EQ(held.size(), 1u);
  held[0](TransactionResult::Ok());  // dropped, no crash
  held.clear();                      // destroying Replies after the server is gone is fine too
}

TEST_F(ServerTest, StartRefusesBadOptions) {
  ServerOptions o;
  o.address = "not-an-ip";
  HttpServer bad(o, dispatcher_, metrics_);
  Result<uint16_t> r = bad.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors().front().field, "address");

  ServerOptions taken;
  taken.address = "127.0.0.1";
  taken.port = port_;  // already bound by the fixture's server
  taken.logger = &log_;
  HttpServer second(taken, dispatcher_, metrics_);
  r = second.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors().front().field, "port");

  ServerOptions code;
  code.node_code = "TOO-LONG";
  HttpServer third(code, dispatcher_, metrics_);
  EXPECT_FALSE(third.Start().ok());
}

}  // namespace
}  // namespace yibao
