// Names the calling thread as `top -H`, `perf` and /proc/PID/task/*/comm show it, so that an
// operator can tell the ledger's writer from the I/O threads (at most 15 bytes; longer is cut).
#pragma once

namespace yibao {

void NameThisThread(const char* name);

}  // namespace yibao
