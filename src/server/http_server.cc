#include "server/http_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/thread_name.h"
#include "interface/bill_json.h"
#include "server/envelope.h"

namespace yibao {
namespace server_detail {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kJsonType = "application/json; charset=utf-8";
constexpr std::string_view kTextType = "text/plain; charset=utf-8";
constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Lingering close after an error response: how long, and how much, to read and discard.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 64 << 20;

class Session;

// What a Reply needs to reach its connection's thread. `ioc` is cleared (under `mu`) once the
// server has stopped, so a Reply called later, from any thread, is dropped instead of touching a
// destroyed io_context.
struct LoopGate {
  std::mutex mu;
  net::io_context* ioc = nullptr;
};

// One I/O thread and its io_context. `sessions` and `draining` are touched only on `thread`.
struct Loop {
  net::io_context ioc{1};
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  std::shared_ptr<LoopGate> gate = std::make_shared<LoopGate>();
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;  // owns the connections
  bool draining = false;
  std::thread thread;

  Loop() { gate->ioc = &ioc; }
};

}  // namespace

struct Core {
  Core(ServerOptions o, Dispatcher& d, Metrics& m)
      : options(std::move(o)),
        dispatcher(d),
        metrics(m),
        clock(options.clock ? *options.clock : SystemClock::Instance()),
        log(options.logger ? *options.logger : default_logger) {}

  ServerOptions options;
  Dispatcher& dispatcher;
  Metrics& metrics;
  const Clock& clock;
  Logger default_logger;
  Logger& log;

  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<tcp::acceptor> acceptor;  // on loops[0]
  std::optional<net::steady_timer> accept_retry;
  size_t next_loop = 0;  // acceptor thread only

  std::atomic<uint16_t> port{0};
  std::atomic<uint64_t> refmsg_seq{0};
  std::atomic<size_t> open{0};  // connections accepted and not yet closed
  std::atomic<bool> stopping{false};
  std::mutex mu;  // with cv: Stop() waits for `open` to reach 0
  std::condition_variable cv;

  std::mutex phase_mu;  // serialises Start() and Stop()
  enum class Phase { kNew, kRunning, kStopped } phase = Phase::kNew;

  void AppendRefMsgId(std::string& out, std::chrono::system_clock::time_point now) {
    out += options.node_code;
    AppendCompactTime(out, now);
    uint64_t seq = refmsg_seq.fetch_add(1, std::memory_order_relaxed) % 10'000'000'000ull;
    fmt::format_to(std::back_inserter(out), "{:010}", seq);
  }

  void ConnectionClosed() {
    if (open.fetch_sub(1) == 1) {
      std::lock_guard lock(mu);
      cv.notify_all();
    }
  }

  void DoAccept();
  void OnAccept(Loop& target, beast::error_code ec, tcp::socket socket);
};

namespace {

// The request a handler works on. Shared by the Reply copies, so the envelope (whose input_json
// points into `body`) stays valid until the last Reply is gone, whatever happens to the connection.
struct CallContext {
  std::string body;
  Envelope envelope;
};

constexpr std::string_view kAdminPrefix = "/admin/";

// A 500 from the admin API when the handler failed to answer.
AdminResponse AdminInternalError(std::string_view why) {
  std::string body = R"({"error":)";
  AppendJsonString(body, why);
  body += "}";
  return AdminResponse{500, std::move(body)};
}

class ReplyState;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& core, Loop& loop, tcp::socket socket)
      : core_(core), loop_(loop), stream_(std::move(socket)) {
    core_.metrics.ConnectionOpened();
  }

  void Start() { ReadHeader(); }

  // Stop(): close now if waiting for a request; otherwise after the reply in progress.
  void Drain() {
    if (state_ == State::kReadingHeader || state_ == State::kLingering)
      Close();
    else
      close_after_write_ = true;
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    auto self = shared_from_this();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    loop_.sessions.erase(this);
    core_.metrics.ConnectionClosed();
    core_.ConnectionClosed();
  }

  // A Reply called on this thread while Dispatch() is still running: kept and written when
  // Dispatch() returns (no post, no re-entry).
  bool TakeSyncReply(uint64_t seq, TransactionResult& r) {
    if (!in_dispatch_ || seq != seq_ || state_ != State::kHandling) return false;
    sync_result_ = std::move(r);
    return true;
  }

  void OnReply(uint64_t seq, TransactionResult r) {
    if (state_ != State::kHandling || seq != seq_) return;  // closed, or a stale answer
    FinishCall(std::move(r));
  }

  // The same two paths for an admin answer.
  bool TakeSyncAdminReply(uint64_t seq, AdminResponse& r) {
    if (!in_dispatch_ || seq != seq_ || state_ != State::kHandling) return false;
    sync_admin_ = std::move(r);
    return true;
  }

  void OnAdminReply(uint64_t seq, AdminResponse r) {
    if (state_ != State::kHandling || seq != seq_) return;
    FinishAdmin(std::move(r));
  }

 private:
  enum class State { kReadingHeader, kReadingBody, kHandling, kWriting, kLingering, kClosed };

  void ReadHeader() {
    state_ = State::kReadingHeader;
    head_only_ = false;
    parser_.emplace();
    parser_->header_limit(uint32_t(core_.options.header_limit));
    // The parser checks Content-Length while it reads the header, before the path is known: let
    // the larger limit through here and apply the route's own in OnHeader.
    size_t limit = core_.options.body_limit;
    if (core_.options.admin) limit = std::max(limit, core_.options.admin_body_limit);
    parser_->body_limit(limit);
    body_limit_ = core_.options.body_limit;
    stream_.expires_after(core_.options.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec) return FailRead(ec);
    keep_alive_ = parser_->get().keep_alive();
    head_only_ = parser_->get().method() == http::verb::head;
    body_limit_ = IsAdmin() ? core_.options.admin_body_limit : core_.options.body_limit;
    if (auto length = parser_->content_length(); length && *length > body_limit_)
      return FailRead(http::error::body_limit);
    if (parser_->is_done()) return Handle();
    parser_->body_limit(body_limit_);
    state_ = State::kReadingBody;
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      stream_.expires_after(core_.options.write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (self->state_ == State::kClosed) return;
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    state_ = State::kReadingBody;
    stream_.expires_after(core_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->state_ == State::kClosed) return;
                       if (ec) return self->FailRead(ec);
                       self->Handle();
                     });
  }

  void FailRead(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // Refused by the parser while reading the header: the header (and so the route) is known.
      if (state_ == State::kReadingHeader)
        body_limit_ = IsAdmin() ? core_.options.admin_body_limit : core_.options.body_limit;
      return SendError(413, fmt::format("request body larger than {} bytes", body_limit_));
    }
    if (ec == http::error::header_limit) {
      return SendError(
          431, fmt::format("request header larger than {} bytes", core_.options.header_limit));
    }
    // The client went away, was idle too long, or stopped in the middle: nobody to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec.category() == boost::system::system_category())
      return Close();
    SendError(400, "malformed HTTP request: " + ec.message());
  }

  void Handle() {
    received_ = SteadyClock::now();
    auto& req = parser_->get();
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    http::verb method = req.method();
    if (path == HttpServer::kCallServicePath) {
      if (method != http::verb::post) return SendMethodNotAllowed("POST");
      return HandleCall(std::move(req.body()));
    }
    if (IsAdmin()) return HandleAdmin(std::move(req.body()));
    if (path == "/metrics" || path == "/healthz") {
      if (method != http::verb::get && method != http::verb::head)
        return SendMethodNotAllowed("GET");
      body_.clear();
      if (path == "/metrics") {
        core_.metrics.Render(body_);
        return Send(200, kMetricsType);
      }
      body_ = "ok\n";
      return Send(200, kTextType);
    }
    std::string shown(path.substr(0, 200));
    WriteErrorEnvelope("no such path: " + shown);
    Send(404, kJsonType);
  }

  void HandleCall(std::string body) {
    auto now = core_.clock.Now();
    refmsgid_.clear();
    core_.AppendRefMsgId(refmsgid_, now);
    refmsg_time_.clear();
    AppendTime(refmsg_time_, now);
    state_ = State::kHandling;
    uint64_t seq = ++seq_;

    auto ctx = std::make_shared<CallContext>();
    ctx->body = std::move(body);
    Result<Envelope> env = ParseEnvelope(ctx->body);
    if (!env) {
      const Diagnostic& d = env.errors().front();
      infno_ = "none";
      core_.log.Log(LogLevel::kWarn, "bad_envelope",
                    {{"field", d.field}, {"error", d.message}, {"bytes", ctx->body.size()}});
      return FinishCall(TransactionResult::Fail(d.ToString()));
    }
    ctx->envelope = std::move(env.value());
    infno_ = ctx->envelope.infno;
    if (core_.log.Enabled(LogLevel::kDebug)) msgid_ = ctx->envelope.msgid;

    Reply reply = MakeReply(seq, ctx);
    in_dispatch_ = true;
    core_.dispatcher.Dispatch(ctx->envelope, std::move(reply));
    in_dispatch_ = false;
    if (sync_result_) {
      TransactionResult r = std::move(*sync_result_);
      sync_result_.reset();
      OnReply(seq, std::move(r));
    }
  }

  Reply MakeReply(uint64_t seq, std::shared_ptr<const CallContext> ctx);

  // Whether the request whose header has been read goes to the admin handler.
  bool IsAdmin() const {
    if (!core_.options.admin) return false;
    auto target = parser_->get().target();
    return std::string_view(target.data(), target.size()).starts_with(kAdminPrefix);
  }

  void HandleAdmin(std::string body) {
    auto& req = parser_->get();
    auto request = std::make_shared<AdminRequest>();
    auto method = req.method_string();
    request->method.assign(method.data(), method.size());
    request->target.assign(req.target().data(), req.target().size());
    request->body = std::move(body);
    auto auth = req[http::field::authorization];
    request->authorization.assign(auth.data(), auth.size());
    state_ = State::kHandling;
    uint64_t seq = ++seq_;
    admin_method_ = request->method;
    admin_path_ = request->target.substr(0, std::min(request->target.find('?'), size_t(200)));

    AdminReply reply = MakeAdminReply(seq, request);
    in_dispatch_ = true;
    try {
      core_.options.admin(*request, reply);
    } catch (const std::exception& e) {
      core_.log.Log(LogLevel::kError, "admin_handler_exception",
                    {{"method", admin_method_}, {"path", admin_path_}, {"what", e.what()}});
      reply(AdminInternalError("internal error"));  // ignored if it had answered already
    } catch (...) {
      core_.log.Log(LogLevel::kError, "admin_handler_exception",
                    {{"method", admin_method_}, {"path", admin_path_}, {"what", "unknown"}});
      reply(AdminInternalError("internal error"));
    }
    reply = nullptr;
    in_dispatch_ = false;
    if (sync_admin_) {
      AdminResponse r = std::move(*sync_admin_);
      sync_admin_.reset();
      OnAdminReply(seq, std::move(r));
    }
  }

  AdminReply MakeAdminReply(uint64_t seq, std::shared_ptr<const AdminRequest> request);

  void FinishAdmin(AdminResponse r) {
    int status = r.status >= 100 && r.status <= 599 ? r.status : 500;
    body_ = std::move(r.body);
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - received_)
            .count();
    core_.log.Log(LogLevel::kInfo, "admin",
                  {{"method", admin_method_},
                   {"path", admin_path_},
                   {"status", status},
                   {"us", int64_t(micros)}});
    Send(status, kJsonType);
  }

  void FinishCall(TransactionResult r) {
    body_.clear();
    std::string respond_time;
    AppendTime(respond_time, core_.clock.Now());
    WriteReply(body_, r.infcode, refmsgid_, refmsg_time_, respond_time, r.err_msg, r.output_json);
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - received_)
            .count();
    core_.metrics.ObserveTransaction(infno_, r.infcode, uint64_t(std::max<int64_t>(micros, 0)));
    if (core_.log.Enabled(LogLevel::kDebug))
      core_.log.Log(LogLevel::kDebug, "call",
                    {{"infno", infno_},
                     {"msgid", msgid_},
                     {"inf_refmsgid", refmsgid_},
                     {"infcode", r.infcode},
                     {"us", int64_t(micros)}});
    Send(200, kJsonType);
  }

  // A JSON envelope with infcode −1 in body_ (404, 405, 413, …).
  void WriteErrorEnvelope(std::string_view err_msg) {
    auto now = core_.clock.Now();
    std::string refmsgid, time;
    core_.AppendRefMsgId(refmsgid, now);
    AppendTime(time, now);
    body_.clear();
    WriteReply(body_, -1, refmsgid, time, time, err_msg, {});
  }

  void SendMethodNotAllowed(std::string_view allow) {
    WriteErrorEnvelope(fmt::format("method not allowed; use {}", allow));
    Send(405, kJsonType, fmt::format("Allow: {}\r\n", allow));
  }

  // An HTTP-level error: the rest of the request was not read, so the connection is closed after
  // the response (lingering, see Linger()).
  void SendError(int status, std::string_view message) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    core_.log.Log(LogLevel::kWarn, "http_error",
                  {{"status", status},
                   {"error", message},
                   {"peer", ec ? std::string() : peer.address().to_string()}});
    WriteErrorEnvelope(message);
    keep_alive_ = false;
    linger_after_write_ = true;
    Send(status, kJsonType);
  }

  // Writes the status line and headers into head_ and sends them with body_ (one gathered write).
  void Send(int status, std::string_view content_type, std::string_view extra_headers = {}) {
    bool keep = keep_alive_ && !close_after_write_;
    head_.clear();
    auto reason = http::obsolete_reason(http::int_to_status(unsigned(status)));
    fmt::format_to(std::back_inserter(head_),
                   "HTTP/1.1 {} {}\r\nServer: yibao\r\nContent-Type: {}\r\nContent-Length: "
                   "{}\r\nConnection: {}\r\n{}\r\n",
                   status, std::string_view(reason.data(), reason.size()), content_type,
                   body_.size(), keep ? "keep-alive" : "close", extra_headers);
    core_.metrics.ObserveHttpStatus(status);
    state_ = State::kWriting;
    stream_.expires_after(core_.options.write_timeout);
    // A response to HEAD has the headers of the GET response and no body.
    std::array<net::const_buffer, 2> buffers = {
        net::buffer(head_), net::buffer(body_.data(), head_only_ ? 0 : body_.size())};
    net::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec) return Close();
    if (linger_after_write_ || !keep_alive_ || close_after_write_) return Linger();
    ReadHeader();
  }

  // Lingering close: stop sending, then read and discard until the client closes (or 2 s, or
  // 64 MiB), so that unread request bytes do not make the kernel reset the connection before the
  // client has read the response.
  void Linger() {
    state_ = State::kLingering;
    if (loop_.draining) return Close();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    buffer_.clear();
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    LingerRead();
  }

  void LingerRead() {
    stream_.async_read_some(buffer_.prepare(16 << 10),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return self->Close();
                              self->LingerRead();
                            });
  }

  Core& core_;
  Loop& loop_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_;  // response status line and headers
  std::string body_;  // response body
  State state_ = State::kReadingHeader;
  bool keep_alive_ = true;
  bool close_after_write_ = false;   // Stop() is draining
  bool linger_after_write_ = false;  // an HTTP error: the request was not read to its end
  bool head_only_ = false;           // the request is HEAD: send no body
  size_t lingered_ = 0;
  SteadyClock::time_point received_;

  // The call being handled.
  uint64_t seq_ = 0;  // which call a Reply belongs to
  bool in_dispatch_ = false;
  std::optional<TransactionResult> sync_result_;
  std::optional<AdminResponse> sync_admin_;
  std::string admin_method_, admin_path_;  // of the admin call, for its log line
  size_t body_limit_ = 0;                  // of the request being read
  std::string infno_;
  std::string msgid_;  // only when debug logging is on
  std::string refmsgid_;
  std::string refmsg_time_;
};

// Shared by the copies of one Reply: delivers the first answer to the connection's thread, drops
// the rest, and answers "gave no reply" if the last copy is destroyed unanswered.
class ReplyState {
 public:
  ReplyState(std::shared_ptr<LoopGate> gate, std::weak_ptr<Session> session, uint64_t seq,
             std::shared_ptr<const CallContext> ctx)
      : gate_(std::move(gate)), session_(std::move(session)), seq_(seq), ctx_(std::move(ctx)) {}

  ~ReplyState() {
    if (!done_.load(std::memory_order_acquire))
      Deliver(TransactionResult::Fail("internal error: transaction " + ctx_->envelope.infno +
                                      " gave no reply"));
  }

  void Deliver(TransactionResult r) {
    if (done_.exchange(true, std::memory_order_acq_rel)) return;
    std::lock_guard lock(gate_->mu);
    net::io_context* ioc = gate_->ioc;
    if (!ioc) return;  // the server has stopped
    if (ioc->get_executor().running_in_this_thread()) {
      // On the connection's own thread: the session cannot be destroyed under us.
      if (auto s = session_.lock(); s && s->TakeSyncReply(seq_, r)) return;
    }
    net::post(*ioc, [weak = session_, seq = seq_, r = std::move(r)]() mutable {
      if (auto s = weak.lock()) s->OnReply(seq, std::move(r));
    });
  }

 private:
  std::shared_ptr<LoopGate> gate_;
  std::weak_ptr<Session> session_;
  uint64_t seq_;
  std::shared_ptr<const CallContext> ctx_;
  std::atomic<bool> done_{false};
};

// The admin counterpart of ReplyState: first answer wins, a lost one answers 500.
class AdminReplyState {
 public:
  AdminReplyState(std::shared_ptr<LoopGate> gate, std::weak_ptr<Session> session, uint64_t seq,
                  std::shared_ptr<const AdminRequest> request)
      : gate_(std::move(gate)),
        session_(std::move(session)),
        seq_(seq),
        request_(std::move(request)) {}

  ~AdminReplyState() {
    if (!done_.load(std::memory_order_acquire))
      Deliver(AdminInternalError("internal error: " + request_->method + " " +
                                 request_->target.substr(0, request_->target.find('?')) +
                                 " gave no reply"));
  }

  void Deliver(AdminResponse r) {
    if (done_.exchange(true, std::memory_order_acq_rel)) return;
    std::lock_guard lock(gate_->mu);
    net::io_context* ioc = gate_->ioc;
    if (!ioc) return;  // the server has stopped
    if (ioc->get_executor().running_in_this_thread()) {
      if (auto s = session_.lock(); s && s->TakeSyncAdminReply(seq_, r)) return;
    }
    net::post(*ioc, [weak = session_, seq = seq_, r = std::move(r)]() mutable {
      if (auto s = weak.lock()) s->OnAdminReply(seq, std::move(r));
    });
  }

 private:
  std::shared_ptr<LoopGate> gate_;
  std::weak_ptr<Session> session_;
  uint64_t seq_;
  std::shared_ptr<const AdminRequest> request_;  // kept alive for the handler until it answers
  std::atomic<bool> done_{false};
};

AdminReply Session::MakeAdminReply(uint64_t seq, std::shared_ptr<const AdminRequest> request) {
  auto state =
      std::make_shared<AdminReplyState>(loop_.gate, weak_from_this(), seq, std::move(request));
  return [state = std::move(state)](AdminResponse r) { state->Deliver(std::move(r)); };
}

Reply Session::MakeReply(uint64_t seq, std::shared_ptr<const CallContext> ctx) {
  auto state = std::make_shared<ReplyState>(loop_.gate, weak_from_this(), seq, std::move(ctx));
  return [state = std::move(state)](TransactionResult r) { state->Deliver(std::move(r)); };
}

// On the loop's thread (Stop()): idle connections close, busy ones after their reply.
void DrainLoop(Loop& loop) {
  loop.draining = true;
  std::vector<std::shared_ptr<Session>> sessions;
  for (auto& [p, s] : loop.sessions) sessions.push_back(s);
  for (auto& s : sessions) s->Drain();
}

// On the loop's thread (Stop(), after the grace period): everything closes and the thread ends.
void CloseLoop(Loop& loop) {
  std::vector<std::shared_ptr<Session>> sessions;
  for (auto& [p, s] : loop.sessions) sessions.push_back(s);
  for (auto& s : sessions) s->Close();
  loop.ioc.stop();
}

}  // namespace

void Core::DoAccept() {
  Loop& target = *loops[next_loop];
  next_loop = (next_loop + 1) % loops.size();
  acceptor->async_accept(net::any_io_executor(target.ioc.get_executor()),
                         [this, &target](beast::error_code ec, tcp::socket socket) {
                           OnAccept(target, ec, std::move(socket));
                         });
}

void Core::OnAccept(Loop& target, beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping.load()) return;
  if (ec) {
    // Out of descriptors (EMFILE) or a transient network error: wait a little rather than spin.
    log.Log(LogLevel::kWarn, "accept_error", {{"error", ec.message()}});
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](beast::error_code ec) {
      if (!ec && !stopping.load()) DoAccept();
    });
    return;
  }
  if (open.load() >= options.max_connections) {
    log.Log(
        LogLevel::kWarn, "connection_refused",
        {{"reason", "max_connections"}, {"max_connections", uint64_t(options.max_connections)}});
    socket.close(ec);  // and keep accepting
  } else {
    open.fetch_add(1);
    socket.set_option(tcp::no_delay(true), ec);
    net::post(target.ioc, [this, &target, socket = std::move(socket)]() mutable {
      auto session = std::make_shared<Session>(*this, target, std::move(socket));
      target.sessions.emplace(session.get(), session);
      if (target.draining)
        session->Close();
      else
        session->Start();
    });
  }
  DoAccept();
}

}  // namespace server_detail

using server_detail::Core;
using server_detail::Loop;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpServer::HttpServer(ServerOptions options, Dispatcher& dispatcher, Metrics& metrics)
    : core_(std::make_unique<Core>(std::move(options), dispatcher, metrics)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return core_->port.load(); }

Result<uint16_t> HttpServer::Start() {
  Core& c = *core_;
  std::lock_guard phase_lock(c.phase_mu);
  if (c.phase != Core::Phase::kNew) return Diagnostic{"", 0, "", "server already started"};
  const ServerOptions& o = c.options;
  if (o.node_code.size() > 6 || !std::all_of(o.node_code.begin(), o.node_code.end(),
                                             [](char ch) { return ch > 0x20 && ch < 0x7f; }))
    return Diagnostic{"", 0, "node_code", "expected at most 6 visible ASCII characters"};
  if (o.body_limit == 0 || o.body_limit > kMaxEnvelopeBytes)
    return Diagnostic{"", 0, "body_limit", fmt::format("expected 1..{} bytes", kMaxEnvelopeBytes)};
  if (o.admin_body_limit == 0 || o.admin_body_limit > (size_t(1) << 30))
    return Diagnostic{"", 0, "admin_body_limit", "expected 1 byte..1 GiB"};
  if (o.header_limit < 256 || o.header_limit > (1u << 20))
    return Diagnostic{"", 0, "header_limit", "expected 256 bytes..1 MiB"};
  if (o.threads < 0) return Diagnostic{"", 0, "threads", "expected 0 (one per core) or more"};

  boost::system::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec) return Diagnostic{"", 0, "address", "not an IP address: \"" + o.address + "\""};

  int threads = o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) c.loops.push_back(std::make_unique<Loop>());

  tcp::endpoint endpoint(address, o.port);
  c.acceptor.emplace(c.loops[0]->ioc);
  auto fail = [&](std::string message) -> Result<uint16_t> {
    c.acceptor.reset();
    c.loops.clear();
    return Diagnostic{"", 0, "port", std::move(message)};
  };
  c.acceptor->open(endpoint.protocol(), ec);
  if (!ec) c.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) c.acceptor->bind(endpoint, ec);
  if (ec) return fail(fmt::format("cannot bind {}:{}: {}", o.address, o.port, ec.message()));
  c.acceptor->listen(o.backlog, ec);
  if (ec) return fail(fmt::format("cannot listen on {}:{}: {}", o.address, o.port, ec.message()));
  c.port = c.acceptor->local_endpoint(ec).port();
  c.accept_retry.emplace(c.loops[0]->ioc);
  c.DoAccept();

  for (auto& loop : c.loops) {
    loop->thread = std::thread([&c, l = loop.get()] {
      for (;;) {
        try {
          l->ioc.run();
          return;
        } catch (const std::exception& e) {  // a bug in a completion handler: log, keep serving
          c.log.Log(LogLevel::kError, "io_thread_exception", {{"what", e.what()}});
        }
      }
    });
    NameThread(loop->thread, "yb-io");
  }
  c.phase = Core::Phase::kRunning;
  c.log.Log(LogLevel::kInfo, "listening",
            {{"address", o.address}, {"port", unsigned(c.port.load())}, {"threads", threads}});
  return c.port.load();
}

void HttpServer::Stop() {
  Core& c = *core_;
  std::lock_guard phase_lock(c.phase_mu);
  if (c.phase != Core::Phase::kRunning) return;
  c.stopping = true;

  // 1. No new connections.
  net::post(c.loops[0]->ioc, [&c] {
    boost::system::error_code ec;
    c.acceptor->close(ec);
    c.accept_retry->cancel();
  });
  // 2. Idle connections close now; busy ones after their reply.
  for (auto& loop : c.loops) {
    net::post(loop->ioc, [l = loop.get()] { server_detail::DrainLoop(*l); });
  }
  {
    std::unique_lock lock(c.mu);
    c.cv.wait_for(lock, c.options.shutdown_grace, [&c] { return c.open.load() == 0; });
  }
  // 3. Whatever is left closes; the threads end.
  for (auto& loop : c.loops) {
    net::post(loop->ioc, [l = loop.get()] { server_detail::CloseLoop(*l); });
  }
  for (auto& loop : c.loops) loop->thread.join();
  for (auto& loop : c.loops) {
    std::lock_guard lock(loop->gate->mu);
    loop->gate->ioc = nullptr;  // late Replies are dropped from now on
  }
  c.accept_retry.reset();
  c.acceptor.reset();
  c.loops.clear();  // destroys what is still queued, and the connections it holds
  c.phase = Core::Phase::kStopped;
  c.log.Log(LogLevel::kInfo, "stopped", {{"port", unsigned(c.port.load())}});
}

}  // namespace yibao
