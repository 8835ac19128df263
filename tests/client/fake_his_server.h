// The HttpServer the client tests talk to (his_client_test.cc, async_his_client_test.cc): real
// HTTP in process, fake transaction handlers.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "client/his_client.h"
#include "server/dispatch.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/metrics.h"

namespace yibao::client_testing {

constexpr std::string_view kCode = "H37990000001";

// An HttpServer on 127.0.0.1 with fake handlers:
//   9001 → a sign_no; 2201 → echoes the envelope fields it saw; 2207 → infcode −1 "no visit".
class FakeServer {
 public:
  explicit FakeServer(uint16_t port = 0) : logger_([](std::string_view) {}) {
    EXPECT_TRUE(dispatcher_.Register("9001", [](const Envelope& env, Reply reply) {
      reply(TransactionResult::Ok(R"({"signinoutb":{"sign_time":"2025-03-01 10:00:00",)"
                                  R"("sign_no":"SN-)" +
                                  env.fixmedins_code + R"("}})"));
    }));
    EXPECT_TRUE(dispatcher_.Register("2201", [this](const Envelope& env, Reply reply) {
      ++calls_;
      std::string out =
          "{\"infno\":" + JsonString(env.infno) + ",\"msgid\":" + JsonString(env.msgid) +
          ",\"fixmedins_code\":" + JsonString(env.fixmedins_code) +
          ",\"sign_no\":" + JsonString(env.sign_no) + ",\"inf_time\":" + JsonString(env.inf_time) +
          ",\"input\":" + std::string(env.input_json) + "}";
      // Reply from another thread, as the ledger's writer does.
      std::thread([reply = std::move(reply), out = std::move(out)]() mutable {
        reply(TransactionResult::Ok(std::move(out)));
      }).detach();
    }));
    EXPECT_TRUE(dispatcher_.Register("2207", [](const Envelope&, Reply reply) {
      reply(TransactionResult::Fail("mdtrt_id: no such visit \"x\""));
    }));
    ServerOptions o;
    o.address = "127.0.0.1";
    o.port = port;
    o.threads = 2;
    o.logger = &logger_;
    o.shutdown_grace = std::chrono::milliseconds(200);
    o.admin = [](const AdminRequest& req, AdminReply reply) {
      if (req.authorization != "Bearer secret") return reply({401, R"({"error":"unauthorized"})"});
      reply({200, "{\"method\":" + JsonString(req.method) + ",\"target\":" +
                      JsonString(req.target) + ",\"body\":" + JsonString(req.body) + "}"});
    };
    server_ = std::make_unique<HttpServer>(o, dispatcher_, metrics_);
    auto started = server_->Start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : FormatDiagnostics(started.errors()));
    port_ = started.ok() ? *started : 0;
  }
  ~FakeServer() { Stop(); }
  void Stop() {
    if (server_) server_->Stop();
  }
  uint16_t port() const { return port_; }
  int calls() const { return calls_; }

 private:
  Logger logger_;
  Dispatcher dispatcher_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> calls_{0};
};

inline HisClientOptions Options(uint16_t port) {
  HisClientOptions o;
  o.port = port;
  o.fixmedins_code = std::string(kCode);
  o.fixmedins_name = "青岚市第一人民医院";
  o.io_timeout = std::chrono::milliseconds(10'000);
  return o;
}

}  // namespace yibao::client_testing
