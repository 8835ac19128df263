// A libpq result owned: PQclear'd when it goes out of scope.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace yibao {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

}  // namespace yibao
