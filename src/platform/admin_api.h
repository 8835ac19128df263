// The admin REST API (docs/formats/admin-api.md): the bureau's operators maintain the register
// (persons, employers, institutions and their credentials), record contributions, read accounts,
// the journal and the audit log, and install new policies and catalogues while the service runs.
//
// Auth: every request carries `Authorization: Bearer <token>`; the constructor's map names the
// operator of each token, and every write is audited under that operator. Missing or unknown → 401.
//
// JSON in and out; an error is {"error":"<field>: <why>"} with 400 (bad input), 401, 404 (no such
// thing), 405 (wrong method), 409 (conflicts with what is stored) or 500 (the store failed). Every
// write is one LedgerWrite carrying audit_operator and audit_action ("PUT /admin/persons/<psn_no>";
// never an ID number), and its answer is sent only once that write is durable.
//
// Installing a policy or a catalogue: the text is validated, written into the region directory
// atomically (temp file + fsync + rename), the whole region is loaded again, and only if it loads
// is it swapped into the RegionHolder; otherwise the old file is put back and the diagnostics are
// the answer. Settlements in flight keep the snapshot they took.
//
// Threading: Handle() may be called from any thread (an I/O thread: it never blocks, it queues).
// Requests are worked off one at a time, in arrival order, by the API's own thread — reads of the
// ledger, file installs and waiting for a write to be durable happen there — so two operators'
// changes never interleave. The reply is called from that thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "platform/region_holder.h"
#include "server/clock.h"
#include "server/http_server.h"

namespace yibao {

class AdminApi {
 public:
  // `tokens`: bearer token → operator id. The contribution rules are read once, here, from
  // <region dir>/contributions.toml (docs/formats/contribution.md); without a valid file,
  // contributions are refused with the reason. `clock` (not owned; null: the system clock) gives
  // the default date of a catalogue lookup. `region` and `ledger` must outlive the API.
  AdminApi(RegionHolder& region, Ledger& ledger, std::map<std::string, std::string> tokens,
           const Clock* clock = nullptr);
  ~AdminApi();  // answers what is queued, then stops its thread
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Serves one request; `reply` is called once, later, from the API's thread.
  void Handle(const AdminRequest& request, AdminReply reply);

  // For ServerOptions::admin (the API must outlive the server).
  AdminHandler Handler() {
    return [this](const AdminRequest& r, AdminReply reply) { Handle(r, std::move(reply)); };
  }

  // Empty when contributions can be recorded; otherwise why not (also the 409 answer's text).
  const std::string& contributions_problem() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yibao
