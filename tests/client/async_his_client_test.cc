// The asynchronous HIS client against the real HttpServer in process: the same envelope, replies,
// keep-alive and reconnect rule as HisClient, and many connections driven by one thread.
#include "client/async_his_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <set>
#include <string>
#include <vector>

#include "client/fake_his_server.h"

namespace yibao {
namespace {

namespace net = boost::asio;
using client_testing::FakeServer;
using client_testing::kCode;
using client_testing::Options;

// Runs `task` on `ctx` (this thread) to its end and returns what it returned.
template <class T>
T RunOn(net::io_context& ctx, net::awaitable<T> task) {
  auto result = net::co_spawn(ctx, std::move(task), net::use_future);
  ctx.restart();
  ctx.run();
  return result.get();
}

TEST(AsyncHisClient, SignsInAndSendsTheEnvelope) {
  FakeServer server;
  net::io_context ctx;
  AsyncHisClient client(ctx.get_executor(), Options(server.port()));
  CallResult s = RunOn(ctx, client.SignIn("demo-H37990000001"));
  ASSERT_TRUE(s.ok()) << s.err_msg << " " << s.raw;
  EXPECT_EQ(client.sign_no(), "SN-H37990000001");

  const std::string input =
      R"({"data":{"psn_no":"37990000000000000001","dept_name":"内科\"一\""}})";
  CallResult r = RunOn(ctx, client.Call("2201", input));
  ASSERT_TRUE(r.ok()) << r.err_msg << " " << r.raw;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(JsonTextAt(r.output_json, "/msgid"), r.msgid);
  EXPECT_EQ(JsonTextAt(r.output_json, "/fixmedins_code"), std::string(kCode));
  EXPECT_EQ(JsonTextAt(r.output_json, "/sign_no"), "SN-H37990000001");
  EXPECT_EQ(JsonTextAt(r.output_json, "/input/data/dept_name"), "内科\"一\"");
  EXPECT_NE(r.output_json.find(input), std::string::npos) << r.output_json;
  EXPECT_EQ(r.msgid.size(), 30u);

  // Failures are replies too, on the same connection.
  for (int i = 0; i < 20; ++i) {
    CallResult f = RunOn(ctx, client.Call("2207", R"({"data":{}})"));
    EXPECT_EQ(f.http_status, 200);
    EXPECT_EQ(f.infcode, -1);
    EXPECT_EQ(f.err_msg, "mdtrt_id: no such visit \"x\"");
  }
  EXPECT_EQ(client.connects(), 1u) << "keep-alive: one connection for every call";
}

TEST(AsyncHisClient, ReconnectsWhenTheServerComesBack) {
  auto server = std::make_unique<FakeServer>();
  const uint16_t port = server->port();
  net::io_context ctx;
  AsyncHisClient client(ctx.get_executor(), Options(port));
  ASSERT_TRUE(RunOn(ctx, client.Call("2201", "{}")).ok());
  server.reset();  // the kept connection is now dead

  CallResult down = RunOn(ctx, client.Call("2201", "{}"));
  EXPECT_TRUE(down.transport_error());
  EXPECT_NE(down.err_msg.find("connect"), std::string::npos) << down.err_msg;

  server = std::make_unique<FakeServer>(port);
  ASSERT_EQ(server->port(), port);
  CallResult again = RunOn(ctx, client.Call("2201", "{}", down.msgid));
  ASSERT_TRUE(again.ok()) << again.err_msg;
  EXPECT_EQ(JsonTextAt(again.output_json, "/msgid"), down.msgid);
  EXPECT_EQ(client.connects(), 2u);

  // A kept connection the server drops while idle is replaced without an error.
  server.reset();
  server = std::make_unique<FakeServer>(port);
  ASSERT_EQ(server->port(), port);
  CallResult after = RunOn(ctx, client.Call("2201", "{}"));
  EXPECT_TRUE(after.ok()) << after.err_msg;
  EXPECT_EQ(client.connects(), 3u);
}

TEST(AsyncHisClient, AdminCallsAndNoServer) {
  uint16_t port;
  {
    FakeServer server;
    port = server.port();
    net::io_context ctx;
    AsyncHisClient client(ctx.get_executor(), Options(port));
    AdminResult denied = RunOn(ctx, client.AdminCall("PUT", "/admin/persons/1", "{}", ""));
    EXPECT_EQ(denied.http_status, 401);
    AdminResult ok =
        RunOn(ctx, client.AdminCall("PUT", "/admin/persons/1", R"({"baseinfo":{}})", "secret"));
    EXPECT_EQ(ok.http_status, 200) << ok.body << ok.error;
    EXPECT_EQ(JsonTextAt(ok.body, "/target"), "/admin/persons/1");
    EXPECT_EQ(JsonTextAt(ok.body, "/body"), R"({"baseinfo":{}})");
    EXPECT_EQ(client.connects(), 1u);
  }
  net::io_context ctx;
  AsyncHisClient client(ctx.get_executor(), Options(port));
  CallResult r = RunOn(ctx, client.Call("2201", "{}"));
  EXPECT_TRUE(r.transport_error());
  EXPECT_FALSE(r.err_msg.empty());
  AdminResult a = RunOn(ctx, client.AdminCall("GET", "/admin/x", "", ""));
  EXPECT_EQ(a.http_status, 0);
  EXPECT_FALSE(a.error.empty());
}

// What the class is for: many connections, each a coroutine, all on this one thread, their calls
// in flight together (the fake 2201 answers from another thread, like the ledger's writer).
TEST(AsyncHisClient, ManyConnectionsOnOneThread) {
  FakeServer server;
  net::io_context ctx;
  constexpr int kClients = 32, kCalls = 40;
  std::vector<std::unique_ptr<AsyncHisClient>> clients;
  std::set<std::string> msgids;
  int failures = 0, running = 0, most_running = 0;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::make_unique<AsyncHisClient>(ctx.get_executor(), Options(server.port())));
    net::co_spawn(
        ctx,
        [&, client = clients.back().get()]() -> net::awaitable<void> {
          for (int i = 0; i < kCalls; ++i) {
            most_running = std::max(most_running, ++running);
            CallResult r = co_await client->Call("2201", "{}");
            --running;
            if (!r.ok()) ++failures;
            msgids.insert(r.msgid);
          }
        },
        net::detached);
  }
  ctx.run();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(msgids.size(), size_t(kClients * kCalls));
  EXPECT_EQ(server.calls(), kClients * kCalls);
  EXPECT_GT(most_running, 1) << "the calls should overlap";
  for (auto& c : clients) EXPECT_EQ(c->connects(), 1u);
}

}  // namespace
}  // namespace yibao
