// The HIS client against the real HttpServer in process (fake transaction handlers): the envelope
// it sends, the reply it reads, keep-alive, reconnecting after the server went away, transport
// errors, the admin API, msgids and the JSON helpers.
#include "client/his_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/fake_his_server.h"

namespace yibao {
namespace {

using client_testing::FakeServer;
using client_testing::kCode;
using client_testing::Options;

TEST(HisClient, SignsInAndSendsTheEnvelope) {
  FakeServer server;
  HisClient client(Options(server.port()));
  CallResult s = client.SignIn("demo-H37990000001");
  ASSERT_TRUE(s.ok()) << s.err_msg << " " << s.raw;
  EXPECT_EQ(client.sign_no(), "SN-H37990000001");

  const std::string input =
      R"({"data":{"psn_no":"37990000000000000001","dept_name":"内科\"一\""}})";
  CallResult r = client.Call("2201", input);
  ASSERT_TRUE(r.ok()) << r.err_msg << " " << r.raw;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.infcode, 0);
  EXPECT_EQ(r.err_msg, "");
  EXPECT_EQ(JsonTextAt(r.output_json, "/infno"), "2201");
  EXPECT_EQ(JsonTextAt(r.output_json, "/msgid"), r.msgid);
  EXPECT_EQ(JsonTextAt(r.output_json, "/fixmedins_code"), std::string(kCode));
  EXPECT_EQ(JsonTextAt(r.output_json, "/sign_no"), "SN-H37990000001");
  EXPECT_EQ(JsonTextAt(r.output_json, "/input/data/dept_name"), "内科\"一\"");
  EXPECT_EQ(JsonTextAt(r.output_json, "/inf_time")->size(), 19u);
  // The input object arrives byte-exact.
  EXPECT_NE(r.output_json.find(input), std::string::npos) << r.output_json;
  EXPECT_EQ(r.msgid.size(), 30u);
  EXPECT_EQ(r.msgid.substr(0, 12), kCode);
  EXPECT_EQ(client.connects(), 1u);
}

TEST(HisClient, ReadsFailuresAndKeepsTheConnection) {
  FakeServer server;
  HisClient client(Options(server.port()));
  for (int i = 0; i < 50; ++i) {
    CallResult r = client.Call("2207", R"({"data":{}})");
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.infcode, -1);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.err_msg, "mdtrt_id: no such visit \"x\"");
    EXPECT_EQ(r.output_json, "{}");
  }
  CallResult unknown = client.Call("9999", "{}");
  EXPECT_EQ(unknown.infcode, -1);
  EXPECT_NE(unknown.err_msg.find("9999"), std::string::npos) << unknown.err_msg;
  EXPECT_EQ(client.connects(), 1u) << "keep-alive: one connection for every call";
}

TEST(HisClient, ReconnectsWhenTheServerComesBack) {
  auto server = std::make_unique<FakeServer>();
  const uint16_t port = server->port();
  HisClient client(Options(port));
  ASSERT_TRUE(client.Call("2201", "{}").ok());
  server.reset();  // the kept connection is now dead

  CallResult down = client.Call("2201", "{}");
  EXPECT_TRUE(down.transport_error());
  EXPECT_EQ(down.http_status, 0);
  EXPECT_NE(down.err_msg.find("connect"), std::string::npos) << down.err_msg;

  server = std::make_unique<FakeServer>(port);
  ASSERT_EQ(server->port(), port);
  // Retrying with the msgid of the call that got no reply.
  CallResult again = client.Call("2201", "{}", down.msgid);
  ASSERT_TRUE(again.ok()) << again.err_msg;
  EXPECT_EQ(JsonTextAt(again.output_json, "/msgid"), down.msgid);
  EXPECT_EQ(client.connects(), 2u);

  // A kept connection the server drops (restart while idle) is replaced transparently.
  server.reset();
  server = std::make_unique<FakeServer>(port);
  ASSERT_EQ(server->port(), port);
  CallResult after = client.Call("2201", "{}");
  EXPECT_TRUE(after.ok()) << after.err_msg;
  EXPECT_EQ(client.connects(), 3u);
}

TEST(HisClient, NoServer) {
  uint16_t port;
  {
    FakeServer s;
    port = s.port();
  }
  HisClient client(Options(port));
  CallResult r = client.Call("2201", "{}");
  EXPECT_TRUE(r.transport_error());
  EXPECT_EQ(r.infcode, -1);
  EXPECT_FALSE(r.err_msg.empty());
  AdminResult a = client.AdminCall("GET", "/admin/x", "", "");
  EXPECT_EQ(a.http_status, 0);
  EXPECT_FALSE(a.error.empty());
}

TEST(HisClient, AdminCalls) {
  FakeServer server;
  HisClient client(Options(server.port()));
  AdminResult denied = client.AdminCall("PUT", "/admin/persons/1", "{}", "");
  EXPECT_EQ(denied.http_status, 401);
  AdminResult ok = client.AdminCall("PUT", "/admin/persons/1", R"({"baseinfo":{}})", "secret");
  EXPECT_EQ(ok.http_status, 200) << ok.body << ok.error;
  EXPECT_EQ(JsonTextAt(ok.body, "/method"), "PUT");
  EXPECT_EQ(JsonTextAt(ok.body, "/target"), "/admin/persons/1");
  EXPECT_EQ(JsonTextAt(ok.body, "/body"), R"({"baseinfo":{}})");
  AdminResult missing = client.AdminCall("GET", "/nowhere", "", "");
  EXPECT_EQ(missing.http_status, 404);
  // Envelope calls still work on the same connection.
  EXPECT_TRUE(client.Call("2201", "{}").ok());
  EXPECT_EQ(client.connects(), 1u);
}

TEST(HisClient, ManyClientsOfOneInstitution) {
  FakeServer server;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> msgids;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      HisClient client(Options(server.port()));
      for (int i = 0; i < 200; ++i) {
        CallResult r = client.Call("2201", "{}");
        if (!r.ok()) ++failures;
        std::lock_guard lock(mu);
        msgids.insert(r.msgid);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(msgids.size(), 800u);
  EXPECT_EQ(server.calls(), 800);
}

TEST(MsgidGenerator, FormatAndUniqueness) {
  MsgidGenerator g("H37990000001");
  // 2025-03-01 10:00:00 in UTC+8 = 02:00:00 UTC.
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1740794400));
  EXPECT_EQ(g.Next(t), "H37990000001202503011000000000");
  EXPECT_EQ(g.Next(t), "H37990000001202503011000000001");
  std::set<std::string> seen = {"H37990000001202503011000000000", "H37990000001202503011000000001"};
  for (int i = 2; i < 30'000; ++i) {
    std::string id = g.Next(t);
    EXPECT_EQ(id.size(), 30u) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(g.Next(t).substr(26), "AFFK");  // the 30,001st: 20,000 into the letter range
  // A clock stepping back keeps counting in the newest second.
  EXPECT_EQ(g.Next(t - std::chrono::seconds(5)).substr(12, 14), "20250301100000");
  EXPECT_EQ(g.last_second(), 1740794400 + 8 * 3600);
  // The next second starts over.
  EXPECT_EQ(g.Next(t + std::chrono::seconds(1)), "H37990000001202503011000010000");
}

TEST(Json, Helpers) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(JsonString("青岚"), "\"青岚\"");
  const std::string doc = R"({"a":{"b":"x","n":12.50,"t":true,"z":null,"o":{"p":1},"l":[1,2]}})";
  EXPECT_EQ(JsonTextAt(doc, "/a/b"), "x");
  EXPECT_EQ(JsonTextAt(doc, "/a/n"), "12.50");
  EXPECT_EQ(JsonTextAt(doc, "/a/t"), "true");
  EXPECT_EQ(JsonTextAt(doc, "/a/z"), "");
  EXPECT_EQ(JsonTextAt(doc, "/a/o"), std::nullopt);
  EXPECT_EQ(JsonTextAt(doc, "/a/l/1"), "2");
  EXPECT_EQ(JsonTextAt(doc, "/a/missing"), std::nullopt);
  EXPECT_EQ(JsonTextAt("not json", "/a"), std::nullopt);
  auto many = JsonTextsAt(doc, {"/a/b", "/nothing", "/a/n"});
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0], "x");
  EXPECT_EQ(many[1], std::nullopt);
  EXPECT_EQ(many[2], "12.50");

  CallResult r;
  ASSERT_TRUE(ParseReplyEnvelope(
      R"({"infcode":"0","inf_refmsgid":"1","err_msg":null,"output":{"setlinfo":{"setl_id":"S1"}}})",
      r));
  EXPECT_EQ(r.infcode, 0);
  EXPECT_EQ(r.output_json, R"({"setlinfo":{"setl_id":"S1"}})");
  ASSERT_TRUE(ParseReplyEnvelope(R"({"infcode":-1,"err_msg":"bad","output":null})", r));
  EXPECT_EQ(r.infcode, -1);
  EXPECT_EQ(r.err_msg, "bad");
  EXPECT_EQ(r.output_json, "{}");
  EXPECT_FALSE(ParseReplyEnvelope("<html>", r));
  EXPECT_FALSE(ParseReplyEnvelope(R"({"err_msg":"x"})", r));

  EXPECT_EQ(ChinaTimeString(std::chrono::system_clock::time_point{}), "1970-01-01 08:00:00");
  EXPECT_EQ(
      ChinaTimeString(std::chrono::system_clock::time_point(std::chrono::seconds(1740794400))),
      "2025-03-01 10:00:00");
}

}  // namespace
}  // namespace yibao
