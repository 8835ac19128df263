// The ledger's read cache: a Ledger over another that keeps, in memory, what a settlement reads —
// the register (persons, institutions, sign-ins, employers, filings), visits and their fee lines,
// whether a visit has a live settlement, the persons' accumulators and the journal's balances, and
// the keys of each person's visits — and keeps it true from the writes themselves, not by expiry.
//
// Why: on SQLite each read transaction after a commit starts with an empty page cache (the WAL
// invalidates it), and under load a commit lands every millisecond or so, so every settlement's
// eight to ten reads were B-tree descents copied from the OS by pread; on PostgreSQL each is a
// round trip. Most of what a settlement reads was written by the calls just before it (2201 → 2203
// → 2204 → 2207) or changes rarely (the register).
//
// How it stays true: a write changes the cache after it is durable and before its callback runs,
// so every read that must see a write (one made after its callback) sees it. Hot entries are kept
// by write-through — a visit upserted is the new value; fee lines uploaded are appended and
// cancelled ones flagged; accumulator deltas and journal amounts are added — exactly as the
// backends apply them; register writes (rare) erase their entries. A read that misses fills the
// cache only if no write touched the entry's shard since the reader's snapshot began
// (cache_shards.h). Each cache is bounded (least recently used out first).
//
// It assumes this process is the ledger's only writer (DESIGN.md §4: a shard is one node). A
// ledger written by several processes at once must not be read through it.
//
// The 事中 review's history of a person (ClaimedVisitsOf) is made from these caches: each person's
// visit keys are kept (every visit that may be one of the person's claims: those the store listed
// when the person was first asked for, and every visit upserted for the person or settled since),
// and each visit, whether it is settled and its lines are read as above, then filtered and ordered
// as the backends' query does; a visit's record and its live lines are handed out as the cache's
// own shared ones, never changed in place while a reader holds them. More than a few misses on the
// way, and the backend answers.
//
// Replies by msgid are not kept, but which msgids surely have none is (msgid_filter.h): a new
// message's replay check then does not read the store, on backends that can tell the greatest
// msgid of an institution in byte order (SQLite; PostgreSQL, whose msgid has the C collation —
// a ledger made before that only under a C database). Not cached:
// settlements and their journal, reconciliation, the audit log; those go to the backend.
#pragma once

#include <cstddef>
#include <memory>

#include "ledger/ledger.h"

namespace yibao {

// Entries at most, each cache (least recently used out first); fee lines count by the line, so
// long stays cannot fill memory. With these, the caches hold well under 1 GiB; fee lines are most
// of it (≈ 0.6 KiB a line with its strings). A visit read again at settlement should still be
// here: sized for the visits a busy region has between fee upload and settlement (`yibao serve
// --read-cache-visits / --read-cache-lines`).
struct ReadCacheOptions {
  size_t persons = 100'000;    // persons by psn_no
  size_t visits = 200'000;     // visits, and visits known to have no live settlement, each
  size_t fee_lines = 800'000;  // fee lines, over all visits kept (each visit counts 1 + its lines)
  size_t accumulators = 100'000;     // (psn_no, insutype, year)
  size_t balances = 100'000;         // journal accounts
  size_t register_entries = 20'000;  // institutions, sign-ins, employers; filings by person
  size_t claims = 200'000;  // persons' visit keys for the 事中 review's history (1 + keys each)
  size_t msgids_recent = 256;  // per institution, msgids written above its floor (msgid_filter.h)
  size_t shards = 64;  // per cache (each its own lock); a test takes 1 to make fills race writes
};

// `backend` read through a cache; Stats() adds the cache's hits and misses.
std::unique_ptr<Ledger> WithReadCache(std::unique_ptr<Ledger> backend,
                                      ReadCacheOptions options = {});

}  // namespace yibao
