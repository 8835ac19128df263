// The ledger on PostgreSQL 15: the same schema and the same semantics as the SQLite ledger (group
// commit by one writer, each write all-or-nothing, callbacks only after COMMIT is durable), on two
// libpq connections — one writer connection owned by the writer thread, one reader connection
// behind a mutex.
//
// How a batch reaches the server (libpq pipeline mode). Every statement of every write of the batch
// is sent without waiting, then one Sync: the usual batch costs two round trips (the writes, then
// COMMIT) and one WAL flush, whatever its size. A refused write cannot simply be skipped inside a
// pipeline — after an error the server discards everything up to the next Sync, and a cancellation
// that finds nothing live to cancel is no error at all (it updates zero rows) — so the writer runs
// the batch optimistically and repairs after the fact:
//
//   BEGIN; SAVEPOINT c; <writes of the trial>; Sync
//   all fine                 -> COMMIT; Sync
//   write k refused          -> k gets its status (decided by that write alone: the state before
//                               it is the same on a re-run); ROLLBACK TO SAVEPOINT c, re-send the
//                               trial's writes before k, RELEASE c; SAVEPOINT c; the next trial
//                               after k; Sync — and so on until all writes are placed, then COMMIT.
//
// After a refusal the next trial is half the last one, or twice the run of good writes before the
// refusal if that is more; after a clean round it doubles. So a batch with r sparse refusals costs
// about 2 + r round trips, and the statements sent stay linear in the batch (a replay storm where
// every write is refused degrades to about one round trip per write, never to n^2 statements). The
// alternative — a SAVEPOINT and a Sync per write — costs one round trip per write on every batch,
// and keeps one subtransaction per write alive until COMMIT (more than 64 overflow the backend's
// subxid cache and slow every concurrent snapshot); here at most one savepoint is open at a time.
//
// A batch of plain writes — registrations, diagnoses, fee uploads and settlements, no visit touched
// by two of them — skips all that: one set-based statement a table, `BEGIN; <statements>; COMMIT`,
// one round trip (ledger/pg_bulk.h). If any statement fails, the transaction is rolled back and
// the batch goes the way above, which finds the refused writes.
//
// Refusals are told apart by SQLSTATE and constraint: unique_violation on settlement_visit or
// settlement_pkey (or a cancellation that updated no live row) -> kDuplicateVisit; on
// msgid_reply_pkey or contribution_pkey -> kDuplicateMsgid; on fee_line_live -> kDuplicateFeeLine;
// a fee-line cancellation that updated no live line -> kNotFound; an unbalanced journal is refused
// in memory (kUnbalanced) and never sent; any other integrity or data error refuses that write
// alone with kFailed. Any
// other error (lost connection, disk full, shutdown) fails the whole batch with kFailed; the writer
// then drops its connection (the server rolls the transaction back) and reconnects for the next
// batch. When the connection is lost while COMMIT is in flight the outcome is unknown to the client
// and reported as kFailed: a retry is then refused as a duplicate msgid/visit if it did commit.
#pragma once

#include <memory>
#include <string>

#include "base/diagnostic.h"
#include "ledger/bill_codec.h"
#include "ledger/ledger.h"
#include "ledger/pg_statistics.h"

namespace yibao {

struct PgLedgerOptions {
  size_t max_batch = 1024;  // writes per transaction at most
  // Reader connections: reads of different threads run in parallel up to this many (each is one
  // PostgreSQL backend process).
  size_t readers = 4;
  // A batch of plain writes (the national flow's registrations, fee uploads and settlements) goes
  // as one set-based statement a table (ledger/pg_bulk.h); false: always write by write.
  bool bulk_batches = true;
  BillCodecOptions bill_codec;
  // ANALYZE of the ledger's tables as they grow from empty (ledger/pg_statistics.h).
  PgStatisticsOptions statistics;
};

// Connects to `conninfo` (libpq keyword/value string or URI) and creates the ledger's tables in the
// first schema of the search_path if they are absent. synchronous_commit is forced on for the
// writer connection.
Result<std::unique_ptr<Ledger>> OpenPgLedger(const std::string& conninfo,
                                             PgLedgerOptions options = {});

}  // namespace yibao
