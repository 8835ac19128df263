#include "crypto/sm2.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace yibao {
namespace {

// ---- RAII for the OpenSSL objects used here -------------------------------------------------

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
// BIGNUMs may hold the secret scalar: always cleared.
struct BnFree {
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
};
template <typename T>
using Ptr = std::unique_ptr<T, Free>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> Share(EVP_PKEY* p) { return std::shared_ptr<EVP_PKEY>(p, Free{}); }

// Clears the bytes of a secret buffer however the function leaves.
struct Cleanse {
  void* p;
  std::size_t n;
  ~Cleanse() { OPENSSL_cleanse(p, n); }
};

// The reason of OpenSSL's most recent error, and an empty queue afterwards.
std::string TakeOpenSslError() {
  unsigned long code = 0, last = 0;
  while ((code = ERR_get_error()) != 0) last = code;
  if (last == 0) return "";
  if (const char* reason = ERR_reason_error_string(last)) return reason;
  char text[256];  // no reason string loaded (SM2's are internal to OpenSSL 3.0): the code
  ERR_error_string_n(last, text, sizeof text);
  return text;
}

Diagnostic Error(std::string field, std::string message, bool with_openssl_reason = false) {
  if (with_openssl_reason) {
    std::string reason = TakeOpenSslError();
    if (!reason.empty()) message += " (OpenSSL: " + reason + ")";
  } else {
    ERR_clear_error();
  }
  return Diagnostic{.field = std::move(field), .message = std::move(message)};
}

Ptr<EC_GROUP> NewSm2Group() { return Ptr<EC_GROUP>(EC_GROUP_new_by_curve_name(NID_sm2)); }

bool BnToFixed(const BIGNUM* bn, uint8_t* out, int size) {
  return BN_bn2binpad(bn, out, size) == size;
}

std::string_view IdProblem(std::string_view id) {
  if (id.empty()) return "the SM2 signer ID is empty";
  if (id.size() > kSm2MaxIdSize) return "the SM2 signer ID is longer than 8190 bytes";
  return {};
}

Ptr<BIO> MemBio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  return Ptr<BIO>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Never prompts: the passphrase given, or failure.
int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
  auto* pass = static_cast<const std::string_view*>(user);
  if (pass == nullptr || pass->empty() || pass->size() > static_cast<std::size_t>(size)) return -1;
  std::memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}

// Whether a decoded key is on the SM2 curve; else what it is, for the message.
Result<bool> CheckSm2Curve(EVP_PKEY* pkey, const std::string& field) {
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) {
    const char* type = EVP_PKEY_get0_type_name(pkey);
    return Error(field,
                 std::string("not an SM2 key: it is a ") + (type ? type : "non-EC") + " key");
  }
  if (std::string_view(group, len) != "SM2") {
    return Error(field, "not an SM2 key: its curve is " + std::string(group, len));
  }
  return true;
}

// ---- key construction -----------------------------------------------------------------------

Result<Sm2Point> CheckedPoint(std::span<const uint8_t> point, const std::string& field) {
  if (point.size() != 65 || point[0] != 0x04) {
    return Error(field, "an SM2 public key is an uncompressed point, 04 ‖ X ‖ Y (65 bytes); got " +
                            std::to_string(point.size()) + " bytes" +
                            (point.empty() || point[0] == 0x04 ? "" : " not starting with 04"));
  }
  Sm2Point p{};
  std::copy(point.begin(), point.end(), p.begin());
  return p;
}

Result<std::shared_ptr<EVP_PKEY>> PublicEvpKey(const Sm2Point& point, const std::string& field) {
  char group[] = "SM2";
  Sm2Point copy = point;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, copy.data(), copy.size()),
      OSSL_PARAM_construct_end()};
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return Error(field, "the point is not on the SM2 curve", true);
  }
  auto key = Share(raw);
  Ptr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return Error(field, "the point is not a valid SM2 public key", true);
  }
  return key;
}

}  // namespace

// ---- Sm2PublicKey ---------------------------------------------------------------------------

Result<Sm2PublicKey> Sm2PublicKey::FromPoint(std::span<const uint8_t> point) {
  const std::string field = "sm2.public_key";
  auto p = CheckedPoint(point, field);
  if (!p) return p.errors();
  auto key = PublicEvpKey(*p, field);
  if (!key) return key.errors();
  return Sm2PublicKey(std::move(*key), *p);
}

Result<Sm2PublicKey> Sm2PublicKey::FromHex(std::string_view hex) {
  const std::string field = "sm2.public_key";
  if (hex.size() != 130 && hex.size() != 128) {
    return Error(field,
                 "an SM2 public key in hex is 04 ‖ X ‖ Y (130 digits) or X ‖ Y (128 digits); got " +
                     std::to_string(hex.size()) + " characters");
  }
  auto bytes = ParseHex(hex);
  if (!bytes) return Error(field, bytes.errors().front().message);
  if (bytes->size() == 64) bytes->insert(bytes->begin(), 0x04);
  return FromPoint(*bytes);
}

Result<Sm2PublicKey> Sm2PublicKey::FromPem(std::string_view pem) {
  const std::string field = "sm2.public_key";
  auto bio = MemBio(pem);
  if (!bio) return Error(field, "PEM text too large");
  std::string_view no_pass;
  Ptr<EVP_PKEY> pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, PassphraseCallback, &no_pass));
  if (!pkey) {
    return Error(field, "not a PEM public key (-----BEGIN PUBLIC KEY-----, SubjectPublicKeyInfo)",
                 true);
  }
  auto curve = CheckSm2Curve(pkey.get(), field);
  if (!curve) return curve.errors();
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  BnPtr x(x_raw), y(y_raw);
  Sm2Point point{};
  point[0] = 0x04;
  if (!x || !y || !BnToFixed(x.get(), point.data() + 1, 32) ||
      !BnToFixed(y.get(), point.data() + 33, 32)) {
    return Error(field, "cannot read the public point from the PEM key", true);
  }
  return FromPoint(point);
}

std::string Sm2PublicKey::ToHex() const { return Hex(point_); }

Result<std::string> Sm2PublicKey::ToPem() const {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return Error("sm2.public_key", "cannot write the public key as PEM", true);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// ---- Sm2PrivateKey --------------------------------------------------------------------------

Result<Sm2PrivateKey> Sm2PrivateKey::FromHex(std::string_view hex) {
  const std::string field = "sm2.private_key";
  if (hex.size() != 64) {
    return Error(field, "an SM2 private key in hex is 64 digits (32 bytes); got " +
                            std::to_string(hex.size()) + " characters");
  }
  auto bytes = ParseHex(hex);
  if (!bytes) return Error(field, bytes.errors().front().message);
  Cleanse wipe{bytes->data(), bytes->size()};
  return FromScalar(*bytes);
}

Result<Sm2PrivateKey> Sm2PrivateKey::FromPem(std::string_view pem, std::string_view passphrase) {
  const std::string field = "sm2.private_key";
  auto bio = MemBio(pem);
  if (!bio) return Error(field, "PEM text too large");
  Ptr<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, PassphraseCallback, &passphrase));
  if (!pkey) {
    return Error(field,
                 "not a readable PEM private key (PRIVATE KEY, EC PRIVATE KEY, or ENCRYPTED "
                 "PRIVATE KEY with the right passphrase)",
                 true);
  }
  auto curve = CheckSm2Curve(pkey.get(), field);
  if (!curve) return curve.errors();
  BIGNUM* d_raw = nullptr;
  EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d_raw);
  BnPtr d(d_raw);
  uint8_t scalar[32];
  Cleanse wipe{scalar, sizeof scalar};
  if (!d || !BnToFixed(d.get(), scalar, 32)) {
    return Error(field, "cannot read the private scalar from the PEM key", true);
  }
  return FromScalar(scalar);
}

Result<Sm2PrivateKey> Sm2PrivateKey::Generate() {
  const std::string field = "sm2.private_key";
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return Error(field, "SM2 key generation failed", true);
  }
  Ptr<EVP_PKEY> pkey(raw);
  BIGNUM* d_raw = nullptr;
  EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d_raw);
  BnPtr d(d_raw);
  uint8_t scalar[32];
  Cleanse wipe{scalar, sizeof scalar};
  if (!d || !BnToFixed(d.get(), scalar, 32)) {
    return Error(field, "cannot read the generated private scalar", true);
  }
  // Rebuilt the one way every key is built, so that all keys look alike to OpenSSL.
  return FromScalar(scalar);
}

Result<std::string> Sm2PrivateKey::ToPem() const {
  // Secure memory BIO: the buffer is cleansed when freed.
  Ptr<BIO> bio(BIO_new(BIO_s_secmem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error("sm2.private_key", "cannot write the private key as PEM", true);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Sm2PrivateKey> Sm2PrivateKey::FromScalar(std::span<const uint8_t> scalar) {
  const std::string field = "sm2.private_key";
  auto group = NewSm2Group();
  Ptr<BN_CTX> bn_ctx(BN_CTX_secure_new());
  BnPtr d(BN_secure_new());
  if (!group || !bn_ctx || !d ||
      BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get()) == nullptr) {
    return Error(field, "out of memory building the SM2 key", true);
  }
  // GB/T 32918.1 §6.1: d ∈ [1, n − 2].
  BnPtr n_minus_1(BN_dup(EC_GROUP_get0_order(group.get())));
  if (!n_minus_1 || !BN_sub_word(n_minus_1.get(), 1)) {
    return Error(field, "out of memory building the SM2 key", true);
  }
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), n_minus_1.get()) >= 0) {
    return Error(field, "the SM2 private key is out of range: it must be in [1, n-2]");
  }
  Ptr<EC_POINT> pub(EC_POINT_new(group.get()));
  Sm2Point point{};
  if (!pub || EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                         point.size(), bn_ctx.get()) != point.size()) {
    return Error(field, "cannot derive the SM2 public key", true);
  }
  auto public_key = Sm2PublicKey::FromPoint(point);
  if (!public_key) return public_key.errors();

  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "SM2", 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Error(field, "out of memory building the SM2 key", true);
  }
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return Error(field, "OpenSSL refused the SM2 key pair", true);
  }
  return Sm2PrivateKey(Share(raw), std::move(*public_key));
}

// ---- Z, signatures ---------------------------------------------------------------------------

Result<Sm3Digest> ComputeZ(const Sm2PublicKey& key, std::string_view id) {
  if (auto problem = IdProblem(id); !problem.empty()) {
    return Error("sm2.id", std::string(problem));
  }
  auto group = NewSm2Group();
  Ptr<BN_CTX> bn_ctx(BN_CTX_new());
  BnPtr p(BN_new()), a(BN_new()), b(BN_new()), gx(BN_new()), gy(BN_new());
  uint8_t curve[4][32];
  if (!group || !bn_ctx || !p || !a || !b || !gx || !gy ||
      EC_GROUP_get_curve(group.get(), p.get(), a.get(), b.get(), bn_ctx.get()) != 1 ||
      EC_POINT_get_affine_coordinates(group.get(), EC_GROUP_get0_generator(group.get()), gx.get(),
                                      gy.get(), bn_ctx.get()) != 1 ||
      !BnToFixed(a.get(), curve[0], 32) || !BnToFixed(b.get(), curve[1], 32) ||
      !BnToFixed(gx.get(), curve[2], 32) || !BnToFixed(gy.get(), curve[3], 32)) {
    return Error("sm2", "cannot read the SM2 curve parameters", true);
  }
  const std::size_t bits = id.size() * 8;
  const uint8_t entl[2] = {static_cast<uint8_t>(bits >> 8), static_cast<uint8_t>(bits & 0xff)};
  Sm3Hasher h;
  h.Update(entl).Update(id);
  for (const auto& part : curve) h.Update(part);
  h.Update(std::span<const uint8_t>(key.point()).subspan(1));  // xA ‖ yA
  return h.Final();
}

Result<Sm2RawSignature> SignatureDerToRaw(std::span<const uint8_t> der) {
  const std::string field = "sm2.signature";
  if (der.empty() || der.size() > kSm2MaxDerSignatureSize) {
    return Error(field, "a DER SM2 signature is 8 to 72 bytes; got " + std::to_string(der.size()));
  }
  const unsigned char* p = der.data();
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return Error(field, "not a DER SEQUENCE { r INTEGER, s INTEGER }");
  if (p != der.data() + der.size()) return Error(field, "bytes after the DER signature");
  Sm2RawSignature raw{};
  if (BN_is_negative(ECDSA_SIG_get0_r(sig.get())) || BN_is_negative(ECDSA_SIG_get0_s(sig.get())) ||
      !BnToFixed(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32) ||
      !BnToFixed(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32)) {
    return Error(field, "r or s does not fit in 32 bytes");
  }
  return raw;
}

Result<std::vector<uint8_t>> SignatureRawToDer(std::span<const uint8_t> raw) {
  const std::string field = "sm2.signature";
  if (raw.size() != kSm2RawSignatureSize) {
    return Error(field,
                 "a raw SM2 signature is r ‖ s, 64 bytes; got " + std::to_string(raw.size()));
  }
  BnPtr r(BN_bin2bn(raw.data(), 32, nullptr));
  BnPtr s(BN_bin2bn(raw.data() + 32, 32, nullptr));
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return Error(field, "out of memory encoding the signature", true);
  }
  r.release();  // owned by sig now
  s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return Error(field, "cannot encode the signature as DER", true);
  std::vector<uint8_t> der(static_cast<std::size_t>(len));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) {
    return Error(field, "cannot encode the signature as DER", true);
  }
  return der;
}

Result<std::vector<uint8_t>> Sign(const Sm2PrivateKey& key, std::span<const uint8_t> message,
                                  std::string_view id) {
  const std::string field = "sm2.sign";
  if (auto problem = IdProblem(id); !problem.empty()) return Error("sm2.id", std::string(problem));
  Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  if (!md ||
      EVP_DigestSignInit_ex(md.get(), &pctx, "SM3", nullptr, nullptr, key.evp(), nullptr) != 1 ||
      EVP_PKEY_CTX_set1_id(pctx, id.data(), id.size()) <= 0) {
    return Error(field, "cannot start an SM2 signature", true);
  }
  size_t len = 0;
  if (EVP_DigestSignUpdate(md.get(), message.data(), message.size()) != 1 ||
      EVP_DigestSignFinal(md.get(), nullptr, &len) != 1) {
    return Error(field, "SM2 signing failed", true);
  }
  std::vector<uint8_t> sig(len);
  if (EVP_DigestSignFinal(md.get(), sig.data(), &len) != 1) {
    return Error(field, "SM2 signing failed", true);
  }
  sig.resize(len);
  return sig;
}

Result<std::vector<uint8_t>> Sign(const Sm2PrivateKey& key, std::string_view message,
                                  std::string_view id) {
  return Sign(key, AsBytes(message), id);
}

Result<Sm2RawSignature> SignRaw(const Sm2PrivateKey& key, std::span<const uint8_t> message,
                                std::string_view id) {
  auto der = Sign(key, message, id);
  if (!der) return der.errors();
  return SignatureDerToRaw(*der);
}

Result<Sm2RawSignature> SignRaw(const Sm2PrivateKey& key, std::string_view message,
                                std::string_view id) {
  return SignRaw(key, AsBytes(message), id);
}

namespace {

bool VerifyDer(const Sm2PublicKey& key, std::span<const uint8_t> message,
               std::span<const uint8_t> der, std::string_view id) {
  Ptr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by md
  bool ok =
      md &&
      EVP_DigestVerifyInit_ex(md.get(), &pctx, "SM3", nullptr, nullptr, key.evp(), nullptr) == 1 &&
      EVP_PKEY_CTX_set1_id(pctx, id.data(), id.size()) > 0 &&
      EVP_DigestVerifyUpdate(md.get(), message.data(), message.size()) == 1 &&
      EVP_DigestVerifyFinal(md.get(), der.data(), der.size()) == 1;
  ERR_clear_error();  // a bad signature leaves reasons on the queue; the answer is `ok`
  return ok;
}

}  // namespace

bool Verify(const Sm2PublicKey& key, std::span<const uint8_t> message,
            std::span<const uint8_t> signature, std::string_view id) {
  if (!IdProblem(id).empty()) return false;
  if (signature.size() == kSm2RawSignatureSize) {
    auto der = SignatureRawToDer(signature);
    if (der && VerifyDer(key, message, *der, id)) return true;
    if (signature[0] != 0x30) return false;  // not a DER SEQUENCE either
  }
  if (signature.empty() || signature.size() > kSm2MaxDerSignatureSize) return false;
  return VerifyDer(key, message, signature, id);
}

bool Verify(const Sm2PublicKey& key, std::string_view message, std::span<const uint8_t> signature,
            std::string_view id) {
  return Verify(key, AsBytes(message), signature, id);
}

}  // namespace yibao
