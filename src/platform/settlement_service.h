// The settlement use cases over the ledger: pre-settle, settle, cancel — the platform layer between
// the shells (HTTP, CLI) and the pure core. A use case loads state from the ledger, calls the
// engine, and commits the result as one LedgerWrite; its reply is produced only once that write is
// durable.
//
// Serialisation (DESIGN.md §2.6): operations on one person (psn_no, insutype, year) run one after
// another in arrival order — each reads the accumulators only after the previous one is durable —
// so two institutions settling the same person at once give the same accumulators as doing it one
// after the other. Different persons proceed in parallel up to the ledger's single writer.
//
// Idempotency (§2.5): an operation carries (fixmedins_code, msgid); if the ledger holds a reply for
// it, that reply is returned and nothing else happens.
//
// Thread safety: all methods may be called from any thread; `done` callbacks run on the ledger's
// writer thread or the calling thread and must not block.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "interface/prepare.h"
#include "ledger/ledger.h"
#include "platform/person_queue.h"
#include "region/region.h"
#include "settle/settle.h"

namespace yibao {

struct ServiceReply {
  bool ok = false;
  bool replayed = false;    // the stored reply of an earlier identical msgid
  std::string err_msg;      // when !ok: "<field>: <why>"
  std::string output_json;  // when ok: the bill (settle) or the cancellation record
  std::string setl_id;
};

class SettlementService {
 public:
  // `region` is the insured place's region (policies), also used as the place of treatment
  // (catalogue); both must outlive the service.
  SettlementService(const Region& region, Ledger& ledger);

  // Computes without committing (预结算): reads the person's accumulators, settles, replies.
  ServiceReply PreSettle(const std::string& visit_json);

  // Settles (结算) the visit given as visit JSON (docs/formats/visit.md). A second settlement of a
  // visit that has a live one is refused.
  void Settle(const std::string& fixmedins_code, const std::string& msgid,
              const std::string& visit_json, std::function<void(ServiceReply)> done);

  // Cancels (结算撤销) the settlement `setl_id` of this institution: posts its exact reversal.
  void Cancel(const std::string& fixmedins_code, const std::string& msgid,
              const std::string& setl_id, std::function<void(ServiceReply)> done);

 private:
  static std::string SettlementId(const std::string& fixmedins_code, const std::string& msgid);

  const Region& region_;
  Ledger& ledger_;
  PersonQueue persons_;
};

}  // namespace yibao
