// Renders a bill's trace as sentences a patient or auditor can follow (`setl_proc_info`).
#pragma once

#include <string>
#include <vector>

#include "settle/bill.h"
#include "visit/visit.h"

namespace yibao {

std::vector<std::string> RenderTrace(const Bill& bill, const Visit& visit);

}  // namespace yibao
