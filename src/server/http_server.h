// The national-interface HTTP server (Boost.Beast on Asio).
//
// Routes
//   POST /fsi/api/rsfComIfsService/callService   envelope → Dispatcher → reply envelope
//   GET  /metrics                                Prometheus text (Metrics::Render)
//   GET  /healthz                                "ok"
//   *    /admin/...                              ServerOptions::admin (404 when unset)
//   anything else                                404 (405 for a known path with the wrong method),
//                                                with a JSON envelope (infcode −1)
// A body that is not a readable envelope (malformed JSON, a missing or oversized field) is answered
// with HTTP 200 and infcode −1, err_msg naming the field: that is how the national interface
// reports bad requests. HTTP-level problems get HTTP statuses, a JSON envelope body, and the
// connection closed: 400 (not HTTP), 413 (body above `body_limit`), 431 (header above
// `header_limit`).
//
// Threading model: `threads` I/O threads, each running its own io_context. Accepted connections are
// handed out round robin and a connection lives its whole life on one thread, so a connection's
// state needs no strand and no lock. A handler runs on that I/O thread and must not block it; its
// Reply may come from any thread: the reply is posted back to the connection's io_context and
// written there. One request at a time per connection: the next request (also a pipelined one
// already received) is read only after the reply to the previous one is written, so replies keep
// the order of requests.
//
// The admin API (/admin/…, any method) is handed whole to `admin`: method, target (path and
// query), body and the Authorization header value. Its answer is a status and a JSON body
// (Content-Type application/json). The AdminReply follows the Reply contract of dispatch.h: call it
// once, from any thread (the answer is posted back to the connection's thread); later calls are
// ignored; a reply destroyed without being called, or a handler that throws, answers 500. Admin
// bodies may be up to `admin_body_limit` (a catalogue CSV is larger than an envelope).
//
// Connections: keep-alive (HTTP/1.1 default; HTTP/1.0 with "Connection: keep-alive"), TCP_NODELAY,
// "Expect: 100-continue" answered. Timeouts close the connection: `idle_timeout` while waiting for
// the next request's header, `read_timeout` for a body, `write_timeout` for a response. There is no
// timeout while a handler works (the handler owns the answer; see dispatch.h). After an error
// response the server stops sending and discards what the client still sends for up to 2 s before
// closing, so the client reads the response instead of a reset.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/diagnostic.h"
#include "server/clock.h"
#include "server/dispatch.h"
#include "server/log.h"
#include "server/metrics.h"

namespace yibao {

// A request to the admin API (any path starting with /admin/).
struct AdminRequest {
  std::string method;  // "GET", "PUT", "POST", …
  std::string target;  // path and query, e.g. "/admin/audit?limit=20"
  std::string body;
  std::string authorization;  // the Authorization header's value; empty when absent
};

struct AdminResponse {
  int status = 200;  // 100..599; anything else is sent as 500
  std::string body;  // JSON
};

// Called once per admin request, on an I/O thread (must not block it); answer through the reply.
using AdminReply = std::function<void(AdminResponse)>;
using AdminHandler = std::function<void(const AdminRequest&, AdminReply)>;

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8080;           // 0: any free port (HttpServer::port() says which)
  int threads = 0;                // I/O threads; 0: std::thread::hardware_concurrency()
  size_t body_limit = 1 << 20;    // larger bodies get 413; at most kMaxEnvelopeBytes
  size_t header_limit = 8 << 10;  // larger headers get 431
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Stop(): how long calls already being handled may take to get their replies out.
  std::chrono::milliseconds shutdown_grace{5'000};
  size_t max_connections = 10'000;  // beyond it a new connection is closed at once
  int backlog = 1024;
  // First part of inf_refmsgid (≤ 6 visible ASCII characters, e.g. this node's admdvs). The rest
  // is the receive time (YYYYMMDDHHMMSS, UTC+8) and a 10-digit sequence: 30 characters in all,
  // unique within one running server.
  std::string node_code = "000000";
  // The admin API; unset: /admin/… is 404 like any unknown path.
  AdminHandler admin;
  size_t admin_body_limit = 64 << 20;  // admin request bodies above it get 413
  const Clock* clock = nullptr;        // not owned; null: the system clock
  Logger* logger = nullptr;            // not owned; null: JSON lines to stderr
};

namespace server_detail {
struct Core;
}

class HttpServer {
 public:
  static constexpr std::string_view kCallServicePath = "/fsi/api/rsfComIfsService/callService";

  // `dispatcher` and `metrics` must outlive the server; the dispatcher is read-only once started.
  HttpServer(ServerOptions options, Dispatcher& dispatcher, Metrics& metrics);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads; returns the bound port. Errors name the option at
  // fault ("address", "port", "node_code", …). A server starts at most once.
  Result<uint16_t> Start();
  uint16_t port() const;  // 0 before Start()

  // Graceful stop, idempotent, callable from any thread but not from an I/O thread: stops
  // accepting, closes idle connections at once, lets calls in flight reply for up to
  // `shutdown_grace` (closing each connection after its reply), then closes what is left and joins
  // the threads. Replies that arrive after Stop() are dropped.
  void Stop();

 private:
  std::unique_ptr<server_detail::Core> core_;
};

}  // namespace yibao
