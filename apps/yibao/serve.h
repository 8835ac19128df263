// `yibao serve`: the national-interface service over a ledger, on one region.
#pragma once

#include <cstdint>
#include <string>

#include "ledger/bill_codec.h"
#include "ledger/read_cache.h"

namespace yibao {

struct ServeArgs {
  std::string region_dir;
  std::string ledger = "sqlite:yibao-ledger.db";  // sqlite:PATH | postgresql:CONNINFO
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 0;
  std::string port_file;           // written with the bound port once serving
  std::string admin_token;         // Bearer token of operator "admin"; empty = admin API off
  std::string admin_token_file;    // lines "operator token"
  bool require_signature = false;  // every call SM2-signed (also region.toml require_signature)
  bool quiet = false;              // no request log lines
  int sign_in_hours = 24;          // a 9001 sign-in is good for this long; 0 = until 9002
  std::string rules_dir;           // the review rule base of 3101/3102 and settlement; empty = none
  std::string settlement_review = "enforce";  // off | flag | enforce (settlement_review.h)
  std::string read_cache = "on";              // on | off (ledger/read_cache.h)
  ReadCacheOptions cache;                     // its sizes (visits and fee lines from the command)
  size_t bill_dictionary_after = BillCodecOptions{}.train_after;  // ledger/bill_codec.h
};

int Serve(const ServeArgs& args);

}  // namespace yibao
