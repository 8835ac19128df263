// SM3 (GB/T 32905-2016), the 256-bit hash of the Chinese commercial cryptography suite, through
// OpenSSL 3's EVP_sm3(). Also the hex helpers the crypto module and its callers share.
//
// Thread safety: the free functions are safe to call from any thread; an Sm3Hasher is one
// running digest and must not be shared between threads without a lock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"

namespace yibao {

inline constexpr std::size_t kSm3DigestSize = 32;
using Sm3Digest = std::array<uint8_t, kSm3DigestSize>;

// The SM3 digest of `data`. SM3 is in OpenSSL 3's default provider; if it cannot be fetched (a
// FIPS-only configuration) the process aborts with a message, since nothing here can go on.
Sm3Digest Sm3(std::span<const uint8_t> data);
Sm3Digest Sm3(std::string_view data);

// Incremental SM3: Update as often as needed, then Final, which also resets the hasher for reuse.
class Sm3Hasher {
 public:
  Sm3Hasher();
  ~Sm3Hasher();
  Sm3Hasher(Sm3Hasher&&) noexcept;
  Sm3Hasher& operator=(Sm3Hasher&&) noexcept;
  Sm3Hasher(const Sm3Hasher&) = delete;
  Sm3Hasher& operator=(const Sm3Hasher&) = delete;

  Sm3Hasher& Update(std::span<const uint8_t> data);
  Sm3Hasher& Update(std::string_view data);
  Sm3Digest Final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Lower-case hex, two digits a byte.
std::string Hex(std::span<const uint8_t> bytes);

// Hex to bytes: an even number of digits, upper or lower case, nothing else (no spaces, no 0x).
Result<std::vector<uint8_t>> ParseHex(std::string_view hex);

// The bytes of a string, for the span overloads.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace yibao
