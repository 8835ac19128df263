// The HIS client as C++20 coroutines on Asio: the same envelopes, msgids, sign-in and reconnect
// rule as HisClient (his_client.h), without a thread per connection. A hospital gateway, or the
// load generator (bench/his_load.cc), drives hundreds of connections from one thread with it:
// a blocking client costs two context switches per call, which on a small machine is CPU the
// server under test no longer has.
//
// One AsyncHisClient = one institution's session over one keep-alive HTTP/1.1 connection. A call
// sent on a kept connection that turns out to be broken is sent once more on a fresh one with the
// same msgid, as HisClient does. Timeouts: `connect_timeout` for the connect, `io_timeout` for
// sending a request and for reading its whole reply.
//
// Thread safety: one call at a time per client, from coroutines on the executor the client was
// made with; with an io_context run by several threads, give each client a strand.
//
// Arguments are views: every call is awaited where it is made (`co_await client.Call(...)`), so
// what they point at outlives the call.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/his_client.h"

namespace yibao {

class AsyncHisClient {
 public:
  AsyncHisClient(boost::asio::any_io_executor executor, HisClientOptions options);
  ~AsyncHisClient();
  AsyncHisClient(const AsyncHisClient&) = delete;
  AsyncHisClient& operator=(const AsyncHisClient&) = delete;

  // As HisClient::Call.
  boost::asio::awaitable<CallResult> Call(std::string_view infno, std::string_view input_json,
                                          std::string msgid = {});
  // As HisClient::SignIn: keeps the sign_no on success.
  boost::asio::awaitable<CallResult> SignIn(std::string_view credential, std::string msgid = {});
  // As HisClient::AdminCall.
  boost::asio::awaitable<AdminResult> AdminCall(std::string_view method, std::string_view target,
                                                std::string_view body, std::string_view token);

  const std::string& sign_no() const { return sign_no_; }
  const HisClientOptions& options() const { return options_; }
  void Close();                                    // the next call reconnects
  uint64_t connects() const { return connects_; }  // TCP connections opened so far

 private:
  struct Conn;
  boost::asio::awaitable<HttpResponse> Exchange(std::string_view method, std::string_view target,
                                                std::string_view body, std::string_view token);

  boost::asio::any_io_executor executor_;
  HisClientOptions options_;
  MsgidGenerator* msgids_;
  std::string sign_no_;
  std::unique_ptr<Conn> conn_;
  uint64_t connects_ = 0;
  std::string envelope_;  // reused request body buffer
};

}  // namespace yibao
