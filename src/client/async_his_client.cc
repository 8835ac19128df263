#include "client/async_his_client.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <utility>

namespace yibao {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using net::ip::tcp;

namespace {
// Errors come back as values, as in HisClient, not as exceptions.
constexpr auto kTuple = net::as_tuple(net::use_awaitable);
}  // namespace

struct AsyncHisClient::Conn {
  explicit Conn(const net::any_io_executor& executor) : stream(executor) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

AsyncHisClient::AsyncHisClient(net::any_io_executor executor, HisClientOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      msgids_(&MsgidGenerator::For(options_.fixmedins_code)) {}

AsyncHisClient::~AsyncHisClient() = default;

void AsyncHisClient::Close() { conn_.reset(); }

net::awaitable<HttpResponse> AsyncHisClient::Exchange(std::string_view method,
                                                      std::string_view target,
                                                      std::string_view body,
                                                      std::string_view token) {
  const std::string head = HttpRequestHead(options_, method, target, body.size(), token);
  const std::string port = std::to_string(options_.port);
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    if (!conn_) {
      tcp::resolver resolver(executor_);
      auto [rerr, endpoints] = co_await resolver.async_resolve(
          options_.host, port, tcp::resolver::numeric_service, kTuple);
      if (rerr)
        co_return HttpResponse{0, {}, "cannot resolve " + options_.host + ": " + rerr.message()};
      auto conn = std::make_unique<Conn>(executor_);
      conn->stream.expires_after(options_.connect_timeout);
      auto [cerr, endpoint] = co_await conn->stream.async_connect(endpoints, kTuple);
      if (cerr)
        co_return HttpResponse{
            0, {}, "connect " + options_.host + ":" + port + ": " + cerr.message()};
      conn->stream.socket().set_option(tcp::no_delay(true));
      conn_ = std::move(conn);
      ++connects_;
      fresh = true;
    }
    // A kept connection the server has dropped fails on send or shows EOF/reset before any reply
    // byte: resend once on a fresh connection (the msgid makes the repeat harmless).
    const bool may_retry = !fresh && attempt == 0;
    const std::array<net::const_buffer, 2> parts = {net::buffer(head), net::buffer(body)};
    conn_->stream.expires_after(options_.io_timeout);
    auto [werr, sent] = co_await net::async_write(conn_->stream, parts, kTuple);
    if (werr) {
      Close();
      if (may_retry) continue;
      co_return HttpResponse{0, {}, "send: " + werr.message()};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(64 << 10);
    if (method == "HEAD") parser.skip(true);
    auto [rerr, read] = co_await http::async_read(conn_->stream, conn_->buffer, parser, kTuple);
    if (rerr) {
      const bool nothing_read = rerr == http::error::end_of_stream ||
                                rerr == net::error::connection_reset ||
                                rerr == net::error::broken_pipe;
      Close();
      if (may_retry && nothing_read) continue;
      if (rerr == http::error::end_of_stream)
        co_return HttpResponse{0, {}, "receive: connection closed"};
      co_return HttpResponse{0, {}, "receive: " + rerr.message()};
    }
    auto& res = parser.get();
    HttpResponse out{int(res.result_int()), std::move(res.body()), {}};
    if (!res.keep_alive()) Close();
    co_return out;
  }
}

net::awaitable<CallResult> AsyncHisClient::Call(std::string_view infno, std::string_view input_json,
                                                std::string msgid) {
  CallResult result;
  result.msgid = msgid.empty() ? msgids_->Next() : std::move(msgid);
  envelope_ = BuildHisEnvelope(options_, sign_no_, infno, result.msgid, input_json);
  HttpResponse r = co_await Exchange("POST", options_.target, envelope_, {});
  ReadCallReply(r.status, std::move(r.body), std::move(r.error), result);
  co_return result;
}

net::awaitable<CallResult> AsyncHisClient::SignIn(std::string_view credential, std::string msgid) {
  const std::string input = SignInInput(options_, credential);
  CallResult r = co_await Call("9001", input, std::move(msgid));
  if (auto sign_no = SignNoOf(r)) sign_no_ = std::move(*sign_no);
  co_return r;
}

net::awaitable<AdminResult> AsyncHisClient::AdminCall(std::string_view method,
                                                      std::string_view target,
                                                      std::string_view body,
                                                      std::string_view token) {
  HttpResponse r = co_await Exchange(method, target, body, token);
  co_return AdminResult{r.status, std::move(r.body), std::move(r.error)};
}

}  // namespace yibao
