#include "base/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace yibao {

void NameThread(std::thread& thread, const char* name) {
  // The kernel keeps 16 bytes with the terminator; a longer name is refused, not cut, by it.
  std::string cut(name, std::min<size_t>(std::strlen(name), 15));
  pthread_setname_np(thread.native_handle(), cut.c_str());
}

}  // namespace yibao
