// A PostgreSQL batch of plain writes as a handful of set-based statements.
//
// Why: the PostgreSQL backend's own CPU was the most of any process at 10,000 settlements/s, and
// most of it went on per-statement work (a message parsed, a portal and an executor started, locks
// and catalogue lookups) for the nine statements of each settlement: the settlement, two
// accumulator upserts and two delta rows, three journal rows, the msgid reply. Here a batch of
// such writes becomes one statement a table, each row from arrays (`unnest`), all in the batch's
// one round trip: BEGIN; the statements; the balances; COMMIT.
//
// Only a batch the statements reproduce exactly is taken (`BulkStatements` says nullopt
// otherwise, and the writer applies it write by write, pg_ledger.h):
// - every write is made only of a settlement that cancels nothing, its accumulator deltas and
//   journal, a visit (new or upserted), fee lines and a msgid reply — the registrations, diagnoses,
//   fee uploads and settlements of the national flow; anything else (a cancellation, a
//   contribution, the register, sign-in, audit) sends the batch down the per-write path;
// - no visit is touched by two writes of the batch, so the order of the tables' statements cannot
//   change what a write finds (a new visit's check that it has no lines or settlements yet).
// Every statement either applies all its rows or fails: plain inserts, upserts whose keys are
// distinct (deltas to one accumulator and entries to one balance are summed first; two upserts of
// one visit cannot happen, by the rule above), and the new visits' insert, which turns "the visit
// has lines or settlements already" into a NOT NULL violation instead of a row silently left out.
// A failure of any kind aborts the transaction before COMMIT; the writer rolls it back and runs
// the batch write by write, where each refusal is told apart and goes to its own write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ledger/bill_codec.h"
#include "ledger/ledger.h"

namespace yibao {

// What a visit upsert changes of the row it meets: one clause for the per-write statement
// (pg_ledger.cc) and the bulk one, so that the two cannot drift apart.
#define YIBAO_PG_VISIT_UPSERT                                                       \
  "ON CONFLICT (fixmedins_code, mdtrt_id) DO UPDATE SET psn_no = EXCLUDED.psn_no, " \
  "insutype = EXCLUDED.insutype, med_type = EXCLUDED.med_type, "                    \
  "ipt_otp_no = EXCLUDED.ipt_otp_no, begntime = EXCLUDED.begntime, "                \
  "endtime = EXCLUDED.endtime, status = EXCLUDED.status, info_json = EXCLUDED.info_json"

struct PgBulkStatementSql {
  const char* name;
  const char* sql;
};

// The statements `BulkStatements` names, to prepare on the writer's connection.
extern const PgBulkStatementSql kPgBulkStatements[];
extern const size_t kPgBulkStatementCount;

struct PgBulkStatement {
  const char* name;                 // one of kPgBulkStatements
  std::vector<std::string> params;  // each an array in binary form, one element a row
};

// The statements that apply writes `todo` of `batch` (balanced, in order), the balances they move
// included; nullopt when the batch is not one of plain writes (above). Compresses the settlements'
// bills with `codec` (the writer thread's).
std::optional<std::vector<PgBulkStatement>> BulkStatements(const std::vector<LedgerWrite>& batch,
                                                           const std::vector<long>& todo,
                                                           BillCodec& codec);

}  // namespace yibao
