#include "client/his_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <simdjson.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>
#include <thread>

namespace yibao {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using beast::error_code;

// ---- time and msgids ----------------------------------------------------------------------------

namespace {

constexpr int64_t kChinaOffsetSeconds = 8 * 3600;

struct CivilTime {
  int year, month, day, hour, minute, second;
};

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
CivilTime ToCivil(int64_t seconds) {
  int64_t days = seconds / 86400, rem = seconds % 86400;
  if (rem < 0) rem += 86400, --days;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = int(doy - (153 * mp + 2) / 5 + 1);
  const int m = int(mp < 10 ? mp + 3 : mp - 9);
  const int y = int(yoe + era * 400 + (m <= 2));
  return {y, m, d, int(rem / 3600), int(rem % 3600 / 60), int(rem % 60)};
}

int64_t ChinaSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() +
         kChinaOffsetSeconds;
}

void AppendDigits(std::string& out, int value, int width) {
  char buf[16];
  for (int i = width - 1; i >= 0; --i, value /= 10) buf[i] = char('0' + value % 10);
  out.append(buf, size_t(width));
}

}  // namespace

std::string ChinaTimeString(std::chrono::system_clock::time_point t) {
  const CivilTime c = ToCivil(ChinaSeconds(t));
  std::string s;
  s.reserve(19);
  AppendDigits(s, c.year, 4);
  s += '-';
  AppendDigits(s, c.month, 2);
  s += '-';
  AppendDigits(s, c.day, 2);
  s += ' ';
  AppendDigits(s, c.hour, 2);
  s += ':';
  AppendDigits(s, c.minute, 2);
  s += ':';
  AppendDigits(s, c.second, 2);
  return s;
}

MsgidGenerator::MsgidGenerator(std::string fixmedins_code) : code_(std::move(fixmedins_code)) {}

namespace {
std::mutex generators_mu;
auto* generators = new std::map<std::string, std::unique_ptr<MsgidGenerator>>;  // never freed
}  // namespace

MsgidGenerator& MsgidGenerator::For(const std::string& fixmedins_code) {
  std::lock_guard lock(generators_mu);
  auto& g = (*generators)[fixmedins_code];
  if (!g) g = std::make_unique<MsgidGenerator>(fixmedins_code);
  return *g;
}

int64_t MsgidGenerator::last_second() const {
  std::lock_guard lock(mu_);
  return second_;
}

void WaitUntilMsgidSecondsPass() {
  int64_t last = -1;
  {
    std::lock_guard lock(generators_mu);
    for (const auto& [code, g] : *generators) last = std::max(last, g->last_second());
  }
  if (last < 0) return;
  while (ChinaSeconds(std::chrono::system_clock::now()) <= last)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::string MsgidGenerator::Next() { return Next(std::chrono::system_clock::now()); }

std::string MsgidGenerator::Next(std::chrono::system_clock::time_point now) {
  constexpr uint32_t kDecimal = 10'000, kMore = 26u * 36 * 36 * 36;
  int64_t second;
  uint32_t seq;
  {
    std::lock_guard lock(mu_);
    const int64_t s = ChinaSeconds(now);
    if (s > second_) {
      second_ = s;
      seq_ = 0;
    }
    // A clock that steps back keeps counting in the newest second seen; 1.2 M msgids in one
    // second from one institution borrow the next second.
    if (seq_ >= kDecimal + kMore) {
      ++second_;
      seq_ = 0;
    }
    second = second_;
    seq = seq_++;
  }
  const CivilTime c = ToCivil(second);
  std::string id;
  id.reserve(code_.size() + 18);
  id += code_;
  AppendDigits(id, c.year, 4);
  AppendDigits(id, c.month, 2);
  AppendDigits(id, c.day, 2);
  AppendDigits(id, c.hour, 2);
  AppendDigits(id, c.minute, 2);
  AppendDigits(id, c.second, 2);
  if (seq < kDecimal) {
    AppendDigits(id, int(seq), 4);
  } else {
    // A letter first: never equal to a decimal sequence of the same second.
    static constexpr char kBase36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint32_t m = seq - kDecimal;
    char tail[4];
    tail[0] = char('A' + m / (36 * 36 * 36));
    m %= 36 * 36 * 36;
    tail[1] = kBase36[m / (36 * 36)];
    tail[2] = kBase36[m / 36 % 36];
    tail[3] = kBase36[m % 36];
    id.append(tail, 4);
  }
  return id;
}

// ---- JSON helpers
// ---------------------------------------------------------------------------------

// AppendJsonString: the one of src/interface (bill_json.h), so a binary linking both has one.

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

namespace {

// simdjson reads up to SIMDJSON_PADDING bytes past the end: parse from a padded private copy.
simdjson::padded_string_view Padded(std::string_view text) {
  thread_local std::string buffer;
  buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(text);
  return simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity());
}

// A scalar value as text; nullopt for objects, arrays and errors.
std::optional<std::string> ScalarText(simdjson::ondemand::value v) {
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return std::nullopt;
  switch (type) {
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return std::nullopt;
      return std::string(s);
    }
    case simdjson::ondemand::json_type::number:
    case simdjson::ondemand::json_type::boolean: {
      std::string_view token = v.raw_json_token();
      while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                token.back() == '\r' || token.back() == '\t'))
        token.remove_suffix(1);
      return std::string(token);
    }
    case simdjson::ondemand::json_type::null:
      return std::string();
    default:
      return std::nullopt;
  }
}

}  // namespace

bool ParseReplyEnvelope(std::string_view body, CallResult& result) {
  thread_local simdjson::ondemand::parser parser;
  result.infcode = -1;
  result.output_json = "{}";
  auto fail = [&](std::string_view why) {
    result.infcode = -1;
    result.err_msg = "reply is not an envelope: ";
    result.err_msg += why;
    return false;
  };
  simdjson::ondemand::document doc;
  if (parser.iterate(Padded(body)).get(doc)) return fail("not JSON");
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return fail("not a JSON object");
  bool have_infcode = false;
  std::string err_msg;
  for (auto field : obj) {
    std::string_view key;
    simdjson::ondemand::value v;
    if (field.unescaped_key().get(key) || field.value().get(v)) return fail("malformed JSON");
    if (key == "infcode") {
      auto text = ScalarText(v);
      if (!text || text->empty()) return fail("infcode is not a number");
      char* end = nullptr;
      const long code = std::strtol(text->c_str(), &end, 10);
      if (*end != '\0') return fail("infcode is not a number");
      result.infcode = int(code);
      have_infcode = true;
    } else if (key == "err_msg") {
      auto text = ScalarText(v);
      if (!text) return fail("err_msg is not a string");
      err_msg = std::move(*text);
    } else if (key == "output") {
      simdjson::ondemand::json_type type;
      if (v.type().get(type)) return fail("malformed output");
      std::string_view raw;
      if (type == simdjson::ondemand::json_type::object) {
        simdjson::ondemand::object o;
        if (v.get_object().get(o) || o.raw_json().get(raw)) return fail("malformed output");
        result.output_json.assign(raw);
      } else if (type == simdjson::ondemand::json_type::array) {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) || a.raw_json().get(raw)) return fail("malformed output");
        result.output_json.assign(raw);
      } else if (type != simdjson::ondemand::json_type::null) {
        result.output_json.assign(v.raw_json_token());
      }
    }
  }
  if (!have_infcode) return fail("no infcode");
  result.err_msg = std::move(err_msg);
  return true;
}

std::vector<std::optional<std::string>> JsonTextsAt(std::string_view json,
                                                    const std::vector<std::string_view>& pointers) {
  thread_local simdjson::ondemand::parser parser;
  std::vector<std::optional<std::string>> out(pointers.size());
  simdjson::ondemand::document doc;
  if (parser.iterate(Padded(json)).get(doc)) return out;
  for (size_t i = 0; i < pointers.size(); ++i) {
    simdjson::ondemand::value v;
    if (doc.at_pointer(pointers[i]).get(v)) continue;  // at_pointer rewinds the document first
    out[i] = ScalarText(v);
  }
  return out;
}

std::optional<std::string> JsonTextAt(std::string_view json, std::string_view pointer) {
  return JsonTextsAt(json, {pointer})[0];
}

// ---- the wire: what HisClient and AsyncHisClient share
// --------------------------------------------------------------------------------

std::string HttpRequestHead(const HisClientOptions& o, std::string_view method,
                            std::string_view target, size_t body_size, std::string_view token) {
  std::string head;
  head.reserve(256);
  head.append(method);
  head += ' ';
  head.append(target);
  head += " HTTP/1.1\r\nHost: ";
  head += o.host;
  head += ':';
  head += std::to_string(o.port);
  head += "\r\nUser-Agent: yibao-his-client\r\n";
  if (body_size > 0 || method == "POST" || method == "PUT") {
    head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: ";
    head += std::to_string(body_size);
    head += "\r\n";
  }
  if (!token.empty()) {
    head += "Authorization: Bearer ";
    head.append(token);
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

std::string BuildHisEnvelope(const HisClientOptions& o, std::string_view sign_no,
                             std::string_view infno, std::string_view msgid,
                             std::string_view input_json) {
  std::string e;
  e.reserve(400 + input_json.size());
  auto field = [&](std::string_view name, std::string_view value) {
    e += '"';
    e += name;
    e += "\":";
    AppendJsonString(e, value);
    e += ',';
  };
  e += '{';
  field("infno", infno);
  field("msgid", msgid);
  field("mdtrtarea_admvs", o.mdtrtarea_admvs);
  field("insuplc_admdvs", o.insuplc_admdvs);
  field("recer_sys_code", o.recer_sys_code);
  field("dev_no", "");
  field("dev_safe_info", "");
  field("cainfo", "");
  field("signtype", "");
  field("infver", o.infver);
  field("opter_type", o.opter_type);
  field("opter", o.opter);
  field("opter_name", o.opter_name);
  field("inf_time", ChinaTimeString(std::chrono::system_clock::now()));
  field("fixmedins_code", o.fixmedins_code);
  field("fixmedins_name", o.fixmedins_name);
  field("sign_no", sign_no);
  e += "\"input\":";
  e += input_json.empty() ? std::string_view("{}") : input_json;
  e += '}';
  return e;
}

void ReadCallReply(int http_status, std::string body, std::string transport_error,
                   CallResult& result) {
  result.http_status = http_status;
  if (http_status == 0) {
    result.err_msg = std::move(transport_error);
    return;
  }
  result.raw = std::move(body);
  if (!ParseReplyEnvelope(result.raw, result) && http_status != 200)
    result.err_msg = "HTTP " + std::to_string(http_status);
}

std::string SignInInput(const HisClientOptions& o, std::string_view credential) {
  std::string input = R"({"signIn":{"opter_no":)";
  AppendJsonString(input, o.opter);
  input += R"(,"mac":"","ip":"","credential":)";
  AppendJsonString(input, credential);
  input += "}}";
  return input;
}

std::optional<std::string> SignNoOf(CallResult& r) {
  if (!r.ok()) return std::nullopt;
  auto sign_no = JsonTextAt(r.output_json, "/signinoutb/sign_no");
  if (sign_no && !sign_no->empty()) return sign_no;
  r.infcode = -1;
  r.err_msg = "9001 reply has no output.signinoutb.sign_no";
  return std::nullopt;
}

// ---- the connection
// -------------------------------------------------------------------------------

// A blocking TCP socket with send/receive timeouts, shaped as a Beast SyncReadStream /
// SyncWriteStream so that Beast's HTTP parser reads from it directly.
struct HisClient::Conn {
  int fd = -1;
  beast::flat_buffer buffer;

  ~Conn() {
    if (fd >= 0) ::close(fd);
  }

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, error_code& ec) {
    iovec iov[8];
    int n = 0;
    for (auto it = net::buffer_sequence_begin(buffers);
         it != net::buffer_sequence_end(buffers) && n < 8; ++it) {
      net::mutable_buffer b = *it;
      if (b.size() == 0) continue;
      iov[n].iov_base = b.data();
      iov[n].iov_len = b.size();
      ++n;
    }
    ec = {};
    if (n == 0) return 0;
    for (;;) {
      const ssize_t r = ::readv(fd, iov, n);
      if (r > 0) return size_t(r);
      if (r == 0) {
        ec = net::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      ec = (errno == EAGAIN || errno == EWOULDBLOCK)
               ? error_code(beast::error::timeout)
               : error_code(errno, boost::system::system_category());
      return 0;
    }
  }
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    error_code ec;
    const size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  // Sends all of `parts`; false with `ec` on failure.
  bool SendAll(iovec* parts, int count, error_code& ec) {
    msghdr msg{};
    while (count > 0) {
      msg.msg_iov = parts;
      msg.msg_iovlen = size_t(count);
      const ssize_t r = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
      if (r < 0) {
        if (errno == EINTR) continue;
        ec = (errno == EAGAIN || errno == EWOULDBLOCK)
                 ? error_code(beast::error::timeout)
                 : error_code(errno, boost::system::system_category());
        return false;
      }
      size_t sent = size_t(r);
      while (count > 0 && sent >= parts->iov_len) {
        sent -= parts->iov_len;
        ++parts;
        --count;
      }
      if (count > 0) {
        parts->iov_base = static_cast<char*>(parts->iov_base) + sent;
        parts->iov_len -= sent;
      }
    }
    return true;
  }
};

namespace {

std::string ErrnoText(int err) { return std::system_category().message(err); }

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = ms.count() / 1000;
  tv.tv_usec = (ms.count() % 1000) * 1000;
  return tv;
}

// Opens a connected, blocking socket with timeouts; -1 with `error` set on failure.
int Connect(const HisClientOptions& o, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(o.port);
  if (int rc = ::getaddrinfo(o.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    error = "cannot resolve " + o.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  error.clear();
  for (addrinfo* a = list; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      error = "socket: " + ErrnoText(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      do rc = ::poll(&p, 1, int(o.connect_timeout.count()));
      while (rc < 0 && errno == EINTR);
      if (rc == 0) {
        errno = ETIMEDOUT;
        rc = -1;
      } else if (rc > 0) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        errno = err;
        rc = err == 0 ? 0 : -1;
      }
    }
    if (rc == 0) break;
    error = "connect " + o.host + ":" + port + ": " + ErrnoText(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(list);
  if (fd < 0) return -1;
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const timeval tv = ToTimeval(o.io_timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

}  // namespace

// ---- the client
// -------------------------------------------------------------------------------------

HisClient::HisClient(HisClientOptions options)
    : options_(std::move(options)), msgids_(&MsgidGenerator::For(options_.fixmedins_code)) {}

HisClient::~HisClient() = default;

void HisClient::Close() { conn_.reset(); }
bool HisClient::connected() const { return conn_ != nullptr; }

HttpResponse HisClient::Exchange(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view token) {
  const std::string head = HttpRequestHead(options_, method, target, body.size(), token);
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    if (!conn_) {
      std::string error;
      const int fd = Connect(options_, error);
      if (fd < 0) return {0, {}, std::move(error)};
      conn_ = std::make_unique<Conn>();
      conn_->fd = fd;
      ++connects_;
      fresh = true;
    }
    // A kept connection the server has dropped fails on send or shows EOF/reset before any reply
    // byte: resend once on a fresh connection (the msgid makes the repeat harmless).
    const bool may_retry = !fresh && attempt == 0;
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()},
                      {const_cast<char*>(body.data()), body.size()}};
    error_code ec;
    if (!conn_->SendAll(parts, body.empty() ? 1 : 2, ec)) {
      Close();
      if (may_retry) continue;
      return {0, {}, "send: " + ec.message()};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(64 << 10);
    if (method == "HEAD") parser.skip(true);
    http::read(*conn_, conn_->buffer, parser, ec);
    if (ec) {
      const bool nothing_read = ec == http::error::end_of_stream ||
                                ec == net::error::connection_reset || ec == net::error::broken_pipe;
      Close();
      if (may_retry && nothing_read) continue;
      if (ec == http::error::end_of_stream) return {0, {}, "receive: connection closed"};
      return {0, {}, "receive: " + ec.message()};
    }
    auto& res = parser.get();
    HttpResponse out{int(res.result_int()), std::move(res.body()), {}};
    if (!res.keep_alive()) Close();
    return out;
  }
}

std::string HisClient::BuildEnvelope(std::string_view infno, std::string_view msgid,
                                     std::string_view input_json) const {
  return BuildHisEnvelope(options_, sign_no_, infno, msgid, input_json);
}

CallResult HisClient::Call(std::string_view infno, std::string_view input_json, std::string msgid) {
  CallResult result;
  result.msgid = msgid.empty() ? msgids_->Next() : std::move(msgid);
  envelope_ = BuildEnvelope(infno, result.msgid, input_json);
  HttpResponse r = Exchange("POST", options_.target, envelope_, {});
  ReadCallReply(r.status, std::move(r.body), std::move(r.error), result);
  return result;
}

CallResult HisClient::SignIn(std::string_view credential, std::string msgid) {
  CallResult r = Call("9001", SignInInput(options_, credential), std::move(msgid));
  if (auto sign_no = SignNoOf(r)) sign_no_ = std::move(*sign_no);
  return r;
}

AdminResult HisClient::AdminCall(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view token) {
  HttpResponse r = Exchange(method, target, body, token);
  return {r.status, std::move(r.body), std::move(r.error)};
}

}  // namespace yibao
