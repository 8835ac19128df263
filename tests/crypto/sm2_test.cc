#include "crypto/sm2.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

namespace yibao {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(std::string_view hex) {
  auto b = ParseHex(hex);
  EXPECT_TRUE(b.ok()) << hex;
  return b.ok() ? *b : std::vector<uint8_t>{};
}

std::string FirstError(const Diagnostics& ds) { return ds.empty() ? "" : ds[0].ToString(); }

// The SM2 signature example on the recommended curve (GM/T 0003.5-2012 / GB/T 32918.5 examples,
// user ID "1234567812345678", message "message digest"). The GB/T 32918.2-2016 Appendix A example
// uses a different 256-bit test curve (and ID ALICE123@YAHOO.COM) that OpenSSL cannot load.
// Every number below was confirmed in several independent public test suites found by exact-string
// search: a CMVP self-test table (SM2DSA_VECTOR: msg, k, r, s, userid 1234567812345678), a Go SM2
// package's ZA test (ZA, e, r, s), an Elixir SM2 test (public key, ZA, r ‖ s with
// "1234567812345678"), a JavaScript SM2 test (d, k, r, s, public key) and an Objective-C test
// citing the standard's part 5 (d, public key, k, ZA, r, s). The test below also derives the public
// key from d and recomputes ZA and e, so the set is self-consistent.
constexpr std::string_view kVectorD =
    "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
constexpr std::string_view kVectorX =
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
constexpr std::string_view kVectorY =
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
constexpr std::string_view kVectorZ =
    "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3";
constexpr std::string_view kVectorE =
    "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640";
constexpr std::string_view kVectorR =
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
constexpr std::string_view kVectorS =
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";
constexpr std::string_view kVectorMessage = "message digest";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Sm2PublicKey VectorPublicKey() {
  auto key = Sm2PublicKey::FromHex("04" + std::string(kVectorX) + std::string(kVectorY));
  EXPECT_TRUE(key.ok()) << FirstError(key.errors());
  return *key;
}

std::vector<uint8_t> VectorRawSignature() {
  return Bytes(std::string(kVectorR) + std::string(kVectorS));
}

TEST(Sm2VectorTest, PrivateKeyDerivesThePublishedPublicKey) {
  auto key = Sm2PrivateKey::FromHex(kVectorD);
  ASSERT_TRUE(key.ok()) << FirstError(key.errors());
  EXPECT_EQ(key->public_key().ToHex(), Lower("04" + std::string(kVectorX) + std::string(kVectorY)));
  EXPECT_EQ(key->public_key(), VectorPublicKey());
}

TEST(Sm2VectorTest, ComputeZMatchesThePublishedZA) {
  auto z = ComputeZ(VectorPublicKey(), "1234567812345678");
  ASSERT_TRUE(z.ok()) << FirstError(z.errors());
  EXPECT_EQ(Hex(*z), Lower(kVectorZ));
  // The default ID is the same one.
  EXPECT_EQ(*ComputeZ(VectorPublicKey()), *z);
  // e = SM3(ZA ‖ M), the number actually signed.
  EXPECT_EQ(Hex(Sm3Hasher().Update(*z).Update(kVectorMessage).Final()), Lower(kVectorE));
}

TEST(Sm2VectorTest, PublishedSignatureVerifiesRawAndDer) {
  const auto pub = VectorPublicKey();
  const auto raw = VectorRawSignature();
  EXPECT_TRUE(Verify(pub, kVectorMessage, raw, "1234567812345678"));
  auto der = SignatureRawToDer(raw);
  ASSERT_TRUE(der.ok());
  EXPECT_TRUE(Verify(pub, kVectorMessage, *der, "1234567812345678"));
  EXPECT_TRUE(Verify(pub, kVectorMessage, *der));  // default ID
  // Converting back gives the published r ‖ s.
  auto back = SignatureDerToRaw(*der);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Hex(*back), Lower(std::string(kVectorR) + std::string(kVectorS)));
}

TEST(Sm2VectorTest, PublishedSignatureFailsWithAnotherIdOrMessage) {
  const auto pub = VectorPublicKey();
  const auto raw = VectorRawSignature();
  EXPECT_FALSE(Verify(pub, kVectorMessage, raw, "ALICE123@YAHOO.COM"));
  EXPECT_FALSE(Verify(pub, "message digesT", raw, "1234567812345678"));
}

TEST(Sm2VectorTest, KeyFromHexWithoutThe04Prefix) {
  auto key = Sm2PublicKey::FromHex(std::string(kVectorX) + std::string(kVectorY));
  ASSERT_TRUE(key.ok()) << FirstError(key.errors());
  EXPECT_EQ(*key, VectorPublicKey());
}

// ComputeZ must agree with the Z that OpenSSL puts inside its signatures, for any ID: sign with
// OpenSSL's SM3-with-Z, then check the signature over SM3(ComputeZ ‖ M) with OpenSSL's
// verification of a bare digest.
bool OpenSslVerifiesDigest(const Sm2PublicKey& key, const Sm3Digest& e,
                           const std::vector<uint8_t>& der) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr);
  bool ok = ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1 &&
            EVP_PKEY_verify(ctx, der.data(), der.size(), e.data(), e.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

TEST(Sm2Test, ComputeZAgreesWithOpenSslForManyIds) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << FirstError(key.errors());
  const std::string message = "{\"infno\":\"2207\"}";
  for (std::string id : {std::string("1234567812345678"), std::string("ALICE123@YAHOO.COM"),
                         std::string("H12345678901"), std::string("医保定点机构"), std::string("1"),
                         std::string(kSm2MaxIdSize, 'x')}) {
    auto sig = Sign(*key, message, id);
    ASSERT_TRUE(sig.ok()) << FirstError(sig.errors());
    auto z = ComputeZ(key->public_key(), id);
    ASSERT_TRUE(z.ok());
    auto e = Sm3Hasher().Update(*z).Update(message).Final();
    EXPECT_TRUE(OpenSslVerifiesDigest(key->public_key(), e, *sig)) << "id size " << id.size();
    // And the check can fail: the Z of another ID gives another digest.
    std::string other_id = id;
    other_id.back() ^= 1;
    auto other_z = ComputeZ(key->public_key(), other_id);
    ASSERT_TRUE(other_z.ok());
    auto other_e = Sm3Hasher().Update(*other_z).Update(message).Final();
    EXPECT_FALSE(OpenSslVerifiesDigest(key->public_key(), other_e, *sig))
        << "id size " << id.size();
  }
}

TEST(Sm2Test, ComputeZRefusesEmptyAndOverlongIds) {
  auto empty = ComputeZ(VectorPublicKey(), "");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(FirstError(empty.errors()), HasSubstr("ID is empty"));
  auto longer = ComputeZ(VectorPublicKey(), std::string(kSm2MaxIdSize + 1, 'x'));
  ASSERT_FALSE(longer.ok());
  EXPECT_THAT(FirstError(longer.errors()), HasSubstr("8190"));
}

TEST(Sm2Test, SignVerifyRoundTripWithAGeneratedKey) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << FirstError(key.errors());
  const std::string id = "H12345678901";
  for (std::string message : {std::string(), std::string("abc"), std::string(100000, 'z')}) {
    auto der = Sign(*key, message, id);
    ASSERT_TRUE(der.ok()) << FirstError(der.errors());
    EXPECT_LE(der->size(), kSm2MaxDerSignatureSize);
    EXPECT_EQ((*der)[0], 0x30);
    EXPECT_TRUE(Verify(key->public_key(), message, *der, id));
    auto raw = SignRaw(*key, message, id);
    ASSERT_TRUE(raw.ok());
    EXPECT_TRUE(Verify(key->public_key(), message, *raw, id));
  }
}

TEST(Sm2Test, SignaturesAreRandomisedButBothVerify) {
  auto key = Sm2PrivateKey::FromHex(kVectorD);
  ASSERT_TRUE(key.ok());
  auto a = Sign(*key, kVectorMessage);
  auto b = Sign(*key, kVectorMessage);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(Verify(VectorPublicKey(), kVectorMessage, *a));
  EXPECT_TRUE(Verify(VectorPublicKey(), kVectorMessage, *b));
}

TEST(Sm2Test, VerificationFailsForAnyChange) {
  auto key = Sm2PrivateKey::Generate();
  auto other = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok() && other.ok());
  const auto& pub = key->public_key();
  const std::string message = "infno=2207&input={}";
  const std::string id = "1234567812345678";
  auto der = Sign(*key, message, id);
  auto raw = SignRaw(*key, message, id);
  ASSERT_TRUE(der.ok() && raw.ok());
  ASSERT_TRUE(Verify(pub, message, *der, id));

  EXPECT_FALSE(Verify(pub, message + " ", *der, id));            // changed message
  EXPECT_FALSE(Verify(pub, "infno=2208&input={}", *raw, id));    // changed message, raw
  EXPECT_FALSE(Verify(pub, message, *der, "1234567812345679"));  // changed ID
  EXPECT_FALSE(Verify(pub, message, *der, ""));                  // empty ID
  EXPECT_FALSE(Verify(other->public_key(), message, *der, id));  // another key

  for (std::size_t bit = 0; bit < der->size() * 8; bit += 5) {  // flipped bits, DER
    auto bad = *der;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(Verify(pub, message, bad, id)) << "DER bit " << bit;
  }
  for (std::size_t bit = 0; bit < raw->size() * 8; bit += 3) {  // flipped bits, raw
    std::vector<uint8_t> bad(raw->begin(), raw->end());
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(Verify(pub, message, bad, id)) << "raw bit " << bit;
  }
}

TEST(Sm2Test, VerificationFailsForWrongLengths) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const auto& pub = key->public_key();
  auto der = Sign(*key, "m");
  auto raw = SignRaw(*key, "m");
  ASSERT_TRUE(der.ok() && raw.ok());
  std::vector<uint8_t> r(raw->begin(), raw->end());

  EXPECT_FALSE(Verify(pub, "m", std::vector<uint8_t>{}));
  EXPECT_FALSE(Verify(pub, "m", std::vector<uint8_t>(r.begin(), r.end() - 1)));  // 63 bytes
  auto r65 = r;
  r65.push_back(0);
  EXPECT_FALSE(Verify(pub, "m", r65));  // 65 bytes
  auto der_trailing = *der;
  der_trailing.push_back(0);
  EXPECT_FALSE(Verify(pub, "m", der_trailing));  // DER with a trailing byte
  EXPECT_FALSE(Verify(pub, "m", std::vector<uint8_t>(der->begin(), der->end() - 1)));
  EXPECT_FALSE(Verify(pub, "m", std::vector<uint8_t>(200, 0x30)));
  // r = 0 or s = 0 in raw form.
  std::vector<uint8_t> zeros(64, 0);
  EXPECT_FALSE(Verify(pub, "m", zeros));
}

TEST(Sm2Test, SignatureConversionsRefuseBadInput) {
  EXPECT_FALSE(SignatureRawToDer(std::vector<uint8_t>(63, 1)).ok());
  auto not_der = SignatureDerToRaw(std::vector<uint8_t>{0x04, 0x01, 0x00});
  ASSERT_FALSE(not_der.ok());
  EXPECT_THAT(FirstError(not_der.errors()), HasSubstr("not a DER"));
  // r of 33 significant bytes.
  std::vector<uint8_t> big = {0x30, 0x26, 0x02, 0x21, 0x01};
  big.insert(big.end(), 32, 0xff);
  big.insert(big.end(), {0x02, 0x01, 0x01});
  auto too_big = SignatureDerToRaw(big);
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(FirstError(too_big.errors()), HasSubstr("32 bytes"));
}

TEST(Sm2Test, OneKeySharedByManyThreads) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const Sm2PrivateKey shared = *key;  // copies share the one OpenSSL key
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&shared, &failures, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string message = "thread " + std::to_string(t) + " message " + std::to_string(i);
        auto sig = Sign(shared, message, "H12345678901");
        if (!sig.ok() || !Verify(shared.public_key(), message, *sig, "H12345678901") ||
            Verify(shared.public_key(), message + "!", *sig, "H12345678901")) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Sm2Test, SigningRefusesEmptyId) {
  auto key = Sm2PrivateKey::FromHex(kVectorD);
  ASSERT_TRUE(key.ok());
  auto sig = Sign(*key, "m", "");
  ASSERT_FALSE(sig.ok());
  EXPECT_THAT(FirstError(sig.errors()), HasSubstr("ID is empty"));
}

// ---- keys: PEM and malformed input -----------------------------------------------------------

// Made for these tests with `openssl genpkey -algorithm SM2` (OpenSSL 3.0), the public half with
// `openssl pkey -pubout`, the SEC 1 form with `openssl ec`, and a signature of "yibao interop"
// with `openssl dgst -sm3 -sign key.pem -sigopt distid:H12345678901`.
constexpr std::string_view kCliPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgb+RmNIfi6A9Ra6wc
jTZ7BzCa9QlBMC+ZgLfjoUdg1MahRANCAAQ7mYeTBe4HQ8yKpUgpGmZ/Kfcem4Zx
9ttX0NvhvWd2jR4Zw+oUSCWLddrGfTYYAye6oXV3LkhSAvq7Z5NxYdM3
-----END PRIVATE KEY-----
)";
constexpr std::string_view kCliSec1Pem = R"(-----BEGIN SM2 PRIVATE KEY-----
MHcCAQEEIG/kZjSH4ugPUWusHI02ewcwmvUJQTAvmYC346FHYNTGoAoGCCqBHM9V
AYItoUQDQgAEO5mHkwXuB0PMiqVIKRpmfyn3HpuGcfbbV9Db4b1ndo0eGcPqFEgl
i3Xaxn02GAMnuqF1dy5IUgL6u2eTcWHTNw==
-----END SM2 PRIVATE KEY-----
)";
constexpr std::string_view kCliPublicPem = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEO5mHkwXuB0PMiqVIKRpmfyn3HpuG
cfbbV9Db4b1ndo0eGcPqFEgli3Xaxn02GAMnuqF1dy5IUgL6u2eTcWHTNw==
-----END PUBLIC KEY-----
)";
constexpr std::string_view kCliPublicHex =
    "043b99879305ee0743cc8aa548291a667f29f71e9b8671f6db57d0dbe1bd67768d1e19c3ea1448258b75dac67d3618"
    "0327baa175772e485202fabb67937161d337";
constexpr std::string_view kCliSignature =
    "304502206a0505093506cf1261004979d5859964aa9516e7440da169ca201bb872a225af0221009a84502ddb528fd7"
    "d1b66908b8f07ecb3dbdb13a98aae60e4fad089c92bf2522";

TEST(Sm2KeyTest, ReadsPemFromTheOpenSslCommandLine) {
  auto priv = Sm2PrivateKey::FromPem(kCliPrivatePem);
  ASSERT_TRUE(priv.ok()) << FirstError(priv.errors());
  EXPECT_EQ(priv->public_key().ToHex(), kCliPublicHex);
  auto pub = Sm2PublicKey::FromPem(kCliPublicPem);
  ASSERT_TRUE(pub.ok()) << FirstError(pub.errors());
  EXPECT_EQ(pub->ToHex(), kCliPublicHex);
  // A signature made by the openssl command verifies here, and only with its ID.
  EXPECT_TRUE(Verify(*pub, "yibao interop", Bytes(kCliSignature), "H12345678901"));
  EXPECT_FALSE(Verify(*pub, "yibao interop", Bytes(kCliSignature)));
}

TEST(Sm2KeyTest, ReadsSec1Pem) {
  auto priv = Sm2PrivateKey::FromPem(kCliSec1Pem);
  ASSERT_TRUE(priv.ok()) << FirstError(priv.errors());
  EXPECT_EQ(priv->public_key().ToHex(), kCliPublicHex);
  std::string ec_label(kCliSec1Pem);
  for (std::string_view from : {"BEGIN SM2", "END SM2"}) {
    ec_label.replace(ec_label.find(from), from.size(),
                     std::string(from.substr(0, from.size() - 3)) + "EC");
  }
  auto as_ec = Sm2PrivateKey::FromPem(ec_label);
  ASSERT_TRUE(as_ec.ok()) << FirstError(as_ec.errors());
  EXPECT_EQ(as_ec->public_key().ToHex(), kCliPublicHex);
}

TEST(Sm2KeyTest, PemRoundTrip) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  auto priv_pem = key->ToPem();
  ASSERT_TRUE(priv_pem.ok());
  EXPECT_THAT(*priv_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  auto again = Sm2PrivateKey::FromPem(*priv_pem);
  ASSERT_TRUE(again.ok()) << FirstError(again.errors());
  EXPECT_EQ(again->public_key(), key->public_key());

  auto pub_pem = key->public_key().ToPem();
  ASSERT_TRUE(pub_pem.ok());
  EXPECT_THAT(*pub_pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  auto pub = Sm2PublicKey::FromPem(*pub_pem);
  ASSERT_TRUE(pub.ok()) << FirstError(pub.errors());
  EXPECT_EQ(*pub, key->public_key());

  // Keys read back sign and verify for each other.
  auto sig = Sign(*again, "round trip", "H1");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verify(*pub, "round trip", *sig, "H1"));
  EXPECT_TRUE(Verify(key->public_key(), "round trip", *sig, "H1"));
}

TEST(Sm2KeyTest, PublicPemIsEcPublicKeyOnTheSm2Curve) {
  // The SubjectPublicKeyInfo other tools expect: id-ecPublicKey with the SM2 curve OID.
  auto pub = Sm2PublicKey::FromHex(kCliPublicHex);
  ASSERT_TRUE(pub.ok());
  auto pem = pub->ToPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(*pem, kCliPublicPem);
}

TEST(Sm2KeyTest, EncryptedPemNeedsItsPassphrase) {
  auto key = Sm2PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_NE(bio, nullptr);
  char pass[] = "s3cret";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio, key->evp(), EVP_aes_256_cbc(), pass, 6, nullptr, nullptr),
      1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  ASSERT_THAT(pem, HasSubstr("ENCRYPTED PRIVATE KEY"));

  auto no_pass = Sm2PrivateKey::FromPem(pem);
  ASSERT_FALSE(no_pass.ok());
  EXPECT_THAT(FirstError(no_pass.errors()), HasSubstr("sm2.private_key"));
  EXPECT_FALSE(Sm2PrivateKey::FromPem(pem, "wrong").ok());
  auto with_pass = Sm2PrivateKey::FromPem(pem, "s3cret");
  ASSERT_TRUE(with_pass.ok()) << FirstError(with_pass.errors());
  EXPECT_EQ(with_pass->public_key(), key->public_key());
}

TEST(Sm2KeyTest, RefusesKeysOnOtherCurves) {
  EVP_PKEY* p256 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(p256, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio, p256, nullptr, nullptr, 0, nullptr, nullptr), 1);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, p256), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string both(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(p256);

  auto priv = Sm2PrivateKey::FromPem(both);
  ASSERT_FALSE(priv.ok());
  EXPECT_THAT(FirstError(priv.errors()), HasSubstr("not an SM2 key: its curve is prime256v1"));
  auto pub = Sm2PublicKey::FromPem(both.substr(both.find("-----BEGIN PUBLIC KEY")));
  ASSERT_FALSE(pub.ok());
  EXPECT_THAT(FirstError(pub.errors()), HasSubstr("not an SM2 key"));
}

TEST(Sm2KeyTest, RefusesMalformedPublicKeys) {
  const std::string good = "04" + std::string(kVectorX) + std::string(kVectorY);
  struct Case {
    std::string hex;
    std::string says;
  };
  std::string off_curve = good;
  off_curve.back() = off_curve.back() == '3' ? '4' : '3';
  std::string compressed = "02" + std::string(kVectorX);
  std::string wrong_prefix = "05" + good.substr(2);
  std::string not_hex = good;
  not_hex[10] = 'g';
  for (const Case& c : std::vector<Case>{
           {"", "130 digits"},
           {good.substr(0, 129), "130 digits"},
           {compressed, "130 digits"},
           {wrong_prefix, "not starting with 04"},
           {not_hex, "not a hex digit at position 11"},
           {off_curve, "not on the SM2 curve"},
           {"04" + std::string(128, '0'), "not on the SM2 curve"},
       }) {
    auto key = Sm2PublicKey::FromHex(c.hex);
    ASSERT_FALSE(key.ok()) << c.hex;
    EXPECT_THAT(FirstError(key.errors()), HasSubstr(c.says)) << c.hex;
    EXPECT_THAT(FirstError(key.errors()), HasSubstr("sm2.public_key")) << c.hex;
  }
  auto garbage =
      Sm2PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(FirstError(garbage.errors()), HasSubstr("not a PEM public key"));
  EXPECT_FALSE(Sm2PublicKey::FromPem("").ok());
  EXPECT_FALSE(Sm2PublicKey::FromPem(kCliPrivatePem).ok());
}

TEST(Sm2KeyTest, RefusesMalformedPrivateKeys) {
  // n of the SM2 curve (GB/T 32918.5).
  const std::string n = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
  const std::string n_minus_1 = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122";
  const std::string n_minus_2 = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121";
  struct Case {
    std::string hex;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"", "64 digits"},
           {std::string(kVectorD).substr(1), "64 digits"},
           {std::string(kVectorD) + "00", "64 digits"},
           {"zz" + std::string(kVectorD).substr(2), "not a hex digit"},
           {std::string(64, '0'), "out of range"},
           {n, "out of range"},
           {n_minus_1, "out of range"},
           {std::string(64, 'F'), "out of range"},
       }) {
    auto key = Sm2PrivateKey::FromHex(c.hex);
    ASSERT_FALSE(key.ok()) << c.hex;
    EXPECT_THAT(FirstError(key.errors()), HasSubstr(c.says)) << c.hex;
    EXPECT_THAT(FirstError(key.errors()), HasSubstr("sm2.private_key")) << c.hex;
  }
  EXPECT_TRUE(Sm2PrivateKey::FromHex(n_minus_2).ok());
  EXPECT_TRUE(Sm2PrivateKey::FromHex(std::string(63, '0') + "1").ok());
  auto garbage = Sm2PrivateKey::FromPem("not a key");
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(FirstError(garbage.errors()), HasSubstr("not a readable PEM private key"));
  EXPECT_FALSE(Sm2PrivateKey::FromPem(kCliPublicPem).ok());
}

}  // namespace
}  // namespace yibao
