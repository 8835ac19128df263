// Names a thread as `top -H`, `perf` and /proc/PID/task/*/comm show it, so that an operator can
// tell the ledger's writer from the I/O threads (at most 15 bytes; longer is cut). Called by the
// thread's creator right after starting it, so that the name is there once the creator returns.
#pragma once

#include <thread>

namespace yibao {

void NameThread(std::thread& thread, const char* name);

}  // namespace yibao
