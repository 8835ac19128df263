#include "crypto/sm3.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace yibao {
namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "yibao crypto: %s (is SM3 available in OpenSSL's default provider?)\n",
               what);
  std::abort();
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

MdCtxPtr NewSm3Ctx() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) Fatal("EVP_MD_CTX_new failed");
  if (EVP_DigestInit_ex(ctx.get(), EVP_sm3(), nullptr) != 1) Fatal("EVP_DigestInit_ex(SM3) failed");
  return ctx;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

struct Sm3Hasher::Ctx {
  MdCtxPtr md = NewSm3Ctx();
};

Sm3Hasher::Sm3Hasher() : ctx_(std::make_unique<Ctx>()) {}
Sm3Hasher::~Sm3Hasher() = default;
Sm3Hasher::Sm3Hasher(Sm3Hasher&&) noexcept = default;
Sm3Hasher& Sm3Hasher::operator=(Sm3Hasher&&) noexcept = default;

Sm3Hasher& Sm3Hasher::Update(std::span<const uint8_t> data) {
  if (!ctx_) ctx_ = std::make_unique<Ctx>();  // a moved-from hasher starts afresh
  if (!data.empty() && EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size()) != 1) {
    Fatal("EVP_DigestUpdate(SM3) failed");
  }
  return *this;
}

Sm3Hasher& Sm3Hasher::Update(std::string_view data) { return Update(AsBytes(data)); }

Sm3Digest Sm3Hasher::Final() {
  if (!ctx_) ctx_ = std::make_unique<Ctx>();
  Sm3Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_->md.get(), out.data(), &len) != 1 || len != out.size()) {
    Fatal("EVP_DigestFinal_ex(SM3) failed");
  }
  if (EVP_DigestInit_ex(ctx_->md.get(), EVP_sm3(), nullptr) != 1) {
    Fatal("EVP_DigestInit_ex(SM3) failed");
  }
  return out;
}

Sm3Digest Sm3(std::span<const uint8_t> data) {
  Sm3Digest out{};
  unsigned int len = 0;
  // EVP_Digest needs a non-null pointer even for empty input.
  static const uint8_t kEmpty = 0;
  const void* p = data.empty() ? &kEmpty : data.data();
  if (EVP_Digest(p, data.size(), out.data(), &len, EVP_sm3(), nullptr) != 1 || len != out.size()) {
    Fatal("EVP_Digest(SM3) failed");
  }
  return out;
}

Sm3Digest Sm3(std::string_view data) { return Sm3(AsBytes(data)); }

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xf];
  }
  return s;
}

Result<std::vector<uint8_t>> ParseHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Diagnostic{.message =
                          "hex has an odd number of digits (" + std::to_string(hex.size()) + ")"};
  }
  std::vector<uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      std::size_t at = hi < 0 ? 2 * i : 2 * i + 1;
      return Diagnostic{.message = "not a hex digit at position " + std::to_string(at + 1)};
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace yibao
