// The server end to end over real sockets: a Beast synchronous client talks to HttpServer on
// 127.0.0.1 with test-only handlers registered through the Dispatcher. No assertion is about time;
// a watchdog aborts a test that hangs.
#include "server/http_server.h"

#include "interface/bill_json.h"

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
#include <filesystem>
#include <fstream>
#include <map>
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
  // Any method, with an Authorization header when `authorization` is not empty.
  Response Call(http::verb verb, std::string_view target, std::string body = {},
                std::string_view authorization = {}) {
    Send(verb, target, std::move(body), authorization);
    return Read();
  }
  void Send(http::verb verb, std::string_view target, std::string body,
            std::string_view authorization = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "his-test");
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    if (verb == http::verb::post || verb == http::verb::put)
      req.set(http::field::content_type, "application/json");
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
    if (o.admin_body_limit == ServerOptions().admin_body_limit)
      o.admin_body_limit = admin_body_limit_;
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
  size_t admin_body_limit_ = 256 << 10;
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

// An operator's `top -H` tells the I/O threads from the ledger's (base/thread_name.h).
TEST_F(ServerTest, IoThreadsAreNamed) {
  int named = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    named += name == "yb-io";
  }
  EXPECT_EQ(named, 3);  // the fixture's three I/O threads
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

// ---- The admin API hook -----------------------------------------------------------------------

// An admin handler for the tests: records every request, answers by the path.
//   /admin/echo…      200, {"method":…,"target":…,"body":…,"authorization":…} at once
//   /admin/status/N   status N, at once
//   /admin/later      held until the test answers (from its own thread)
//   /admin/drop       the reply is dropped unanswered
//   /admin/throw      the handler throws
//   /admin/twice      answers 201 then 500
class AdminFixture : public ServerTest {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.admin = [this](const AdminRequest& req, AdminReply reply) {
      {
        std::lock_guard lock(admin_mu_);
        admin_requests_.push_back(req);
      }
      std::string_view path(req.target);
      path = path.substr(0, path.find('?'));
      if (path.starts_with("/admin/echo")) {
        std::string body = "{";
        for (auto [k, v] : {std::pair<const char*, const std::string*>{"method", &req.method},
                            {"target", &req.target},
                            {"body", &req.body},
                            {"authorization", &req.authorization}}) {
          if (body.size() > 1) body += ",";
          body += fmt::format(R"("{}":)", k);
          AppendJsonString(body, *v);
        }
        body += "}";
        return reply(AdminResponse{200, std::move(body)});
      }
      if (path.starts_with("/admin/status/")) {
        int status = std::atoi(std::string(path.substr(14)).c_str());
        return reply(AdminResponse{status, fmt::format(R"({{"status":{}}})", status)});
      }
      if (path == "/admin/later") {
        std::lock_guard lock(admin_mu_);
        held_.push_back(std::move(reply));
        admin_cv_.notify_all();
        return;
      }
      if (path == "/admin/drop") return;
      if (path == "/admin/throw") throw std::runtime_error("admin boom");
      if (path == "/admin/twice") {
        reply(AdminResponse{201, R"({"n":1})"});
        reply(AdminResponse{500, R"({"n":2})"});
        return;
      }
      reply(AdminResponse{404, R"({"error":"no such route"})"});
    };
    StartServer(o);
  }

  AdminReply WaitHeldAdmin() {
    std::unique_lock lock(admin_mu_);
    admin_cv_.wait(lock, [this] { return !held_.empty(); });
    AdminReply r = std::move(held_.front());
    held_.erase(held_.begin());
    return r;
  }

  AdminRequest LastAdminRequest() {
    std::lock_guard lock(admin_mu_);
    return admin_requests_.empty() ? AdminRequest{} : admin_requests_.back();
  }

  std::mutex admin_mu_;
  std::condition_variable admin_cv_;
  std::vector<AdminRequest> admin_requests_;
  std::vector<AdminReply> held_;
};

std::map<std::string, std::string> JsonStrings(const std::string& body) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj)) {
    ADD_FAILURE() << "not a JSON object: " << body;
    return out;
  }
  for (auto [key, value] : obj) {
    std::string_view v;
    if (value.get_string().get(v) == simdjson::SUCCESS) out[std::string(key)] = std::string(v);
  }
  return out;
}

TEST_F(ServerTest, AdminPathsAre404WithoutAHandler) {
  Client client(port_);
  Response res = client.Call(http::verb::get, "/admin/persons/1", "", "Bearer t");
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(ParseReplyBody(res.body()).err_msg, "no such path: /admin/persons/1");
}

TEST_F(AdminFixture, GetPutPostReachTheHandlerWithMethodTargetBodyAndAuthorization) {
  Client client(port_);
  struct Case {
    http::verb verb;
    std::string method, target, body, authorization;
  };
  std::vector<Case> cases = {
      {http::verb::get, "GET", "/admin/echo/persons/37990000000000000001", "", "Bearer tok-1"},
      {http::verb::put, "PUT", "/admin/echo/employers/E1", R"({"emp_name":"青岚机械厂"})",
       "Bearer tok-2"},
      {http::verb::post, "POST", "/admin/echo/contributions?dry=1&x=%20", R"({"psn_no":"1"})", ""},
      {http::verb::delete_, "DELETE", "/admin/echo/x", "", "Basic abc"},
  };
  for (const Case& c : cases) {  // all on one keep-alive connection
    Response res = client.Call(c.verb, c.target, c.body, c.authorization);
    ASSERT_EQ(res.result_int(), 200) << c.target;
    ExpectJsonHeaders(res);
    auto got = JsonStrings(res.body());
    EXPECT_EQ(got["method"], c.method);
    EXPECT_EQ(got["target"], c.target);
    EXPECT_EQ(got["body"], c.body);
    EXPECT_EQ(got["authorization"], c.authorization);
  }
  EXPECT_EQ(LastAdminRequest().method, "DELETE");
  EXPECT_EQ(metrics_.connections_total(), 1u);
  // Paths that only look like the admin prefix are not admin requests.
  EXPECT_EQ(client.Get("/adminx").result_int(), 404);
  EXPECT_EQ(client.Get("/admin").result_int(), 404);
  EXPECT_EQ(LastAdminRequest().method, "DELETE");
  // The national routes are unaffected.
  EXPECT_EQ(ParseReplyBody(client.Post(MakeEnvelope("0001", "N1")).body()).infcode, 0);
}

TEST_F(AdminFixture, StatusCodesPassThrough) {
  Client client(port_);
  for (int status : {200, 201, 400, 401, 404, 409, 500, 503}) {
    Response res = client.Call(http::verb::get, fmt::format("/admin/status/{}", status));
    EXPECT_EQ(res.result_int(), status);
    EXPECT_EQ(res.body(), fmt::format(R"({{"status":{}}})", status));
    ExpectJsonHeaders(res);  // the connection stays usable after any status
  }
  // Not an HTTP status: sent as 500.
  EXPECT_EQ(client.Call(http::verb::get, "/admin/status/42").result_int(), 500);
  EXPECT_EQ(metrics_.http_responses(404), 1u);
  EXPECT_EQ(metrics_.http_responses(500), 2u);  // 500 and the one sent for 42
  EXPECT_TRUE(Logged(R"("event":"admin","method":"GET","path":"/admin/status/409","status":409)"));
}

TEST_F(AdminFixture, AsyncReplyFromAnotherThread) {
  Client client(port_);
  client.Send(http::verb::put, "/admin/later", R"({"a":1})", "Bearer t");
  AdminReply reply = WaitHeldAdmin();
  std::thread::id replier;
  std::thread worker([&] {
    replier = std::this_thread::get_id();
    reply(AdminResponse{202, R"({"done":true})"});
  });
  worker.join();
  Response res = client.Read();
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), R"({"done":true})");
  EXPECT_NE(replier, std::this_thread::get_id());
  // The request stays readable after the handler returned.
  EXPECT_EQ(LastAdminRequest().body, R"({"a":1})");
  // Next request on the same connection is answered normally.
  EXPECT_EQ(client.Call(http::verb::get, "/admin/status/204").result_int(), 204);
}

TEST_F(AdminFixture, PipelinedAdminRequestsKeepTheirOrder) {
  Client client(port_);
  client.Send(http::verb::get, "/admin/later", "");
  client.Send(http::verb::get, "/admin/status/201", "");
  AdminReply reply = WaitHeldAdmin();
  std::thread([r = std::move(reply)] { r(AdminResponse{200, R"({"first":true})"}); }).join();
  Response first = client.Read();
  Response second = client.Read();
  EXPECT_EQ(first.body(), R"({"first":true})");
  EXPECT_EQ(second.result_int(), 201);
}

TEST_F(AdminFixture, LostThrownAndDoubleRepliesAreHandled) {
  Client client(port_);
  Response res = client.Call(http::verb::get, "/admin/drop?x=1");
  EXPECT_EQ(res.result_int(), 500);
  ExpectJsonHeaders(res);
  EXPECT_EQ(JsonStrings(res.body())["error"], "internal error: GET /admin/drop gave no reply");

  res = client.Call(http::verb::post, "/admin/throw", "{}");
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(JsonStrings(res.body())["error"], "internal error");
  EXPECT_TRUE(Logged(R"("event":"admin_handler_exception","method":"POST","path":"/admin/throw")"));

  res = client.Call(http::verb::post, "/admin/twice", "{}");
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res.body(), R"({"n":1})");
  EXPECT_EQ(client.Call(http::verb::get, "/admin/status/200").result_int(), 200);
}

TEST_F(AdminFixture, AdminBodiesHaveTheirOwnLimit) {
  // Above the envelope limit, within the admin one: accepted.
  std::string big(body_limit_ * 2, 'c');
  Client client(port_);
  Response res = client.Call(http::verb::put, "/admin/echo/catalogue", big, "Bearer t");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(LastAdminRequest().body.size(), big.size());
  // The envelope route keeps its own limit.
  Client national(port_);
  res = national.Post(std::string(body_limit_ + 10, ' '));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(ParseReplyBody(res.body()).err_msg, "request body larger than 65536 bytes");
  // Above the admin limit: 413 naming it, and the handler never sees it.
  Client again(port_);
  res =
      again.Call(http::verb::put, "/admin/echo/catalogue", std::string(admin_body_limit_ + 1, 'c'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(ParseReplyBody(res.body()).err_msg,
            fmt::format("request body larger than {} bytes", admin_body_limit_));
  EXPECT_EQ(LastAdminRequest().body.size(), big.size());
}

TEST_F(AdminFixture, RepliesAfterStopAreDropped) {
  Client client(port_);
  client.Send(http::verb::get, "/admin/later", "");
  AdminReply reply = WaitHeldAdmin();
  std::thread stopper([this] { server_->Stop(); });
  reply(AdminResponse{200, R"({"late":false})"});  // still within the grace period
  Response res = client.Read();
  stopper.join();
  EXPECT_EQ(res.body(), R"({"late":false})");
  server_.reset();
  reply(AdminResponse{200, "{}"});  // after the server is gone: dropped, no crash
}

}  // namespace
}  // namespace yibao
