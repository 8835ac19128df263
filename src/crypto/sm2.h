// SM2 digital signatures (GB/T 32918.2-2016, with the recommended curve of GB/T 32918.5-2017 and
// the SM3 digest), through OpenSSL 3's EVP layer. A signature over message M by a signer with
// distinguishing ID `id` and public key P is the SM2 signature of e = SM3(Z ‖ M), where
// Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xP ‖ yP) (ComputeZ). The default ID of GM/T 0009-2012 is
// "1234567812345678"; the national interface's institutions may be given their own.
//
// Signatures are DER (GM/T 0009: SEQUENCE { r INTEGER, s INTEGER }) or raw r ‖ s, 32 bytes each.
//
// Errors are values: key parsing and signing return Result; Verify answers false for anything it
// cannot accept (bad signature, wrong length, malformed DER, empty or over-long ID).
//
// Thread safety: keys are immutable after construction and cheap to copy (they share one OpenSSL
// key object); any number of threads may sign and verify with the same key at once, since every
// call makes its own EVP contexts. OpenSSL's per-thread error queue is cleared before returning.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "crypto/sm3.h"

namespace yibao {

// GM/T 0009-2012 default user ID.
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";
// ENTL, the ID's length in bits, is two bytes, which would allow 8191 bytes of ID; OpenSSL 3
// refuses IDs of UINT16_MAX / 8 = 8191 bytes or more, so 8190 is the most that works.
inline constexpr std::size_t kSm2MaxIdSize = 8190;
inline constexpr std::size_t kSm2RawSignatureSize = 64;  // r ‖ s
inline constexpr std::size_t kSm2MaxDerSignatureSize = 72;

using Sm2RawSignature = std::array<uint8_t, kSm2RawSignatureSize>;
using Sm2Point = std::array<uint8_t, 65>;  // 04 ‖ X ‖ Y

class Sm2PublicKey {
 public:
  // An uncompressed point in hex: "04" ‖ X ‖ Y (130 digits), or X ‖ Y without the 04 (128 digits),
  // as vendors often hand them out. The point must lie on the SM2 curve.
  static Result<Sm2PublicKey> FromHex(std::string_view hex);
  static Result<Sm2PublicKey> FromPoint(std::span<const uint8_t> point);  // 04 ‖ X ‖ Y, 65 bytes
  // A PEM "PUBLIC KEY" (SubjectPublicKeyInfo, id-ecPublicKey on the SM2 curve).
  static Result<Sm2PublicKey> FromPem(std::string_view pem);

  const Sm2Point& point() const { return point_; }
  std::string ToHex() const;  // "04" ‖ X ‖ Y, lower case
  Result<std::string> ToPem() const;

  // The OpenSSL key (type SM2), for this module's functions; never modify it.
  EVP_PKEY* evp() const { return key_.get(); }

  friend bool operator==(const Sm2PublicKey& a, const Sm2PublicKey& b) {
    return a.point_ == b.point_;
  }

 private:
  Sm2PublicKey(std::shared_ptr<EVP_PKEY> key, const Sm2Point& point)
      : key_(std::move(key)), point_(point) {}
  std::shared_ptr<EVP_PKEY> key_;
  Sm2Point point_{};
};

class Sm2PrivateKey {
 public:
  // The secret scalar d as 64 hex digits (big-endian), 1 ≤ d ≤ n − 2.
  static Result<Sm2PrivateKey> FromHex(std::string_view hex);
  // A PEM "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" (SEC 1) on the SM2 curve; an encrypted PKCS#8
  // key ("ENCRYPTED PRIVATE KEY") needs its passphrase. Never prompts.
  static Result<Sm2PrivateKey> FromPem(std::string_view pem, std::string_view passphrase = {});
  // A fresh key from OpenSSL's random generator.
  static Result<Sm2PrivateKey> Generate();

  // Derived from d at construction.
  const Sm2PublicKey& public_key() const { return public_key_; }
  // Unencrypted PKCS#8 PEM: a secret, handle it as such.
  Result<std::string> ToPem() const;

  EVP_PKEY* evp() const { return key_.get(); }

 private:
  // The one way every private key is built: d (32 bytes, big-endian), P = [d]G derived here.
  static Result<Sm2PrivateKey> FromScalar(std::span<const uint8_t> scalar);
  Sm2PrivateKey(std::shared_ptr<EVP_PKEY> key, Sm2PublicKey pub)
      : key_(std::move(key)), public_key_(std::move(pub)) {}
  std::shared_ptr<EVP_PKEY> key_;
  Sm2PublicKey public_key_;
};

// Z_A of GB/T 32918.2 §5.5 for this key and ID. Fails only for an empty or over-long ID.
Result<Sm3Digest> ComputeZ(const Sm2PublicKey& key, std::string_view id = kSm2DefaultId);

// Signs `message` (SM3 over Z ‖ message inside). DER-encoded signature, at most 72 bytes.
Result<std::vector<uint8_t>> Sign(const Sm2PrivateKey& key, std::span<const uint8_t> message,
                                  std::string_view id = kSm2DefaultId);
Result<std::vector<uint8_t>> Sign(const Sm2PrivateKey& key, std::string_view message,
                                  std::string_view id = kSm2DefaultId);
// The same signature as r ‖ s, 32 bytes each, big-endian.
Result<Sm2RawSignature> SignRaw(const Sm2PrivateKey& key, std::span<const uint8_t> message,
                                std::string_view id = kSm2DefaultId);
Result<Sm2RawSignature> SignRaw(const Sm2PrivateKey& key, std::string_view message,
                                std::string_view id = kSm2DefaultId);

// True when `signature` is a valid signature of `message` by `key` with `id`. The signature is
// strict DER, or raw r ‖ s when it is exactly 64 bytes (a 64-byte string that fails as r ‖ s and
// starts with the DER SEQUENCE tag is also tried as DER).
bool Verify(const Sm2PublicKey& key, std::span<const uint8_t> message,
            std::span<const uint8_t> signature, std::string_view id = kSm2DefaultId);
bool Verify(const Sm2PublicKey& key, std::string_view message, std::span<const uint8_t> signature,
            std::string_view id = kSm2DefaultId);

// Conversions between the two signature forms. DER must be strict (no trailing bytes) with
// r and s each below 2^256.
Result<Sm2RawSignature> SignatureDerToRaw(std::span<const uint8_t> der);
Result<std::vector<uint8_t>> SignatureRawToDer(std::span<const uint8_t> raw);

}  // namespace yibao
