// A settlement's accumulator deltas and journal entries (and a contribution's journal entries) as
// one compact column of its own row, so that a settlement write inserts no per-delta rows and
// DeltasOf / JournalOf read one row. Shared by the ledger backends; not part of the interface.
//
// The encoding (text): for each delta "d<n>:<account><delta>;" and for each journal entry
// "j<n>:<account><amount>;", where n is the account's length in bytes and the numbers are decimal.
// Deltas come in account (byte) order, journal entries in the order posted. An empty string is
// "nothing posted"; a row without the column (NULL: written by an earlier version) has its postings
// in the old tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/ledger.h"

namespace yibao {

// The non-zero deltas of `deltas` sorted by account; false if an account appears twice among them
// (the write is refused kFailed, as the old per-delta primary key did).
bool SortedDeltas(const std::vector<AccumulatorDelta>& deltas,
                  std::vector<std::pair<std::string_view, int64_t>>& out);

void EncodePostings(const std::vector<std::pair<std::string_view, int64_t>>& sorted_deltas,
                    const std::vector<JournalEntry>& journal, std::string& out);

// Decodes `text`; either output may be null. False if `text` is malformed.
bool DecodePostings(std::string_view text, std::vector<std::pair<std::string, int64_t>>* deltas,
                    std::vector<JournalEntry>* journal);

}  // namespace yibao
