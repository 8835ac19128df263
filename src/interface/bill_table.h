// A settlement as a plain-text slip (结算单) for people: the split, each fund, each line, the
// trace.
#pragma once

#include <string>

#include "settle/bill.h"
#include "visit/visit.h"

namespace yibao {

std::string RenderBillTable(const Settlement& settlement, const Visit& visit);

}  // namespace yibao
