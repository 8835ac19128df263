#include "server/dispatch.h"

#include <gtest/gtest.h>

#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "server/log.h"

namespace yibao {
namespace {

Envelope Call(std::string infno) {
  Envelope e;
  e.infno = std::move(infno);
  e.msgid = "M1";
  e.fixmedins_code = "H1";
  e.input_json = R"({"a":1})";
  return e;
}

// Runs Dispatch and returns what the Reply received (once).
TransactionResult DispatchNow(const Dispatcher& d, const Envelope& e) {
  std::optional<TransactionResult> got;
  int calls = 0;
  d.Dispatch(e, [&](TransactionResult r) {
    ++calls;
    if (!got) got = std::move(r);
  });
  EXPECT_EQ(calls, 1);
  return got.value_or(TransactionResult::Fail("no reply"));
}

TEST(Dispatcher, UnknownInfno) {
  Dispatcher d;
  TransactionResult r = DispatchNow(d, Call("9999"));
  EXPECT_EQ(r.infcode, -1);
  EXPECT_EQ(r.err_msg, "unknown infno 9999");
  EXPECT_EQ(r.output_json, "");
}

TEST(Dispatcher, CallsTheRegisteredHandler) {
  Dispatcher d;
  ASSERT_TRUE(d.Register("1101", [](const Envelope& e, Reply reply) {
    reply(TransactionResult::Ok(std::string(e.input_json)));
  }));
  ASSERT_TRUE(d.Register("0001", [](const Envelope&, Reply reply) { reply({}); }));
  EXPECT_TRUE(d.Has("1101"));
  EXPECT_FALSE(d.Has("2207"));
  EXPECT_EQ(d.infnos(), (std::vector<std::string>{"0001", "1101"}));
  TransactionResult r = DispatchNow(d, Call("1101"));
  EXPECT_EQ(r.infcode, 0);
  EXPECT_EQ(r.output_json, R"({"a":1})");
}

TEST(Dispatcher, RefusesBadRegistrations) {
  Dispatcher d;
  auto h = [](const Envelope&, Reply reply) { reply({}); };
  EXPECT_TRUE(d.Register("2207", h));
  EXPECT_FALSE(d.Register("2207", h));  // taken
  EXPECT_FALSE(d.Register("220", h));
  EXPECT_FALSE(d.Register("22a7", h));
  EXPECT_FALSE(d.Register("22070", h));
  EXPECT_FALSE(d.Register("2208", Handler()));
}

TEST(Dispatcher, HandlerMayReplyFromAnotherThread) {
  Dispatcher d;
  std::thread worker;
  ASSERT_TRUE(d.Register("2207", [&worker](const Envelope& e, Reply reply) {
    worker = std::thread(
        [reply = std::move(reply), infno = e.infno] { reply(TransactionResult::Ok("{}")); });
  }));
  std::mutex mu;
  std::optional<TransactionResult> got;
  std::thread::id replied_on;
  d.Dispatch(Call("2207"), [&](TransactionResult r) {
    std::lock_guard lock(mu);
    got = std::move(r);
    replied_on = std::this_thread::get_id();
  });
  auto worker_id = worker.get_id();
  worker.join();
  std::lock_guard lock(mu);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->infcode, 0);
  EXPECT_EQ(replied_on, worker_id);
}

TEST(Dispatcher, HandlerThatThrowsIsAnsweredAndLogged) {
  std::vector<std::string> lines;
  Logger log([&](std::string_view line) { lines.emplace_back(line); });
  Dispatcher d(&log);
  ASSERT_TRUE(d.Register(
      "2207", [](const Envelope&, Reply) -> void { throw std::runtime_error("ledger on fire"); }));
  TransactionResult r = DispatchNow(d, Call("2207"));
  EXPECT_EQ(r.infcode, -1);
  EXPECT_EQ(r.err_msg, "internal error in transaction 2207");  // the HIS never sees the what()
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("event":"handler_exception")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("what":"ledger on fire")"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace yibao
