// A reference hospital-side (HIS) client for the national interface: what a hospital system does to
// talk to `yibao serve` (or to the real platform), and what the load generator (bench/his_load.cc)
// and the end-to-end tests drive the server with.
//
// One HisClient = one institution's session over one keep-alive HTTP/1.1 connection, synchronous:
// Call() builds the national envelope (DOMAIN.md §11) around the transaction's `input`, with this
// institution's code, the sign_no from sign-in (9001) and a fresh msgid, POSTs it to
// /fsi/api/rsfComIfsService/callService, and reads the reply envelope (infcode, err_msg, output).
//
// Connections. The connection is opened on first use and kept. When a kept connection turns out to
// be broken when it is reused (the server closed an idle keep-alive connection, or restarted), the
// call is sent once more on a fresh connection with the same msgid — safe, because the platform
// answers a repeated (fixmedins_code, msgid) with the reply it stored and does nothing else. Any
// other failure (cannot connect, connection lost on a fresh connection, timeout) returns a
// CallResult with http_status 0 and the cause in err_msg; the next call reconnects. A caller that
// wants to ride out a server restart retries the same msgid (see Call's `msgid` argument).
//
// Timeouts: `connect_timeout` for the TCP connect, `io_timeout` for each send and for each wait for
// reply bytes (SO_SNDTIMEO / SO_RCVTIMEO on a blocking socket: one syscall per read, no poll).
//
// msgid: fixmedins_code + yyyyMMddHHmmss (UTC+8) + a 4-character sequence, ≤ 30 characters, from a
// generator shared by every client of the same institution in this process (MsgidGenerator::For),
// so that many connections of one hospital never send the same msgid. The sequence is 4 decimal
// digits for the first 10,000 msgids of a second, then a letter and 3 base-36 characters (1.2 M
// more per second). The platform keeps msgids per institution forever, so a second process of the
// same institution must not reuse a second this one used: a program that may be followed at once
// by another (a load generator run after run) calls WaitUntilMsgidSecondsPass() before it exits;
// two processes of one institution running at the same time need different institutions.
//
// Thread safety: a HisClient is used by one thread at a time. MsgidGenerator is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interface/bill_json.h"  // AppendJsonString

namespace yibao {

struct HisClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string target = "/fsi/api/rsfComIfsService/callService";
  // Envelope fields sent on every call.
  std::string fixmedins_code;  // required (≤ 12 characters for msgids of ≤ 30)
  std::string fixmedins_name;
  std::string mdtrtarea_admvs = "379900";
  std::string insuplc_admdvs = "379900";
  std::string recer_sys_code = "yibao";
  std::string infver = "V1.0";
  std::string opter_type = "1";
  std::string opter = "001";
  std::string opter_name = "yibao-his";
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds io_timeout{30'000};
  size_t body_limit = 64 << 20;  // largest reply body accepted
};

struct CallResult {
  int http_status = 0;      // 0: no HTTP reply (cannot connect, connection lost, timeout)
  int infcode = -1;         // the reply's infcode; −1 when there is no readable reply
  std::string err_msg;      // the reply's err_msg; for a transport or format problem, what it was
  std::string output_json;  // the reply's `output` as raw JSON text; "{}" when absent or null
  std::string raw;          // the whole response body
  std::string msgid;        // the msgid that was sent

  bool ok() const { return http_status == 200 && infcode == 0; }
  bool transport_error() const { return http_status == 0; }
};

struct AdminResult {
  int http_status = 0;  // 0: no HTTP reply (error says why)
  std::string body;
  std::string error;
  bool ok() const { return http_status >= 200 && http_status < 300; }
};

// One HTTP exchange's outcome: status 0 when no reply came (`error` says why).
struct HttpResponse {
  int status = 0;
  std::string body;
  std::string error;
};

class MsgidGenerator {
 public:
  explicit MsgidGenerator(std::string fixmedins_code);
  // The process-wide generator of one institution (created on first use, never destroyed).
  static MsgidGenerator& For(const std::string& fixmedins_code);
  // Thread-safe.
  std::string Next();
  std::string Next(std::chrono::system_clock::time_point now);
  // The newest second (seconds since the epoch, UTC+8) a msgid was issued in; −1 if none.
  int64_t last_second() const;

 private:
  std::string code_;
  mutable std::mutex mu_;
  int64_t second_ = -1;  // the UTC+8 second the counter belongs to (never goes back)
  uint32_t seq_ = 0;
};

class HisClient {
 public:
  explicit HisClient(HisClientOptions options);
  ~HisClient();
  HisClient(const HisClient&) = delete;
  HisClient& operator=(const HisClient&) = delete;

  // Sends transaction `infno` with `input_json` (a JSON object, sent verbatim) and returns the
  // reply. An empty `msgid` takes the next one from the institution's generator; pass the msgid of
  // a call that got no reply to retry it idempotently.
  CallResult Call(std::string_view infno, std::string_view input_json, std::string msgid = {});

  // 9001 with {"signIn":{"opter_no","mac","ip","credential"}}; on success keeps
  // output.signinoutb.sign_no for the envelopes of later calls.
  CallResult SignIn(std::string_view credential, std::string msgid = {});

  // Any other HTTP request on the same connection (the admin API): `body` sent as
  // application/json when not empty, `token` as "Authorization: Bearer <token>" when not empty.
  AdminResult AdminCall(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view token);

  std::string NextMsgid() { return msgids_->Next(); }
  const std::string& sign_no() const { return sign_no_; }
  void set_sign_no(std::string sign_no) { sign_no_ = std::move(sign_no); }
  const HisClientOptions& options() const { return options_; }

  // Drops the connection (the next call reconnects).
  void Close();
  bool connected() const;
  uint64_t connects() const { return connects_; }  // TCP connections opened so far

  // The envelope Call() would send (for tests and for signing).
  std::string BuildEnvelope(std::string_view infno, std::string_view msgid,
                            std::string_view input_json) const;

 private:
  struct Conn;
  HttpResponse Exchange(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view token);

  HisClientOptions options_;
  MsgidGenerator* msgids_;
  std::string sign_no_;
  std::unique_ptr<Conn> conn_;
  uint64_t connects_ = 0;
  std::string envelope_;  // reused request body buffer
};

// Sleeps until the wall clock is past every second any MsgidGenerator of this process issued a
// msgid in (at most about a second), so that a process started afterwards for the same
// institution cannot repeat one of them.
void WaitUntilMsgidSecondsPass();

// ---- the wire: what HisClient and AsyncHisClient (async_his_client.h) share
// ----------------------------------------------------------------------------

// The national envelope around `input_json` (sent verbatim; "{}" when empty) for institution `o`.
std::string BuildHisEnvelope(const HisClientOptions& o, std::string_view sign_no,
                             std::string_view infno, std::string_view msgid,
                             std::string_view input_json);
// An HTTP/1.1 request head (through the blank line) for a body of `body_size` bytes of JSON.
std::string HttpRequestHead(const HisClientOptions& o, std::string_view method,
                            std::string_view target, size_t body_size, std::string_view token);
// Fills `result` from an HTTP reply (status 0: none came, `transport_error` says why).
void ReadCallReply(int http_status, std::string body, std::string transport_error,
                   CallResult& result);
// 9001's input for `credential`.
std::string SignInInput(const HisClientOptions& o, std::string_view credential);
// A 9001 reply's sign_no; for an ok reply without one, `r` is made an error saying so.
std::optional<std::string> SignNoOf(CallResult& r);

// ---- JSON helpers for building inputs and reading outputs
// ----------------------------------------

// `s` as a JSON string literal (quotes included); AppendJsonString (interface/bill_json.h) appends
// one.
std::string JsonString(std::string_view s);

// The reply envelope read into a CallResult (infcode, err_msg, output_json); false with err_msg set
// when `body` is not a reply envelope.
bool ParseReplyEnvelope(std::string_view body, CallResult& result);

// The value at an RFC 6901 JSON pointer ("/signinoutb/sign_no") of `json` as text: a string's
// contents, a number's or boolean's token, "" for null. nullopt when absent, not valid JSON, or an
// object or array.
std::optional<std::string> JsonTextAt(std::string_view json, std::string_view pointer);
// Several pointers of one document in one call.
std::vector<std::optional<std::string>> JsonTextsAt(std::string_view json,
                                                    const std::vector<std::string_view>& pointers);

// "YYYY-MM-DD HH:MM:SS" in China Standard Time (UTC+8).
std::string ChinaTimeString(std::chrono::system_clock::time_point t);

}  // namespace yibao
