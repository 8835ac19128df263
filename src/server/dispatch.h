// infno → handler. The transactions (sign-in 9001, 2201…2208, 2401…, 5xxx) register here; the
// server parses the envelope, dispatches it, and writes the reply when the handler answers.
//
// Threading contract:
//  - Register() before the server starts; the registry is then read-only, so Dispatch() runs on
//    every I/O thread at once without locks. Register() is not safe concurrently with Dispatch().
//  - A handler is called on an I/O thread and must not block it: no disk, no network, no waiting
//    on a lock held for long. Work that must wait (a ledger commit) is handed to another thread
//    with the Reply, and the Reply is called when it is done (e.g. when the batch is durable).
//  - A handler may run concurrently with itself (different connections, different threads).
//  - Reply must be called exactly once, from any thread, at any time (even after the server has
//    stopped: the reply is then dropped). The server ignores calls after the first, and a Reply
//    destroyed without being called answers "gave no reply" (infcode −1), so a lost callback never
//    leaves a connection hanging.
//  - The Envelope (and its input_json) stays valid until the Reply is called or destroyed: copies
//    of the Reply keep the request alive, so a handler may read `env` from its worker thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/envelope.h"

namespace yibao {

class Logger;

struct TransactionResult {
  int infcode = 0;          // 0 success, −1 failure (the national values)
  std::string err_msg;      // empty on success
  std::string output_json;  // the `output` object as JSON text; empty means {}

  static TransactionResult Ok(std::string output_json = {}) {
    return {0, {}, std::move(output_json)};
  }
  static TransactionResult Fail(std::string err_msg) { return {-1, std::move(err_msg), {}}; }
};

using Reply = std::function<void(TransactionResult)>;
using Handler = std::function<void(const Envelope&, Reply)>;

class Dispatcher {
 public:
  // `logger` (optional, not owned) hears about handlers that throw.
  explicit Dispatcher(Logger* logger = nullptr) : logger_(logger) {}

  // False when `infno` is not 4 digits, is already registered, or `handler` is empty.
  [[nodiscard]] bool Register(std::string_view infno, Handler handler);

  bool Has(std::string_view infno) const { return Find(infno) != nullptr; }
  // The registered transaction numbers, in ascending order.
  std::vector<std::string> infnos() const;

  // Calls the handler for env.infno with `reply`. An unknown infno is answered at once with
  // infcode −1 and "unknown infno XXXX". A handler that throws is answered with infcode −1
  // ("internal error in transaction XXXX"; the exception goes to the log, not to the HIS); if it
  // had already replied, the server keeps the first answer.
  void Dispatch(const Envelope& env, Reply reply) const;

 private:
  const Handler* Find(std::string_view infno) const;

  std::vector<std::pair<uint16_t, Handler>> handlers_;  // sorted by infno
  Logger* logger_;
};

}  // namespace yibao
